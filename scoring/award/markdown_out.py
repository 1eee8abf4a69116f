"""An assessment summary as Markdown: the same content as the letter, for a portal message or a review."""

from __future__ import annotations

from .summary import Assessment, Summary, supplier_lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _assessment(a: Assessment, heading: str) -> list[str]:
    out = [f"## {heading}", "", "| criterion | weight | score | points |", "|---|--:|--:|--:|"]
    out += [
        f"| {_cell(line.label)} | {line.weight} | "
        f"{_cell(line.score)} | {line.points if line.points is not None else 'no points'} |"
        for line in a.lines
    ]
    out += [f"| **{title}** (sub-total) | | | {points or 'no points'} |" for title, points in a.subtotals]
    out += [f"| **Total** | | | **{a.total or 'no points'}** |", ""]
    for line in a.lines:
        out.append(f"- **{_cell(line.label)}**: " + " ".join(line.explanation))
    out += [f"- {note}" for note in a.notes]
    out.append("")
    return out


def render_markdown(s: Summary) -> str:
    out = [
        f"# Assessment summary: {s.tender_id} {s.tender_title}",
        "",
        f"From {s.buyer}, {s.dated}. Contract value {s.contract_value}. Decision record {s.record_hash} "
        f"({s.record_date}).",
        "",
        "## Supplier",
        "",
    ]
    out += [f"- {line}" for line in supplier_lines(s.own.supplier)]
    out += ["", "## Outcome", "", *s.outcome, ""]
    out += ["## Award criteria", "", "| criterion | weight | how it was assessed | scores available |"]
    out.append("|---|--:|---|---|")
    for c in s.criteria:
        out.append(f"| {c.title} | {c.weight} | {_cell(c.assessed)} | {_cell(c.available)} |")
        out += [f"| — {_cell(sub.label)} | {sub.weight} | {_cell(sub.assessed)} | |" for sub in c.sub]
    out.append("")
    if s.gates:
        out += [f"Pass/fail conditions (a fail disqualifies the tender): {', '.join(s.gates)}.", ""]
    out += [s.full_criteria, ""]
    out += _assessment(s.own, "How your tender was assessed")
    if s.winner is not None:
        out += _assessment(s.winner, f"The most advantageous tender: {s.winner.supplier.name}")
    return "\n".join(out).rstrip("\n") + "\n"
