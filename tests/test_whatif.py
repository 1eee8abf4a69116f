"""`tenderscore whatif`: breakeven weights confirmed by `score` itself, rank reversal, method comparison."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import STOCKPORT_PACK, invoke, load_json
from tenderscore.scoring.evaluate import evaluate
from tenderscore.scoring.pack import load_pack
from tenderscore.scoring.whatif import analyse
from tenderscore.scoring.whatif.basis import Basis, Scorer, leaders_of
from tenderscore.scoring.whatif.weights import Layout, apportion, reweigh


@pytest.fixture(scope="module")
def highways() -> dict[str, Any]:
    out = invoke("whatif", STOCKPORT_PACK, "--format", "json")
    assert out.exit_code == 0, out.output
    data: dict[str, Any] = load_json(out.stdout)
    return data


def reweighted_pack(folder: Path, weights: dict[str, str], exempt: bool) -> Path:
    """The highways pack with every weight set as `whatif` reports it (an exemption where the policy refuses)."""
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(STOCKPORT_PACK, folder)
    tender = yaml.safe_load((folder / "tender.yaml").read_text(encoding="utf-8"))
    for key in ("price", "quality", "social_value"):
        tender["weights"][key] = weights[key]
    for question in tender["quality"]["questions"] + tender["social_value"]["questions"]:
        question["weight"] = weights[f"question:{question['id']}"]
    for theme in tender["social_value"]["themes"]:
        tender["social_value"]["themes"][theme] = weights[f"theme:{theme}"]
    if exempt:
        tender["exemption"] = {"reason": "test: re-weighted below the floor", "approved_by": "Test"}
    (folder / "tender.yaml").write_text(yaml.safe_dump(tender, sort_keys=False), encoding="utf-8")
    return folder


def first_by_score(pack: Path) -> list[str]:
    out = invoke("score", pack, "--format", "json", "--no-ledger")
    assert out.exit_code == 0, out.output
    return sorted(b["bid_id"] for b in json.loads(out.stdout)["bids"] if b["rank"] == 1)


def test_highways_reports_every_breakeven_and_score_sees_the_winner_change_exactly_there(
    highways: dict[str, Any], tmp_path: Path
) -> None:
    assert highways["first"] == ["castle"]
    found = [s for s in highways["sensitivity"] if s["breakeven"] is not None]
    # The top-level weights: a price increase, a quality decrease and a social value decrease each change the
    # winner within 0..100; a price decrease and quality and social value increases never do.
    moved = {(s["weight"], s["direction"]) for s in found}
    assert {("price", "increase"), ("quality", "decrease"), ("social_value", "decrease")} <= moved
    assert not {("price", "decrease"), ("quality", "increase"), ("social_value", "increase")} & moved
    for s in found:
        assert s["confirmed"], s
        refused = s["policy_status"] == "refused"
        at = reweighted_pack(tmp_path / "at", s["weights_at"], refused)
        assert first_by_score(at) == s["first_there"] != ["castle"], s["name"]
        short = reweighted_pack(tmp_path / "short", s["weights_short"], refused)
        assert first_by_score(short) == ["castle"], s["name"]
        step = Decimal("0.01") if s["direction"] == "increase" else Decimal("-0.01")
        assert Decimal(s["weights_at"][s["weight"]]) == Decimal(s["breakeven"])
        assert Decimal(s["weights_short"][s["weight"]]) == Decimal(s["breakeven"]) - step


def test_no_smaller_move_changes_the_winner(highways: dict[str, Any]) -> None:
    # Every 0.01 step from the current weight up to the breakeven, scored in full (no bounds, no skipping).
    pack = load_pack(STOCKPORT_PACK)
    scorer = Scorer(Basis.of(pack.tender, evaluate(pack).result))
    layout = Layout.of(pack.tender)
    for s in highways["sensitivity"]:
        if s["weight"] not in ("price", "question:Q1", "theme:growth"):
            continue
        step = Decimal("0.01") if s["direction"] == "increase" else Decimal("-0.01")
        end = Decimal(s["breakeven"] or s["searched_to"])
        value = Decimal(s["current"])
        while value != end:
            value += step
            first = leaders_of(scorer.standings(reweigh(layout, s["weight"], value)))
            if value != end or s["breakeven"] is None:
                assert first == ("castle",), (s["name"], value)
        if s["breakeven"] is not None:
            assert first == tuple(s["first_there"])


def test_a_social_value_move_gives_the_policy_status_there(highways: dict[str, Any]) -> None:
    by = {(s["weight"], s["direction"]): s for s in highways["sensitivity"]}
    # Price up to 52.9: quality and social value share 47.1 as 40:20, so social value 15.7 (15 ≤ 15.7 < 20).
    price_up = by[("price", "increase")]
    assert price_up["weights_at"]["social_value"] == "15.7"
    assert price_up["policy_status"] == "below_target" and price_up["crosses_policy"]
    # Social value down below Stockport's floor of 15 without an exemption: refused there.
    sv_down = by[("social_value", "decrease")]
    assert Decimal(sv_down["breakeven"]) < 15 and sv_down["policy_status"] == "refused"
    # A question's weight moves within its component: the social value weight, and the policy, stay put.
    assert by[("question:Q1", "decrease")]["policy_status"] is None


def test_apportioning_keeps_the_total_exact_and_on_the_grid() -> None:
    pack = load_pack(STOCKPORT_PACK)
    layout = Layout.of(pack.tender)
    # 10 shared by price and quality in proportion 40:40 -> 5 and 5; by themes 6:4:3:2:0 of 20 -> a grid split.
    themes = [f"theme:{t}" for t in ("jobs", "growth", "social", "environment", "innovation")]
    shares = apportion(layout, themes, Decimal("10.01"))
    # exact: 4.004, 2.669…, 2.002, 1.334…, 0 -> floors 4.00, 2.66, 2.00, 1.33, 0 leave 0.02: to the two largest
    # remainders (2.669… and 1.334…)
    assert shares == {
        "theme:jobs": Decimal("4.00"),
        "theme:growth": Decimal("2.67"),
        "theme:social": Decimal("2.00"),
        "theme:environment": Decimal("1.34"),
        "theme:innovation": Decimal("0.00"),
    }
    weights = reweigh(layout, "price", Decimal("52.9"))
    assert weights["quality"] + weights["social_value"] + weights["price"] == 100
    assert weights["question:Q1"] + weights["question:Q2"] == weights["quality"]


def rank_reversal_pack(make_pack: Callable[..., Path], bids: tuple[str, ...] = ("a", "b", "c")) -> Path:
    # Price 50 (lowest_relative), one question of weight 50 out of 100; not competitive, so no SV policy.
    #   with c:    a 50 × 50000/100000 = 25.00 + 50 × 90/100 = 45.00 -> 70.00
    #              b 50 × 50000/80000  = 31.25 + 50 × 74/100 = 37.00 -> 68.25
    #              c 50 × 50000/50000  = 50.00 + 50 × 20/100 = 10.00 -> 60.00      order a, b, c
    #   without c: a 50 × 80000/100000 = 40.00 + 45.00 -> 85.00
    #              b 50 × 80000/80000  = 50.00 + 37.00 -> 87.00                     order b, a
    tender = {
        "id": "RR-1",
        "contract_value_gbp": "200000.00",
        "procedure": "direct_award",
        "ruleset": "stockport",
        "weights": {"price": 50, "quality": 50, "social_value": 0},
        "quality": {"scale_max": 100, "questions": [{"id": "Q1", "weight": 50}]},
    }
    prices = {"a": "100000.00", "b": "80000.00", "c": "50000.00"}
    scores = {"a": 90, "b": 74, "c": 20}
    return make_pack(
        tender,
        {b: {"bidder": f"Bidder {b.upper()}", "price_gbp": prices[b]} for b in bids},
        {b: {"Q1": scores[b]} for b in bids},
    )


def test_removing_the_third_bid_swaps_the_first_two_and_whatif_reports_it(make_pack: Callable[..., Path]) -> None:
    pack = rank_reversal_pack(make_pack)
    out = invoke("whatif", pack, "--format", "json")
    assert out.exit_code == 0, out.output
    data = load_json(out.stdout)
    assert [(r["bid_id"], r["total"]) for r in data["ranking"]] == [("a", "70.00"), ("b", "68.25"), ("c", "60.00")]
    (without_c,) = [r for r in data["rank_reversal"] if r["removed"] == "c"]
    assert without_c["changed"] and without_c["winner_changed"]
    assert [(r["bid_id"], r["total"]) for r in without_c["after"]] == [("b", "87.00"), ("a", "85.00")]
    # No social value questions or themes: its weight has nowhere to go; Q1 is quality's only question.
    assert data["unmovable"] == ["social_value", "question Q1"]
    (without_b,) = [r for r in data["rank_reversal"] if r["removed"] == "b"]
    assert not without_b["changed"]
    # `score` agrees: the same tender without c ranks b first.
    assert first_by_score(rank_reversal_pack(make_pack, ("a", "b"))) == ["b"]
    table = invoke("whatif", pack)
    assert "without c: THE FIRST-RANKED BID CHANGES: 1. a, 2. b  ->  1. b, 2. a" in table.stdout


def test_method_comparison_ranks_under_each_method(make_pack: Callable[..., Path]) -> None:
    data = load_json(invoke("whatif", rank_reversal_pack(make_pack), "--format", "json").stdout)
    methods = {(m["kind"], m["method"]): m for m in data["methods"]}
    assert [m for m in methods if methods[m]["current"]] == [("price", "lowest_relative"), ("quality", "scale")]
    # range: a 50 × 0/50000 = 0 + 45 = 45.00; b 50 × 20000/50000 = 20.00 + 37 = 57.00; c 50 + 10 = 60.00
    assert [(r["bid_id"], r["total"]) for r in methods[("price", "range")]["ranking"]] == [
        ("c", "60.00"),
        ("b", "57.00"),
        ("a", "45.00"),
    ]
    # relative_to_best (best 90): a 25 + 50 = 75.00; b 31.25 + 50 × 74/90 = 41.111… -> 41.11, 72.36;
    # c 50 + 50 × 20/90 = 11.111… -> 11.11, 61.11
    assert [(r["bid_id"], r["total"]) for r in methods[("quality", "relative_to_best")]["ranking"]] == [
        ("a", "75.00"),
        ("b", "72.36"),
        ("c", "61.11"),
    ]


def test_whatif_agrees_with_score_at_the_tender_s_own_weights(make_pack: Callable[..., Path]) -> None:
    pack = load_pack(STOCKPORT_PACK)
    whatif = analyse(pack)
    result = whatif.evaluation.result
    assert [(s.bid_id, s.total, s.rank) for s in whatif.standings] == [
        (b.bid_id, b.total, b.rank) for b in result.eligible
    ]


def test_whatif_html_adds_its_section(tmp_path: Path) -> None:
    target = tmp_path / "whatif.html"
    out = invoke("whatif", STOCKPORT_PACK, "--format", "html", "--output", target)
    assert out.exit_code == 0, out.output
    page = target.read_text(encoding="utf-8")
    assert '<section id="whatif"' in page and 'data-weight="price" data-direction="increase"' in page
    plain = invoke("score", STOCKPORT_PACK, "--format", "html", "--no-ledger").stdout
    assert 'id="whatif"' not in plain  # the ordinary report is unchanged


def test_a_refused_pack_exits_3(tmp_path: Path) -> None:
    folder = tmp_path / "refused"
    shutil.copytree(STOCKPORT_PACK, folder)
    tender = yaml.safe_load((folder / "tender.yaml").read_text(encoding="utf-8"))
    tender["weights"] = {"price": 50, "quality": 40, "social_value": 10}
    tender["social_value"]["themes"] = {"jobs": 5, "growth": 0, "social": 0, "environment": 0, "innovation": 0}
    (folder / "tender.yaml").write_text(yaml.safe_dump(tender), encoding="utf-8")
    out = invoke("whatif", folder)
    assert out.exit_code == 3, out.output


def test_whatif_reads_a_decision_record_as_well_as_a_pack() -> None:
    assert invoke("score", STOCKPORT_PACK, "--format", "json").exit_code == 0  # record 1 in this test's ledger
    from_record = invoke("whatif", "1", "--format", "json")
    assert from_record.exit_code == 0, from_record.output
    from_pack = invoke("whatif", STOCKPORT_PACK, "--format", "json")
    assert load_json(from_record.stdout)["sensitivity"] == load_json(from_pack.stdout)["sensitivity"]
