"""`tenderscore score PACK`: the main job."""

from __future__ import annotations

from pathlib import Path

import click

from scoring.cli.common import emit, output_option, pack_argument, user_errors
from scoring.cli.ledger import keep_record, ledger_option
from scoring.evaluate import evaluate
from scoring.output import FORMATS, render_evaluation
from scoring.output.html import RecordRef
from scoring.pack import load_pack


@click.command()
@pack_argument
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="How to print the result.",
)
@output_option
@ledger_option
@click.option("--no-ledger", is_flag=True, help="Keep no decision record of this run.")
@user_errors
def score(pack: Path, fmt: str, output: Path | None, ledger: Path | None, no_ledger: bool) -> None:
    """Score a tender pack: gates, minimums, price, quality and social value, policy, ranking.

    Exit codes: 0 scored, 2 bad input (every problem listed), 3 refused by the ruleset's policy
    (for instance a social value weight under the floor with no recorded exemption).

    Each run appends a decision record to the ledger (see `tenderscore ledger`) before any output is written,
    and prints the ledger's path on stderr; --no-ledger keeps none.

    \b
    Examples:
      tenderscore score fixtures/stockport-highways
      tenderscore score fixtures/stockport-highways --format json --output result.json
      tenderscore score fixtures/stockport-highways --format html --output report.html
    """
    if no_ledger and ledger is not None:
        raise click.UsageError("--ledger and --no-ledger contradict each other: give one.")
    loaded = load_pack(pack)
    evaluation = evaluate(loaded)
    stored = None if no_ledger else keep_record(loaded, evaluation, ledger)
    record = None if stored is None else RecordRef(stored.hash, stored.record["created_at"], str(stored.id))
    emit(render_evaluation(evaluation, fmt, record), output)
