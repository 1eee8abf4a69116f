"""The ranked table for people (tabulate), as plain text or Markdown."""

from __future__ import annotations

from collections.abc import Callable

from tabulate import tabulate

from ..numbers import ZERO, fmt2, fmt_gbp, fmt_money, fmt_plain
from ..published import facts_summary_line, summary_line
from ..result import Result
from ..safe_text import markdown_cell, markdown_text
from .words import in_words

HEADERS = ["Rank", "Bidder", "Price £", "Price pts", "Quality", "Social value", "Total", "Flags"]
# Figures line up on the right, as in any spreadsheet a panel is used to; text stays on the left.
ALIGN = ("right", "left", "right", "right", "right", "right", "right", "left")


def _rows(result: Result, text: Callable[[str], str] = str) -> list[list[str]]:
    return [
        [
            str(b.rank),
            text(b.bidder),
            fmt_money(b.price_gbp),
            fmt2(b.price_points or ZERO),
            fmt2(b.quality_points or ZERO),
            fmt2(b.sv_points or ZERO),
            fmt2(b.total or ZERO),
            ", ".join(in_words(f.code) for f in b.flags),
        ]
        for b in result.eligible
    ]


def _policy_lines(result: Result) -> list[str]:
    p = result.policy
    target = "none" if p.target is None else f"{fmt_plain(p.target)}%"
    lines = [
        f"Policy: {p.status} (social value weight {fmt_plain(p.social_value_weight)}%, "
        f"floor {fmt_plain(p.floor)}%, target {target}). {p.message}"
    ]
    if p.status == "below_target":
        lines[0] = "Warning: " + lines[0]
    lines += [f"Notice: {n.code}: {n.message}" for n in p.notices]
    return lines


def _excluded_lines(result: Result) -> list[str]:
    # An excluded bid's flags still matter (scoring.md values every bid): an implausible offer is worth knowing.
    return [
        f"Excluded: {b.bidder} ({b.bid_id}): "
        + " ".join(e.reason for e in b.excluded_reasons)
        + (f" Flags: {', '.join(in_words(f.code) for f in b.flags)}." if b.flags else "")
        for b in result.excluded
    ]


def _facts_lines(result: Result) -> list[str]:
    """The tender-level count, then each bid's notices (its code and the rule that raised it), under the
    ruleset's own heading for its bid facts (Stockport: Charter)."""
    title = result.bid_facts.title if result.bid_facts is not None else "Notices"
    line = facts_summary_line(result)
    lines = [line] if line else []
    lines += [
        f"{title}, {b.bidder} ({b.bid_id}): " + "; ".join(f"{n.code} (rule {n.rule})" for n in b.notices) + "."
        for b in result.bids
        if b.notices
    ]
    return lines


def _heading(result: Result) -> str:
    t = result.tender
    return (
        f"{t.id} {t.title}: contract value {fmt_gbp(t.contract_value_gbp)}, "
        f"weights price {fmt_plain(t.price_weight)} / quality {fmt_plain(t.quality_weight)} / "
        f"social value {fmt_plain(t.social_value_weight)}; ruleset {result.ruleset.id}@{result.ruleset.version}"
    )


def render_table(result: Result) -> str:
    parts = [_heading(result), ""]
    if result.eligible:
        parts.append(tabulate(_rows(result), headers=HEADERS, tablefmt="simple", disable_numparse=True, colalign=ALIGN))
        parts.append("")
    parts.append(summary_line(result))
    parts += _excluded_lines(result)
    parts += _policy_lines(result)
    parts += _facts_lines(result)
    return "\n".join(parts) + "\n"


def render_markdown(result: Result) -> str:
    parts = [
        f"# {markdown_text(f'{result.tender.id} {result.tender.title}')}",
        "",
        markdown_text(_heading(result)),
        "",
    ]
    if result.eligible:
        rows = _rows(result, markdown_cell)
        parts.append(tabulate(rows, headers=HEADERS, tablefmt="github", disable_numparse=True, colalign=ALIGN))
        parts.append("")
    parts.append(markdown_text(summary_line(result)))
    parts.append("")
    parts += [
        f"- {markdown_text(line)}" for line in _excluded_lines(result) + _policy_lines(result) + _facts_lines(result)
    ]
    return "\n".join(parts) + "\n"
