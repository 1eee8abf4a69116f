"""`tenderscore summaries PACK_OR_RECORD --output-dir DIR`: an assessment summary for every assessed tender."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import format_option, ledger_option, user_errors

if TYPE_CHECKING:
    from ..audit.location import LedgerLocation

EXTENSIONS = {"docx": "docx", "html": "html", "markdown": "md"}


@click.command()
@click.argument("source", metavar="PACK_OR_RECORD")
@click.option(
    "--output-dir",
    metavar="DIR",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one summary per tender to DIR/assessment-summary-<bid>.<ext>.",
)
@format_option(list(EXTENSIONS), "docx", "The summaries' format: a Word letter, an HTML page or Markdown.")
@click.option(
    "--allow-missing-explanations",
    is_flag=True,
    help="Write the summaries even where a consensus score has no rationale (each says so in its place).",
)
@ledger_option
@user_errors
def summaries(
    source: str, output_dir: Path, fmt: str, allow_missing_explanations: bool, ledger: LedgerLocation
) -> None:
    """Write an assessment summary for every assessed tender (Procurement Act 2023 s.50(3); contents as the
    Procurement Regulations 2024 reg. 31 lists): the supplier's name, contact and unique identifier, the award
    criteria with their weights, methods and scales, each criterion's and sub-criterion's score explained by
    reference to the tender (the panel's rationale; the price formula with its numbers; the commitments, proxies,
    caps and flags behind each social value theme, rule by rule), sub-totals and total, and for every other
    supplier why it is not being awarded the contract and how the most advantageous tender was assessed.

    PACK_OR_RECORD is a decision record file, a record id in the ledger, or a pack folder (scored now, its
    decision record appended to the ledger first), so every summary matches a recorded decision.

    Every consensus score needs a rationale in scores.csv: without one the command lists every such score and
    writes nothing (exit 2), unless --allow-missing-explanations. Exit codes: 0 written, 2 bad input or missing
    rationales, 3 a pack its ruleset's policy refuses, 4 a record that does not verify.

    \b
    Examples:
      tenderscore summaries fixtures/stockport-highways --output-dir summaries
      tenderscore summaries fixtures/stockport-highways --output-dir summaries --format html
    """
    from ..award import Decision, build_summaries, render_summary
    from ..files import write_atomic
    from .decided import open_decision

    documents: list[tuple[Path, str | bytes]] = []

    def render_all(decision: Decision) -> None:
        documents.extend(
            (output_dir / f"assessment-summary-{s.own.supplier.bid_id}.{EXTENSIONS[fmt]}", render_summary(s, fmt))
            for s in build_summaries(decision, allow_missing_explanations)
        )

    # Every summary is built and rendered before any is written, and before a pack's record is kept: a refusal
    # or a failed renderer leaves the folder as it was and appends nothing.
    open_decision(source, ledger, render_all)
    output_dir.mkdir(parents=True, exist_ok=True)
    for path, data in documents:
        write_atomic(path, data)
        click.echo(str(path))
