"""After the decision: assessment summaries for every assessed tender (Procurement Act 2023 s.50, Procurement
Regulations 2024 reg. 31) as Word, HTML or Markdown from one content model, and the OCDS release that publishes
the award with its bids."""

from __future__ import annotations

from collections.abc import Callable

from .docx_out import render_docx
from .html_out import render_html
from .markdown_out import render_markdown
from .ocds import release_package
from .summary import Decision, Summary, build_summaries, missing_rationales, safe_summary

RENDERERS: dict[str, Callable[[Summary], str | bytes]] = {
    "docx": render_docx,
    "html": render_html,
    "markdown": render_markdown,
}


def render_summary(summary: Summary, fmt: str) -> str | bytes:
    """`summary` in `fmt` (docx, html or markdown), its texts made safe to write first, as every output's are."""
    return RENDERERS[fmt](safe_summary(summary))


__all__ = [
    "RENDERERS",
    "Decision",
    "Summary",
    "build_summaries",
    "missing_rationales",
    "release_package",
    "render_docx",
    "render_html",
    "render_markdown",
    "render_summary",
]
