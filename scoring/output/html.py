"""The evaluation report as one self-contained HTML page: for panels on screen and cabinet papers in print.

Everything is inline (CSS, SVG charts, one small print script pinned by a Content-Security-Policy hash), so the
file opens offline and fetches nothing. Figures come from the Result through the same formatting as the JSON
output, and each is wrapped in `<data value="...">` carrying the JSON string, so a reader (or a test) can check
the page against `score --format json`. Output is deterministic: no clock, no random ids, Decimal geometry.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from scoring.numbers import HUNDRED, ZERO, div, fmt2, fmt_plain, mul, round2
from scoring.output.json_out import summary_line
from scoring.result import BidResult, CommitmentValue, Result, ThemeScore

# Opens every collapsed breakdown before printing and restores it after: the print stylesheet does the same
# through ::details-content where a browser supports it; this covers the browsers that do not.
PRINT_SCRIPT = (
    "(function(){var opened=[];"
    "addEventListener('beforeprint',function(){document.querySelectorAll('details:not([open])')"
    ".forEach(function(d){d.open=true;opened.push(d);});});"
    "addEventListener('afterprint',function(){opened.forEach(function(d){d.open=false;});opened=[];});})();"
)

INFO = "\N{INFORMATION SOURCE}"
# The policy statuses scoring.md names, as words and a symbol, so the banner never relies on colour alone.
POLICY_STATUS = {
    "meets_target": ("ok", "✓", "Meets the social value target"),
    "below_target": ("warn", "⚠", "Warning: below the social value target"),
    "below_floor_exempt": ("warn", "⚠", "Below the social value floor, under a recorded exemption"),
    "not_applicable": ("info", INFO, "Social value policy does not apply"),
}

# Stacked bar chart geometry (SVG user units): a bar per bid, 9 units per point, 100 points wide.
UNITS_PER_POINT = Decimal(9)
BAR_X = 8
BAR_HEIGHT = 24
ROW_HEIGHT = 80
CHART_TOP = 56
SEGMENTS = (
    ("price", "Price", "seg-price"),
    ("quality", "Quality", "seg-quality"),
    ("social_value", "Social value", "seg-sv"),
)


@dataclass(frozen=True)
class RecordRef:
    """The decision record a report was rendered from or alongside, when one is known."""

    hash: str
    created_at: str | None = None
    ledger_id: str | None = None


def render_html(result: Result, record: RecordRef | None = None) -> str:
    """The whole report; `record` adds the decision record's hash (and time) to the footer."""
    template = _environment().get_template("report.html.j2")
    return template.render(report=_report(result), record=record, script=Markup(PRINT_SCRIPT), csp=_csp())


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("scoring.output", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(gbp=gbp, pts=pts, plain=plain, theme_label=theme_label, breakable=breakable)
    return env


def _csp() -> str:
    # No network at all: styles and the one script are inline, the script allowed by its hash only.
    digest = base64.b64encode(hashlib.sha256(PRINT_SCRIPT.encode("utf-8")).digest()).decode("ascii")
    return f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'; img-src data:"


def gbp(value: Decimal | None) -> Markup:
    """Money for people (£1,260,000.00) carrying the JSON string (1260000.00) as its machine value."""
    if value is None:
        return Markup('<span class="none">—</span>')
    return Markup('<data value="{}">{}</data>').format(fmt2(value), money(value))


def money(value: Decimal) -> str:
    """Money in a line of working, as people read it: £1,260,000.00."""
    return f"£{round2(value):,.2f}"


def pts(value: Decimal | None) -> Markup:
    """Points as the JSON publishes them; an excluded bid's missing points say so in words."""
    if value is None:
        return Markup('<span class="none">no points</span>')
    return Markup('<data value="{0}">{0}</data>').format(fmt2(value))


def plain(value: Decimal) -> str:
    return fmt_plain(value)


def breakable(code: str) -> Markup:
    """A rule id or code that may wrap after its dots, underscores and commas on a narrow printed page."""
    return Markup("<wbr>").join(escape(part) for part in re.split(r"(?<=[._,])", code))


def theme_label(theme: str) -> str:
    return theme.replace("_", " ").capitalize()


def _report(result: Result) -> dict[str, Any]:
    eligible = result.eligible
    lowest = min((b.price_gbp for b in eligible), default=None)
    return {
        "result": result,
        "summary": summary_line(result),
        "policy": _policy(result),
        "columns": [_column(b, i) for i, b in enumerate(result.bids, start=1)],
        "chart": _stacked_chart(eligible),
        "themes": _theme_rows(result),
        "outcomes": _outcome_rows(result),
        "issues": _issue_rows(result),
        "breakdowns": [_breakdown(result, b, i, lowest) for i, b in enumerate(result.bids, start=1)],
    }


def _column(bid: BidResult, number: int) -> dict[str, Any]:
    return {"bid": bid, "anchor": f"bid-{number}"}


def _policy(result: Result) -> dict[str, Any]:
    p = result.policy
    tone, icon, words = POLICY_STATUS.get(p.status, ("info", INFO, f"Policy status: {p.status}"))
    return {"tone": tone, "icon": icon, "words": words, "p": p}


def _stacked_chart(eligible: list[BidResult]) -> dict[str, Any]:
    rows = []
    for index, bid in enumerate(eligible):
        top = CHART_TOP + index * ROW_HEIGHT
        x = Decimal(BAR_X)
        segments = []
        for key, label, css in SEGMENTS:
            value = {"price": bid.price_points, "quality": bid.quality_points, "social_value": bid.sv_points}[key]
            width = mul(value or ZERO, UNITS_PER_POINT)
            segments.append({"x": fmt_plain(x), "width": fmt_plain(width), "label": label, "css": css, "value": value})
            x += width
        rows.append({"bid": bid, "y": top, "bar_y": top + 10, "text_y": top + 10 + BAR_HEIGHT + 18, "segs": segments})
    ticks = [
        {"x": fmt_plain(Decimal(BAR_X) + mul(Decimal(t), UNITS_PER_POINT)), "label": str(t)} for t in range(0, 101, 20)
    ]
    height = CHART_TOP + len(eligible) * ROW_HEIGHT + 8
    return {
        "rows": rows,
        "ticks": ticks,
        "width": BAR_X + int(mul(HUNDRED, UNITS_PER_POINT)) + 16,
        "height": height,
        "axis_bottom": height - 8,
        "bar_height": BAR_HEIGHT,
    }


def _share(value: Decimal, best: Decimal | None) -> str:
    """A bar's length as a percentage of the best eligible figure (0 when nobody offers anything)."""
    if best is None or best <= ZERO:
        return "0"
    return fmt_plain(round2(min(HUNDRED, div(mul(value, HUNDRED), best))))


def _theme_rows(result: Result) -> list[dict[str, Any]]:
    rows = []
    for theme in result.themes:
        cells = [b.themes[theme] for b in result.bids]
        best = max((b.themes[theme].gbp for b in result.eligible), default=None)
        rows.append(
            {
                "theme": theme,
                "weight": cells[0].weight if cells else ZERO,
                "best": best,
                "cells": [
                    {"bid": b, "score": c, "share": _share(c.gbp, best), "top": _is_top(b, c.gbp, best)}
                    for b, c in zip(result.bids, cells, strict=True)
                ],
            }
        )
    return rows


def _is_top(bid: BidResult, value: Decimal, best: Decimal | None) -> bool:
    return bid.eligible and best is not None and best > ZERO and value == best


def _outcome_rows(result: Result) -> list[dict[str, Any]]:
    rows = []
    for key, title in result.core_outcome_titles.items():
        best = max((b.core_outcomes.get(key, ZERO) for b in result.eligible), default=None)
        cells = []
        for bid in result.bids:
            value = bid.core_outcomes.get(key, ZERO)
            cells.append({"bid": bid, "gbp": value, "share": _share(value, best), "top": _is_top(bid, value, best)})
        rows.append({"key": key, "title": title, "best": best, "cells": cells})
    return rows


def _issue_rows(result: Result) -> list[dict[str, str]]:
    """Every exclusion and flag, excluded bids' reasons first: what a panel must act on."""
    rows = []
    for bid in result.bids:
        for e in bid.excluded_reasons:
            rows.append(
                {
                    "bidder": bid.bidder,
                    "kind": "Excluded",
                    "icon": "✕",
                    "code": e.code,
                    "text": e.reason,
                    "rule": e.rule,
                }
            )
    for bid in result.bids:
        for f in bid.flags:
            rows.append(
                {"bidder": bid.bidder, "kind": "Flag", "icon": "⚑", "code": f.code, "text": f.message, "rule": f.rule}
            )
    return rows


def _breakdown(result: Result, bid: BidResult, number: int, lowest: Decimal | None) -> dict[str, Any]:
    scale = result.tender.scale_max
    return {
        "bid": bid,
        "anchor": f"bid-{number}",
        "price": _price_working(result, bid, lowest),
        "quality": [_question_line(q.weight, q.score, scale, q) for q in bid.section_questions("quality")],
        "sv_questions": [_question_line(q.weight, q.score, scale, q) for q in bid.section_questions("social_value")],
        "themes": [_theme_line(bid, t) for t in bid.themes.values()],
        # Unknown measures belong to no theme: listed on their own so every commitment is accounted for.
        "unthemed": [_commitment_line(c) for c in bid.commitments if c.theme not in bid.themes],
        "total": _total_working(bid),
    }


def _price_working(result: Result, bid: BidResult, lowest: Decimal | None) -> str:
    w = plain(result.tender.price_weight)
    if not bid.eligible or lowest is None:
        return "No price points: the bid is excluded, so its price takes no part in the relative scoring."
    if result.tender.price_method == "lowest_relative":
        points = fmt2(bid.price_points or ZERO)
        return f"{w} × lowest eligible price {money(lowest)} ÷ this price {money(bid.price_gbp)} = {points}"
    if result.tender.price_method == "linear_from_lowest":
        return (
            f"{w} × max(0, 1 − ({money(bid.price_gbp)} − {money(lowest)}) ÷ {money(lowest)}) "
            f"= {fmt2(bid.price_points or ZERO)}"
        )
    return f"{result.tender.price_method}: {fmt2(bid.price_points or ZERO)}"


def _question_line(weight: Decimal, score: Decimal, scale: Decimal, q: Any) -> dict[str, Any]:
    working = None if q.points is None else f"{plain(weight)} × {plain(score)} ÷ {plain(scale)} = {fmt2(q.points)}"
    return {"q": q, "working": working}


def _theme_line(bid: BidResult, t: ThemeScore) -> dict[str, Any]:
    commitments = [c for c in bid.commitments if c.theme == t.theme]
    working = None
    if t.points is not None:
        if t.best_gbp is None or t.best_gbp <= ZERO:
            working = f"nobody eligible offers anything in this theme: {fmt2(t.points)}"
        else:
            working = f"{plain(t.weight)} × {money(t.gbp)} ÷ best {money(t.best_gbp)} = {fmt2(t.points)}"
    return {"t": t, "commitments": [_commitment_line(c) for c in commitments], "working": working}


def _commitment_line(c: CommitmentValue) -> dict[str, Any]:
    working = "not counted"
    if c.counted:
        working = f"{plain(c.quantity)} × {money(c.proxy_gbp or ZERO)} = {money(c.raw_gbp or ZERO)}"
        if c.capped:
            working += f", capped at {money(c.cap_gbp or ZERO)}"
    return {"c": c, "working": working, "rules": ", ".join(c.rules)}


def _total_working(bid: BidResult) -> str | None:
    if bid.total is None:
        return None
    parts = [bid.price_points or ZERO, bid.quality_points or ZERO, bid.sv_points or ZERO]
    return " + ".join(fmt2(p) for p in parts) + f" = {fmt2(bid.total)}"
