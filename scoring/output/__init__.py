"""Rendering a result for people and tools: table (default), json, csv, markdown, html.

Each format's module is imported when that format is first rendered: a command printing a table never loads
the HTML report's template engine.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from ..explanation import Scored
from ..result import Result
from ..safe_text import safe_text

# format -> (module in this package, its renderer of a Result alone)
_HOMES = {
    "table": ("table", "render_table"),
    "json": ("json_out", "render_json"),
    "csv": ("csv_out", "render_csv"),
    "markdown": ("table", "render_markdown"),
    "html": ("html", "render_html"),
}
FORMATS = tuple(_HOMES)
# Renderers already looked up (tests replace one here to simulate a failing renderer).
RENDERERS: dict[str, Callable[[Result], str]] = {}


@dataclass(frozen=True)
class RecordRef:
    """The decision record a report was rendered from or alongside, when one is known."""

    hash: str
    created_at: str | None = None
    ledger_id: str | None = None


def renderer(fmt: str) -> Callable[[Result], str]:
    found = RENDERERS.get(fmt)
    if found is None:
        module, name = _HOMES[fmt]
        found = RENDERERS[fmt] = getattr(importlib.import_module(f".{module}", __package__), name)
    return found


def render(result: Result, fmt: str) -> str:
    return renderer(fmt)(result)


def render_scored(scored: Scored, fmt: str, record: RecordRef | None = None) -> str:
    """Render a result with what explains it: the HTML report also cites its firings and decision record."""
    if fmt == "html":
        html = importlib.import_module(".html", __package__)
        text: str = html.render_scored_html(scored, record)
    else:
        text = render(scored.result, fmt)
    # Where a result leaves the renderers for a terminal or a file: no control character a terminal acts on.
    return safe_text(text)
