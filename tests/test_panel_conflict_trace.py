"""A conflict leaves a trace when the evaluator leaves the conflicted cells blank, as the sheet instructs
(issue 13, item 4): `explain`, the HTML report and the proposal's rationale all say so."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, invoke

TRACE = "chen declared a conflict of interest with bid peak and did not score it"


@pytest.fixture
def panel_pack(tmp_path: Path) -> Path:
    # Chen declared a conflict with peak and left peak's three cells blank (fixtures/stockport-panel/panel/chen.csv).
    pack = tmp_path / "pack"
    shutil.copytree(FIXTURES / "stockport-panel", pack)
    chen = (pack / "panel" / "chen.csv").read_text(encoding="utf-8")
    assert "peak,Peak Accessible Travel Ltd,Q1,Service delivery and safeguarding,,Conflict" in chen
    return pack


def test_explain_names_the_conflicted_evaluator_of_each_item(panel_pack: Path) -> None:
    text = invoke("explain", panel_pack, "--bid", "peak").stdout
    assert text.count(f"panel: {TRACE}") == 3  # Q1, Q2 and SV1
    data = json.loads(invoke("explain", panel_pack, "--bid", "peak", "--format", "json").stdout)
    q1 = next(q for q in data["questions"] if q["id"] == "Q1")
    assert [s["evaluator"] for s in q1["panel_scores"]] == ["ahmed", "beth", "chen"]  # dana scores SV1 only
    chen = next(s for s in q1["panel_scores"] if s["evaluator"] == "chen")
    assert chen == {"evaluator": "chen", "score": None, "comment": "", "set_aside": TRACE}
    # A bid chen was not conflicted with shows chen's score as before.
    northway = invoke("explain", panel_pack, "--bid", "northway").stdout
    assert "panel: chen scored 3" in northway and "did not score" not in northway


def test_the_html_report_names_the_conflicted_evaluator(panel_pack: Path) -> None:
    html = invoke("score", panel_pack, "--no-ledger", "--format", "html").stdout
    assert html.count(f"Panel: {TRACE}") == 3


def test_the_proposal_rationale_records_the_conflict(panel_pack: Path) -> None:
    assert invoke("panel", "moderate", panel_pack).exit_code == 0
    rows = list(csv.DictReader(io.StringIO((panel_pack / "consensus-proposed.csv").read_text(encoding="utf-8"))))
    assert {r["question"]: r["rationale"] for r in rows if r["bid"] == "peak"} == {
        "Q1": TRACE,
        "Q2": TRACE,
        "SV1": TRACE,
    }
    assert all(r["rationale"] == "" for r in rows if r["bid"] != "peak")
