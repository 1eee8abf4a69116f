"""The facts tenderscore asserts: what the rules see of a tender and of each bid.

Each fact names its `kind` and carries what its rules need on the fact itself (no joins), so a rule is a
readable condition over one fact and the trace shows exactly what it matched.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from .models import Bid, Commitment, Tender
from .numbers import CONTEXT, HUNDRED, PENNY, ZERO, div, fmt_plain, mul
from .ruleset import LoadedRuleset


def tender_fact(tender: Tender) -> dict[str, Any]:
    fact: dict[str, Any] = {
        "id": "tender",
        "kind": "tender",
        "tender_id": tender.id,
        "procedure": tender.procedure,
        "contract_value_gbp": tender.contract_value_gbp,
        "price_weight": tender.weights.price,
        "quality_weight": tender.weights.quality,
        "social_value_weight": tender.weights.social_value,
        "exempt": tender.exemption is not None,
    }
    if tender.exemption is not None:
        fact["exemption_reason"] = tender.exemption.reason
        fact["exemption_approved_by"] = tender.exemption.approved_by
    return fact


def bid_fact(bid_id: str, bid: Bid) -> dict[str, Any]:
    return {
        "id": "bid",
        "kind": "bid",
        "bid_id": bid_id,
        "bidder": bid.bidder,
        "price_gbp": bid.price_gbp,
        "facts": bid.facts,
    }


def gate_facts(tender: Tender, ruleset: LoadedRuleset, bid: Bid) -> list[dict[str, Any]]:
    return [
        {
            "id": f"gate:{gate}",
            "kind": "gate",
            "gate": gate,
            "title": ruleset.model.gates[gate].title,
            "answer": bid.gates.get(gate, "missing"),
        }
        for gate in tender.gates
    ]


def score_facts(tender: Tender, scores: dict[str, Decimal]) -> list[dict[str, Any]]:
    return [
        {
            "id": f"score:{question.id}",
            "kind": "score",
            "section": section,
            "question": question.id,
            "title": question.title or question.id,
            "score": scores[question.id],
            "min_score": question.min_score,
        }
        for section, question in tender.sections()
    ]


def commitment_fact(index: int, commitment: Commitment, tender: Tender, ruleset: LoadedRuleset) -> dict[str, Any]:
    measure = ruleset.measures.get(commitment.measure)
    accepted_list = tender.social_value.measures
    accepted = measure is not None and (accepted_list is None or commitment.measure in accepted_list)
    fact: dict[str, Any] = {
        "id": f"commitment:{index}",
        "kind": "commitment",
        "index": index,
        "measure": commitment.measure,
        "quantity": commitment.quantity,
        "catalogued": measure is not None,
        "accepted": accepted,
        "contract_value_gbp": tender.contract_value_gbp,
    }
    if measure is not None:
        fact["theme"] = measure.theme
        fact["unit"] = measure.unit
    if commitment.note:
        fact["note"] = commitment.note
    return fact


def sv_total_fact(total: Decimal, tender: Tender, ruleset: LoadedRuleset) -> dict[str, Any]:
    # The total is a whole number of pennies, so "total > ratio × contract" holds exactly when
    # "total > that limit rounded down to the penny": the rule compares pennies with pennies.
    limit = mul(ruleset.model.policy.plausibility_ratio, tender.contract_value_gbp)
    return {
        "id": "sv_total",
        "kind": "sv_total",
        "sv_total_gbp": total,
        "contract_value_gbp": tender.contract_value_gbp,
        "plausibility_limit_gbp": limit.quantize(PENNY, rounding=ROUND_FLOOR, context=CONTEXT),
    }


def price_check_fact(bid_id: str, price: Decimal, others: list[Decimal], alt_fraction: Decimal) -> dict[str, Any]:
    fact: dict[str, Any] = {
        "id": f"price_check:{bid_id}",
        "kind": "price_check",
        "bid_id": bid_id,
        "price_gbp": price,
        "others_count": len(others),
    }
    if others:
        mean = div(sum(others, ZERO), Decimal(len(others)))
        threshold = mul(Decimal(1) - alt_fraction, mean)
        # Prices are whole pennies, so "price < threshold" holds exactly when "price < threshold rounded up
        # to the penny": the rule compares pennies with pennies and the message shows what was compared.
        fact["others_mean_gbp"] = mean.quantize(PENNY, context=CONTEXT)
        # For messages: "20% below" reads plainly where a fraction of 0.20 could pass for 20p.
        fact["alt_percent"] = fmt_plain(mul(alt_fraction, HUNDRED))
        fact["alt_threshold_gbp"] = threshold.quantize(PENNY, rounding=ROUND_CEILING, context=CONTEXT)
    return fact
