"""`--output report.html` writes HTML without `--format` (issue 13, item 5): the format follows a known
extension, a typed --format that contradicts it is refused, and stderr says what was written where."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import STOCKPORT_PACK, invoke


@pytest.mark.parametrize(
    ("name", "starts"),
    [
        ("report.html", "<!DOCTYPE html>"),
        ("REPORT.HTM", "<!DOCTYPE html>"),
        ("result.json", "{"),
        ("result.csv", "rank,bid_id,bidder"),
        ("result.md", "# STK-2026-014"),
        ("result.txt", "STK-2026-014 Highways"),
        ("result.out", "STK-2026-014 Highways"),  # an extension that names no format: the default table
    ],
)
def test_the_format_follows_the_extension(tmp_path: Path, name: str, starts: str) -> None:
    target = tmp_path / name
    result = invoke("score", STOCKPORT_PACK, "--no-ledger", "--output", target)
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").lstrip().startswith(starts)
    fmt = {"html": "html", "htm": "html", "json": "json", "csv": "csv", "md": "markdown"}.get(
        name.rsplit(".", 1)[1].lower(), "table"
    )
    assert f"Wrote {fmt} output to {target}" in result.stderr


def test_a_format_that_contradicts_the_extension_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    result = invoke("score", STOCKPORT_PACK, "--no-ledger", "--format", "json", "--output", target)
    assert result.exit_code == 2
    assert "--format json contradicts --output" in result.stderr and "means html" in result.stderr
    assert not target.exists()
    agreed = invoke("score", STOCKPORT_PACK, "--no-ledger", "--format", "json", "--output", tmp_path / "r.json")
    assert agreed.exit_code == 0
    json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))


def test_ledger_show_follows_the_extension_too(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite3"
    assert invoke("score", STOCKPORT_PACK, "--ledger", ledger).exit_code == 0
    target = tmp_path / "record-1.html"
    shown = invoke("ledger", "show", "1", "--ledger", ledger, "--output", target)
    assert shown.exit_code == 0, shown.output
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert f"Wrote html output to {target}" in shown.stderr
