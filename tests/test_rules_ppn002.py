"""The second shipped ruleset, UK central government under PPN 002: one pack scored under both rulesets.

The same tender is refused by Stockport's charter (15% floor over £25,000) and accepted by PPN 002 (10% minimum,
no target, at or over £135,018); the bids' figures are the same under both, because the NT measures carry the
same indicative proxies in both catalogues.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import all_scores, basic_bid, basic_tender, invoke


def tender(ruleset: str, value: str = "1200000.00", sv_weight: int = 12, **extra: Any) -> dict[str, Any]:
    # Weights 100 − 40 − sv for price, 40 quality; the quantitative themes take sv − 5 (SV1 weighs 5).
    return basic_tender(
        ruleset=ruleset,
        contract_value_gbp=value,
        weights={"price": 100 - 40 - sv_weight, "quality": 40, "social_value": sv_weight},
        gates=["modern_slavery"],
        social_value={
            "themes": {"jobs": sv_weight - 5 - 3, "growth": 0, "social": 3, "environment": 0, "innovation": 0},
            "questions": [{"id": "SV1", "title": "SV plan", "weight": 5, "min_score": 1}],
        },
        **extra,
    )


BIDS = {
    "alpha": basic_bid(
        "Alpha Ltd",
        "1000000.00",
        [{"measure": "NT1", "quantity": 2}, {"measure": "NT29", "quantity": 50}],
        gates={"modern_slavery": "pass"},
    ),
    "beta": basic_bid(
        "Beta Ltd",
        "1100000.00",
        [{"measure": "NT1", "quantity": 3}, {"measure": "NT28", "quantity": "500.00"}],
        gates={"modern_slavery": "pass"},
    ),
}


def score(pack: Path) -> Any:
    return invoke("score", pack, "--format", "json", "--no-ledger")


def test_twelve_percent_is_refused_by_stockport_and_accepted_by_ppn002(make_pack: Callable[..., Path]) -> None:
    stockport = score(make_pack(tender("stockport"), BIDS, all_scores(list(BIDS))))
    assert stockport.exit_code == 3
    assert "weights.social_value: The social value weight is 12%, below the charter's floor of 15%" in stockport.stderr

    ppn002 = score(make_pack(tender("ppn002"), BIDS, all_scores(list(BIDS))))
    assert ppn002.exit_code == 0, ppn002.output
    data = json.loads(ppn002.stdout)
    assert data["ruleset"]["id"] == "ppn002"
    assert data["policy"] == {
        "status": "meets_floor",
        "message": "Social value weight 12% meets PPN 002's 10% minimum.",
        "social_value_weight": "12",
        "floor": "10",
        "target": None,
        "notices": ["commitments_in_contract"],
    }


def test_the_bids_score_the_same_under_both_when_stockport_records_an_exemption(
    make_pack: Callable[..., Path],
) -> None:
    exemption = {"exemption": {"reason": "Central government framework call-off", "approved_by": "Head of Procurement"}}
    stockport = json.loads(score(make_pack(tender("stockport", **exemption), BIDS, all_scores(list(BIDS)))).stdout)
    ppn002 = json.loads(score(make_pack(tender("ppn002"), BIDS, all_scores(list(BIDS)))).stdout)
    assert stockport["policy"]["status"] == "below_floor_exempt"
    assert stockport["policy"]["notices"] == ["portal_required"]
    totals = {b["bid_id"]: b["total"] for b in ppn002["bids"]}
    # Alpha: price 48 × 1,000,000 / 1,000,000 = 48.00; quality 25 × 4/5 + 15 × 4/5 = 32.00; jobs NT1 2 × 12,654
    # = 25,308 against Beta's best 3 × 12,654 = 37,962: 4 × 25,308 / 37,962 = 2.6667 -> 2.67; social NT29
    # 50 × £32 = £1,600 (the best): 3.00; SV1 5 × 3/5 = 3.00; total 48 + 32 + 2.67 + 3.00 + 3.00 = 88.67.
    # Beta: 48 × 1,000,000 / 1,100,000 = 43.6364 -> 43.64; 32.00; jobs 4.00; social NT28 £500 -> 3 × 500 / 1,600
    # = 0.9375 -> 0.94; SV1 3.00; total 43.64 + 32 + 4.00 + 0.94 + 3.00 = 83.58.
    assert totals == {"alpha": "88.67", "beta": "83.58"}
    assert {b["bid_id"]: b["total"] for b in stockport["bids"]} == totals


@pytest.mark.parametrize(
    ("value", "sv_weight", "stockport_status", "ppn002_status"),
    [
        # £100,000: over Stockport's £25,000, under the central government threshold.
        ("100000.00", 12, "refused", "not_applicable"),
        # PPN 002 covers a contract "not less than" the threshold: exactly £135,018 is in, a penny less is out.
        ("135018.00", 9, "refused", "refused"),
        ("135017.99", 9, "refused", "not_applicable"),
        ("135018.00", 10, "refused", "meets_floor"),
        # 20% meets both: Stockport's target, and PPN 002's minimum.
        ("1200000.00", 20, "meets_target", "meets_floor"),
        ("1200000.00", 17, "below_target", "meets_floor"),
    ],
)
def test_policy_statuses_differ_as_the_policies_say(
    make_pack: Callable[..., Path], value: str, sv_weight: int, stockport_status: str, ppn002_status: str
) -> None:
    for ruleset, expected in (("stockport", stockport_status), ("ppn002", ppn002_status)):
        result = score(make_pack(tender(ruleset, value, sv_weight), BIDS, all_scores(list(BIDS))))
        if expected == "refused":
            assert result.exit_code == 3, (ruleset, result.output)
        else:
            assert result.exit_code == 0, (ruleset, result.output)
            assert json.loads(result.stdout)["policy"]["status"] == expected, ruleset
