"""An assessment summary as one self-contained HTML page that prints on A4 as a letter."""

from __future__ import annotations

import jinja2

from .summary import MISSING, Summary, supplier_lines

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader(__package__ or "tenderscore.scoring.award", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)


def render_html(s: Summary) -> str:
    assessments = [("How your tender was assessed", s.own)]
    if s.winner is not None:
        assessments.append((f"The most advantageous tender: {s.winner.supplier.name}", s.winner))
    template = _ENV.get_template("summary.html.j2")
    return template.render(s=s, assessments=assessments, supplier_lines=supplier_lines, missing=MISSING)
