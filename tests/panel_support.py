"""Helpers for the panel tests: a tender with a panel, and filling in sheets the way an evaluator does."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path
from typing import Any

import openpyxl
from conftest import basic_bid, basic_tender, invoke, write_pack

Scores = dict[tuple[str, str], Any]  # (bid, question) -> score, or (score, comment)

# The four evaluators' independent scores: e1-e3 score every question, e4 only SV1.
SCORES: dict[tuple[str, str], dict[str, Any]] = {
    ("a", "Q1"): {"e1": 4, "e2": 3, "e3": 5},
    ("a", "Q2"): {"e1": 3, "e2": 3, "e3": 3},
    ("a", "SV1"): {"e1": 2, "e2": 3, "e3": 3, "e4": 4},
    ("b", "Q1"): {"e1": 1, "e2": 4, "e3": 5},
    ("b", "Q2"): {"e1": 2, "e2": 3, "e3": 3},
    ("b", "SV1"): {"e1": 2, "e2": 3, "e3": 3, "e4": 2},
}


def panel_tender(**overrides: Any) -> dict[str, Any]:
    """basic_tender with a four-person panel: e1-e3 score everything, e4 the social value question only."""
    tender = basic_tender(
        panel=[
            {"id": "e1", "name": "Evaluator One"},
            {"id": "e2", "name": "Evaluator Two"},
            {"id": "e3", "name": "Evaluator Three"},
            {"id": "e4", "name": "Evaluator Four", "questions": ["SV1"]},
        ]
    )
    tender.update(overrides)
    return tender


def panel_pack(folder: Path, tender: dict[str, Any] | None = None, scores: Any = None) -> Path:
    """Two bids, a (1000.00) and b (1250.00), under a panel tender; no scores.csv unless given."""
    bids = {"a": basic_bid("Alpha Ltd", "1000.00"), "b": basic_bid("Beta Ltd", "1250.00")}
    return write_pack(folder, tender or panel_tender(), bids, scores)


def signed(name: str, conflicts: str = "no conflict", date: Any = datetime.date(2026, 3, 2)) -> dict[str, Any]:
    return {"name": name, "date": date, "conflicts": conflicts, "signature": name}


def _score_and_comment(key: tuple[str, str], value: Any) -> tuple[Any, Any]:
    if isinstance(value, tuple):
        return value
    return value, f"reason for {key[0]} {key[1]}"


def fill_workbook(path: Path, scores: Scores, declaration: dict[str, Any] | None = None) -> None:
    """Type scores and comments into the Scores sheet and answer the Declaration sheet, then save."""
    book = openpyxl.load_workbook(path)
    sheet = book["Scores"]
    header = next(row[0].row for row in sheet.iter_rows() if row[0].value == "bid")
    for row in sheet.iter_rows(min_row=header + 1):
        key = (row[0].value, row[2].value)
        if key in scores:
            row[4].value, row[5].value = _score_and_comment(key, scores[key])
    if declaration:
        for row in book["Declaration"].iter_rows():
            if row[0].value in declaration:
                row[1].value = declaration[row[0].value]
    book.save(path)


def fill_csv_sheet(path: Path, scores: Scores, declaration: dict[str, Any] | None = None) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    for row in rows[1:]:
        key = (row[0], row[2])
        if row[0] == "declaration" and declaration and row[2] in declaration:
            row[5] = str(declaration[row[2]])
        elif key in scores:
            score, comment = _score_and_comment(key, scores[key])
            row[4], row[5] = str(score), comment
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def by_evaluator(scores: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Scores]:
    """{(bid, question): {evaluator: score}} turned round to {evaluator: {(bid, question): score}}."""
    out: dict[str, Scores] = {}
    for key, given in scores.items():
        for evaluator, value in given.items():
            out.setdefault(evaluator, {})[key] = value
    return out


def filled_panel_pack(
    folder: Path,
    scores: dict[tuple[str, str], dict[str, Any]],
    conflicts: dict[str, str] | None = None,
    scores_csv: str | None = None,
) -> Path:
    """A panel pack whose workbooks `panel sheets` wrote and every evaluator filled in and signed; `conflicts`
    maps an evaluator to what they declared (everyone else: no conflict)."""
    pack = panel_pack(folder, scores=scores_csv)
    result = invoke("panel", "sheets", pack)
    assert result.exit_code == 0, result.output
    for evaluator, given in by_evaluator(scores).items():
        declared = (conflicts or {}).get(evaluator, "no conflict")
        fill_workbook(pack / "panel" / f"{evaluator}.xlsx", given, signed(evaluator, declared))
    return pack
