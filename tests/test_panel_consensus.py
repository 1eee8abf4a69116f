"""Consensus from a panel: the rationale rule for scores.csv, scoring from sheets, the fixture pack, the record."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, invoke
from panel_support import SCORES, filled_panel_pack
from tenderscore.scoring.evaluate import evaluate
from tenderscore.scoring.pack import load_pack
from tenderscore.scoring.panel import individual_scores

PANEL_PACK = FIXTURES / "stockport-panel"


def sheets_pack(folder: Path, scores: dict[tuple[str, str], dict[str, Any]], csv_scores: str | None = None) -> Path:
    """The panel's workbooks filled in, with e3 declaring a conflict with bid b."""
    return filled_panel_pack(folder, scores, {"e3": "b"}, csv_scores)


# SCORES' proposals: a: Q1 4, Q2 3, SV1 3; b: Q1 4 (1, 4, 5: red), Q2 3, SV1 3. e3 is conflicted with b here, so
# b's items count e1, e2 (and e4 on SV1): b/Q1 1, 4 -> spread 3 = 60% red, median 2.5 -> 3; b/Q2 2, 3 -> 3;
# b/SV1 2, 3, 2 -> median 2 -> 2.


def test_rationale_required_where_the_score_departs_or_the_spread_was_red(tmp_path: Path) -> None:
    scores_csv = "bid,question,score,rationale\na,Q1,4,\na,Q2,3,\na,SV1,2,\nb,Q1,3,\nb,Q2,2,\nb,SV1,2,\n"
    pack = sheets_pack(tmp_path / "pack", SCORES, scores_csv)
    result = invoke("score", pack, "--no-ledger")
    assert result.exit_code == 2
    label = f"Error: {pack}/scores.csv"
    assert result.stderr.splitlines() == [
        f"{label}: line 4: rationale: required for bid a, question SV1: the agreed score 2 differs from the "
        "proposed 3 (panel median 3)",
        f"{label}: line 5: rationale: required for bid b, question Q1: the panel's spread was red (1 to 4, 60.00% "
        "of the scale, red)",
        f"{label}: line 6: rationale: required for bid b, question Q2: the agreed score 2 differs from the "
        "proposed 3 (panel median 2.5)",
    ]
    assert invoke("validate", pack).stderr == result.stderr


def test_rationales_satisfy_the_rule_and_reach_the_result(tmp_path: Path) -> None:
    scores_csv = (
        "bid,question,score,rationale\na,Q1,4,\na,Q2,3,\n"
        "a,SV1,2,Plan relies on one partner\n"
        'b,Q1,3,"Agreed after discussion: e1 missed the appendix"\n'
        "b,Q2,2,Below the proposal: no cover for absence\n"
        "b,SV1,2,\n"
    )
    pack = sheets_pack(tmp_path / "pack", SCORES, scores_csv)
    loaded = load_pack(pack)
    assert loaded.scores[("b", "Q1")].rationale == "Agreed after discussion: e1 missed the appendix"
    result = evaluate(loaded).result
    b = result.bid("b")
    assert b is not None
    assert b.questions["Q2"].rationale == "Below the proposal: no cover for absence"
    # b: price 40 × 1000 / 1250 = 32.00; Q1 25 × 3/5 = 15.00; Q2 15 × 2/5 = 6.00; SV1 5 × 2/5 = 2.00; no themes.
    assert (b.price_points, b.quality_points, b.sv_points, b.total) == (
        Decimal("32.00"),
        Decimal("21.00"),
        Decimal("2.00"),
        Decimal("55.00"),
    )


def test_score_without_scores_csv_uses_the_proposal_when_nothing_is_red(tmp_path: Path) -> None:
    calm = {key: dict(given) for key, given in SCORES.items()}
    calm[("b", "Q1")] = {"e1": 3, "e2": 4, "e3": 4}
    pack = sheets_pack(tmp_path / "pack", calm)
    # e3 conflicted with b: b/Q1 3, 4 -> median 3.5 -> 4 (spread 1: amber); b/Q2 2, 3 -> 2.5 -> 3; b/SV1 2, 3, 2 -> 2.
    result = invoke("score", pack, "--no-ledger", "--format", "json")
    assert result.exit_code == 0, result.stderr
    bids = {b["bid_id"]: b for b in json.loads(result.stdout)["bids"]}
    # a: price 40.00; Q1 25 × 4/5 = 20.00, Q2 15 × 3/5 = 9.00; SV1 5 × 3/5 = 3.00; total 72.00.
    assert (bids["a"]["quality"]["points"], bids["a"]["social_value"]["points"], bids["a"]["total"]) == (
        "29.00",
        "3.00",
        "72.00",
    )
    # b: price 40 × 1000/1250 = 32.00; Q1 20.00, Q2 9.00; SV1 5 × 2/5 = 2.00; total 63.00.
    assert {q: v["score"] for q, v in bids["b"]["quality"]["questions"].items()} == {"Q1": "4", "Q2": "3"}
    assert bids["b"]["social_value"]["questions"]["SV1"]["score"] == "2"
    assert bids["b"]["total"] == "63.00"

    rationale = load_pack(pack).scores[("b", "Q1")].rationale
    assert rationale == (
        "proposed consensus: median 3.5 of 2 panel scores (3 to 4, 20.00% of the scale, amber); "
        "e3 declared a conflict of interest with Beta Ltd (b): their score 4 is set aside"
    )


def test_score_without_scores_csv_refuses_red_items_listing_each(tmp_path: Path) -> None:
    stormy = {key: dict(given) for key, given in SCORES.items()}
    stormy[("a", "Q1")] = {"e1": 1, "e2": 3, "e3": 5}  # spread 4 = 80%: red
    pack = sheets_pack(tmp_path / "pack", stormy)
    result = invoke("score", pack, "--no-ledger")
    assert result.exit_code == 2
    tail = (
        "so the panel must moderate it and record the agreed score with a rationale in scores.csv "
        "(the proposal is used only when no item is red)"
    )
    assert result.stderr.splitlines() == [
        f"Error: {pack}/scores.csv: bid a, question Q1: missing: the panel's spread was red (1 to 5, 80.00% of the "
        f"scale, red), {tail}",
        f"Error: {pack}/scores.csv: bid b, question Q1: missing: the panel's spread was red (1 to 4, 60.00% of the "
        f"scale, red), {tail}",
    ]
    assert result.stdout == ""


def test_gaps_in_the_sheets_stop_scoring(tmp_path: Path) -> None:
    gappy = {key: dict(given) for key, given in SCORES.items()}
    del gappy[("a", "Q2")]["e2"]
    pack = sheets_pack(tmp_path / "pack", gappy, "bid,question,score\n")
    result = invoke("score", pack, "--no-ledger")
    assert result.exit_code == 2
    assert f"Error: {pack}/panel/e2.xlsx: evaluator e2, bid a, question Q2: missing score" in result.stderr


def test_the_pack_holds_each_workbook_as_the_text_written_on_it(tmp_path: Path) -> None:
    pack = sheets_pack(tmp_path / "pack", SCORES, None)
    loaded = load_pack(pack, consensus=False)
    files = {f.name: f.text for f in loaded.files}
    assert sorted(n for n in files if n.startswith("panel/")) == [f"panel/e{n}.xlsx.csv" for n in range(1, 5)]
    assert files["panel/e4.xlsx.csv"] == (
        "bid,bidder,question,title,score,comment\n"
        "declaration,,name,Your full name,,e4\n"
        'declaration,,date,"The date you sign, YYYY-MM-DD",,2026-03-02\n'
        'declaration,,conflicts,"Write ""no conflict"", or the bids you have a conflict of interest with, '
        'separated by ;",,no conflict\n'
        "declaration,,signature,Type your full name again to sign this declaration,,e4\n"
        "a,Alpha Ltd,SV1,SV plan,4,reason for a SV1\n"
        "b,Beta Ltd,SV1,SV plan,2,reason for b SV1\n"
    )


def test_a_decision_record_replays_from_the_sheets_it_holds(tmp_path: Path) -> None:
    calm = {key: dict(given) for key, given in SCORES.items()}
    calm[("b", "Q1")] = {"e1": 3, "e2": 4, "e3": 4}
    pack = sheets_pack(tmp_path / "pack", calm)
    assert invoke("score", pack).exit_code == 0
    for sheet in (pack / "panel").iterdir():
        sheet.unlink()  # the record alone must be enough
    exported = invoke("ledger", "export", "1")
    assert exported.exit_code == 0, exported.stderr
    record = json.loads(exported.stdout)
    names = [f["name"] for f in record["pack"]["files"]]
    assert [n for n in names if n.startswith("panel/")] == [f"panel/e{n}.xlsx.csv" for n in range(1, 5)]
    result = invoke("replay", "1")
    assert result.exit_code == 0, result.output


def test_individual_scores_behind_each_consensus_score(tmp_path: Path) -> None:
    pack = load_pack(sheets_pack(tmp_path / "pack", {**SCORES, ("b", "Q1"): {"e1": 3, "e2": 4, "e3": 4}}))
    behind = individual_scores(pack.panel)
    assert [tuple(s) for s in behind[("b", "Q1")]] == [
        ("e1", Decimal(3), "reason for b Q1", ""),
        ("e2", Decimal(4), "reason for b Q1", ""),
        ("e3", Decimal(4), "reason for b Q1", "e3 declared a conflict of interest with Beta Ltd (b)"),
    ]
    assert [s.evaluator for s in behind[("a", "SV1")]] == ["e1", "e2", "e3", "e4"]


# --- The shipped four-person panel pack ----------------------------------------------------------------------


def test_fixture_pack_scores_with_its_moderated_consensus() -> None:
    result = invoke("score", PANEL_PACK, "--no-ledger", "--format", "json")
    assert result.exit_code == 0, result.stderr
    totals = {b["bid_id"]: (b["rank"], b["total"]) for b in json.loads(result.stdout)["bids"]}
    # Prices: lowest 431000; northway 40 × 431000/452000 = 38.14, peak 40 × 431000/468500 = 36.80, tame 40.00.
    # Quality (Q1 25, Q2 15, of 5): northway 4, 3 -> 20 + 9 = 29; peak 3, 4 -> 15 + 12 = 27; tame 3, 3 -> 24.
    # Social value: best jobs £50,762.00 (northway: 3 × 12654 + 40 × 320), growth £60,000 (peak), social £6,400
    # (northway: 200 h × 32), environment £4,140 (northway: 60 t × 69).
    #   northway 6 + 0 + 3 + 2 + SV1 3 = 14.00
    #   peak 6 × 25308/50762 = 2.99, 4.00, 3 × 4000/6400 = 1.875 -> 1.88, 0, SV1 4.00 = 12.87
    #   tame 6 × 27708/50762 = 3.275 -> 3.28, 0, 3 × 4800/6400 = 2.25, 2 × 1725/4140 = 0.83, SV1 3.00 = 9.36
    assert totals == {"northway": (1, "81.14"), "peak": (2, "76.67"), "tame": (3, "73.36")}


def test_fixture_pack_red_item_needs_moderation(tmp_path: Path) -> None:
    pack = tmp_path / "panel-pack"
    shutil.copytree(PANEL_PACK, pack)
    (pack / "scores.csv").unlink()
    result = invoke("score", pack, "--no-ledger")
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(
        f"Error: {pack}/scores.csv: bid tame, question Q1: missing: the panel's spread was red (2 to 5, 60.00%"
    )

    moderated = invoke("panel", "moderate", pack, "--format", "json")
    assert moderated.exit_code == 0, moderated.stderr
    report = json.loads(moderated.stdout)
    assert [(i["bid"], i["question"]) for i in report["items"] if i["rag"] == "red"] == [("tame", "Q1")]
    peak_q1 = next(i for i in report["items"] if (i["bid"], i["question"]) == ("peak", "Q1"))
    assert (peak_q1["conflicted"], [s["evaluator"] for s in peak_q1["scores"]]) == (["chen"], ["ahmed", "beth"])
    assert [e["declaration"]["conflicts"] for e in report["evaluators"]] == [[], [], ["peak"], []]


@pytest.mark.parametrize("agreed", ["3", "4"])
def test_fixture_pack_without_red_scores_from_the_proposal(tmp_path: Path, agreed: str) -> None:
    pack = tmp_path / "panel-pack"
    shutil.copytree(PANEL_PACK, pack)
    (pack / "scores.csv").unlink()
    sheet = pack / "panel" / "beth.csv"
    text = sheet.read_text(encoding="utf-8")
    old = "tame,Tameside Community Transport CIC,Q1,Service delivery and safeguarding,5,"
    assert old in text
    sheet.write_text(text.replace(old, old.replace(",5,", f",{agreed},")), encoding="utf-8")
    result = invoke("score", pack, "--no-ledger", "--format", "json")
    assert result.exit_code == 0, result.stderr
    totals = {b["bid_id"]: (b["rank"], b["total"]) for b in json.loads(result.stdout)["bids"]}
    # Unmoderated, peak's Q1 is the proposal 4 (median of 3 and 4, half up) instead of the panel's agreed 3:
    # quality 20 + 12 = 32, total 36.80 + 32 + 12.87 = 81.67, ahead of northway's unchanged 81.14. tame's Q1 is 3
    # either way (2, 3 or 4, 3 -> median 3), so tame stays at 73.36.
    assert totals == {"peak": (1, "81.67"), "northway": (2, "81.14"), "tame": (3, "73.36")}


def test_explain_shows_the_individual_scores_behind_each_consensus_score(tmp_path: Path) -> None:
    pack = sheets_pack(tmp_path / "pack", {**SCORES, ("b", "Q1"): {"e1": 3, "e2": 4, "e3": 4}})
    now = invoke("explain", pack, "--bid", "b")
    assert now.exit_code == 0, now.stderr
    lines = [line.strip() for line in now.stdout.splitlines()]
    at = lines.index("panel: e1 scored 3: reason for b Q1")
    assert lines[at - 1].startswith("rationale: proposed consensus: median 3.5 of 2 panel scores")
    assert lines[at + 1 : at + 3] == [
        "panel: e2 scored 4: reason for b Q1",
        "panel: e3 scored 4, set aside: e3 declared a conflict of interest with Beta Ltd (b): reason for b Q1",
    ]
    # The same lines from the decision record alone, once the sheets are gone from disk.
    assert invoke("score", pack).exit_code == 0
    shutil.rmtree(pack / "panel")
    recorded = invoke("explain", "1", "--bid", "b", "--format", "json")
    assert recorded.exit_code == 0, recorded.stderr
    q1 = next(q for q in json.loads(recorded.stdout)["questions"] if q["id"] == "Q1")
    assert q1["panel_scores"][2] == {
        "evaluator": "e3",
        "score": "4",
        "comment": "reason for b Q1",
        "set_aside": "e3 declared a conflict of interest with Beta Ltd (b)",
    }
