"""After the decision: assessment summaries for every assessed tender (Procurement Act 2023 s.50, Procurement
Regulations 2024 reg. 31) as Word, HTML or Markdown from one content model, and the OCDS release that publishes
the award with its bids."""

from __future__ import annotations

from .docx_out import render_docx
from .html_out import render_html
from .markdown_out import render_markdown
from .ocds import release_package
from .summary import Decision, Summary, build_summaries, missing_rationales

__all__ = [
    "Decision",
    "Summary",
    "build_summaries",
    "missing_rationales",
    "release_package",
    "render_docx",
    "render_html",
    "render_markdown",
]
