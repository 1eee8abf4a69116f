"""scoring.md, Points: the `range` price method, the `relative_to_best` quality method and per-question scales,
checked against worked examples published by third parties and against arithmetic worked by hand."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import invoke
from scoring_support import bid, dec, figures, score
from tenderscore.scoring.models import Evaluator, Tender
from tenderscore.scoring.panel.scale import Scale
from tenderscore.scoring.panel.sheet import assigned_items


def small_tender(
    price_weight: int,
    questions: list[dict[str, Any]],
    price_method: str = "lowest_relative",
    quality_method: str = "scale",
    **extra: Any,
) -> dict[str, Any]:
    """A tender with no social value (not competitive, so Stockport's policy does not apply)."""
    tender: dict[str, Any] = {
        "id": "M-1",
        "title": "Methods",
        "contract_value_gbp": "20000.00",
        "procedure": "direct_award",
        "ruleset": "stockport",
        "weights": {
            "price": price_weight,
            "quality": sum(q["weight"] for q in questions),
            "social_value": 0,
        },
        "price": {"method": price_method},
        "quality": {"scale_max": 5, "method": quality_method, "questions": questions},
        "social_value": {"themes": {}, "questions": []},
        "gates": [],
    }
    tender.update(extra)
    return tender


def plain_bid(bidder: str, price: str, **extra: Any) -> dict[str, Any]:
    return {"bidder": bidder, "price_gbp": price, **extra}


def test_best_score_normalisation_reproduces_the_felp_example(make_pack: Callable[..., Path]) -> None:
    # FELP (Further Education Learning and Procurement), "An Assessment Method",
    # https://www.felp.ac.uk/content/assessment-method : non-financial 80, price 20; technical totals 123, 126,
    # 129, 117 scored relative to the best (129) and prices £10,500, £10,350, £11,750, £9,900 relative to the
    # lowest. Its published figures (non-financial, price, final):
    #   A 76.28 + 18.86 = 95.14   B 78.14 + 19.13 = 97.27   C 80.00 + 16.85 = 96.85   D 72.56 + 20.00 = 92.56
    # By hand: 80 × 123/129 = 76.279… → 76.28; 20 × 9900/10500 = 18.857… → 18.86; and so on.
    tender = small_tender(
        20, [{"id": "T", "title": "Technical", "weight": 80, "scale_max": 150}], quality_method="relative_to_best"
    )
    pack = make_pack(
        tender,
        {
            "a": plain_bid("Firm A", "10500.00"),
            "b": plain_bid("Firm B", "10350.00"),
            "c": plain_bid("Firm C", "11750.00"),
            "d": plain_bid("Firm D", "9900.00"),
        },
        {"a": {"T": 123}, "b": {"T": 126}, "c": {"T": 129}, "d": {"T": 117}},
    )
    result = score(pack)
    assert {b.bid_id: figures(b) for b in result.bids} == {
        "a": ("18.86", "76.28", "0.00", "95.14"),
        "b": ("19.13", "78.14", "0.00", "97.27"),
        "c": ("16.85", "80.00", "0.00", "96.85"),
        "d": ("20.00", "72.56", "0.00", "92.56"),
    }
    assert [b.bid_id for b in result.eligible] == ["b", "c", "a", "d"]  # FELP: Firm B wins


def test_criteria_out_of_60_40_and_30_reproduce_the_negometrix_example(make_pack: Callable[..., Path]) -> None:
    # Negometrix (Mercell) support, "Low Bid Scoring Formula",
    # https://support-us.negometrix.com/support/solutions/articles/44001761046-low-bid-scoring-formula :
    # criteria marked out of 60 (30%), 40 (20%) and 30 (15%), price 35% relative to the lowest bid.
    # Bidder A scores 40, 30, 20 at $10,000; bidder B 32, 20, 22 at $8,000. Published: A 20 + 15 + 10 + 28 = 73%,
    # B 16 + 10 + 11 + 35 = 72%: A wins. By hand: 30 × 40/60 = 20, 20 × 30/40 = 15, 15 × 20/30 = 10,
    # 35 × 8000/10000 = 28; 30 × 32/60 = 16, 20 × 20/40 = 10, 15 × 22/30 = 11, 35 × 8000/8000 = 35.
    tender = small_tender(
        35,
        [
            {"id": "EXP", "title": "Experience", "weight": 30, "scale_max": 60},
            {"id": "QA", "title": "Quality assurance", "weight": 20, "scale_max": 40},
            {"id": "TIME", "title": "Time to completion", "weight": 15, "scale_max": 30},
        ],
    )
    pack = make_pack(
        tender,
        {"a": plain_bid("Bidder A", "10000.00"), "b": plain_bid("Bidder B", "8000.00")},
        {"a": {"EXP": 40, "QA": 30, "TIME": 20}, "b": {"EXP": 32, "QA": 20, "TIME": 22}},
    )
    result = score(pack)
    assert figures(bid(result, "a")) == ("28.00", "45.00", "0.00", "73.00")
    assert figures(bid(result, "b")) == ("35.00", "37.00", "0.00", "72.00")
    assert bid(result, "a").rank == 1


def test_range_scores_from_the_highest_eligible_price_to_the_lowest(make_pack: Callable[..., Path]) -> None:
    # w × (Pmax − P) / (Pmax − Pmin), w = 40, over eligible bids only (the excluded £200,000 bid is not Pmax):
    #   100000.00: 40 × 50000 / 50000 = 40.00
    #   112345.67: 40 × 37654.33 / 50000 = 30.123464 → 30.12
    #   150000.00: 40 × 0 / 50000 = 0.00
    tender = small_tender(40, [{"id": "Q1", "weight": 60}], price_method="range", gates=["modern_slavery"])
    passes = {"gates": {"modern_slavery": "pass"}}
    pack = make_pack(
        tender,
        {
            "low": plain_bid("Low", "100000.00", **passes),
            "mid": plain_bid("Mid", "112345.67", **passes),
            "high": plain_bid("High", "150000.00", **passes),
            "out": plain_bid("Out", "200000.00", gates={"modern_slavery": "fail"}),
        },
        {b: {"Q1": 3} for b in ("low", "mid", "high", "out")},
    )
    result = score(pack)
    assert {b.bid_id: b.price_points for b in result.eligible} == {
        "low": dec("40.00"),
        "mid": dec("30.12"),
        "high": dec("0.00"),
    }
    assert bid(result, "out").price_points is None


def test_range_gives_every_bid_the_weight_when_all_prices_are_equal(make_pack: Callable[..., Path]) -> None:
    pack = make_pack(
        small_tender(40, [{"id": "Q1", "weight": 60}], price_method="range"),
        {"a": plain_bid("A", "5000.00"), "b": plain_bid("B", "5000.00")},
        {"a": {"Q1": 5}, "b": {"Q1": 4}},
    )
    result = score(pack)
    # 40 each; quality 60 × 5/5 = 60.00 and 60 × 4/5 = 48.00
    assert figures(bid(result, "a")) == ("40.00", "60.00", "0.00", "100.00")
    assert figures(bid(result, "b")) == ("40.00", "48.00", "0.00", "88.00")


def test_relative_to_best_gives_everyone_zero_where_the_best_score_is_zero(make_pack: Callable[..., Path]) -> None:
    # Q1 best 4: 30 × 4/4 = 30.00, 30 × 3/4 = 22.50. Q2 best 0: 0 for both (never a division by zero).
    tender = small_tender(
        40, [{"id": "Q1", "weight": 30}, {"id": "Q2", "weight": 30}], quality_method="relative_to_best"
    )
    pack = make_pack(
        tender,
        {"a": plain_bid("A", "1000.00"), "b": plain_bid("B", "1000.00")},
        {"a": {"Q1": 4, "Q2": 0}, "b": {"Q1": 3, "Q2": 0}},
    )
    result = score(pack)
    assert {q: s.points for q, s in bid(result, "a").questions.items()} == {"Q1": dec("30.00"), "Q2": dec("0.00")}
    assert {q: s.points for q, s in bid(result, "b").questions.items()} == {"Q1": dec("22.50"), "Q2": dec("0.00")}


def test_relative_to_best_takes_the_best_among_eligible_bids_only(make_pack: Callable[..., Path]) -> None:
    # The excluded bid scored 5 but fails a gate: the best eligible score is 4, so 60 × 4/4 = 60.00, 60 × 2/4 = 30.00.
    tender = small_tender(40, [{"id": "Q1", "weight": 60}], quality_method="relative_to_best", gates=["modern_slavery"])
    passes = {"modern_slavery": "pass"}
    pack = make_pack(
        tender,
        {
            "a": plain_bid("A", "1000.00", gates=passes),
            "b": plain_bid("B", "1000.00", gates=passes),
            "x": plain_bid("X", "1000.00", gates={"modern_slavery": "fail"}),
        },
        {"a": {"Q1": 4}, "b": {"Q1": 2}, "x": {"Q1": 5}},
    )
    result = score(pack)
    assert bid(result, "a").quality_points == dec("60.00")
    assert bid(result, "b").quality_points == dec("30.00")


def test_explain_shows_the_best_score_and_the_range_it_divided_by(make_pack: Callable[..., Path]) -> None:
    tender = small_tender(40, [{"id": "Q1", "weight": 60}], price_method="range", quality_method="relative_to_best")
    pack = make_pack(
        tender,
        {"a": plain_bid("A", "1000.00"), "b": plain_bid("B", "1500.00")},
        {"a": {"Q1": 4}, "b": {"Q1": 3}},
    )
    out = invoke("explain", pack, "--bid", "b")
    assert out.exit_code == 0, out.output
    # price 40 × (1500 − 1500)/(1500 − 1000) = 0.00; Q1 60 × 3/4 = 45.00 (4, the best eligible score)
    price = "40 × (£1,500.00 − £1,500.00) / (£1,500.00 − £1,000.00) = 0.00 (lowest eligible price: a; highest"
    assert price in out.output
    assert "60 × 3 / 4 (the best eligible score) = 45.00" in out.output


def _marked_out_of(scale_max: int, **extra: Any) -> dict[str, Any]:
    return small_tender(40, [{"id": "Q1", "weight": 60, "scale_max": scale_max, **extra}])


def test_a_question_s_own_scale_bounds_its_scores_and_minimum(make_pack: Callable[..., Path]) -> None:
    # Q1 is out of 60: a score of 50 is fine (out of 5 it would not be), 61 is not; min_score 61 is off its scale.
    good = make_pack(_marked_out_of(60), {"a": plain_bid("A", "1000.00")}, {"a": {"Q1": 50}})
    assert bid(score(good), "a").quality_points == dec("50.00")  # 60 × 50/60
    bad = make_pack(_marked_out_of(60, min_score=61), {"a": plain_bid("A", "1000.00")}, {"a": {"Q1": 61}})
    out = invoke("validate", bad)
    assert out.exit_code == 2
    assert "min_score: expected 0 to 60, found 61" in out.output
    assert "score: out of range: expected a score 0 to 60 in steps of 1, found 61" in out.output


def test_a_question_s_step_must_divide_its_own_maximum(make_pack: Callable[..., Path]) -> None:
    pack = make_pack(_marked_out_of(60, scale_step=7), {"a": plain_bid("A", "1000.00")}, {"a": {"Q1": 7}})
    out = invoke("validate", pack)
    assert out.exit_code == 2
    assert "scale_step: expected a step that divides the question's scale maximum 60, found 7" in out.output


def test_panel_scales_follow_each_question() -> None:
    tender = Tender.model_validate(
        small_tender(
            40,
            [
                {"id": "Q1", "title": "Method", "weight": 30, "scale_max": 60, "scale_step": 5},
                {"id": "Q2", "weight": 30},
            ],
        )
    )
    scales = Scale.by_question(tender)
    assert (scales["Q1"].maximum, scales["Q1"].step) == (dec("60"), dec("5"))
    assert (scales["Q2"].maximum, scales["Q2"].step) == (dec("5"), dec("1"))
    assert scales["Q1"].contains(dec("55")) and not scales["Q1"].contains(dec("52"))
    assert scales["Q1"].round_to_step(dec("52.5")) == dec("55")  # half up to the question's own step
    titles = {i.question: i.title for i in assigned_items(tender, {"a": "A"}, Evaluator(id="ann"))}
    assert titles == {"Q1": "Method (scored 0 to 60 in steps of 5)", "Q2": ""}


@pytest.mark.parametrize("method", ["lowest_relative", "linear_from_lowest", "range"])
def test_every_price_method_is_accepted(make_pack: Callable[..., Path], method: str) -> None:
    pack = make_pack(
        small_tender(40, [{"id": "Q1", "weight": 60}], price_method=method),
        {"a": plain_bid("A", "1000.00"), "b": plain_bid("B", "2000.00")},
        {"a": {"Q1": 3}, "b": {"Q1": 3}},
    )
    assert bid(score(pack), "a").price_points == dec("40.00")
