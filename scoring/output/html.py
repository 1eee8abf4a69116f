"""The evaluation report as one self-contained HTML page: for panels on screen and cabinet papers in print.

Everything is inline (CSS, SVG charts, one small print script pinned by a Content-Security-Policy hash), so the
file opens offline and fetches nothing. Figures come from the Result through the same formatting as the JSON
output, and each is wrapped in `<data value="...">` carrying the JSON string, so a reader (or a test) can check
the page against `score --format json`. Output is deterministic: no clock, no random ids, Decimal geometry.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from ..explanation import Scored, explain
from ..numbers import HUNDRED, ZERO, div, fmt2, fmt_gbp, fmt_plain, mul, round2
from ..published import summary_line
from ..result import BidResult, Result
from . import RecordRef
from .words import in_words

# Opens every collapsed breakdown before printing and restores it after: the print stylesheet does the same
# through ::details-content where a browser supports it; this covers the browsers that do not.
PRINT_SCRIPT = (
    "(function(){var opened=[];"
    "addEventListener('beforeprint',function(){document.querySelectorAll('details:not([open])')"
    ".forEach(function(d){d.open=true;opened.push(d);});});"
    "addEventListener('afterprint',function(){opened.forEach(function(d){d.open=false;});opened=[];});})();"
)

# What each breakdown's explanation names as its source: the page itself, whose footer names the record.
REPORT_ORIGIN = {"kind": "report", "where": "the HTML report"}

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


def render_html(result: Result, record: RecordRef | None = None) -> str:
    """The report of a Result alone: every figure and rule id, without firing numbers or the panel's own
    scores. `record` puts the decision record's hash (and time) in the footer."""
    return render_scored_html(Scored(result, [], {}, REPORT_ORIGIN), record)


def render_scored_html(scored: Scored, record: RecordRef | None = None) -> str:
    """The report of a result with what explains it (a pack scored now, or a decision record: see
    scoring.audit.source), its breakdowns citing those firings and the evaluators' own scores."""
    template = _environment().get_template("report.html.j2")
    report = _report(replace(scored, origin=REPORT_ORIGIN))
    return template.render(report=report, record=record, script=Markup(PRINT_SCRIPT), csp=_csp())


@functools.cache
def _environment() -> Environment:
    # Built once per process: the environment keeps the compiled template, which batch runs render many times.
    env = Environment(
        loader=PackageLoader(__package__ or "tenderscore.scoring.output", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(gbp=gbp, pts=pts, plain=plain, theme_label=theme_label, breakable=breakable, words=in_words)
    return env


def _csp() -> str:
    # No network at all: styles and the one script are inline, the script allowed by its hash only.
    digest = base64.b64encode(hashlib.sha256(PRINT_SCRIPT.encode("utf-8")).digest()).decode("ascii")
    return f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'; img-src data:"


def gbp(value: Decimal | str | None) -> Markup:
    """Money for people (£1,260,000.00) carrying the JSON string (1260000.00) as its machine value."""
    if value is None:
        return Markup('<span class="none">—</span>')
    exact = Decimal(value)
    # A formatted Decimal is digits, sign, point, commas and £: nothing to escape. Built directly, not through
    # Markup.format (half the time of a report of thousands of bids, each with dozens of figures).
    return Markup(f'<data value="{fmt2(exact)}">{fmt_gbp(exact)}</data>')


def pts(value: Decimal | str | None) -> Markup:
    """Points as the JSON publishes them; an excluded bid's missing points say so in words."""
    if value is None:
        return Markup('<span class="none">no points</span>')
    figure = fmt2(Decimal(value))
    return Markup(f'<data value="{figure}">{figure}</data>')


def plain(value: Decimal) -> str:
    return fmt_plain(value)


def breakable(code: str) -> Markup:
    """A rule id or code that may wrap after its dots, underscores and commas on a narrow printed page."""
    return Markup("<wbr>").join(escape(part) for part in re.split(r"(?<=[._,])(?=[A-Za-z ])", code))


def theme_label(theme: str) -> str:
    return theme.replace("_", " ").capitalize()


def _report(scored: Scored) -> dict[str, Any]:
    result = scored.result
    eligible = result.eligible
    return {
        "result": result,
        "summary": summary_line(result),
        "policy": _policy(result),
        "columns": [_column(b, i) for i, b in enumerate(result.bids, start=1)],
        "chart": _stacked_chart(eligible),
        "themes": _theme_rows(result),
        "outcomes": _outcome_rows(result),
        "issues": _issue_rows(result),
        "breakdowns": [_breakdown(scored, b, i) for i, b in enumerate(result.bids, start=1)],
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


def _breakdown(scored: Scored, bid: BidResult, number: int) -> dict[str, Any]:
    # The same explanation `tenderscore explain` prints (firings and panel scores included), so the page and
    # the command never disagree.
    return {"bid": bid, "anchor": f"bid-{number}", "ex": explain(scored, bid.bid_id)}
