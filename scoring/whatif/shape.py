"""The what-if as plain data (weights as written, points as two-decimal strings): `whatif --format json`
prints it, and the table and the HTML report render it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..numbers import fmt2, fmt_plain
from ..published import ruleset_to_dict, tender_to_dict
from .analysis import MethodRanking, Reversal, WhatIf
from .basis import Standing
from .sensitivity import Breakeven
from .weights import Weights, describe_key


def whatif_to_dict(whatif: WhatIf) -> dict[str, Any]:
    result = whatif.evaluation.result
    bidders = {b.bid_id: b.bidder for b in result.bids}
    return {
        "tender": tender_to_dict(result.tender),
        "ruleset": ruleset_to_dict(result.ruleset),
        "policy": {
            "status": whatif.policy_status,
            "floor": fmt_plain(whatif.floor),
            "target": None if whatif.target is None else fmt_plain(whatif.target),
        },
        "weights": _weights(whatif.weights),
        "ranking": _standings(whatif.standings),
        "first": list(whatif.leaders),
        "sensitivity": [_breakeven(b, whatif.policy_status, bidders) for b in whatif.breakevens],
        "unmovable": [describe_key(k) for k in whatif.unmovable],
        "rank_reversal": [_reversal(r) for r in whatif.reversals],
        "methods": [_method(m) for m in whatif.methods],
    }


def _weights(weights: Weights) -> dict[str, str]:
    return {key: fmt_plain(value) for key, value in weights.items()}


def _standings(standings: Sequence[Standing]) -> list[dict[str, Any]]:
    return [
        {
            "rank": s.rank,
            "bid_id": s.bid_id,
            "bidder": s.bidder,
            "price": fmt2(s.price_points),
            "quality": fmt2(s.quality_points),
            "social_value": fmt2(s.sv_points),
            "total": fmt2(s.total),
        }
        for s in standings
    ]


def _breakeven(b: Breakeven, status_now: str, bidders: dict[str, str]) -> dict[str, Any]:
    way = "increase" if b.direction > 0 else "decrease"
    out: dict[str, Any] = {
        "weight": b.key,
        "name": describe_key(b.key),
        "current": fmt_plain(b.current),
        "direction": way,
        "searched_to": fmt_plain(b.limit),
        "breakeven": None if b.value is None else fmt_plain(b.value),
        "change": None if b.value is None else fmt_plain(abs(b.value - b.current)),
        "short_of": None,
        "first_there": list(b.leaders) if b.value is not None else None,
        "first_bidders": [bidders.get(i, i) for i in b.leaders] if b.value is not None else None,
        "confirmed": b.confirmed,
        "weights_at": None,
        "weights_short": None,
        "policy_status": b.policy_status,
        "crosses_policy": b.policy_status is not None and b.policy_status != status_now,
    }
    if b.value is None:
        out["note"] = (
            f"no {way} of the {describe_key(b.key)} weight from {fmt_plain(b.current)} to {fmt_plain(b.limit)} "
            "changes the first-ranked bid"
        )
        return out
    assert b.weights is not None and b.short_weights is not None
    out["short_of"] = fmt_plain(b.short_weights[b.key])
    out["weights_at"] = _weights(b.weights)
    out["weights_short"] = _weights(b.short_weights)
    return out


def _reversal(r: Reversal) -> dict[str, Any]:
    return {
        "removed": r.removed,
        "changed": r.changed,
        "winner_changed": r.winner_changed,
        "before": _standings(r.before),
        "after": _standings(r.after),
    }


def _method(m: MethodRanking) -> dict[str, Any]:
    return {"kind": m.kind, "method": m.method, "current": m.current, "ranking": _standings(m.standings)}
