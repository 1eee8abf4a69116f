"""One CSV row per bid, eligible and excluded, for spreadsheets."""

from __future__ import annotations

import csv
import io

from ..numbers import fmt2, opt2
from ..result import Result

# Spreadsheets run a cell that starts with one of these as a formula; a bidder's name must stay text (OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def render_csv(result: Result) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    themes = list(result.themes)
    writer.writerow(
        ["rank", "bid_id", "bidder", "status", "price_gbp", "price_points", "quality_points", "social_value_points"]
        + [f"{theme}_gbp" for theme in themes]
        + [f"{theme}_points" for theme in themes]
        + ["sv_total_gbp", "sv_percent_of_contract", "total", "flags", "excluded_reasons", "notices"]
    )
    # An excluded bid's points are empty cells, as spreadsheets expect of a missing figure.
    for b in result.bids:
        writer.writerow(
            ["" if b.rank is None else b.rank, _text(b.bid_id), _text(b.bidder), b.status, fmt2(b.price_gbp)]
            + [opt2(points) or "" for points in (b.price_points, b.quality_points, b.sv_points)]
            + [fmt2(b.themes[t].gbp) for t in themes]
            + [opt2(b.themes[t].points) or "" for t in themes]
            + [fmt2(b.sv_total_gbp), fmt2(b.sv_percent), opt2(b.total) or ""]
            # Codes are snake_case words when the engine made them; a result read back from a stored record is
            # guarded all the same, since a cell is a formula by its first character whoever wrote it.
            + [_text(" ".join(f.code for f in b.flags)), _text(" ".join(e.reason for e in b.excluded_reasons))]
            + [_text(" ".join(n.code for n in b.notices))]
        )
    return buffer.getvalue()
