"""The shipped pack, fixtures/stockport-highways, scored in full and checked against arithmetic done by hand.

Tender: contract £1,200,000.00, competitive, weights price 40 / quality 40 / social value 20 (lowest_relative).
Quality scale 0..5: Q1 weight 25 (min 2), Q2 weight 15 (min 2) → Q1 = 5 × score, Q2 = 3 × score.
Social value: themes jobs 6, growth 4, social 3, environment 2, innovation 0; SV1 weight 5 (min 1) → SV1 = score.

Commitments (catalogue proxies; spend measures capped at the contract value):
  acme      NT1 6 × 12654 = 75924.00, NT8 12 × 32 = 384.00, STK-JOB-1 2 × 13500 = 27000.00  → jobs 103308.00
            STK-GRO-1 150000.00 → growth 150000.00;  NT29 120 × 32 = 3840.00 → social 3840.00
            STK-ENV-1 40 × 69 = 2760.00 → environment 2760.00;        total 259908.00 (21.659% → 21.66)
  brennan   NT1 4 × 12654 = 50616.00, STK-JOB-2 52 × 1404 = 73008.00                       → jobs 123624.00
            STK-GRO-3 220000.00 → growth;  NT28 5000.00 → social;  STK-ENV-2 85.5 × 69 = 5899.50 → environment
                                                                        total 354523.50 (29.543625% → 29.54)
  castle    NT1 10 × 12654 = 126540.00, STK-JOB-3 2 × 22400 = 44800.00, NT7 400 × 32 = 12800.00 → jobs 184140.00
            STK-GRO-2 60000.00 → growth;  NT16 2500.00 + NT17 200 × 32 = 6400.00 → social 8900.00
            STK-ENV-3 120 × 69 = 8280.00 → environment;  NT99 unknown: flagged, not counted
                                                                        total 261320.00 (21.7766…% → 21.78)
  dale      gate modern_slavery: fail → excluded.  NT1 3 × 12654 = 37962.00, STK-GRO-1 80000.00,
            NT29 60 × 32 = 1920.00;                                     total 119882.00 (9.990166…% → 9.99)
  evergreen NT1 2 × 12654 = 25308.00;  STK-GRO-1 1500000.00 capped at 1200000.00;  STK-INN-1 10000.00
            total 1235308.00 > 1.0 × 1200000.00 → sv_implausible       (102.942333…% → 102.94)
  fairfield Q2 scored 1 < min 2 → excluded.  NT1 5 × 12654 = 63270.00 + STK-JOB-5 30 × 320 = 9600.00 → jobs 72870.00
            STK-SOC-1 20 × 240 = 4800.00; STK-ENV-4 10 × 240 = 2400.00; total 80070.00 (6.6725% → 6.67)

Eligible: acme, brennan, castle, evergreen. Lowest eligible price 860000.00 (evergreen).
Price 40 × 860000 / P:  acme 34400000 / 1150000 = 29.913… → 29.91;  brennan / 1095000 = 31.415… → 31.42;
                        castle / 1260000 = 27.301… → 27.30;         evergreen 40.00
Quality:  acme 20 + 12 = 32.00;  brennan 15 + 12 = 27.00;  castle 25 + 9 = 34.00;  evergreen 15 + 6 = 21.00
Best theme values over eligible bids: jobs 184140.00 (castle), growth 1200000.00 (evergreen, capped),
social 8900.00 (castle), environment 8280.00 (castle); innovation weighs 0.
  jobs 6 × V / 184140:   acme 619848 / 184140 = 3.366… → 3.37;  brennan 741744 / 184140 = 4.028… → 4.03;
                         castle 6.00;  evergreen 151848 / 184140 = 0.824… → 0.82
  growth 4 × V / 1200000: acme 0.50;  brennan 0.7333… → 0.73;  castle 0.20;  evergreen 4.00
  social 3 × V / 8900:   acme 11520 / 8900 = 1.294… → 1.29;  brennan 15000 / 8900 = 1.685… → 1.69;  castle 3.00;
                         evergreen 0.00
  environment 2 × V / 8280: acme 5520 / 8280 = 0.666… → 0.67;  brennan 11799 / 8280 = 1.425 exactly → 1.43
                         (half up);  castle 2.00;  evergreen 0.00
  SV1 = score:  acme 3.00, brennan 4.00, castle 4.00, evergreen 2.00
SV points: acme 3.37 + 0.50 + 1.29 + 0.67 + 0 + 3.00 = 8.83;  brennan 4.03 + 0.73 + 1.69 + 1.43 + 4.00 = 11.88;
           castle 6.00 + 0.20 + 3.00 + 2.00 + 4.00 = 15.20;     evergreen 0.82 + 4.00 + 2.00 = 6.82
Totals: castle 27.30 + 34.00 + 15.20 = 76.50;  acme 29.91 + 32.00 + 8.83 = 70.74;
        brennan 31.42 + 27.00 + 11.88 = 70.30;  evergreen 40.00 + 21.00 + 6.82 = 67.82
Abnormally low: evergreen vs the mean of the other three, (1150000 + 1095000 + 1260000) / 3 = 1168333.33…;
  threshold 0.8 × that = 934666.67 (rounded up to the penny); 860000.00 is below → flagged.
  acme: others' mean 1071666.67, threshold 857333.33 → not; brennan: mean 1090000, threshold 872000 → not;
  castle: mean 1035000, threshold 828000 → not.
Core outcomes (castle): 1 jobs+social+innovation = 193040.00; 2 +growth = 253040.00;
  3 jobs+growth+environment+innovation = 252420.00; 4 social+environment+innovation = 17180.00; 5 = 193040.00.
Policy: competitive, £1.2m > £25,000, weight 20 ≥ target 20 → meets_target; £1.2m > £50,000 → portal_required.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import STOCKPORT_PACK
from scoring_support import bid, figures, flag_codes, score
from tenderscore.scoring.result import Result


@pytest.fixture(scope="module")
def result() -> Result:
    return score(STOCKPORT_PACK)


def test_ranks_and_points(result: Result) -> None:
    assert [(b.bid_id, b.rank, b.status) for b in result.bids] == [
        ("castle", 1, "eligible"),
        ("acme", 2, "eligible"),
        ("brennan", 3, "eligible"),
        ("evergreen", 4, "eligible"),
        ("dale", None, "excluded"),
        ("fairfield", None, "excluded"),
    ]
    assert {b.bid_id: figures(b) for b in result.bids} == {
        "castle": ("27.30", "34.00", "15.20", "76.50"),
        "acme": ("29.91", "32.00", "8.83", "70.74"),
        "brennan": ("31.42", "27.00", "11.88", "70.30"),
        "evergreen": ("40.00", "21.00", "6.82", "67.82"),
        "dale": (None, None, None, None),
        "fairfield": (None, None, None, None),
    }


def test_theme_points_per_bid(result: Result) -> None:
    themes = ("jobs", "growth", "social", "environment", "innovation")
    expected = {
        "castle": ("6.00", "0.20", "3.00", "2.00", "0.00"),
        "acme": ("3.37", "0.50", "1.29", "0.67", "0.00"),
        "brennan": ("4.03", "0.73", "1.69", "1.43", "0.00"),
        "evergreen": ("0.82", "4.00", "0.00", "0.00", "0.00"),
    }
    for bid_id, points in expected.items():
        got = bid(result, bid_id).themes
        assert tuple(f"{got[t].points:.2f}" for t in themes) == points, bid_id


def test_social_value_figures(result: Result) -> None:
    expected = {
        "castle": ("184140.00", "60000.00", "8900.00", "8280.00", "0.00", "261320.00", "21.78"),
        "acme": ("103308.00", "150000.00", "3840.00", "2760.00", "0.00", "259908.00", "21.66"),
        "brennan": ("123624.00", "220000.00", "5000.00", "5899.50", "0.00", "354523.50", "29.54"),
        "evergreen": ("25308.00", "1200000.00", "0.00", "0.00", "10000.00", "1235308.00", "102.94"),
        "dale": ("37962.00", "80000.00", "1920.00", "0.00", "0.00", "119882.00", "9.99"),
        "fairfield": ("72870.00", "0.00", "4800.00", "2400.00", "0.00", "80070.00", "6.67"),
    }
    for bid_id, figures_ in expected.items():
        b = bid(result, bid_id)
        got = tuple(f"{b.themes[t].gbp:.2f}" for t in ("jobs", "growth", "social", "environment", "innovation"))
        assert (*got, f"{b.sv_total_gbp:.2f}", f"{b.sv_percent:.2f}") == figures_, bid_id
    assert {k: f"{v:.2f}" for k, v in bid(result, "castle").core_outcomes.items()} == {
        "1": "193040.00",
        "2": "253040.00",
        "3": "252420.00",
        "4": "17180.00",
        "5": "193040.00",
    }


def test_flags_and_exclusions(result: Result) -> None:
    assert {b.bid_id: flag_codes(b) for b in result.bids} == {
        "castle": ["unknown_measure"],
        "acme": [],
        "brennan": [],
        "evergreen": ["capped", "sv_implausible", "abnormally_low_price"],
        "dale": [],
        "fairfield": [],
    }
    evergreen = bid(result, "evergreen")
    messages = {f.code: f.message for f in evergreen.flags}
    assert messages["capped"] == "Commitment 2 (STK-GRO-1): £1,500,000.00 capped at £1,200,000.00 (the contract value)."
    assert "(£1,235,308.00)" in messages["sv_implausible"]
    assert "under the £934,666.67 threshold" in messages["abnormally_low_price"]
    assert (
        "more than 20% below the mean of the other 3 eligible bids (£1,168,333.33)" in messages["abnormally_low_price"]
    )
    assert [e.reason for e in bid(result, "dale").excluded_reasons] == [
        "Gate modern_slavery (Modern slavery) was answered fail, not pass."
    ]
    assert [e.reason for e in bid(result, "fairfield").excluded_reasons] == [
        "Question Q2 (Resourcing and supervision) scored 1, below its minimum of 2."
    ]


def test_policy(result: Result) -> None:
    assert result.policy.status == "meets_target"
    assert result.policy.social_value_weight == Decimal(20)
    assert [n.code for n in result.policy.notices] == ["portal_required"]
