"""`tenderscore whatif PACK_OR_RECORD`: how close the decision was, and whether a third bid decided it."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .common import emit, format_option, ledger_option, output_option, user_errors


@click.command()
@click.argument("source", metavar="PACK_OR_RECORD")
@format_option(["table", "json", "html"], "table")
@output_option
@ledger_option
@user_errors
def whatif(source: str, fmt: str, output: Path | None, ledger: Path) -> None:
    """Show how far each weight can move before another bid ranks first, whether taking out any bid below
    first reorders the others, and the ranking under each price and quality method.

    Each weight (price, quality, social value; each question and theme within them) is moved up and down on
    the 0.01 grid with its siblings rescaled in proportion; the smallest move that changes the first-ranked
    bid is reported with who ranks first there, confirmed by scoring the tender in full at that weight and
    0.01 short of it, and the policy status there where the social value weight moves. The rules fire once
    per bid; the rest is exact arithmetic with the same functions as `score`. `--format html` is the full
    report with a what-if section.

    PACK_OR_RECORD is a tender pack folder, a decision record file, or a record id in the ledger. Nothing is
    appended to the ledger. Exit codes: 0, 2 bad input, 3 a pack its ruleset's policy refuses, 4 a record
    that does not verify.

    \b
    Examples:
      tenderscore whatif fixtures/stockport-highways
      tenderscore whatif fixtures/stockport-highways --format json --output whatif.json
    """
    from ..audit.replay import rebuild_pack, verified
    from ..audit.source import load_record
    from ..explanation import scored_now
    from ..output.html import render_scored_html
    from ..output.whatif_text import render_whatif_text
    from ..pack import load_pack
    from ..whatif import analyse, whatif_to_dict

    if Path(source).is_dir():
        pack = load_pack(Path(source))
    else:
        record, where = load_record(source, ledger)
        pack = rebuild_pack(verified(record, where))
    analysis = analyse(pack)
    data = whatif_to_dict(analysis)
    if fmt == "json":
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    elif fmt == "html":
        text = render_scored_html(scored_now(analysis.evaluation), whatif=data)
    else:
        text = render_whatif_text(data)
    emit(text, output)
