"""`panel moderate`: sheets written as xlsx, filled in through openpyxl, read back with the right statistics."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import invoke
from panel_support import (
    SCORES,
    by_evaluator,
    fill_csv_sheet,
    fill_workbook,
    filled_panel_pack,
    panel_pack,
    panel_tender,
    signed,
)
from tenderscore.scoring.panel import rag_status
from tenderscore.scoring.panel.reading import IndividualScore
from tenderscore.scoring.panel.scale import Scale
from tenderscore.scoring.panel.spread import item_statistics


def test_filled_workbooks_give_hand_worked_statistics(tmp_path: Path) -> None:
    pack = filled_panel_pack(tmp_path / "pack", SCORES)
    result = invoke("panel", "moderate", pack, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    items = {(i["bid"], i["question"]): i for i in report["items"]}

    def figures(bid: str, question: str) -> tuple[str, ...]:
        i = items[(bid, question)]
        return (i["mean"], i["median"], i["min"], i["max"], i["spread"], i["spread_percent"], i["rag"], i["proposed"])

    # a/Q1: 4, 3, 5: mean 12/3 = 4.00, median 4, spread 5 - 3 = 2 = 40% of 5 -> amber; proposal 4.
    assert figures("a", "Q1") == ("4.00", "4", "3", "5", "2", "40.00", "amber", "4")
    # a/Q2: 3, 3, 3: no spread -> green.
    assert figures("a", "Q2") == ("3.00", "3", "3", "3", "0", "0.00", "green", "3")
    # a/SV1: 2, 3, 3, 4 (four evaluators): mean 12/4 = 3.00, median (3 + 3) / 2 = 3, spread 2 = 40% -> amber.
    assert figures("a", "SV1") == ("3.00", "3", "2", "4", "2", "40.00", "amber", "3")
    # b/Q1: 1, 4, 5: mean 10/3 = 3.333.. -> 3.33, median 4, spread 4 = 80% -> red.
    assert figures("b", "Q1") == ("3.33", "4", "1", "5", "4", "80.00", "red", "4")
    # b/Q2: 2, 3, 3: mean 8/3 = 2.666.. -> 2.67 (half up), median 3, spread 1 = exactly 20% -> amber.
    assert figures("b", "Q2") == ("2.67", "3", "2", "3", "1", "20.00", "amber", "3")
    # b/SV1: 2, 3, 3, 2: median (2 + 3) / 2 = 2.5, rounded half up to the step of 1 -> 3; mean 10/4 = 2.50.
    assert figures("b", "SV1") == ("2.50", "2.5", "2", "3", "1", "20.00", "amber", "3")
    assert [s["evaluator"] for s in items[("b", "SV1")]["scores"]] == ["e1", "e2", "e3", "e4"]
    assert items[("a", "Q1")]["scores"][0] == {"evaluator": "e1", "score": "4", "comment": "reason for a Q1"}
    assert report["summary"] == {"green": 1, "amber": 4, "red": 1}
    assert report["thresholds"] == {"amber_from": "20", "red_over": "50"}  # rulesets/stockport.yaml policy
    assert [e["declaration"]["date"] for e in report["evaluators"]] == ["2026-03-02"] * 4

    proposal = (pack / "consensus-proposed.csv").read_text(encoding="utf-8")
    assert proposal == ("bid,question,score,rationale\na,Q1,4,\na,Q2,3,\na,SV1,3,\nb,Q1,4,\nb,Q2,3,\nb,SV1,3,\n")


def test_table_report_shows_each_score_and_the_red_item(tmp_path: Path) -> None:
    pack = filled_panel_pack(tmp_path / "pack", SCORES)
    result = invoke("panel", "moderate", pack)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    row = next(line for line in lines if line.split()[:2] == ["b", "Q1"])
    assert row.split() == ["b", "Q1", "1", "4", "5", "-", "3.33", "4", "1", "5", "4", "80.00", "RED", "4"]
    assert "Needs moderation: bid b, question Q1: spread 1 to 5, 80.00% of the scale, red." in lines
    assert "1 green, 4 amber, 1 red." in result.output


def test_every_gap_is_listed_in_one_run(tmp_path: Path) -> None:
    gappy = {key: dict(given) for key, given in SCORES.items()}
    del gappy[("a", "Q2")]["e1"]  # missing score
    gappy[("b", "Q1")]["e2"] = 7  # out of range
    gappy[("a", "SV1")]["e3"] = 2.5  # off the scale's whole-number steps
    gappy[("b", "Q2")]["e1"] = "four"  # not a number
    pack = panel_pack(tmp_path / "pack")
    assert invoke("panel", "sheets", pack).exit_code == 0
    for evaluator, given in by_evaluator(gappy).items():
        declaration = None if evaluator == "e4" else signed(evaluator)  # e4 never signs
        fill_workbook(pack / "panel" / f"{evaluator}.xlsx", given, declaration)
    fill_workbook(pack / "panel" / "e2.xlsx", {}, {"date": "next week"})  # e2's declaration has a bad date

    result = invoke("panel", "moderate", pack)
    assert result.exit_code == 2
    errors = result.stderr.splitlines()
    folder = f"{pack}/panel"
    assert f"Error: {folder}/e1.xlsx: evaluator e1, bid a, question Q2: missing score" in errors
    assert (
        f"Error: {folder}/e2.xlsx: evaluator e2, bid b, question Q1: out of range: expected a score 0 to 5 in "
        "steps of 1, found 7" in errors
    )
    assert (
        f"Error: {folder}/e3.xlsx: evaluator e3, bid a, question SV1: off the scale's steps: expected a score 0 "
        "to 5 in steps of 1, found 2.5" in errors
    )
    assert (
        f"Error: {folder}/e1.xlsx: evaluator e1, bid b, question Q2: expected a score 0 to 5 in steps of 1, "
        "found 'four'" in errors
    )
    assert (
        f"Error: {folder}/e4.xlsx: evaluator e4, declaration: missing: a sheet counts only with a signed "
        "declaration (name, date, conflicts, signature)" in errors
    )
    assert (
        f"Error: {folder}/e2.xlsx: evaluator e2, declaration date: expected a date (YYYY-MM-DD), found 'next week'"
        in errors
    )
    assert len(errors) == 6, errors
    assert not (pack / "consensus-proposed.csv").exists()


def test_conflicted_scores_are_set_aside_and_said_so(tmp_path: Path) -> None:
    # e3 is conflicted with Beta Ltd (named by bidder, as a person would write it) yet scored b anyway.
    pack = filled_panel_pack(tmp_path / "pack", SCORES, {"e3": "Beta Ltd"})

    result = invoke("panel", "moderate", pack, "--format", "json")
    assert result.exit_code == 0, result.output
    items = {(i["bid"], i["question"]): i for i in json.loads(result.output)["items"]}
    b_q1 = items[("b", "Q1")]
    # Without e3's 5: 1 and 4 count; mean 2.50, median 2.5 -> 3, spread 3 = 60% -> red.
    assert [s["evaluator"] for s in b_q1["scores"]] == ["e1", "e2"]
    assert (b_q1["mean"], b_q1["median"], b_q1["spread"], b_q1["rag"], b_q1["proposed"]) == (
        "2.50",
        "2.5",
        "3",
        "red",
        "3",
    )
    assert b_q1["set_aside"] == [
        {
            "evaluator": "e3",
            "score": "5",
            "comment": "reason for b Q1",
            "reason": "e3 declared a conflict of interest with Beta Ltd (b)",
        }
    ]
    assert b_q1["conflicted"] == ["e3"]
    # e3 still counts for bid a.
    assert [s["evaluator"] for s in items[("a", "Q1")]["scores"]] == ["e1", "e2", "e3"]
    assert items[("a", "Q1")]["conflicted"] == []

    table = invoke("panel", "moderate", pack).output
    assert "Declaration: e3: signed by e3 on 2026-03-02: conflict of interest declared with b." in table
    assert (
        "Conflict: bid b, question Q1: e3 declared a conflict of interest with Beta Ltd (b): "
        "their score 5 is set aside." in table
    )


def test_conflicted_evaluator_need_not_score_that_bid(tmp_path: Path) -> None:
    scores = {
        key: {e: s for e, s in given.items() if not (key[0] == "b" and e == "e3")} for key, given in SCORES.items()
    }
    pack = filled_panel_pack(tmp_path / "pack", scores, {"e3": "b"})
    result = invoke("panel", "moderate", pack, "--format", "json")
    assert result.exit_code == 0, result.stderr
    item = next(i for i in json.loads(result.output)["items"] if (i["bid"], i["question"]) == ("b", "Q2"))
    # e1 2, e2 3 count: mean 2.50, median 2.5 -> 3, spread 1 = 20% -> amber.
    assert (item["mean"], item["proposed"], item["rag"], item["set_aside"]) == ("2.50", "3", "amber", [])
    assert item["conflicted"] == ["e3"]


def test_csv_sheets_read_back_like_workbooks(tmp_path: Path) -> None:
    pack = panel_pack(tmp_path / "pack")
    assert invoke("panel", "sheets", pack, "--format", "csv").exit_code == 0
    for evaluator, given in by_evaluator(SCORES).items():
        fill_csv_sheet(pack / "panel" / f"{evaluator}.csv", given, signed(evaluator, date="2026-03-02"))
    csv_report = json.loads(invoke("panel", "moderate", pack, "--format", "json").output)

    xlsx_report = json.loads(
        invoke("panel", "moderate", filled_panel_pack(tmp_path / "xlsx", SCORES), "--format", "json").output
    )
    assert csv_report["items"] == xlsx_report["items"]
    assert [e["sheet"] for e in csv_report["evaluators"]] == [f"panel/e{n}.csv" for n in range(1, 5)]
    assert [e["sheet"] for e in xlsx_report["evaluators"]] == [f"panel/e{n}.xlsx" for n in range(1, 5)]


def test_half_point_steps_and_rag_boundaries(tmp_path: Path) -> None:
    tender = panel_tender()
    tender["quality"]["scale_step"] = "0.5"
    pack = panel_pack(tmp_path / "pack", tender)
    assert invoke("panel", "sheets", pack, "--format", "csv").exit_code == 0
    scores = {
        ("a", "Q1"): {"e1": "2.5", "e2": "5", "e3": "4"},  # spread 2.5 = exactly 50% of 5 -> amber
        ("a", "Q2"): {"e1": "2", "e2": "5", "e3": "3"},  # spread 3 = 60% -> red
        ("a", "SV1"): {"e1": "3", "e2": "3.5", "e3": "3", "e4": "3"},  # spread 0.5 = 10% -> green
        ("b", "Q1"): {"e1": "3", "e2": "4", "e3": "3"},  # spread 1 = exactly 20% -> amber
        ("b", "Q2"): {"e1": "2", "e2": "2.5", "e3": "3", "e4": "3"},
        ("b", "SV1"): {"e1": "1.5", "e2": "2", "e3": "2", "e4": "1.5"},
    }
    del scores[("b", "Q2")]["e4"]  # e4 scores SV1 only
    for evaluator, given in by_evaluator(scores).items():
        fill_csv_sheet(pack / "panel" / f"{evaluator}.csv", given, signed(evaluator))
    result = invoke("panel", "moderate", pack, "--format", "json")
    assert result.exit_code == 0, result.stderr
    items = {(i["bid"], i["question"]): i for i in json.loads(result.output)["items"]}
    assert {key: items[key]["rag"] for key in items} == {
        ("a", "Q1"): "amber",
        ("a", "Q2"): "red",
        ("a", "SV1"): "green",
        ("b", "Q1"): "amber",
        ("b", "Q2"): "amber",  # 2 to 3: 20%
        ("b", "SV1"): "green",  # 1.5 to 2: 10%
    }
    # Medians rounded half up to the 0.5 step: a/Q1 4; b/Q2 2.5; b/SV1 (1.5 + 2) / 2 = 1.75 -> 3.5 steps -> 4 -> 2.
    assert items[("a", "Q1")]["proposed"] == "4"
    assert items[("b", "Q2")]["proposed"] == "2.5"
    assert (items[("b", "SV1")]["median"], items[("b", "SV1")]["proposed"]) == ("1.75", "2")


@pytest.mark.parametrize(
    ("percent", "expected"),
    [("0", "green"), ("19.99", "green"), ("20", "amber"), ("35", "amber"), ("50", "amber"), ("50.01", "red")],
)
def test_rag_thresholds_from_the_ruleset(percent: str, expected: str) -> None:
    assert rag_status(Decimal(percent), Decimal(20), Decimal(50)) == expected


def test_rag_thresholds_are_the_ruleset_s_not_constants() -> None:
    # A stricter ruleset (amber from 10%, red over 30%) turns a 40% spread red.
    scale = Scale(Decimal(5), Decimal(1), ())
    scores = (IndividualScore("x", Decimal(2), ""), IndividualScore("y", Decimal(4), ""))
    assert item_statistics("a", "Q1", scores, scale, Decimal(20), Decimal(50)).rag == "amber"
    assert item_statistics("a", "Q1", scores, scale, Decimal(10), Decimal(30)).rag == "red"


def test_scale_of_four_exactly_half_is_amber(tmp_path: Path) -> None:
    tender = panel_tender()
    tender["quality"]["scale_max"] = 4
    pack = panel_pack(tmp_path / "pack", tender)
    assert invoke("panel", "sheets", pack, "--format", "csv").exit_code == 0
    scores = {
        ("a", "Q1"): {"e1": 2, "e2": 4, "e3": 3},  # spread 2 of 4 = 50% -> amber
        ("a", "Q2"): {"e1": 3, "e2": 3, "e3": 3},  # 0% -> green
        ("a", "SV1"): {"e1": 2, "e2": 3, "e3": 3, "e4": 3},  # spread 1 of 4 = 25% -> amber
        ("b", "Q1"): {"e1": 1, "e2": 4, "e3": 4},  # spread 3 of 4 = 75% -> red
        ("b", "Q2"): {"e1": 2, "e2": 3, "e3": 3},
        ("b", "SV1"): {"e1": 2, "e2": 3, "e3": 3, "e4": 2},
    }
    for evaluator, given in by_evaluator(scores).items():
        fill_csv_sheet(pack / "panel" / f"{evaluator}.csv", given, signed(evaluator))
    items = {
        (i["bid"], i["question"]): i
        for i in json.loads(invoke("panel", "moderate", pack, "-f", "json").output)["items"]
    }
    assert (items[("a", "Q1")]["spread_percent"], items[("a", "Q1")]["rag"]) == ("50.00", "amber")
    assert (items[("b", "Q1")]["spread_percent"], items[("b", "Q1")]["rag"]) == ("75.00", "red")
    assert (items[("a", "SV1")]["spread_percent"], items[("a", "SV1")]["rag"]) == ("25.00", "amber")


def test_moderate_without_sheets_says_how_to_make_them(tmp_path: Path) -> None:
    pack = panel_pack(tmp_path / "pack")
    result = invoke("panel", "moderate", pack)
    assert result.exit_code == 2
    assert "write them with `tenderscore panel sheets`" in result.stderr


def test_a_missing_sheet_and_a_stranger_s_sheet_are_gaps(tmp_path: Path) -> None:
    pack = filled_panel_pack(tmp_path / "pack", SCORES)
    (pack / "panel" / "e4.xlsx").rename(pack / "panel" / "e9.xlsx")
    result = invoke("panel", "moderate", pack)
    assert result.exit_code == 2
    assert f"Error: {pack}/panel/e4.xlsx: missing: evaluator e4 has no sheet (.xlsx or .csv)" in result.stderr
    assert "expected the sheet of an evaluator the tender's panel lists (e1, e2, e3, e4), found 'e9'" in result.stderr


def test_proposal_file_is_what_scores_csv_reads(tmp_path: Path) -> None:
    pack = filled_panel_pack(tmp_path / "pack", SCORES)
    assert invoke("panel", "moderate", pack).exit_code == 0
    rows = list(csv.DictReader(io.StringIO((pack / "consensus-proposed.csv").read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["bid", "question", "score", "rationale"]


def test_csv_sheets_saved_by_excel_read_back(tmp_path: Path) -> None:
    pack = panel_pack(tmp_path / "pack")
    assert invoke("panel", "sheets", pack, "--format", "csv").exit_code == 0
    for evaluator, given in by_evaluator(SCORES).items():
        path = pack / "panel" / f"{evaluator}.csv"
        # Excel turns the typed date into a UK date and saves "CSV UTF-8" with a byte order mark and CRLF lines.
        fill_csv_sheet(path, given, signed(evaluator, date="02/03/2026"))
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    result = invoke("panel", "moderate", pack, "--format", "json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.output)
    assert [e["declaration"]["date"] for e in report["evaluators"]] == ["2026-03-02"] * 4
    assert report["summary"] == {"green": 1, "amber": 4, "red": 1}
