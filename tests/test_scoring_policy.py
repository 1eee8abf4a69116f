"""scoring.md, Policy (Stockport: over £25,000 competitive, floor 15, target 20; portal over £50,000)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import all_scores, basic_bid, basic_tender, invoke, load_json
from scoring_support import _private_ledger, score  # noqa: F401  (autouse fixture)
from tenderscore.scoring.output import render


def policy_tender(sv_weight: str, contract: str = "100000.00", procedure: str = "competitive", **extra: Any) -> Any:
    """40 quality points as in basic_tender; price takes what social value leaves; SV1 keeps its 5 points."""
    sv = Decimal(sv_weight)
    tender = basic_tender(
        contract_value_gbp=contract,
        procedure=procedure,
        weights={"price": str(60 - sv), "quality": 40, "social_value": sv_weight},
        **extra,
    )
    tender["social_value"]["themes"] = {"jobs": str(sv - 5)}
    return tender


def one_bid_pack(make_pack: Callable[..., Path], tender: dict[str, Any]) -> Path:
    return make_pack(tender, {"a": basic_bid("A", "20000.00")}, all_scores(["a"]))


@pytest.mark.parametrize(
    ("sv_weight", "contract", "procedure", "status"),
    [
        # not competitive: the floor does not apply, whatever the weight
        ("10", "1000000.00", "direct_award", "not_applicable"),
        ("10", "1000000.00", "call_off", "not_applicable"),
        # competitive at exactly £25,000 is not "over £25,000"
        ("10", "25000.00", "competitive", "not_applicable"),
        # 15 ≤ w < 20
        ("15", "25000.01", "competitive", "below_target"),
        ("19.5", "100000.00", "competitive", "below_target"),
        # w ≥ 20
        ("20", "100000.00", "competitive", "meets_target"),
        ("30", "100000.00", "competitive", "meets_target"),
    ],
)
def test_policy_status(
    make_pack: Callable[..., Path], sv_weight: str, contract: str, procedure: str, status: str
) -> None:
    result = score(one_bid_pack(make_pack, policy_tender(sv_weight, contract, procedure)))
    assert result.policy.status == status
    assert result.policy.social_value_weight == Decimal(sv_weight)
    assert (result.policy.floor, result.policy.target) == (Decimal(15), Decimal(20))


@pytest.mark.parametrize(("sv_weight", "contract"), [("10", "25000.01"), ("14.99", "1200000.00")])
def test_under_the_floor_without_an_exemption_is_refused(
    make_pack: Callable[..., Path], sv_weight: str, contract: str
) -> None:
    pack = one_bid_pack(make_pack, policy_tender(sv_weight, contract))
    run = invoke("score", pack)
    assert run.exit_code == 3
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    message = run.stderr
    assert message.startswith(f"Error: {pack}/tender.yaml: weights.social_value: ")
    assert f"The social value weight is {sv_weight}%" in message  # the tender's weight
    assert "below the charter's floor of 15%" in message  # the floor
    assert "exemption: {reason:" in message and "approved_by:" in message  # how to record an exemption


def test_under_the_floor_with_an_exemption_is_scored_and_says_so(make_pack: Callable[..., Path]) -> None:
    exemption = {"reason": "Specialist equipment, single UK supplier", "approved_by": "Head of Procurement"}
    pack = one_bid_pack(make_pack, policy_tender("10", "100000.00", exemption=exemption))
    result = score(pack)
    assert result.policy.status == "below_floor_exempt"
    assert (result.policy.exemption_reason, result.policy.exemption_approved_by) == (
        exemption["reason"],
        exemption["approved_by"],
    )
    data = load_json(render(result, "json"))
    assert data["policy"]["status"] == "below_floor_exempt"
    assert data["policy"]["exemption"] == exemption
    table = render(result, "table")
    assert "Policy: below_floor_exempt (social value weight 10%, floor 15%, target 20%)" in table
    assert "exemption approved by Head of Procurement: Specialist equipment, single UK supplier" in table


def test_an_exemption_needs_a_reason_and_an_approver(make_pack: Callable[..., Path]) -> None:
    pack = one_bid_pack(make_pack, policy_tender("10", exemption={"reason": " ", "approved_by": ""}))
    run = invoke("score", pack)
    assert run.exit_code == 2
    assert f"Error: {pack}/tender.yaml: exemption.reason: expected a non-empty value" in run.stderr
    assert f"Error: {pack}/tender.yaml: exemption.approved_by: expected a non-empty value" in run.stderr


def test_below_target_is_shown_as_a_warning(make_pack: Callable[..., Path]) -> None:
    result = score(one_bid_pack(make_pack, policy_tender("15")))
    for fmt in ("table", "markdown"):
        text = render(result, fmt)
        assert "Warning: Policy: below_target (social value weight 15%, floor 15%, target 20%)." in text
        assert "meets the 15% floor but not the 20% target" in text
    meets = render(score(one_bid_pack(make_pack, policy_tender("20"))), "table")
    assert "Warning" not in meets


@pytest.mark.parametrize(
    ("contract", "notices"),
    [("50000.00", []), ("50000.01", ["portal_required"]), ("20000.00", []), ("1200000.00", ["portal_required"])],
)
def test_portal_notice_only_over_fifty_thousand(
    make_pack: Callable[..., Path], contract: str, notices: list[str]
) -> None:
    # Independent of the status: £20,000 is not_applicable, the others meet the target (weight 20).
    result = score(one_bid_pack(make_pack, policy_tender("20", contract)))
    assert [n.code for n in result.policy.notices] == notices
    table = render(result, "table")
    assert ("Notice: portal_required: " in table) == bool(notices)


def test_portal_notice_applies_to_direct_awards_too(make_pack: Callable[..., Path]) -> None:
    result = score(one_bid_pack(make_pack, policy_tender("10", "60000.00", "direct_award")))
    assert result.policy.status == "not_applicable"
    assert [n.code for n in result.policy.notices] == ["portal_required"]
