"""`tenderscore explain PACK_OR_RECORD --bid ID`: every point of one bid traced to its arithmetic and rules."""

from __future__ import annotations

import json
from pathlib import Path

import click

from scoring.audit.explain import explain_evaluation, explain_record, render_text, source_of_pack
from scoring.audit.replay import verified
from scoring.audit.source import load_record
from scoring.cli.common import format_option, user_errors
from scoring.cli.ledger import ledger_option
from scoring.evaluate import evaluate
from scoring.pack import load_pack
from scoring.panel import individual_scores


@click.command()
@click.argument("source", metavar="PACK_OR_RECORD")
@click.option("--bid", "bid_id", required=True, help="The bid to explain (its id: the bid file's stem).")
@format_option(["text", "json"], "text")
@ledger_option
@user_errors
def explain(source: str, bid_id: str, fmt: str, ledger: Path | None) -> None:
    """Trace every point of one bid: the price formula with its numbers, each question's score, weight and
    points, each theme's commitments with the rule that valued each, flags, exclusions and the policy status.

    PACK_OR_RECORD is a tender pack folder (scored now), a decision record file, or a record id in the ledger.
    The points lines add up to the bid's total. Exit codes: 0, 2 bad input or unknown bid, 3 a pack its
    ruleset's policy refuses, 4 a record that does not verify.

    \b
    Examples:
      tenderscore explain fixtures/stockport-highways --bid castle
      tenderscore explain 3 --bid castle --format json
    """
    if Path(source).is_dir():
        pack = load_pack(Path(source))
        explanation = explain_evaluation(evaluate(pack), bid_id, source_of_pack(pack.display), individual_scores(pack))
    else:
        record, where = load_record(source, ledger)
        explanation = explain_record(verified(record, where), bid_id, where)
    if fmt == "json":
        click.echo(json.dumps(explanation, indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(explanation), nl=False)
