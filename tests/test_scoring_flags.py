"""scoring.md, Flags: never exclusions; each with a message a panel can read, at its exact boundary."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from conftest import all_scores, basic_bid, basic_tender
from scoring_support import bid, dec, failing, flag_codes, flag_message, score


def _price_pack(make_pack: Callable[..., Path], prices: dict[str, str], excluded: tuple[str, ...] = ()) -> Path:
    failed = failing("ethical_standards")
    bids = {
        key: basic_bid(key.upper(), price, gates=failed) if key in excluded else basic_bid(key.upper(), price)
        for key, price in prices.items()
    }
    return make_pack(basic_tender(), bids, all_scores(list(prices)))


def test_abnormally_low_price_is_flagged_with_the_figures_compared(make_pack: Callable[..., Path]) -> None:
    # a: others b, c: mean (100000 + 100000) / 2 = 100000.00; threshold (1 − 0.20) × 100000 = 80000.00;
    #    79999.99 < 80000.00 → flagged.
    # b: others a, c: mean (79999.99 + 100000) / 2 = 89999.995; threshold 71999.996; 100000 is not below.
    result = score(_price_pack(make_pack, {"a": "79999.99", "b": "100000.00", "c": "100000.00"}))
    a = bid(result, "a")
    assert flag_codes(a) == ["abnormally_low_price"]
    assert flag_message(a, "abnormally_low_price") == (
        "Price £79,999.99 is more than 20% below the mean of the other 2 eligible bids (£100,000.00), "
        "under the £80,000.00 threshold: investigate before any decision."
    )
    assert a.status == "eligible" and a.rank == 1  # a flag, never an exclusion
    for other in ("b", "c"):  # equal on everything, so tied at rank 2: that is their only flag
        assert flag_codes(bid(result, other)) == ["tie"]


def test_a_price_exactly_twenty_percent_under_the_mean_is_not_flagged(make_pack: Callable[..., Path]) -> None:
    # a: threshold 0.8 × 100000.00 = 80000.00; 80000.00 is not *below* it.
    result = score(_price_pack(make_pack, {"a": "80000.00", "b": "100000.00", "c": "100000.00"}))
    assert flag_codes(bid(result, "a")) == []


def test_abnormally_low_needs_two_other_eligible_bids(make_pack: Callable[..., Path]) -> None:
    # a is a tenth of b's price, but there is only one other eligible bid (c fails a gate): no flag.
    result = score(_price_pack(make_pack, {"a": "10000.00", "b": "100000.00", "c": "100000.00"}, excluded=("c",)))
    assert flag_codes(bid(result, "a")) == []
    alone = score(_price_pack(make_pack, {"a": "10000.00", "b": "100000.00"}))
    assert flag_codes(bid(alone, "a")) == []


def test_the_mean_is_over_eligible_bids_only(make_pack: Callable[..., Path]) -> None:
    # a: eligible others b, c: mean 100000.00 → threshold 80000.00; 85000.00 is not below → no flag.
    # (had excluded x at £1,000,000 counted: mean 400000.00, threshold 320000.00, and a would be flagged)
    prices = {"a": "85000.00", "b": "100000.00", "c": "100000.00", "x": "1000000.00"}
    result = score(_price_pack(make_pack, prices, excluded=("x",)))
    assert flag_codes(bid(result, "a")) == []
    assert flag_codes(bid(result, "x")) == []  # an excluded bid is not price-checked at all


def _sv_pack(make_pack: Callable[..., Path], commitments: dict[str, list[dict[str, object]]], **tender: object) -> Path:
    # Prices differ by £1,000 so that no two bids tie (a tie would add its own flag).
    bids = {
        key: basic_bid(key.upper(), f"{100000 + 1000 * n}.00", items)
        for n, (key, items) in enumerate(commitments.items())
    }
    return make_pack(basic_tender(**tender), bids, all_scores(list(commitments)))


def test_sv_implausible_only_above_the_ratio(make_pack: Callable[..., Path]) -> None:
    # Contract £100,000.00, ratio 1.0 → limit £100,000.00.
    # at: STK-GRO-1 100000.00 × 1.00 = 100000.00 = the limit exactly: not implausible (and not capped: not over)
    # over: 100000.00 + STK-GRO-2 0.01 × 1.00 = 100000.01 > 100000.00: implausible
    result = score(
        _sv_pack(
            make_pack,
            {
                "at": [{"measure": "STK-GRO-1", "quantity": "100000.00"}],
                "over": [
                    {"measure": "STK-GRO-1", "quantity": "100000.00"},
                    {"measure": "STK-GRO-2", "quantity": "0.01"},
                ],
            },
        )
    )
    at, over = bid(result, "at"), bid(result, "over")
    assert at.sv_total_gbp == dec("100000.00") and flag_codes(at) == []
    assert over.sv_total_gbp == dec("100000.01") and flag_codes(over) == ["sv_implausible"]
    assert flag_message(over, "sv_implausible") == (
        "Social value offered (£100,000.01) exceeds 1.0 × the contract value (£100,000.00): check the evidence."
    )


def test_unknown_measure_is_flagged_and_not_counted(make_pack: Callable[..., Path]) -> None:
    # NT1 1 × 12654.00 counts; NT99 is in no catalogue: not counted. Total 12654.00.
    result = score(_sv_pack(make_pack, {"a": [{"measure": "NT1", "quantity": 1}, {"measure": "NT99", "quantity": 5}]}))
    a = bid(result, "a")
    assert flag_codes(a) == ["unknown_measure"]
    assert flag_message(a, "unknown_measure") == (
        "Commitment 2 names measure NT99, which is not in the catalogue: not counted."
    )
    assert a.sv_total_gbp == dec("12654.00")
    assert [(c.measure, c.counted, c.value_gbp) for c in a.commitments] == [
        ("NT1", True, dec("12654.00")),
        ("NT99", False, dec("0")),
    ]


def test_measure_not_accepted_by_the_tender_is_flagged_and_not_counted(make_pack: Callable[..., Path]) -> None:
    # The tender accepts NT1 and NT8 only: NT29 (120 × 32.00 = 3840.00) is catalogued but not counted.
    # Counted: NT1 1 × 12654.00 + NT8 10 × 32.00 = 12654.00 + 320.00 = 12974.00 (all jobs; social 0).
    tender = basic_tender()
    tender["social_value"]["measures"] = ["NT1", "NT8"]
    pack = make_pack(
        tender,
        {
            "a": basic_bid(
                "A",
                "100000.00",
                [
                    {"measure": "NT1", "quantity": 1},
                    {"measure": "NT29", "quantity": 120},
                    {"measure": "NT8", "quantity": 10},
                ],
            )
        },
        all_scores(["a"]),
    )
    a = bid(score(pack), "a")
    assert flag_codes(a) == ["measure_not_accepted"]
    assert flag_message(a, "measure_not_accepted") == (
        "Commitment 2 names measure NT29, which this tender does not accept: not counted."
    )
    assert (a.sv_total_gbp, a.themes["jobs"].gbp, a.themes["social"].gbp) == (
        dec("12974.00"),
        dec("12974.00"),
        dec("0"),
    )


def test_spend_over_the_contract_value_is_capped_and_flagged(make_pack: Callable[..., Path]) -> None:
    # STK-GRO-1 150000.00 × 1.00 = 150000.00 > contract £100,000.00 → counts as 100000.00, flagged capped.
    # Total 100000.00 is not above 1.0 × the contract, so not implausible.
    # NT1 (FTE, not spend) is never capped: 10 × 12654.00 = 126540.00 in b, which is implausible instead.
    result = score(
        _sv_pack(
            make_pack,
            {
                "a": [{"measure": "STK-GRO-1", "quantity": "150000.00"}],
                "b": [{"measure": "NT1", "quantity": 10}],
            },
        )
    )
    a, b = bid(result, "a"), bid(result, "b")
    assert flag_codes(a) == ["capped"]
    assert (
        flag_message(a, "capped") == "Commitment 1 (STK-GRO-1): £150,000.00 capped at £100,000.00 (the contract value)."
    )
    assert [(c.raw_gbp, c.value_gbp, c.capped) for c in a.commitments] == [(dec("150000.00"), dec("100000.00"), True)]
    assert a.themes["growth"].gbp == dec("100000.00")
    assert flag_codes(b) == ["sv_implausible"]
    assert b.sv_total_gbp == dec("126540.00")


def test_excluded_bids_keep_their_commitment_flags(make_pack: Callable[..., Path]) -> None:
    # Valuation applies to every bid (scoring.md): an excluded bid's raw figures carry the same flags.
    pack = make_pack(
        basic_tender(),
        {
            "a": basic_bid("A", "100000.00"),
            "x": basic_bid(
                "X",
                "100000.00",
                [{"measure": "STK-GRO-1", "quantity": "150000.00"}, {"measure": "NT99", "quantity": 1}],
                gates=failing("ethical_standards"),
            ),
        },
        all_scores(["a", "x"]),
    )
    x = bid(score(pack), "x")
    assert x.status == "excluded"
    # Caps bind on a measure's total, so they are decided (and flagged) after every commitment is valued.
    assert flag_codes(x) == ["unknown_measure", "capped"]


def test_of_several_caps_only_the_binding_one_flags_once(make_pack: Callable[..., Path], tmp_path: Path) -> None:
    # A ruleset adding a literal £5,000 cap on NT28 donations to Stockport's contract-value cap on spend:
    # NT28 8000.00 × 1.00 = 8000.00 → capped at 5000.00 (the literal cap binds; £100,000 does not): one flag.
    stockport = (Path(__file__).resolve().parent.parent / "rulesets" / "stockport.yaml").read_text(encoding="utf-8")
    extra = (
        "\n  - id: cap.nt28_donations\n"
        "    when: {kind: commitment, measure: NT28, accepted: true}\n"
        "    then:\n"
        "      cap: {limit: 5000}\n"
    )
    rules = tmp_path / "two-caps.yaml"
    rules.write_text(stockport + extra, encoding="utf-8")
    pack = make_pack(
        basic_tender(ruleset=str(rules)),
        {"a": basic_bid("A", "100000.00", [{"measure": "NT28", "quantity": "8000.00"}])},
        all_scores(["a"]),
    )
    a = bid(score(pack), "a")
    assert flag_codes(a) == ["capped"]
    assert flag_message(a, "capped") == (
        "Commitment 1 (NT28): £8,000.00 capped at £5,000.00 (the limit of rule cap.nt28_donations)."
    )
    assert a.themes["social"].gbp == dec("5000.00")


def test_a_cap_binds_on_the_measure_not_on_each_line(make_pack: Callable[..., Path]) -> None:
    # Contract £100,000. STK-GRO-1 (local spend, £1 per £, capped at the contract value) offered in two lines
    # of £60,000 and £70,000.01: £130,000.01 in all, capped at £100,000.00. Line 1 counts £60,000.00 and line 2
    # the £40,000.00 left. Per line, neither line is over the cap and £130,000.01 would have counted.
    lines = [{"measure": "STK-GRO-1", "quantity": "60000.00"}, {"measure": "STK-GRO-1", "quantity": "70000.01"}]
    pack = make_pack(basic_tender(), {"a": basic_bid("A", "100000.00", lines)}, all_scores(["a"]))
    a = bid(score(pack), "a")
    assert [(c.value_gbp, c.capped) for c in a.commitments] == [
        (Decimal("60000.00"), False),
        (Decimal("40000.00"), True),
    ]
    assert a.themes["growth"].gbp == Decimal("100000.00")
    assert flag_message(a, "capped") == (
        "Measure STK-GRO-1, commitments 1, 2: £130,000.01 in all, capped at £100,000.00 (the contract value)."
    )
