"""An assessment summary as Markdown: the same content as the letter, for a portal message or a review.

Every text in it came from the tender, the bids or the panel, so each is written with Markdown's own escapes
(safe_text.markdown_text): a bidder named "<b>..." or "[x](javascript:...)" reads as that text, never as markup.
"""

from __future__ import annotations

from ..safe_text import markdown_cell, markdown_text
from .summary import Assessment, Summary, supplier_lines


def _cell(text: str) -> str:
    return markdown_cell(text).replace("\n", " ")


def _assessment(a: Assessment, heading: str) -> list[str]:
    out = [f"## {markdown_text(heading)}", "", "| criterion | weight | score | points |", "|---|--:|--:|--:|"]
    out += [
        f"| {_cell(line.label)} | {_cell(line.weight)} | "
        f"{_cell(line.score)} | {_cell(line.points) if line.points is not None else 'no points'} |"
        for line in a.lines
    ]
    out += [f"| **{_cell(title)}** (sub-total) | | | {_cell(points or 'no points')} |" for title, points in a.subtotals]
    out += [f"| **Total** | | | **{_cell(a.total or 'no points')}** |", ""]
    for line in a.lines:
        out.append(f"- **{_cell(line.label)}**: " + markdown_text(" ".join(line.explanation)))
    out += [f"- {markdown_text(note)}" for note in a.notes]
    out.append("")
    return out


def render_markdown(s: Summary) -> str:
    out = [
        markdown_text(f"# Assessment summary: {s.tender_id} {s.tender_title}"),
        "",
        markdown_text(
            f"From {s.buyer}, {s.dated}. Contract value {s.contract_value}. Decision record {s.record_hash} "
            f"({s.record_date})."
        ),
        "",
        "## Supplier",
        "",
    ]
    out += [f"- {markdown_text(line)}" for line in supplier_lines(s.own.supplier)]
    out += ["", "## Outcome", "", *(markdown_text(line) for line in s.outcome), ""]
    out += ["## Award criteria", "", "| criterion | weight | how it was assessed | scores available |"]
    out.append("|---|--:|---|---|")
    for c in s.criteria:
        out.append(f"| {_cell(c.title)} | {_cell(c.weight)} | {_cell(c.assessed)} | {_cell(c.available)} |")
        out += [f"| — {_cell(sub.label)} | {_cell(sub.weight)} | {_cell(sub.assessed)} | |" for sub in c.sub]
    out.append("")
    if s.gates:
        gates = markdown_text(", ".join(s.gates))
        out += [f"Pass/fail conditions (a fail disqualifies the tender): {gates}.", ""]
    out += [markdown_text(s.full_criteria), ""]
    out += _assessment(s.own, "How your tender was assessed")
    if s.winner is not None:
        out += _assessment(s.winner, f"The most advantageous tender: {s.winner.supplier.name}")
    return "\n".join(out).rstrip("\n") + "\n"
