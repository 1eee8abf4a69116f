"""`explain`: every point of a bid traced, the printed lines adding up to the total, from a pack or a record."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from decimal import Context, Decimal, localcontext
from pathlib import Path
from typing import Any

import pytest
from conftest import STOCKPORT_PACK, all_scores, basic_bid, basic_tender, invoke
from tenderscore.scoring.audit.source import scored_now
from tenderscore.scoring.evaluate import evaluate
from tenderscore.scoring.explanation import explain
from tenderscore.scoring.numbers import round2
from tenderscore.scoring.pack import load_pack
from tenderscore.scoring.points import price_exact, price_points

# A points line: the points right-aligned in the first columns, then what they are for.
POINTS_LINE = re.compile(r"^ {0,4}(\d+\.\d\d)  (.*)$")


def points_lines(text: str) -> list[tuple[str, str]]:
    return [(m[1], m[2]) for m in map(POINTS_LINE.match, text.splitlines()) if m]


def explain_text(*args: Any) -> str:
    result = invoke("explain", *args)
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def shipped_record() -> dict[str, Any]:
    assert invoke("score", STOCKPORT_PACK).exit_code == 0
    exported = invoke("ledger", "export", "1")
    data: dict[str, Any] = json.loads(exported.stdout)
    return data


def test_explain_castle_accounts_for_every_point() -> None:
    text = explain_text(STOCKPORT_PACK, "--bid", "castle")
    lines = points_lines(text)
    # Worked by hand from fixtures/stockport-highways (weights 40/40/20, scale 5):
    # price: lowest eligible is evergreen's £860,000 (dale's £990,000 is excluded anyway):
    #   40 × 860000 / 1260000 = 27.3015… → 27.30
    # Q1 25 × 5 / 5 = 25.00; Q2 15 × 3 / 5 = 9.00
    # jobs: 10 × 12654 + 2 × 22400 + 400 × 32 = 126540 + 44800 + 12800 = 184140, the best → 6 × 1 = 6.00
    # growth: 60000 × 1.00 = 60000; the best is evergreen's 1500000 capped at the £1,200,000 contract value:
    #   4 × 60000 / 1200000 = 0.20
    # social: 2500 × 1.00 + 200 × 32 = 8900, the best → 3.00; environment: 120 × 69 = 8280, the best → 2.00
    # innovation: weight 0 → 0.00; SV1 5 × 4 / 5 = 4.00
    # total: 27.30 + 25 + 9 + 6 + 0.20 + 3 + 2 + 0 + 4 = 76.50
    assert [points for points, _ in lines] == ["27.30", "25.00", "9.00", "6.00", "0.20", "3.00", "2.00", "0.00", "4.00"]
    assert lines[0][1] == "40 × £860,000.00 (lowest eligible price: evergreen) / £1,260,000.00 ≈ 27.3016"
    assert lines[1][1].startswith("Q1 Delivery methodology: 25 × 5 / 5 = 25.00 (minimum 2: met)")
    assert lines[4][1] == "theme growth: 4 × £60,000.00 / £1,200,000.00 (best eligible: evergreen) = 0.20"
    assert sum(Decimal(points) for points, _ in lines) == Decimal("76.50")
    assert "Total: 76.50 points = price 27.30 + quality 34.00 + social value 15.20" in text
    scored = json.loads(invoke("score", STOCKPORT_PACK, "--format", "json", "--no-ledger").stdout)
    assert next(b for b in scored["bids"] if b["bid_id"] == "castle")["total"] == "76.50"
    assert "commitment 2 STK-JOB-3: 2 people × £22,400.00 = £44,800.00 (rule value.STK-JOB-3, firing" in text
    assert "theme total £184,140.00" in text
    assert "not counted: commitment 8 NT99: 5 (rule measure.unknown, firing" in text
    assert "unknown measure: Commitment 8 names measure NT99" in text
    assert "Policy: meets_target (social value weight 20%, floor 15%, target 20%)" in text
    assert "(rule policy.meets_target, firing 1)" in text


def test_every_bid_of_the_shipped_pack_adds_up() -> None:
    scored = json.loads(invoke("score", STOCKPORT_PACK, "--format", "json", "--no-ledger").stdout)
    for bid in scored["bids"]:
        text = explain_text(STOCKPORT_PACK, "--bid", bid["bid_id"])
        lines = points_lines(text)
        if bid["status"] == "excluded":
            assert lines == [] and "Total: none (the bid is excluded)" in text
            continue
        assert sum(Decimal(points) for points, _ in lines) == Decimal(bid["total"]), bid["bid_id"]
        assert f"Total: {bid['total']} points" in text
        as_json = json.loads(invoke("explain", STOCKPORT_PACK, "--bid", bid["bid_id"], "--format", "json").stdout)
        assert sum(Decimal(line["points"]) for line in as_json["lines"]) == Decimal(as_json["total"])
        assert as_json["total"] == bid["total"]


def test_explain_from_a_record_matches_explain_from_the_pack(tmp_path: Path) -> None:
    record = shipped_record()
    (tmp_path / "record.json").write_text(json.dumps(record), encoding="utf-8")
    for bid_id in ("castle", "evergreen", "dale"):
        from_pack = json.loads(invoke("explain", STOCKPORT_PACK, "--bid", bid_id, "-f", "json").stdout)
        for source in ("1", str(tmp_path / "record.json")):
            from_record = json.loads(invoke("explain", source, "--bid", bid_id, "-f", "json").stdout)
            assert from_record["source"]["hash"] == record["hash"]
            assert {**from_record, "source": None} == {**from_pack, "source": None}
    text = explain_text("1", "--bid", "castle")
    assert f"From: decision record 1 (sha256 {record['hash'][:16]}…), made {record['created_at']}" in text


def test_firing_numbers_name_the_firings_in_the_record() -> None:
    record = shipped_record()
    firings = {f["seq"]: f for f in record["firings"]}
    explained = json.loads(invoke("explain", "1", "--bid", "evergreen", "-f", "json").stdout)
    flags = {f["code"]: f for f in explained["flags"]}
    # evergreen: STK-GRO-1 1,500,000 × £1.00 capped at the £1,200,000 contract value; offer 1,235,308.00 > 1.0 ×
    # 1,200,000 is implausible; £860,000 < 0.8 × mean(1150000, 1095000, 1260000) = 934,666.67 is abnormally low.
    assert set(flags) == {"capped", "sv_implausible", "abnormally_low_price"}
    for flag in flags.values():
        fired = firings[flag["firing"]]
        assert fired["rule"] == flag["rule"] and fired["bid"] == "evergreen"
    assert firings[flags["capped"]["firing"]]["effect"] == {
        "type": "cap",
        "limit": "1200000.00",
        "limit_field": "contract_value_gbp",
    }
    assert firings[flags["abnormally_low_price"]["firing"]]["session"] == "tender"
    growth = next(t for t in explained["themes"] if t["theme"] == "growth")
    (commitment,) = growth["commitments"]
    assert (commitment["raw_gbp"], commitment["cap_gbp"], commitment["value_gbp"]) == (
        "1500000.00",
        "1200000.00",
        "1200000.00",
    )
    assert [(r["rule"], firings[r["firing"]]["rule"]) for r in commitment["rules"]] == [
        ("value.STK-GRO-1", "value.STK-GRO-1"),
        ("cap.spend_at_contract_value", "cap.spend_at_contract_value"),
    ]
    dale = json.loads(invoke("explain", "1", "--bid", "dale", "-f", "json").stdout)
    (exclusion,) = dale["exclusions"]
    assert firings[exclusion["firing"]]["rule"] == "gate.not_passed" == exclusion["rule"]
    assert firings[exclusion["firing"]]["fact"]["gate"] == "modern_slavery"
    assert dale["total"] is None and dale["lines"] == []
    policy = dale["policy"]
    assert firings[policy["firing"]]["rule"] == "policy.meets_target"
    assert [firings[n["firing"]]["rule"] for n in policy["notices"]] == ["policy.portal_required"]


def test_a_tie_is_a_check_and_linear_price_shows_its_working(make_pack: Callable[..., Path]) -> None:
    pack = make_pack(
        basic_tender(price={"method": "linear_from_lowest"}),
        {
            "a": basic_bid("Alpha Ltd", "90000.00"),
            "b": basic_bid("Beta Ltd", "90000.00"),
            "c": basic_bid("Gamma Ltd", "100000.00"),
        },
        all_scores(["a", "b", "c"]),
    )
    text = explain_text(pack, "--bid", "c")
    # linear_from_lowest: 40 × (1 − (100000 − 90000) / 90000) = 40 × 0.8888… = 35.5555… → 35.56
    working = "40 × max(0, 1 − (£100,000.00 − £90,000.00) / £90,000.00) ≈ 35.5556 (lowest eligible price: a, b)"
    assert f"   35.56  {working}" in text
    # Nobody offers any social value: every theme gives 0 to everyone.
    assert "0.00  theme jobs: weight 6: no eligible bid offered anything in this theme, so 0" in text
    tied = explain_text(pack, "--bid", "a")
    assert "tied rank: Tied at rank 1 with b" in tied and "(check ranking.tie)" in tied


def test_unknown_bid_lists_the_bids() -> None:
    result = invoke("explain", STOCKPORT_PACK, "--bid", "zenith")
    assert result.exit_code == 2
    assert "--bid: expected one of castle, acme, brennan, evergreen, dale, fairfield, found 'zenith'" in result.stderr


def test_explain_refuses_a_record_that_does_not_verify(tmp_path: Path) -> None:
    record = shipped_record()
    record["firings"][0]["rule"] = "policy.below_target"
    (tmp_path / "record.json").write_text(json.dumps(record), encoding="utf-8")
    result = invoke("explain", tmp_path / "record.json", "--bid", "castle")
    assert result.exit_code == 4
    assert "its firings section does not match the digest recorded for it" in result.stderr


def test_the_working_is_the_scorings_own_formula_in_its_own_decimal_context() -> None:
    # linear_from_lowest, 40 × max(0, 1 − (100000 − 90000) / 90000) = 40 × 8/9. To the scoring context's 34
    # significant digits 8/9 = 0.888…889 (33 eights, then 9), and 40 × that = 35.555…556 (34 digits). A caller's
    # coarser context (5 digits here) must not leak in: it would give 40 × 0.88889 = 35.5556.
    with localcontext(Context(prec=5)):
        exact = price_exact("linear_from_lowest", Decimal(40), Decimal(100000), Decimal(90000))
        points = price_points("linear_from_lowest", Decimal(40), Decimal(100000), Decimal(90000))
    assert exact == Decimal("35.55555555555555555555555555555556")
    assert points == Decimal("35.56")
    # lowest_relative 40 × 860000 / 1260000 = 27.301587… (castle): the same exact figure explain shows as ≈ 27.3016.
    assert round2(price_exact("lowest_relative", Decimal(40), Decimal(1260000), Decimal(860000))) == Decimal("27.30")
    with pytest.raises(ValueError, match="unknown price method"):
        price_exact("median_relative", Decimal(40), Decimal(1), Decimal(1))


def test_a_price_method_this_version_does_not_know_is_not_worked_as_another() -> None:
    evaluation = evaluate(load_pack(STOCKPORT_PACK))
    # As a record made by a later version with a new method would read: the recorded points stand.
    evaluation.result.tender = replace(evaluation.result.tender, price_method="median_relative")
    price = explain(scored_now(evaluation, {"kind": "pack", "where": "test"}), "castle")["price"]
    assert price["points"] == "27.30" and price["method"] == "median_relative"
    assert price["working"] == "method 'median_relative' is not one this version of tenderscore can work out"
