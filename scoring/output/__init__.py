"""Rendering a result for people and tools: table (default), json, csv, markdown, html."""

from __future__ import annotations

from collections.abc import Callable

from ..evaluate import Evaluation
from ..result import Result
from . import csv_out, html, json_out, table

RENDERERS: dict[str, Callable[[Result], str]] = {
    "table": table.render_table,
    "json": json_out.render_json,
    "csv": csv_out.render_csv,
    "markdown": table.render_markdown,
    "html": html.render_html,
}
FORMATS = tuple(RENDERERS)


def render(result: Result, fmt: str) -> str:
    return RENDERERS[fmt](result)


def render_evaluation(evaluation: Evaluation, fmt: str, record: html.RecordRef | None = None) -> str:
    """Render a pack scored now: the HTML report also cites this run's firings and its decision record."""
    if fmt == "html":
        return html.render_evaluation_html(evaluation, record)
    return render(evaluation.result, fmt)
