"""`tenderscore replay RECORD`: score a decision record again from its own contents and compare."""

from __future__ import annotations

from pathlib import Path

import click

from scoring.audit.record import short
from scoring.audit.replay import replay as replay_record
from scoring.audit.replay import report_lines
from scoring.audit.source import load_record
from scoring.cli.common import fail, user_errors
from scoring.cli.ledger import ledger_option
from scoring.errors import EXIT_DIFFERS


@click.command()
@click.argument("record")
@ledger_option
@user_errors
def replay(record: str, ledger: Path | None) -> None:
    """Re-score a decision record from the record alone and compare the result and firings byte for byte.

    RECORD is a record file (`ledger export`) or a record id in the ledger. The ruleset and every input are
    rebuilt from the texts the record holds, never from files on disk. A record whose own hash does not verify
    is reported before anything is replayed.

    Exit codes: 0 identical, 4 different (the differences are listed: which bid, which figure, recorded vs now)
    or the record does not verify, 2 no such record.

    \b
    Examples:
      tenderscore replay 3
      tenderscore replay record-3.json
    """
    loaded, where = load_record(record, ledger)
    outcome = replay_record(loaded, where)
    if not outcome.identical:
        click.echo("\n".join(report_lines(outcome)))
        fail([f"{where}: the replay does not match the record"], EXIT_DIFFERS)
    click.echo(
        f"{where}: replays identically, byte for byte (sha256 {short(loaded['hash'])}…, "
        f"{len(loaded['result']['bids'])} bids, {len(loaded['firings'])} firings; made {loaded['created_at']} "
        f"by tenderscore {loaded['tool']['version']})."
    )
