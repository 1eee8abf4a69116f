"""scoring.md, Numbers: ROUND_HALF_UP at exactly the documented places, worked by hand.

Each case is built so that half-even rounding (Python's default) or rounding only the total would give a
different answer from the spec's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import basic_bid, basic_tender
from scoring_support import bid, dec, figures, score


def test_commitment_values_round_half_up_to_the_penny(make_pack: Callable[..., Path]) -> None:
    # STK-ENV-2 (£69.00/t):  85.5 × 69.00   = 5899.50    (already whole pennies)
    # NT15      (£42.67/h):  1.5 × 42.67    = 64.005     → 64.01 (half up; half-even would give 64.00)
    # STK-GRO-1 (£1.00/£):   0.005 × 1.00   = 0.005      → 0.01  (half a penny rounds up; half-even: 0.00)
    # growth = 64.01 + 0.01 = 64.02; environment = 5899.50; total = 5963.52
    pack = make_pack(
        basic_tender(),
        {
            "a": basic_bid(
                "A",
                "100000.00",
                [
                    {"measure": "STK-ENV-2", "quantity": "85.5"},
                    {"measure": "NT15", "quantity": "1.5"},
                    {"measure": "STK-GRO-1", "quantity": "0.005"},
                ],
            )
        },
        {"a": {"Q1": 4, "Q2": 4, "SV1": 3}},
    )
    a = bid(score(pack), "a")
    assert [(c.measure, c.raw_gbp, c.value_gbp) for c in a.commitments] == [
        ("STK-ENV-2", dec("5899.50"), dec("5899.50")),
        ("NT15", dec("64.01"), dec("64.01")),
        ("STK-GRO-1", dec("0.01"), dec("0.01")),
    ]
    assert a.themes["environment"].gbp == dec("5899.50")
    assert a.themes["growth"].gbp == dec("64.02")
    assert a.sv_total_gbp == dec("5963.52")


def _half_line_pack(make_pack: Callable[..., Path]) -> Path:
    # A 0..8 scale makes quality lines land on exact thousandths ending in 5.
    tender = basic_tender(
        quality={
            "scale_max": 8,
            "questions": [
                {"id": "Q1", "title": "Method", "weight": 25, "min_score": 2},
                {"id": "Q2", "title": "Resources", "weight": 15, "min_score": 2},
            ],
        }
    )
    return make_pack(
        tender,
        {
            "a": basic_bid("A", "256000.00", [{"measure": "STK-ENV-2", "quantity": "85.5"}]),
            "b": basic_bid("B", "100000.00", [{"measure": "STK-ENV-3", "quantity": 120}]),
        },
        {"a": {"Q1": 3, "Q2": 3, "SV1": 1}, "b": {"Q1": 3, "Q2": 3, "SV1": 1}},
    )


def test_every_line_of_points_rounds_half_up(make_pack: Callable[..., Path]) -> None:
    # price  a: 40 × 100000 / 256000 = 15.625        → 15.63  (half-even: 15.62)
    # Q1     a: 25 × 3 / 8            = 9.375         → 9.38
    # Q2     a: 15 × 3 / 8            = 5.625         → 5.63   (half-even: 5.62)
    # SV1    a: 5 × 1 / 8             = 0.625         → 0.63   (half-even: 0.62)
    # environment a: 2 × 5899.50 / 8280.00 (b's 120 × 69.00 is the best) = 1.425 → 1.43 (half-even: 1.42)
    result = score(_half_line_pack(make_pack))
    a = bid(result, "a")
    assert a.price_points == dec("15.63")
    assert a.questions["Q1"].points == dec("9.38")
    assert a.questions["Q2"].points == dec("5.63")
    assert a.questions["SV1"].points == dec("0.63")
    assert a.themes["environment"].best_gbp == dec("8280.00")
    assert a.themes["environment"].points == dec("1.43")


def test_components_and_totals_are_sums_of_rounded_lines(make_pack: Callable[..., Path]) -> None:
    # a: quality = 9.38 + 5.63 = 15.01      (unrounded 9.375 + 5.625 = 15.000 → 15.00)
    #    social value = 1.43 (environment) + 0.63 (SV1) + 0 (jobs, growth, social, innovation: nobody offers)
    #                 = 2.06                 (unrounded 1.425 + 0.625 = 2.050 → 2.05)
    #    total = 15.63 + 15.01 + 2.06 = 32.70 (unrounded 15.625 + 15 + 2.05 = 32.675 → 32.68)
    # b: price 40.00; quality 15.01; social value 2.00 (best environment) + 0.63 = 2.63; total 57.64
    result = score(_half_line_pack(make_pack))
    assert figures(bid(result, "a")) == ("15.63", "15.01", "2.06", "32.70")
    assert figures(bid(result, "b")) == ("40.00", "15.01", "2.63", "57.64")
    assert [(b.bid_id, b.rank) for b in result.bids] == [("b", 1), ("a", 2)]


def test_sv_percent_of_contract_rounds_half_up_to_a_hundredth(make_pack: Callable[..., Path]) -> None:
    # a: STK-GRO-1 12345.00 × £1.00 = 12345.00;  12345.00 / 100000.00 × 100 = 12.345 → 12.35 (half-even: 12.34)
    # b: STK-ENV-2 85.5 × 69.00 = 5899.50;       5899.50 / 100000.00 × 100 = 5.8995 → 5.90
    pack = make_pack(
        basic_tender(),
        {
            "a": basic_bid("A", "100000.00", [{"measure": "STK-GRO-1", "quantity": "12345.00"}]),
            "b": basic_bid("B", "100000.00", [{"measure": "STK-ENV-2", "quantity": "85.5"}]),
        },
        {"a": {"Q1": 4, "Q2": 4, "SV1": 3}, "b": {"Q1": 4, "Q2": 4, "SV1": 3}},
    )
    result = score(pack)
    assert bid(result, "a").sv_percent == dec("12.35")
    assert bid(result, "b").sv_percent == dec("5.90")
