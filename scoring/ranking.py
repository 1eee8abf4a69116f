"""Ranking eligible bids (scoring.md): total, then quality, then social value, then lower price.

Bids equal on all four share a rank (standard competition ranking, 1, 1, 3) and are flagged: a true tie is
for the panel to resolve, not the software.
"""

from __future__ import annotations

from decimal import Decimal

from .result import BidResult, Flag


def order_key(
    total: Decimal, quality: Decimal, social_value: Decimal, price_gbp: Decimal
) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """The order of scoring.md, lowest first: total, then quality, then social value (all higher first), then
    lower price. `whatif` ranks re-weighted bids by this same key."""
    return (-total, -quality, -social_value, price_gbp)


def _key(bid: BidResult) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    assert bid.total is not None and bid.quality_points is not None and bid.sv_points is not None
    return order_key(bid.total, bid.quality_points, bid.sv_points, bid.price_gbp)


def rank(eligible: list[BidResult]) -> list[BidResult]:
    """Assign ranks and tie flags; returns the bids in rank order (ties by bid id, for a stable report)."""
    ordered = sorted(eligible, key=lambda b: (_key(b), b.bid_id))
    position = 0
    while position < len(ordered):
        group_end = position
        while group_end + 1 < len(ordered) and _key(ordered[group_end + 1]) == _key(ordered[position]):
            group_end += 1
        group = ordered[position : group_end + 1]
        for bid in group:
            bid.rank = position + 1
            if len(group) > 1:
                others = ", ".join(b.bid_id for b in group if b is not bid)
                bid.flags.append(
                    Flag(
                        "tie",
                        f"Tied at rank {position + 1} with {others} on total, quality, social value and price: "
                        "the panel resolves a true tie.",
                        "ranking.tie",
                    )
                )
        position = group_end + 1
    return ordered
