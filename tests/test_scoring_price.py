"""scoring.md, Points, price: both methods, worked by hand; the lowest price is taken over eligible bids only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import all_scores, basic_bid, basic_tender
from scoring_support import bid, dec, failing, score


def test_lowest_relative_reproduces_the_crown_commercial_service_example(make_pack: Callable[..., Path]) -> None:
    # domain.md: bids of £15k, £10k and £30k score 0.667, 1 and 0.333 of the weight. With a price weight of 40:
    #   15k: 40 × 10000 / 15000 = 26.666… → 26.67  (26.67 / 40 = 0.667 to 3 places)
    #   10k: 40 × 10000 / 10000 = 40.00
    #   30k: 40 × 10000 / 30000 = 13.333… → 13.33  (13.33 / 40 = 0.333 to 3 places)
    pack = make_pack(
        basic_tender(contract_value_gbp="30000.00"),
        {
            "p15": basic_bid("Fifteen", "15000.00"),
            "p10": basic_bid("Ten", "10000.00"),
            "p30": basic_bid("Thirty", "30000.00"),
        },
        all_scores(["p15", "p10", "p30"]),
    )
    result = score(pack)
    assert {b.bid_id: b.price_points for b in result.bids} == {
        "p15": dec("26.67"),
        "p10": dec("40.00"),
        "p30": dec("13.33"),
    }


def test_linear_from_lowest_deducts_in_proportion_and_floors_at_zero(make_pack: Callable[..., Path]) -> None:
    # w × max(0, 1 − (P − Pmin) / Pmin), w = 40, Pmin = 10000.00:
    #   10000.00: 40 × (1 − 0)                 = 40.00
    #   15000.00: 40 × (1 − 0.5)               = 20.00
    #   12503.75: 40 × (1 − 0.250375) = 29.985 → 29.99 (half up)
    #   20000.00: 40 × (1 − 1)                 = 0.00  (exactly double the lowest)
    #   30000.00: 40 × max(0, 1 − 2)           = 0.00  (more than double: floored at 0, never negative)
    prices = {"low": "10000.00", "half": "15000.00", "odd": "12503.75", "double": "20000.00", "triple": "30000.00"}
    pack = make_pack(
        basic_tender(price={"method": "linear_from_lowest"}),
        {key: basic_bid(key.title(), price) for key, price in prices.items()},
        all_scores(list(prices)),
    )
    result = score(pack)
    assert {b.bid_id: b.price_points for b in result.bids} == {
        "low": dec("40.00"),
        "half": dec("20.00"),
        "odd": dec("29.99"),
        "double": dec("0.00"),
        "triple": dec("0.00"),
    }


def test_an_excluded_bid_never_sets_the_lowest_price(make_pack: Callable[..., Path]) -> None:
    # x (£50,000) fails a gate, so the lowest eligible price is a's £100,000:
    #   a: 40 × 100000 / 100000 = 40.00;  b: 40 × 100000 / 200000 = 20.00
    # (had x set the reference: a 20.00, b 10.00)
    failed = failing("modern_slavery")
    pack = make_pack(
        basic_tender(),
        {
            "x": basic_bid("X", "50000.00", gates=failed),
            "a": basic_bid("A", "100000.00"),
            "b": basic_bid("B", "200000.00"),
        },
        all_scores(["x", "a", "b"]),
    )
    result = score(pack)
    assert bid(result, "a").price_points == dec("40.00")
    assert bid(result, "b").price_points == dec("20.00")
    assert bid(result, "x").price_points is None
    assert bid(result, "x").price_gbp == dec("50000.00")
