"""`tenderscore panel sheets PACK` and `tenderscore panel moderate PACK`: the evaluation panel's workflow."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError
from ..files import write_atomic
from ..pack import load_pack
from ..panel import PROPOSAL_FILE, moderate_sheets, proposal_csv
from ..panel.blanks import SHEET_FORMATS, blank_sheets, sheets_in_the_way
from ..panel.report import REPORT_FORMATS, render_moderation
from .common import format_option, pack_argument, say, user_errors


@click.group()
def panel() -> None:
    """Evaluation panels: blank sheets for each evaluator, then the spread report and proposed consensus.

    \b
    Example:
      tenderscore panel sheets fixtures/stockport-panel --output-dir /tmp/sheets
      tenderscore panel moderate fixtures/stockport-panel
    """


@panel.command()
@pack_argument
@format_option(SHEET_FORMATS, "xlsx", "Sheet format.")
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the sheets (default: PACK/panel, where moderation reads them).",
)
@click.option("--force", is_flag=True, help="Replace sheets that evaluators have already filled in.")
@user_errors
def sheets(pack: Path, fmt: str, output_dir: Path | None, force: bool) -> None:
    """Write one blank sheet per evaluator of the tender's panel.

    Each sheet lists every (bid, question) the evaluator scores, the question's title, the scale and its
    descriptors, empty score and comment columns, and a conflict-of-interest declaration to sign. No sheet
    shows a price. A sheet someone has filled in is never overwritten without --force.

    \b
    Examples:
      tenderscore panel sheets fixtures/stockport-panel --output-dir /tmp/sheets
      tenderscore panel sheets PACK --format csv
    """
    loaded = load_pack(pack, consensus=False)
    folder = output_dir if output_dir is not None else pack / "panel"
    written = blank_sheets(loaded.tender, loaded.bidders(), fmt, loaded.file_label("tender.yaml"))
    problems = sheets_in_the_way(folder, list(written), force)
    if problems:
        raise InputError(problems)
    for name, content in written.items():
        write_atomic(folder / name, content)
    say(f"Wrote {len(written)} sheets to {folder}: {', '.join(written)}")


@panel.command()
@pack_argument
@format_option(REPORT_FORMATS, "table", "Report format.")
@user_errors
def moderate(pack: Path, fmt: str) -> None:
    """Read every sheet, check it is complete, report the spread per item and propose consensus scores.

    Every gap (a missing, out-of-range or off-step score, a missing or unsigned declaration) is listed at
    once, with the evaluator, bid and question, and the command exits 2. Otherwise it reports each item's
    scores, mean, median, min, max and spread with a RAG status (thresholds from the ruleset's policy), and
    writes PACK/consensus-proposed.csv: each median rounded half up to the scale's step, in scores.csv's columns.

    \b
    Examples:
      tenderscore panel moderate fixtures/stockport-panel
      tenderscore panel moderate fixtures/stockport-panel --format json
    """
    loaded = load_pack(pack, consensus=False)
    moderation = moderate_sheets(
        loaded.texts(), loaded.tender, loaded.bidders(), loaded.ruleset.model.policy, loaded.display
    )
    target = pack / PROPOSAL_FILE
    write_atomic(target, proposal_csv(moderation))
    say(render_moderation(moderation, fmt, str(target)), nl=False)
