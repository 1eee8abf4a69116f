"""A question marked out of its own scale: panel sheets, reading back, spreads and proposals all use it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
from conftest import invoke
from panel_support import by_evaluator, fill_csv_sheet, panel_pack, panel_tender, signed


def question_scale_pack(folder: Path) -> Path:
    tender = panel_tender()
    tender["quality"]["questions"][0].update(scale_max=60, scale_step=5)  # Q1 out of 60 in 5s; Q2 out of 5
    pack = panel_pack(folder, tender)
    assert invoke("panel", "sheets", pack, "--format", "csv").exit_code == 0
    return pack


SCORES: dict[tuple[str, str], dict[str, Any]] = {
    ("a", "Q1"): {"e1": "40", "e2": "55", "e3": "50"},
    ("a", "Q2"): {"e1": "3", "e2": "3", "e3": "4"},
    ("a", "SV1"): {"e1": "3", "e2": "3", "e3": "3", "e4": "3"},
    ("b", "Q1"): {"e1": "30", "e2": "35", "e3": "60"},
    ("b", "Q2"): {"e1": "2", "e2": "3", "e3": "3"},
    ("b", "SV1"): {"e1": "2", "e2": "2", "e3": "2", "e4": "2"},
}


def test_spreads_and_proposals_on_the_question_s_own_scale(tmp_path: Path) -> None:
    pack = question_scale_pack(tmp_path / "pack")
    sheet = (pack / "panel" / "e1.csv").read_text(encoding="utf-8")
    assert "Q1,Method (scored 0 to 60 in steps of 5)," in sheet  # the evaluator sees the question's own scale
    for evaluator, given in by_evaluator(SCORES).items():
        fill_csv_sheet(pack / "panel" / f"{evaluator}.csv", given, signed(evaluator))
    result = invoke("panel", "moderate", pack, "--format", "json")
    assert result.exit_code == 0, result.output
    items = {(i["bid"], i["question"]): i for i in json.loads(result.output)["items"]}
    # a/Q1: 40, 55, 50: spread 15 = 25% of 60 -> amber (20% to 50%); median 50, on a step of 5 -> 50.
    assert (items[("a", "Q1")]["spread_percent"], items[("a", "Q1")]["rag"]) == ("25.00", "amber")
    assert items[("a", "Q1")]["proposed"] == "50"
    # b/Q1: 30, 35, 60: spread 30 = 50% of 60 -> amber (50% itself is not over 50%); median 35.
    assert (items[("b", "Q1")]["spread_percent"], items[("b", "Q1")]["rag"]) == ("50.00", "amber")
    # a/Q2 is out of 5 as before: 3, 3, 4 spread 1 = 20% -> amber.
    assert items[("a", "Q2")]["spread_percent"] == "20.00"


def test_sheet_scores_are_checked_against_each_question_s_scale(tmp_path: Path) -> None:
    pack = question_scale_pack(tmp_path / "pack")
    scores = {key: dict(value) for key, value in SCORES.items()}
    scores[("a", "Q1")]["e1"] = "42"  # within 0-60 but not on a step of 5
    scores[("a", "Q2")]["e1"] = "6"  # out of Q2's own 0-5
    for evaluator, given in by_evaluator(scores).items():
        fill_csv_sheet(pack / "panel" / f"{evaluator}.csv", given, signed(evaluator))
    result = invoke("panel", "moderate", pack)
    assert result.exit_code == 2
    assert "question Q1: off the scale's steps: expected a score 0 to 60 in steps of 5, found 42" in result.stderr
    assert "question Q2: out of range: expected a score 0 to 5 in steps of 1, found 6" in result.stderr


def test_a_workbook_checks_each_row_against_its_question_s_scale(tmp_path: Path) -> None:
    tender = panel_tender()
    tender["quality"]["questions"][0].update(scale_max=60, scale_step=5)
    pack = panel_pack(tmp_path / "pack", tender)
    assert invoke("panel", "sheets", pack).exit_code == 0
    sheet = openpyxl.load_workbook(pack / "panel" / "e1.xlsx")["Scores"]
    rows = {row[0].row: row[2].value for row in sheet.iter_rows() if row[2].value in ("Q1", "Q2", "SV1")}
    allowed = {}
    for validation in sheet.data_validations.dataValidation:
        for cells in validation.sqref.ranges:
            for row in range(cells.min_row, cells.max_row + 1):
                allowed[rows[row]] = validation.formula1
    assert allowed["Q1"] == '"' + ",".join(str(n) for n in range(0, 65, 5)) + '"'  # 0,5,...,60
    assert allowed["Q2"] == allowed["SV1"] == '"0,1,2,3,4,5"'
