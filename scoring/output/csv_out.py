"""One CSV row per bid, eligible and excluded, for spreadsheets."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from scoring.numbers import fmt2
from scoring.result import Result


def _pts(value: Decimal | None) -> str:
    return "" if value is None else fmt2(value)


def render_csv(result: Result) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    themes = list(result.themes)
    writer.writerow(
        ["rank", "bid_id", "bidder", "status", "price_gbp", "price_points", "quality_points", "social_value_points"]
        + [f"{theme}_gbp" for theme in themes]
        + [f"{theme}_points" for theme in themes]
        + ["sv_total_gbp", "sv_percent_of_contract", "total", "flags", "excluded_reasons"]
    )
    for b in result.bids:
        writer.writerow(
            ["" if b.rank is None else b.rank, b.bid_id, b.bidder, b.status, fmt2(b.price_gbp)]
            + [_pts(b.price_points), _pts(b.quality_points), _pts(b.sv_points)]
            + [fmt2(b.themes[t].gbp) for t in themes]
            + [_pts(b.themes[t].points) for t in themes]
            + [fmt2(b.sv_total_gbp), fmt2(b.sv_percent), _pts(b.total)]
            + [" ".join(f.code for f in b.flags), " ".join(e.reason for e in b.excluded_reasons)]
        )
    return buffer.getvalue()
