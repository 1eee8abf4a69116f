"""The JSON shape of formats.md: money and points as two-decimal strings, weights and scores as written."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from scoring.numbers import fmt2, fmt_plain
from scoring.result import BidResult, Result


def _points(value: Decimal | None) -> str | None:
    return None if value is None else fmt2(value)


def summary_line(result: Result) -> str:
    eligible = result.eligible
    if not eligible:
        return f"No bid is eligible: all {len(result.bids)} bids were excluded, so nobody is ranked."
    leaders = [b for b in eligible if b.rank == 1]
    if len(leaders) > 1:
        return f"Tie at rank 1 between {', '.join(b.bidder for b in leaders)}: the panel resolves a true tie."
    return f"{leaders[0].bidder} ranks first with {fmt2(leaders[0].total or Decimal(0))} points."


def bid_to_dict(bid: BidResult, result: Result) -> dict[str, Any]:
    quality = bid.section_questions("quality")
    sv_questions = bid.section_questions("social_value")
    return {
        "bid_id": bid.bid_id,
        "bidder": bid.bidder,
        "status": bid.status,
        "rank": bid.rank,
        "excluded_reasons": [e.reason for e in bid.excluded_reasons],
        "price": {"gbp": fmt2(bid.price_gbp), "points": _points(bid.price_points)},
        "quality": {
            "points": _points(bid.quality_points),
            "questions": {q.id: {"score": fmt_plain(q.score), "points": _points(q.points)} for q in quality},
        },
        "social_value": {
            "points": _points(bid.sv_points),
            "total_gbp": fmt2(bid.sv_total_gbp),
            "percent_of_contract": fmt2(bid.sv_percent),
            "themes": {t.theme: {"gbp": fmt2(t.gbp), "points": _points(t.points)} for t in bid.themes.values()},
            "questions": {q.id: {"score": fmt_plain(q.score), "points": _points(q.points)} for q in sv_questions},
            "core_outcomes": {key: fmt2(value) for key, value in bid.core_outcomes.items()},
        },
        "total": _points(bid.total),
        "flags": [{"code": f.code, "message": f.message} for f in bid.flags],
    }


def result_to_dict(result: Result) -> dict[str, Any]:
    t, p = result.tender, result.policy
    policy: dict[str, Any] = {
        "status": p.status,
        "message": p.message,
        "social_value_weight": fmt_plain(p.social_value_weight),
        "floor": fmt_plain(p.floor),
        "target": None if p.target is None else fmt_plain(p.target),
        "notices": [n.code for n in p.notices],
    }
    if p.exemption_reason is not None:
        policy["exemption"] = {"reason": p.exemption_reason, "approved_by": p.exemption_approved_by}
    return {
        "tender": {
            "id": t.id,
            "title": t.title,
            "contract_value_gbp": fmt2(t.contract_value_gbp),
            "weights": {
                "price": fmt_plain(t.price_weight),
                "quality": fmt_plain(t.quality_weight),
                "social_value": fmt_plain(t.social_value_weight),
            },
        },
        "ruleset": {"id": result.ruleset.id, "version": result.ruleset.version, "sha256": result.ruleset.sha256},
        "policy": policy,
        "summary": summary_line(result),
        "bids": [bid_to_dict(b, result) for b in result.bids],
    }


def render_json(result: Result) -> str:
    return json.dumps(result_to_dict(result), indent=2, ensure_ascii=False) + "\n"
