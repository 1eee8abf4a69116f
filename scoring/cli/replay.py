"""`tenderscore replay RECORD...`: score decision records again from their own contents and compare."""

from __future__ import annotations

import sys

import click

from ..audit.location import LedgerLocation
from ..audit.replay import replay as replay_record
from ..audit.replay import report_lines
from ..audit.source import load_record
from ..audit.store import open_ledger
from ..batch.records import expand_records, ledger_last_id
from ..batch.runner import default_jobs
from ..errors import ExitCode
from ..numbers import short
from .batching import check_and_report
from .common import fail, jobs_option, ledger_option, say, user_errors


@click.command()
@click.argument("records", metavar="RECORD...", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Replay every record in the ledger.")
@jobs_option("records")
@ledger_option
@user_errors
def replay(records: tuple[str, ...], every: bool, jobs: int | None, ledger: LedgerLocation) -> None:
    """Re-score a decision record from the record alone and compare the result and firings byte for byte.

    RECORD is a record file (`ledger export`) or a record id in the ledger. The ruleset and every input are
    rebuilt from the texts the record holds, never from files on disk. A record whose own hash does not verify
    is reported before anything is replayed.

    Several records (files, ids, id ranges such as 3-40, folders of record files, or --all) are replayed by
    --jobs worker processes: each difference is listed, a summary table ends the run, and one record that
    differs or does not verify never stops the others. A progress bar shows on stderr when it is a terminal.

    Exit codes: 0 identical, 4 different (the differences are listed: which bid, which figure, recorded vs now)
    or the record does not verify, 2 no such record; with several records, 1 if any could not be checked at
    all (its worker process died, or an internal error), else the highest of any record.

    \b
    Examples:
      tenderscore replay 3
      tenderscore replay record-3.json
      tenderscore replay --all --jobs 4
      tenderscore replay 1-3 exported-2025/
    """
    references = expand_records(records, ledger_last_id(ledger))
    if every:
        with open_ledger(ledger, create=False) as book:
            references += [str(entry.id) for entry in book.entries()]
    if not references:
        raise click.UsageError("give a RECORD (a record file or ledger id), several, or --all.")
    if len(references) > 1 or every or references != list(records):
        _replay_many(references, jobs, ledger)
        return
    (record,) = references
    loaded, where = load_record(record, ledger)
    outcome = replay_record(loaded, where)
    if not outcome.identical:
        say("\n".join(report_lines(outcome)))
        fail([f"{where}: the replay does not match the record"], ExitCode.DIFFERS)
    say(
        f"{where}: replays identically, byte for byte (sha256 {short(loaded['hash'])}…, "
        f"{len(loaded['result']['bids'])} bids, {len(loaded['firings'])} firings; made {loaded['created_at']} "
        f"by tenderscore {loaded['tool']['version']})."
    )


def _replay_many(references: list[str], jobs: int | None, ledger: LedgerLocation) -> None:
    # The ledger is named here, in this process: workers may not share this process's environment.
    code = check_and_report(references, "replay", ledger, jobs or default_jobs())
    if code:
        sys.exit(code)
