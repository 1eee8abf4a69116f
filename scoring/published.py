"""The result as formats.md publishes it: money and points as two-decimal strings, weights and scores as written.

One shape for everything that publishes or keeps a result: `score --format json` renders it, decision records
hold it (and replay compares it byte for byte), `explain` quotes its tender and ruleset. Rendering packages
(scoring.output) and auditing (scoring.audit) both import it, and it imports neither.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .numbers import ZERO, fmt2, fmt_plain, opt2
from .result import BidResult, Result, RulesetInfo, TenderInfo

NOBODY = "none eligible"


def leading_bids(result: Result) -> list[BidResult]:
    """The eligible bids ranked first: one, several in a true tie, or none when every bid is excluded."""
    return [b for b in result.eligible if b.rank == 1]


def winner_name(bidders: Sequence[str]) -> str:
    """Who ranks first in a word or two: a bidder, `tie: A, B`, or `none eligible`.

    A ledger keeps this text in its `winner` column and `ledger verify` derives it again from each record, so
    it must not change for records already written.
    """
    if not bidders:
        return NOBODY
    return bidders[0] if len(bidders) == 1 else "tie: " + ", ".join(bidders)


def winner(result: Result) -> str:
    return winner_name([b.bidder for b in leading_bids(result)])


def winner_of(published: Mapping[str, Any]) -> str:
    """`winner` of a result already in its published shape (a decision record's `result`)."""
    return winner_name([b["bidder"] for b in published["bids"] if b.get("rank") == 1])


def summary_line(result: Result) -> str:
    leaders = leading_bids(result)
    if not leaders:
        return f"No bid is eligible: all {len(result.bids)} bids were excluded, so nobody is ranked."
    if len(leaders) > 1:
        return f"Tie at rank 1 between {', '.join(b.bidder for b in leaders)}: the panel resolves a true tie."
    return f"{leaders[0].bidder} ranks first with {fmt2(leaders[0].total or ZERO)} points."


def facts_summary_line(result: Result) -> str | None:
    """The eligible bidders counted against the ruleset's declared bid facts, in a line; None without any."""
    s = result.bid_facts
    if s is None or not s.counts or not s.eligible:
        return None
    counted = ", ".join(f"{c.label} {c.count}" for c in s.counts)
    return f"{s.title}, of the {s.eligible} eligible {'bidder' if s.eligible == 1 else 'bidders'}: {counted}."


def notices_to_list(bid: BidResult) -> list[dict[str, str]]:
    return [{"code": n.code, "message": n.message, "rule": n.rule} for n in bid.notices]


def tender_to_dict(t: TenderInfo) -> dict[str, Any]:
    return {
        "id": t.id,
        "title": t.title,
        "contract_value_gbp": fmt2(t.contract_value_gbp),
        "weights": {
            "price": fmt_plain(t.price_weight),
            "quality": fmt_plain(t.quality_weight),
            "social_value": fmt_plain(t.social_value_weight),
        },
    }


def ruleset_to_dict(ruleset: RulesetInfo) -> dict[str, Any]:
    return {"id": ruleset.id, "version": ruleset.version, "sha256": ruleset.sha256}


def bid_to_dict(bid: BidResult) -> dict[str, Any]:
    quality = bid.section_questions("quality")
    sv_questions = bid.section_questions("social_value")
    return {
        "bid_id": bid.bid_id,
        "bidder": bid.bidder,
        "status": bid.status,
        "rank": bid.rank,
        "excluded_reasons": [e.reason for e in bid.excluded_reasons],
        "price": {"gbp": fmt2(bid.price_gbp), "points": opt2(bid.price_points)},
        "quality": {
            "points": opt2(bid.quality_points),
            "questions": {q.id: {"score": fmt_plain(q.score), "points": opt2(q.points)} for q in quality},
        },
        "social_value": {
            "points": opt2(bid.sv_points),
            "total_gbp": fmt2(bid.sv_total_gbp),
            "percent_of_contract": fmt2(bid.sv_percent),
            "themes": {t.theme: {"gbp": fmt2(t.gbp), "points": opt2(t.points)} for t in bid.themes.values()},
            "questions": {q.id: {"score": fmt_plain(q.score), "points": opt2(q.points)} for q in sv_questions},
            "core_outcomes": {key: fmt2(value) for key, value in bid.core_outcomes.items()},
        },
        "total": opt2(bid.total),
        "flags": [{"code": f.code, "message": f.message} for f in bid.flags],
    }


def result_to_dict(result: Result) -> dict[str, Any]:
    p = result.policy
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
    published: dict[str, Any] = {
        "tender": tender_to_dict(result.tender),
        "ruleset": ruleset_to_dict(result.ruleset),
        "policy": policy,
        "summary": summary_line(result),
        "bids": [bid_to_dict(b) for b in result.bids],
    }
    # Only where the ruleset declares bid facts (or a rule noted something about a bid): a record made with a
    # ruleset that does neither replays to the same bytes it was written with.
    s = result.bid_facts
    for bid, out in zip(result.bids, published["bids"], strict=True):
        if s is not None or bid.notices:
            out["notices"] = notices_to_list(bid)
    if s is not None:
        published["bid_facts"] = {
            "title": s.title,
            "eligible_bids": s.eligible,
            "counts": [{"label": c.label, "fact": c.fact, "count": c.count} for c in s.counts],
            "summary": facts_summary_line(result),
        }
    return published
