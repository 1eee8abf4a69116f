"""`tenderscore explain PACK_OR_RECORD --bid ID`: every point of one bid traced to its arithmetic and rules."""

from __future__ import annotations

import json

import click

from ..audit.location import LedgerLocation
from ..audit.source import open_scored
from ..explanation import explain as explain_bid
from ..output.explain_text import render_text
from .common import format_option, ledger_option, say, user_errors


@click.command()
@click.argument("source", metavar="PACK_OR_RECORD")
@click.option("--bid", "bid_id", required=True, help="The bid to explain (its id: the bid file's stem).")
@format_option(["text", "json"], "text")
@ledger_option
@user_errors
def explain(source: str, bid_id: str, fmt: str, ledger: LedgerLocation) -> None:
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
    explanation = explain_bid(open_scored(source, ledger), bid_id)
    if fmt == "json":
        say(json.dumps(explanation, indent=2, ensure_ascii=False))
    else:
        say(render_text(explanation), nl=False)
