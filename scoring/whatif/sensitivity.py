"""How far each weight can move before another bid ranks first: exact, on the 0.01 grid, and confirmed.

Along one weight `t` (its siblings rescaled in proportion), each bid's unrounded total is affine in `t`. Each
line's rounding moves a total by at most 0.005 and each weight's own rounding to 0.01 by at most 0.02 of a
line's points per weight point, so where the leader's affine total clears another bid's by more than both
bids' bounds the leader cannot change: those grid points are skipped, and every other grid point is scored
exactly (lines rounded, components summed, ranked by ranking's key) until the first-ranked bid changes. That
point and the one 0.01 short of it are then scored again in full, without any shortcut, to confirm it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from ..numbers import CONTEXT, PENNY, ZERO
from .basis import Scorer, leaders_of
from .weights import TOP, Layout, Weights, reweigh

HALF_PENNY = Decimal("0.005")
# A weight rounded to 0.01, then a component's items to 0.01 again: under 0.02 of a weight point per line.
WEIGHT_SLACK = Decimal("0.02")
# Room for the scoring context's own rounding in the affine totals (34 digits: far below a penny).
EPSILON = Decimal("1e-20")


@dataclass(frozen=True)
class Breakeven:
    """The smallest move of one weight, one way, that changes who ranks first (or None: nothing does)."""

    key: str
    direction: int  # +1 an increase, -1 a decrease
    current: Decimal
    limit: Decimal  # the far end searched: 0, or the group's total
    value: Decimal | None  # the weight at which the first-ranked bid changes
    weights: Weights | None  # every weight there
    short_weights: Weights | None  # every weight 0.01 short of it
    leaders: tuple[str, ...]  # who ranks first there
    confirmed: bool  # full re-scoring there and 0.01 short agreed
    policy_status: str | None = None  # the policy there, where the social value weight moved


class Sensitivity:
    """Breakeven weights for one scored tender."""

    def __init__(self, scorer: Scorer, layout: Layout) -> None:
        self.scorer = scorer
        self.layout = layout
        count = len(scorer.basis.bids)
        # Each bid's bound: how far its rounded total at apportioned weights can sit from its affine total.
        self.margins = [
            sum((HALF_PENNY + WEIGHT_SLACK * abs(f) for f in scorer.factors[i].values()), ZERO) + EPSILON
            for i in range(count)
        ]
        self.leaders = leaders_of(scorer.standings(dict(layout.original)))

    # --- the affine model -------------------------------------------------------------------------------
    def affine(self, key: str) -> list[tuple[Decimal, Decimal]]:
        """(intercept, slope) of each bid's unrounded total as `key` moves, its siblings rescaled in proportion."""
        lines = self.line_weights(key)
        model = []
        for factors in self.scorer.factors:
            a = sum((CONTEXT.multiply(lines[k][0], f) for k, f in factors.items()), ZERO)
            b = sum((CONTEXT.multiply(lines[k][1], f) for k, f in factors.items()), ZERO)
            model.append((a, b))
        return model

    def line_weights(self, key: str) -> dict[str, tuple[Decimal, Decimal]]:
        """(intercept, slope) in `t` of every line's weight, before any rounding to 0.01, as `reweigh` shares it."""
        layout = self.layout
        parent, group = layout.group_of(key)
        others = tuple(k for k in group if k != key)
        moved: dict[str, tuple[Decimal, Decimal]] = {key: (ZERO, Decimal(1))}
        total = layout.total_of(key)
        for k, share in layout.proportions(others).items() if others else ():
            moved[k] = (CONTEXT.multiply(total, share), -share)
        items = [k for component in TOP for k in layout.children[component]]
        if parent:
            lines = {k: (layout.original[k], ZERO) for k in ["price", *items]}
            lines.update(moved)
            return lines
        lines = {"price": moved["price"]}
        for component in ("quality", "social_value"):
            a, b = moved[component]
            children = layout.children[component]
            for k, share in layout.proportions(children).items() if children else ():
                lines[k] = (CONTEXT.multiply(a, share), CONTEXT.multiply(b, share))
        return lines

    # --- the exact, pruned winner ---------------------------------------------------------------------------
    def leaders_at(self, key: str, value: Decimal, model: list[tuple[Decimal, Decimal]]) -> tuple[str, ...]:
        """Who ranks first with `key` at `value`: only bids whose bound reaches the best are scored exactly."""
        weights = reweigh(self.layout, key, value)
        totals = [a + CONTEXT.multiply(b, value) for a, b in model]
        floor = max(t - m for t, m in zip(totals, self.margins, strict=True))
        candidates = [i for i, (t, m) in enumerate(zip(totals, self.margins, strict=True)) if t + m >= floor]
        scored = [self.scorer.standing(i, weights) for i in candidates]
        top = min(s.key for s in scored)
        return tuple(sorted(s.bid_id for s in scored if s.key == top))

    # --- the search -----------------------------------------------------------------------------------------
    def breakeven(self, key: str, direction: int, policy: Callable[[Weights], str] | None = None) -> Breakeven:
        layout = self.layout
        current = layout.original[key]
        limit = layout.total_of(key) if direction > 0 else ZERO
        steps = int(((limit - current) * direction / PENNY).to_integral_value(rounding="ROUND_FLOOR"))
        model = self.affine(key)
        start = self.first_unsafe(model, current, direction, steps)
        step = PENNY * direction
        for k in range(start, steps + 1):
            value = current + step * k
            found = self.leaders_at(key, value, model)
            if found != self.leaders:
                return self.confirm(key, direction, current, limit, value, found, policy)
        return Breakeven(key, direction, current, limit, None, None, None, self.leaders, True)

    def first_unsafe(self, model: list[tuple[Decimal, Decimal]], current: Decimal, direction: int, steps: int) -> int:
        """The first grid step at which the leader's lead over some bid falls within their bounds (or past the
        end): before it the leader cannot change. A tie for first skips nothing."""
        if len(self.leaders) != 1 or steps < 1:
            return 1
        ids = [b.bid_id for b in self.scorer.basis.bids]
        lead = ids.index(self.leaders[0])
        a0, b0 = model[lead]
        first = steps + 1
        for i, (a, b) in enumerate(model):
            if i == lead:
                continue
            gap_a, gap_b = a0 - a, b0 - b  # the lead's margin over bid i: gap_a + gap_b × t
            bound = self.margins[lead] + self.margins[i]
            if gap_a + gap_b * current <= bound:
                return 1
            towards = gap_b * direction  # how the lead changes per unit moved
            if towards >= ZERO:
                continue
            # gap(current + direction × s) = bound at s = (gap(current) − bound) / −towards, in weight points
            distance = CONTEXT.divide(gap_a + gap_b * current - bound, -towards)
            first = min(first, int((distance / PENNY).to_integral_value(rounding=ROUND_CEILING)))
        return max(1, first - 1)  # one step early: the affine model's own rounding is never trusted at the edge

    def confirm(
        self,
        key: str,
        direction: int,
        current: Decimal,
        limit: Decimal,
        value: Decimal,
        found: tuple[str, ...],
        policy: Callable[[Weights], str] | None,
    ) -> Breakeven:
        weights = reweigh(self.layout, key, value)
        short = reweigh(self.layout, key, value - PENNY * direction)
        at = leaders_of(self.scorer.standings(weights))
        before = leaders_of(self.scorer.standings(short))
        confirmed = at == found and at != self.leaders and before == self.leaders
        moved_sv = weights["social_value"] != self.layout.original["social_value"]
        status = policy(weights) if policy is not None and moved_sv else None
        return Breakeven(key, direction, current, limit, value, weights, short, found, confirmed, status)
