"""scoring.md, Points: quality, qualitative and per-theme social value, relative over eligible bids only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import basic_bid, basic_tender
from scoring_support import bid, dec, failing, figures, score


def test_quality_and_qualitative_social_value_points_per_question(make_pack: Callable[..., Path]) -> None:
    # w_q × score / scale_max, scale 5:
    #   Q1  25 × 4 / 5   = 20.00;   Q2  15 × 3 / 5 = 9.00   → quality 29.00
    #   SV1  5 × 2 / 5   = 2.00     (no commitments: every theme's best is 0, so themes give 0) → SV 2.00
    # b: Q1 25 × 2.5 / 5 = 12.50 (a half score is a score); Q2 15 × 5 / 5 = 15.00 → 27.50; SV1 5 × 5 / 5 = 5.00
    tender = basic_tender()
    tender["quality"]["scale_step"] = "0.5"  # 2.5 is on a scale in halves
    pack = make_pack(
        tender,
        {"a": basic_bid("A", "100000.00"), "b": basic_bid("B", "100000.00")},
        {"a": {"Q1": 4, "Q2": 3, "SV1": 2}, "b": {"Q1": "2.5", "Q2": 5, "SV1": 5}},
    )
    result = score(pack)
    a, b = bid(result, "a"), bid(result, "b")
    assert [(q.id, q.points) for q in a.questions.values()] == [
        ("Q1", dec("20.00")),
        ("Q2", dec("9.00")),
        ("SV1", dec("2.00")),
    ]
    assert (a.quality_points, a.sv_points) == (dec("29.00"), dec("2.00"))
    assert [(q.id, q.points) for q in b.questions.values()] == [
        ("Q1", dec("12.50")),
        ("Q2", dec("15.00")),
        ("SV1", dec("5.00")),
    ]
    assert (b.quality_points, b.sv_points) == (dec("27.50"), dec("5.00"))


def _relative_pack(make_pack: Callable[..., Path]) -> Path:
    failed = failing("modern_slavery")
    return make_pack(
        basic_tender(contract_value_gbp="200000.00"),
        {
            # x fails a gate: the best jobs value, the only environment value and the lowest price are all its own.
            "x": basic_bid(
                "X",
                "50000.00",
                [{"measure": "NT1", "quantity": 10}, {"measure": "STK-ENV-1", "quantity": 10}],
                gates=failed,
            ),
            "a": basic_bid(
                "A", "100000.00", [{"measure": "NT1", "quantity": 1}, {"measure": "STK-GRO-1", "quantity": "1000.00"}]
            ),
            "b": basic_bid(
                "B", "200000.00", [{"measure": "NT1", "quantity": "0.5"}, {"measure": "STK-GRO-1", "quantity": "3000"}]
            ),
        },
        {"x": {"Q1": 4, "Q2": 4, "SV1": 3}, "a": {"Q1": 4, "Q2": 3, "SV1": 2}, "b": {"Q1": 5, "Q2": 5, "SV1": 5}},
    )


def test_theme_points_are_relative_to_the_best_eligible_bid(make_pack: Callable[..., Path]) -> None:
    # Values: x jobs 10 × 12654.00 = 126540.00, environment 10 × 69.00 = 690.00 (excluded: never a reference)
    #         a jobs 1 × 12654.00 = 12654.00, growth 1000.00;  b jobs 0.5 × 12654.00 = 6327.00, growth 3000.00
    # Best over eligible a, b: jobs 12654.00 (a), growth 3000.00 (b), social 0, environment 0, innovation 0.
    # a: jobs 6 × 12654 / 12654 = 6.00; growth 4 × 1000 / 3000 = 1.333… → 1.33; SV1 5 × 2 / 5 = 2.00
    #    SV = 6.00 + 1.33 + 0 + 0 + 0 + 2.00 = 9.33
    # b: jobs 6 × 6327 / 12654 = 3.00; growth 4.00; SV1 5.00 → SV = 12.00
    # (had x set the jobs reference: a 6 × 12654 / 126540 = 0.60, b 0.30)
    result = score(_relative_pack(make_pack))
    a, b = bid(result, "a"), bid(result, "b")
    assert {t: (s.best_gbp, s.points) for t, s in a.themes.items()} == {
        "jobs": (dec("12654.00"), dec("6.00")),
        "growth": (dec("3000.00"), dec("1.33")),
        "social": (dec("0"), dec("0.00")),
        "environment": (dec("0"), dec("0.00")),
        "innovation": (dec("0"), dec("0.00")),
    }
    assert {t: s.points for t, s in b.themes.items()} == {
        "jobs": dec("3.00"),
        "growth": dec("4.00"),
        "social": dec("0.00"),
        "environment": dec("0.00"),
        "innovation": dec("0.00"),
    }
    assert a.sv_points == dec("9.33")
    assert b.sv_points == dec("12.00")


def test_whole_result_of_the_relative_pack(make_pack: Callable[..., Path]) -> None:
    # Lowest eligible price 100000.00 (x's 50000.00 does not count):
    # a: price 40 × 100000 / 100000 = 40.00; quality 25 × 4 / 5 + 15 × 3 / 5 = 20.00 + 9.00 = 29.00; SV 9.33
    #    total 40.00 + 29.00 + 9.33 = 78.33
    # b: price 40 × 100000 / 200000 = 20.00; quality 25.00 + 15.00 = 40.00; SV 12.00; total 72.00
    # x: excluded, raw figures kept (jobs £126540.00, environment £690.00, total £127230.00, 63.62% of £200000:
    #    127230 / 200000 × 100 = 63.615 → 63.62), no points.
    result = score(_relative_pack(make_pack))
    assert [(b.bid_id, b.rank) for b in result.bids] == [("a", 1), ("b", 2), ("x", None)]
    assert figures(bid(result, "a")) == ("40.00", "29.00", "9.33", "78.33")
    assert figures(bid(result, "b")) == ("20.00", "40.00", "12.00", "72.00")
    x = bid(result, "x")
    assert figures(x) == (None, None, None, None)
    assert (x.themes["jobs"].gbp, x.themes["environment"].gbp) == (dec("126540.00"), dec("690.00"))
    assert all(t.points is None for t in x.themes.values())
    assert (x.sv_total_gbp, x.sv_percent) == (dec("127230.00"), dec("63.62"))


def test_a_theme_nobody_commits_to_gives_everyone_zero(make_pack: Callable[..., Path]) -> None:
    # Nobody offers anything in social (weight 3): best value 0, so every bid scores 0.00 there, not an error.
    # jobs: a 1 × 12654.00 (best) → 6.00; b 0 → 0.00. SV1 3 → 5 × 3 / 5 = 3.00.
    # a: SV = 6.00 + 0 + 0 + 0 + 0 + 3.00 = 9.00;  b: 3.00
    pack = make_pack(
        basic_tender(),
        {"a": basic_bid("A", "100000.00", [{"measure": "NT1", "quantity": 1}]), "b": basic_bid("B", "100000.00")},
        {"a": {"Q1": 4, "Q2": 4, "SV1": 3}, "b": {"Q1": 4, "Q2": 4, "SV1": 3}},
    )
    result = score(pack)
    for bid_id in ("a", "b"):
        assert bid(result, bid_id).themes["social"].points == dec("0.00")
    assert bid(result, "a").sv_points == dec("9.00")
    assert bid(result, "b").sv_points == dec("3.00")
    assert bid(result, "b").themes["jobs"].points == dec("0.00")


def test_core_outcome_figures_sum_the_themes_that_feed_them(make_pack: Callable[..., Path]) -> None:
    # jobs 12654.00 (NT1 × 1), growth 1000.00, social 240.00 (STK-SOC-1 × 1), environment 69.00 (STK-ENV-1 × 1),
    # innovation 320.00 (STK-INN-2 × 1). The charter's matrix (domain.md):
    #   1 jobs+social+innovation             = 12654 + 240 + 320            = 13214.00
    #   2 jobs+growth+social+innovation      = 12654 + 1000 + 240 + 320     = 14214.00
    #   3 jobs+growth+environment+innovation = 12654 + 1000 + 69 + 320      = 14043.00
    #   4 social+environment+innovation      = 240 + 69 + 320               = 629.00
    #   5 jobs+social+innovation             =                              = 13214.00
    commitments = [
        {"measure": "NT1", "quantity": 1},
        {"measure": "STK-GRO-1", "quantity": 1000},
        {"measure": "STK-SOC-1", "quantity": 1},
        {"measure": "STK-ENV-1", "quantity": 1},
        {"measure": "STK-INN-2", "quantity": 1},
    ]
    pack = make_pack(
        basic_tender(), {"a": basic_bid("A", "100000.00", commitments)}, {"a": {"Q1": 4, "Q2": 4, "SV1": 3}}
    )
    a = bid(score(pack), "a")
    assert a.core_outcomes == {
        "1": dec("13214.00"),
        "2": dec("14214.00"),
        "3": dec("14043.00"),
        "4": dec("629.00"),
        "5": dec("13214.00"),
    }
    assert a.sv_total_gbp == dec("14283.00")  # 12654 + 1000 + 240 + 69 + 320
