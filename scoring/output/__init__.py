"""Rendering a result for people and tools: table (default), json, csv, markdown, html."""

from __future__ import annotations

from collections.abc import Callable

from scoring.output import csv_out, html, json_out, table
from scoring.result import Result

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
