"""scoring.md, Ranking: total, then quality, then social value, then lower price; true ties share a rank."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import basic_bid, basic_tender
from scoring_support import bid, figures, flag_codes, flag_message, score
from tenderscore.scoring.result import Result


def ranks(result: Result) -> list[tuple[str, int | None]]:
    return [(b.bid_id, b.rank) for b in result.bids]


def test_a_two_way_tie_shares_rank_one_and_the_next_is_three(make_pack: Callable[..., Path]) -> None:
    # a and b are the same bid under two names: price 40.00, quality 20.00 + 12.00 = 32.00, SV1 3.00 → 75.00.
    # c: same price, Q1 3 → 15.00 + 12.00 = 27.00 → 70.00. Competition ranking: 1, 1, 3.
    same = {"Q1": 4, "Q2": 4, "SV1": 3}
    pack = make_pack(
        basic_tender(),
        {"a": basic_bid("A", "100000.00"), "b": basic_bid("B", "100000.00"), "c": basic_bid("C", "100000.00")},
        {"a": same, "b": same, "c": {"Q1": 3, "Q2": 4, "SV1": 3}},
    )
    result = score(pack)
    assert ranks(result) == [("a", 1), ("b", 1), ("c", 3)]
    assert figures(bid(result, "a")) == figures(bid(result, "b")) == ("40.00", "32.00", "3.00", "75.00")
    assert figures(bid(result, "c"))[3] == "70.00"
    assert flag_codes(bid(result, "a")) == ["tie"] and flag_codes(bid(result, "b")) == ["tie"]
    assert flag_codes(bid(result, "c")) == []
    assert flag_message(bid(result, "a"), "tie") == (
        "Tied at rank 1 with b on total, quality, social value and price: the panel resolves a true tie."
    )


def test_a_three_way_tie_below_the_winner(make_pack: Callable[..., Path]) -> None:
    # All at £100,000 (price 40.00 each; no price is abnormally low). SV1 3 → 3.00 each; no commitments.
    #   w: Q1 5, Q2 4 → 25.00 + 12.00 = 37.00 → 80.00          rank 1
    #   p, q, r: Q1 4, Q2 4 → 32.00 → 75.00                     rank 2, 2, 2 (tied)
    #   z: Q1 2, Q2 4 → 10.00 + 12.00 = 22.00 → 65.00           rank 5
    tied = {"Q1": 4, "Q2": 4, "SV1": 3}
    bids = {key: basic_bid(key.upper(), "100000.00") for key in ("w", "p", "q", "r", "z")}
    pack = make_pack(
        basic_tender(),
        bids,
        {"w": {"Q1": 5, "Q2": 4, "SV1": 3}, "p": tied, "q": tied, "r": tied, "z": {"Q1": 2, "Q2": 4, "SV1": 3}},
    )
    result = score(pack)
    assert ranks(result) == [("w", 1), ("p", 2), ("q", 2), ("r", 2), ("z", 5)]
    assert [figures(b)[3] for b in result.bids] == ["80.00", "75.00", "75.00", "75.00", "65.00"]
    for key in ("p", "q", "r"):
        assert flag_codes(bid(result, key)) == ["tie"]
    assert flag_message(bid(result, "q"), "tie").startswith("Tied at rank 2 with p, r on total")
    assert flag_codes(bid(result, "w")) == [] and flag_codes(bid(result, "z")) == []


def _pair(make_pack: Callable[..., Path], a: dict[str, Any], b: dict[str, Any], scores: dict[str, Any]) -> Result:
    return score(make_pack(basic_tender(), {"a": a, "b": b}, scores))


def test_equal_totals_are_separated_by_quality(make_pack: Callable[..., Path]) -> None:
    # a: price 40 × 100000 / 100000 = 40.00; quality Q1 2 → 10.00, Q2 2 → 6.00 = 16.00; SV1 3 → 3.00; total 59.00
    # b: price 40 × 100000 / 125000 = 32.00; quality Q1 3 → 15.00, Q2 3 → 9.00 = 24.00; SV 3.00;    total 59.00
    # Equal totals; b has more quality points → b first. Not a tie.
    result = _pair(
        make_pack,
        basic_bid("A", "100000.00"),
        basic_bid("B", "125000.00"),
        {"a": {"Q1": 2, "Q2": 2, "SV1": 3}, "b": {"Q1": 3, "Q2": 3, "SV1": 3}},
    )
    assert figures(bid(result, "a")) == ("40.00", "16.00", "3.00", "59.00")
    assert figures(bid(result, "b")) == ("32.00", "24.00", "3.00", "59.00")
    assert ranks(result) == [("b", 1), ("a", 2)]
    assert flag_codes(bid(result, "a")) == flag_codes(bid(result, "b")) == []


def test_equal_totals_and_quality_are_separated_by_social_value(make_pack: Callable[..., Path]) -> None:
    # Both Q1 4, Q2 4 → 32.00.
    # a: price 40.00; SV: no commitments, SV1 1 → 1.00;                          total 40 + 32 + 1  = 73.00
    # b: price 40 × 100000 / 125000 = 32.00; SV: NT1 1 (the best jobs value) → 6.00, SV1 3 → 3.00 = 9.00;
    #                                                                              total 32 + 32 + 9 = 73.00
    # Equal totals and quality; b has more SV points → b first.
    result = _pair(
        make_pack,
        basic_bid("A", "100000.00"),
        basic_bid("B", "125000.00", [{"measure": "NT1", "quantity": 1}]),
        {"a": {"Q1": 4, "Q2": 4, "SV1": 1}, "b": {"Q1": 4, "Q2": 4, "SV1": 3}},
    )
    assert figures(bid(result, "a")) == ("40.00", "32.00", "1.00", "73.00")
    assert figures(bid(result, "b")) == ("32.00", "32.00", "9.00", "73.00")
    assert ranks(result) == [("b", 1), ("a", 2)]
    assert flag_codes(bid(result, "a")) == flag_codes(bid(result, "b")) == []


def test_equal_points_are_separated_by_the_lower_price(make_pack: Callable[..., Path]) -> None:
    # b: £100,000.00 → 40.00.  a: £100,000.10 → 40 × 100000 / 100000.10 = 39.99996… → 40.00.
    # Same scores, no commitments: equal on total, quality and social value; b's price is lower → b first.
    # (the cheaper bid is named b, so its first place comes from the price, not from the order of the ids)
    same = {"Q1": 4, "Q2": 4, "SV1": 3}
    result = score(
        make_pack(
            basic_tender(),
            {"b": basic_bid("B", "100000.00"), "a": basic_bid("A", "100000.10")},
            {"b": same, "a": same},
        )
    )
    assert figures(bid(result, "a")) == figures(bid(result, "b")) == ("40.00", "32.00", "3.00", "75.00")
    assert ranks(result) == [("b", 1), ("a", 2)]
    assert flag_codes(bid(result, "a")) == flag_codes(bid(result, "b")) == []
