"""`tenderscore summaries`: one assessment summary per assessed tender (Procurement Act 2023 s.50(3), Procurement
Regulations 2024 reg. 31), each figure the decision record's and each score explained.

The .docx files are read back with python-docx and checked against `score --format json` (the published result)
and `explain --format json` (the rationale and rule trace of each score), not against the summary model.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, STOCKPORT_PACK, basic_bid, basic_tender, invoke, load_json
from docx import Document
from docx.table import Table
from tenderscore.scoring.numbers import fmt_gbp

PANEL_PACK = FIXTURES / "stockport-panel"
HIGHWAYS_BIDS = ["castle", "acme", "brennan", "evergreen", "dale", "fairfield"]  # the result's order


def export_record(tmp_path: Path, pack: Path = STOCKPORT_PACK) -> Path:
    """The pack scored once, its decision record exported: every summary below is built from this one record."""
    assert invoke("score", pack, "--format", "json").exit_code == 0
    record = tmp_path / "record.json"
    assert invoke("ledger", "export", "1", "--output", record).exit_code == 0
    return record


@pytest.fixture(scope="module")
def highways(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("summaries")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TENDERSCORE_LEDGER", str(tmp / "ledger.sqlite3"))
        record = export_record(tmp)
        out = tmp / "out"
        done = invoke("summaries", record, "--output-dir", out)
        assert done.exit_code == 0, done.output
        result = load_json(invoke("score", STOCKPORT_PACK, "--format", "json", "--no-ledger").stdout)
        explained = {
            bid: load_json(invoke("explain", record, "--bid", bid, "--format", "json").stdout) for bid in HIGHWAYS_BIDS
        }
    return {"record": record, "out": out, "result": result, "explain": explained, "stdout": done.stdout}


def rows(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_one_summary_per_assessed_tender(highways: dict[str, Any]) -> None:
    written = sorted(p.name for p in highways["out"].iterdir())
    assert written == sorted(f"assessment-summary-{bid}.docx" for bid in HIGHWAYS_BIDS)
    assert [Path(line).name for line in highways["stdout"].splitlines()] == [
        f"assessment-summary-{bid}.docx" for bid in HIGHWAYS_BIDS
    ]


def assessment_rows(result_bid: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """(label, score, points) for each line, worked from the published JSON result alone."""
    out: list[tuple[str, str, str | None]] = [
        ("Price", fmt_gbp(Decimal(result_bid["price"]["gbp"])), result_bid["price"]["points"])
    ]
    for qid, q in result_bid["quality"]["questions"].items():
        out.append((qid, f"{q['score']} of 5", q["points"]))
    for theme, th in result_bid["social_value"]["themes"].items():
        out.append((theme, f"{fmt_gbp(Decimal(th['gbp']))} counted", th["points"]))
    for qid, q in result_bid["social_value"]["questions"].items():
        out.append((qid, f"{q['score']} of 5", q["points"]))
    return out


def check_assessment(table: Table, result_bid: dict[str, Any], explained: dict[str, Any]) -> None:
    cells = rows(table)
    assert cells[0] == ["Criterion", "Weight", "Score", "Points", "Explanation"]
    expected = assessment_rows(result_bid)
    lines = cells[1 : 1 + len(expected)]
    for (label, score, points), row in zip(expected, lines, strict=True):
        assert row[0].startswith(label) or row[0].lower().startswith(label), (row, label)
        assert row[2] == score
        assert row[3] == (points if points is not None else "no points")
    by_label = {row[0]: row[4] for row in lines}
    # Every scored question's explanation is the panel's rationale; every counted commitment is traced to its rule.
    for q in explained["questions"]:
        text = next(v for k, v in by_label.items() if k.startswith(q["id"] + " "))
        assert q["rationale"] in text
    for th in explained["themes"]:
        text = next(v for k, v in by_label.items() if k.lower().startswith(th["theme"]))
        for c in th["commitments"]:
            assert c["working"] in text and f"rule {c['rules'][0]['rule']}" in text
    price = by_label["Price"]
    if result_bid["price"]["points"] is not None:
        assert f"{result_bid['price']['points']} points" in price
    subtotals = cells[1 + len(expected) :]
    assert subtotals == [
        ["Price (sub-total)", "", "", result_bid["price"]["points"] or "no points", ""],
        ["Quality (sub-total)", "", "", result_bid["quality"]["points"] or "no points", ""],
        ["Social value (sub-total)", "", "", result_bid["social_value"]["points"] or "no points", ""],
        ["Total", "", "", result_bid["total"] or "no points", ""],
    ]


@pytest.mark.parametrize("bid_id", HIGHWAYS_BIDS)
def test_docx_scores_and_explanations_match_the_result(highways: dict[str, Any], bid_id: str) -> None:
    doc = Document(str(highways["out"] / f"assessment-summary-{bid_id}.docx"))
    result = {b["bid_id"]: b for b in highways["result"]["bids"]}
    winner = highways["result"]["bids"][0]
    assert winner["bid_id"] == "castle" and winner["total"] == "76.50"
    tables = doc.tables
    criteria = rows(tables[0])
    # Reg. 31(2)(d): each criterion's title and relative importance (the tender's weights 40/40/20).
    assert [r[:2] for r in criteria if not r[0].startswith(" ")][1:] == [
        ["Price", "40"],
        ["Quality", "40"],
        ["Social value", "20"],
    ]
    check_assessment(tables[1], result[bid_id], highways["explain"][bid_id])
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"Name: {result[bid_id]['bidder']}" in text
    if bid_id == "castle":
        assert len(tables) == 2
        assert "most advantageous tender: it ranks first of 4 eligible tenders with 76.50 points" in text
    else:
        # Reg. 31(3)(d): the most advantageous tender's assessment, for every other supplier.
        assert len(tables) == 3
        check_assessment(tables[2], winner, highways["explain"]["castle"])


def test_unsuccessful_outcomes_give_rank_and_gap_or_the_disqualification(highways: dict[str, Any]) -> None:
    def text(bid: str) -> str:
        return "\n".join(p.text for p in Document(str(highways["out"] / f"assessment-summary-{bid}.docx")).paragraphs)

    # 76.50 − 70.74 = 5.76; 76.50 − 67.82 = 8.68 (README's ranking table).
    assert "ranks 2 of 4 eligible tenders with 70.74 points, 5.76 points behind" in text("acme")
    assert "ranks 4 of 4 eligible tenders with 67.82 points, 8.68 points behind" in text("evergreen")
    assert "Gate modern_slavery (Modern slavery) was answered fail, not pass." in text("dale")
    assert "Question Q2 (Resourcing and supervision) scored 1, below its minimum of 2." in text("fairfield")


def test_absent_contact_details_are_listed_as_missing(highways: dict[str, Any]) -> None:
    def supplier(bid: str) -> list[str]:
        doc = Document(str(highways["out"] / f"assessment-summary-{bid}.docx"))
        fields = {"Contact postal address", "Email address", "Unique identifier"}
        return [p.text for p in doc.paragraphs if p.text.split(":")[0] in fields]

    missing = "missing (not given in the tender)"
    assert supplier("fairfield") == [
        f"Contact postal address: {missing}",
        f"Email address: {missing}",
        f"Unique identifier: {missing}",
    ]
    assert supplier("brennan") == [
        "Contact postal address: 12 Wellington Road South, Stockport SK1 3TA",
        f"Email address: {missing}",
        "Unique identifier: GB-COH-09981234",
    ]
    assert supplier("castle")[1] == "Email address: bid.team@castle-infra.example"


def test_a_summary_is_the_same_bytes_from_the_same_record(highways: dict[str, Any], tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert invoke("summaries", highways["record"], "--output-dir", again).exit_code == 0
    for bid in HIGHWAYS_BIDS:
        name = f"assessment-summary-{bid}.docx"
        assert (again / name).read_bytes() == (highways["out"] / name).read_bytes()


@pytest.mark.parametrize(("fmt", "ext"), [("html", "html"), ("markdown", "md")])
def test_html_and_markdown_hold_the_same_figures(highways: dict[str, Any], tmp_path: Path, fmt: str, ext: str) -> None:
    out = tmp_path / fmt
    assert invoke("summaries", highways["record"], "--output-dir", out, "--format", fmt).exit_code == 0
    acme = (out / f"assessment-summary-acme.{ext}").read_text(encoding="utf-8")
    result = {b["bid_id"]: b for b in highways["result"]["bids"]}
    for bid in ("acme", "castle"):
        for _label, score, points in assessment_rows(result[bid]):
            assert score in acme and (points is None or points in acme)
        assert result[bid]["total"] in acme
    assert "Clear phasing and traffic management" in acme


def test_a_pack_is_recorded_first_then_summarised(tmp_path: Path) -> None:
    done = invoke("summaries", STOCKPORT_PACK, "--output-dir", tmp_path, "--format", "markdown")
    assert done.exit_code == 0, done.output
    assert "Decision record 1 (sha256 " in done.stderr
    record_hash = done.stderr.split("sha256 ")[1].split(")")[0]
    assert f"Decision record {record_hash}" in (tmp_path / "assessment-summary-acme.md").read_text(encoding="utf-8")


def test_missing_rationales_are_listed_and_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = invoke("summaries", PANEL_PACK, "--output-dir", out)
    assert done.exit_code == 2
    # stockport-panel's scores.csv has rationales only for peak Q1, peak SV1 and tame Q1: 9 scores − 3 = 6.
    lines = [line for line in done.stderr.splitlines() if line.startswith("Error:")]
    assert len(lines) == 6, done.stderr
    assert any("northway,Q1" in line and "rationale" in line for line in lines)
    assert not out.exists()

    allowed = invoke("summaries", PANEL_PACK, "--output-dir", out, "--allow-missing-explanations")
    assert allowed.exit_code == 0, allowed.output
    northway = Document(str(out / "assessment-summary-northway.docx"))
    explanations = [row[4] for row in rows(northway.tables[1])[1:]]
    assert any("No explanation was recorded for this score." in e for e in explanations)


def test_a_record_that_does_not_verify_is_refused(highways: dict[str, Any], tmp_path: Path) -> None:
    record = json.loads(highways["record"].read_text(encoding="utf-8"))
    record["result"]["bids"][0]["total"] = "99.99"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(record), encoding="utf-8")
    done = invoke("summaries", tampered, "--output-dir", tmp_path / "out")
    assert done.exit_code == 4
    assert not (tmp_path / "out").exists()


def summarised(pack: Path, out: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """The pack's published result by bid id (`score --format json`, what every summary must agree with), and
    its Markdown summaries by bid id."""
    scored = load_json(invoke("score", pack, "--format", "json", "--no-ledger").stdout)
    done = invoke("summaries", pack, "--output-dir", out, "--format", "markdown")
    assert done.exit_code == 0, done.output
    summaries = {p.stem.removeprefix("assessment-summary-"): p.read_text(encoding="utf-8") for p in out.iterdir()}
    return {b["bid_id"]: b for b in scored["bids"]}, summaries


def with_rationales(scores: dict[str, tuple[int, int, int]]) -> str:
    """scores.csv from each bid's (Q1, Q2, SV1) scores, every one with a rationale."""
    rows = [
        f"{bid},{q},{score},Reason {bid} {q}\n"
        for bid, by_q in scores.items()
        for q, score in zip(("Q1", "Q2", "SV1"), by_q, strict=True)
    ]
    return "bid,question,score,rationale\n" + "".join(rows)


def test_a_questions_own_scale_and_range_pricing_are_worked_as_scored(
    make_pack: Callable[..., Path], tmp_path: Path
) -> None:
    tender = basic_tender(price={"method": "range"})
    tender["quality"]["questions"][0]["scale_max"] = 10
    bids = {"a": basic_bid("A Ltd", "80000.00"), "b": basic_bid("B Ltd", "100000.00"), "c": basic_bid("C", "90000.00")}
    pack = make_pack(tender, bids, with_rationales({"a": (8, 3, 3), "b": (6, 3, 3), "c": (5, 3, 3)}))
    result, summaries = summarised(pack, tmp_path / "out")
    c = summaries["c"]
    # Q1 is marked out of its own 10: c's 5 is 25 × 5 / 10 = 12.50 points, not 25 × 5 / 5.
    assert result["c"]["quality"]["questions"]["Q1"]["points"] == "12.50"
    assert "| Q1 Method | 25 | 5 of 10 | 12.50 |" in c
    assert "Points = 25 × 5 / 10 = 12.50 (minimum 2: met)" in c
    assert "| — Q1 Method | 25 | minimum score 2; scores 0 to 10 in steps of 1" in c
    # Q2 keeps the tender's 0 to 5: 15 × 3 / 5 = 9.00.
    assert "| Q2 Resources | 15 | 3 of 5 | 9.00 |" in c
    # range: 40 × (highest − price) / (highest − lowest) = 40 × (100,000 − 90,000) / (100,000 − 80,000) = 20.00.
    assert result["c"]["price"]["points"] == "20.00"
    assert "40 × (£100,000.00 − £90,000.00) / (£100,000.00 − £80,000.00) = 20.00, 20.00 points" in c
    assert "highest eligible price £100,000.00" in c
    assert "method range" not in c
    # Other suppliers are never named: the price working carries no bid id of the lowest or highest bidder.
    assert "lowest eligible price: a" not in c


def test_relative_to_best_divides_by_the_best_eligible_score(make_pack: Callable[..., Path], tmp_path: Path) -> None:
    tender = basic_tender()
    tender["quality"]["method"] = "relative_to_best"
    bids = {"a": basic_bid("A Ltd", "90000.00"), "b": basic_bid("B Ltd", "100000.00")}
    pack = make_pack(tender, bids, with_rationales({"a": (4, 3, 2), "b": (2, 3, 4)}))
    result, summaries = summarised(pack, tmp_path / "out")
    b = summaries["b"]
    # The best eligible Q1 is a's 4: b's 2 is 25 × 2 / 4 = 12.50; SV1's best is b's own 4: 5 × 4 / 4 = 5.00.
    assert result["b"]["quality"]["questions"]["Q1"]["points"] == "12.50"
    assert "| Q1 Method | 25 | 2 of 5 | 12.50 |" in b
    assert "Points = 25 × 2 / 4 (the best eligible score) = 12.50 (minimum 2: met)" in b
    assert "Points = 5 × 4 / 4 (the best eligible score) = 5.00 (minimum 1: met)" in b
    assert "÷ the best score any eligible tender was given for it" in b
    assert "× the score ÷ 5" not in b


def test_every_scoring_method_is_put_in_words() -> None:
    from tenderscore.scoring import points
    from tenderscore.scoring.award import summary

    assert set(summary.PRICE_METHODS) == set(points.PRICE_METHODS)
    assert set(summary.QUALITY_METHODS) == set(points.QUALITY_METHODS)


def kept_records(ledger: Path) -> int:
    if not ledger.exists():
        return 0
    with closing(sqlite3.connect(ledger)) as conn:
        (count,) = conn.execute("SELECT count(*) FROM records").fetchone()
    return int(count)


def test_a_pack_whose_summaries_are_refused_or_fail_keeps_no_record(
    _private_ledger: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pack's record is appended for the summaries it is scored for: with none delivered, none is kept.
    refused = invoke("summaries", PANEL_PACK, "--output-dir", tmp_path / "refused")
    assert refused.exit_code == 2 and "Decision record" not in refused.stderr
    assert kept_records(_private_ledger) == 0

    from tenderscore.scoring import award

    def broken(summary: Any) -> bytes:
        raise RuntimeError("the renderer failed")

    monkeypatch.setitem(award.RENDERERS, "docx", broken)
    with pytest.raises(RuntimeError, match="the renderer failed"):
        invoke("summaries", STOCKPORT_PACK, "--output-dir", tmp_path / "out")
    assert kept_records(_private_ledger) == 0
    assert not (tmp_path / "out").exists()
