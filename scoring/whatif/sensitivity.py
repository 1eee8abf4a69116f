"""How far each weight can move before another bid ranks first: exact, on the 0.01 grid, and confirmed.

Along one weight `t` (its siblings rescaled in proportion), each bid's total before any rounding is affine in
`t`. Each moving line's rounding moves a total by at most 0.005, and each weight's own rounding to 0.01 (twice
for a question under a rescaled component) by at most 0.01 of a weight point, so where the leader's affine
total clears another bid's by more than both bids' bounds the leader cannot change: those grid points are
skipped, and at every other grid point the bids that could rank first are scored exactly (lines rounded,
components summed, ranked by ranking's key) until the first-ranked bid changes. That point and the one 0.01
short of it are then scored again in full, every bid, without any shortcut, to confirm it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from .. import points
from ..numbers import CONTEXT, PENNY, ZERO
from .basis import LineScore, Scorer, Standing, leaders_of
from .weights import TOP, Layout, Weights, reweigh

HALF_PENNY = Decimal("0.005")
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
        # Weights written finer than 0.01 leave apportioning a remainder under 0.01 to place: twice the slack.
        on_grid = all(w % PENNY == 0 for w in layout.original.values())
        self.unit = PENNY if on_grid else 2 * PENNY
        self.leaders = leaders_of(scorer.standings(dict(layout.original)))
        self._tracks: dict[str, Track] = {}
        self.ids = [b.bid_id for b in scorer.basis.bids]

    # --- the affine model -------------------------------------------------------------------------------
    def affine(self, key: str) -> tuple[list[tuple[Decimal, Decimal]], list[Decimal]]:
        """(intercept, slope) of each bid's total as `key` moves, its siblings rescaled in proportion, and how
        far the total scored at the apportioned weights can sit from it. A line whose weight does not move is
        taken at its rounded points (no bound needed); a moving line adds its rounding (0.005) and what its
        weight's rounding to 0.01 can move it (`slack` × its points per weight point)."""
        lines = self.line_weights(key)
        slack = self.slack(key)
        model: list[tuple[Decimal, Decimal]] = []
        margins: list[Decimal] = []
        for index, factors in enumerate(self.scorer.factors):
            a = b = ZERO
            margin = EPSILON
            for k, f in factors.items():
                weight, slope = lines[k]
                if k not in slack:
                    a += self.scorer.lines[index][k](weight)
                    continue
                a += CONTEXT.multiply(weight, f)
                b += CONTEXT.multiply(slope, f)
                margin += HALF_PENNY + slack[k] * abs(f)
            model.append((a, b))
            margins.append(margin)
        return model, margins

    def slack(self, key: str) -> dict[str, Decimal]:
        """Every line whose weight moves with `key`, with how far rounding weights to 0.01 can take it from its
        exact proportional share: 0 for `key` itself, 0.01 for an apportioned weight, 0.02 for an item whose
        component's weight was itself apportioned."""
        layout = self.layout
        parent, group = layout.group_of(key)
        one = self.unit
        if parent:
            return {k: (ZERO if k == key else one) for k in group}
        out = {"price": ZERO if key == "price" else one}
        for component in ("quality", "social_value"):
            for k in layout.children[component]:
                out[k] = one if component == key else 2 * one
        return out

    def line_weights(self, key: str) -> dict[str, tuple[Decimal, Decimal]]:
        """(intercept, slope) in `t` of every line's weight, before any rounding to 0.01, as `reweigh` shares it."""
        layout = self.layout
        parent, _ = layout.group_of(key)
        others = layout.siblings(key)
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
            a, b = moved.get(component, (layout.original[component], ZERO))
            children = layout.children[component]
            for k, share in layout.proportions(children).items() if children else ():
                lines[k] = (CONTEXT.multiply(a, share), CONTEXT.multiply(b, share))
        return lines

    # --- the exact, pruned winner ---------------------------------------------------------------------------
    def track(self, key: str) -> Track:
        """`key`'s affine model, with the bids that could rank first in each stretch of its range (cached)."""
        found = self._tracks.get(key)
        if found is None:
            model, margins = self.affine(key)
            found = self._tracks[key] = Track(key, model, margins)
            moving = self.slack(key)
            for plan in self.scorer.plan:
                # The lines that stay put are scored once: only those that move are scored per re-weighting.
                fixed = [ZERO, ZERO, ZERO]
                for component, k, line in plan:
                    if k not in moving:
                        fixed[component] += line(self.layout.original[k])
                found.fixed.append((fixed[0], fixed[1], fixed[2]))
                found.moving.append(tuple(entry for entry in plan if entry[1] in moving))
        return found

    def leaders_at(self, track: Track, value: Decimal) -> tuple[str, ...]:
        """Who ranks first with the track's weight at `value`: only the bids whose bounds reach the best there
        are scored, exactly (scoring.points' rounded lines, ranking's key)."""
        candidates = track.candidates(value)
        if len(candidates) > 1:
            candidates = track.at(candidates, value)
        if len(candidates) == 1:
            # Every other bid's highest possible total is below this one's lowest: it ranks first, alone.
            return (self.ids[candidates[0]],)
        weights = reweigh(self.layout, track.key, value)
        scored = [self.standing(track, i, weights) for i in candidates]
        top = min(s.key for s in scored)
        return tuple(sorted(s.bid_id for s in scored if s.key == top))

    def standing(self, track: Track, index: int, weights: Weights) -> Standing:
        """Bid `index` at `weights` as Scorer.standing scores it (the same rounded lines, summed), with the lines
        that do not move along `track` taken from their one scoring."""
        sums = list(track.fixed[index])
        for component, key, line in track.moving[index]:
            sums[component] += line(weights[key])
        bid = self.scorer.basis.bids[index]
        price, quality, social = sums
        return Standing(bid.bid_id, bid.bidder, price, quality, social, points.total_of(sums), bid.price_gbp)

    # --- the search -----------------------------------------------------------------------------------------
    def breakeven(self, key: str, direction: int, policy: Callable[[Weights], str] | None = None) -> Breakeven:
        layout = self.layout
        current = layout.original[key]
        limit = layout.total_of(key) if direction > 0 else ZERO
        steps = int(((limit - current) * direction / PENNY).to_integral_value(rounding="ROUND_FLOOR"))
        track = self.track(key)
        start = self.first_unsafe(track, current, direction, steps)
        step = PENNY * direction
        for k in range(start, steps + 1):
            value = current + step * k
            found = self.leaders_at(track, value)
            if found != self.leaders:
                return self.confirm(key, direction, current, limit, value, found, policy)
        return Breakeven(key, direction, current, limit, None, None, None, self.leaders, True)

    def first_unsafe(self, track: Track, current: Decimal, direction: int, steps: int) -> int:
        """The first grid step at which the leader's lead over some bid falls within their bounds (or past the
        end): before it the leader cannot change. A tie for first skips nothing."""
        if len(self.leaders) != 1 or steps < 1:
            return 1
        ids = [b.bid_id for b in self.scorer.basis.bids]
        lead = ids.index(self.leaders[0])
        model, margins = track.model, track.margins
        a0, b0 = model[lead]
        first = steps + 1
        for i, (a, b) in enumerate(model):
            if i == lead:
                continue
            gap_a, gap_b = a0 - a, b0 - b  # the lead's margin over bid i: gap_a + gap_b × t
            bound = margins[lead] + margins[i]
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


# Grid steps (0.01 each) per stretch of a weight's range whose possible leaders are worked out together.
STRETCH = 25


class Track:
    """One weight's affine model, and for each stretch of STRETCH grid steps the bids that could rank first
    anywhere in it: a bid whose highest possible total there is below another's lowest cannot."""

    def __init__(self, key: str, model: list[tuple[Decimal, Decimal]], margins: list[Decimal]) -> None:
        self.key = key
        self.model = model
        self.margins = margins
        self.fixed: list[tuple[Decimal, Decimal, Decimal]] = []  # per bid: its lines that do not move, summed
        self.moving: list[tuple[tuple[int, str, LineScore], ...]] = []  # per bid: its lines that move
        self._stretches: dict[int, list[int]] = {}

    def candidates(self, value: Decimal) -> list[int]:
        index = int(value / PENNY) // STRETCH
        found = self._stretches.get(index)
        if found is None:
            found = self._stretches[index] = self._work_out(index)
        return found

    def at(self, candidates: list[int], value: Decimal) -> list[int]:
        """Those of `candidates` whose bounds at `value` itself reach the best lower bound there."""
        model, margins = self.model, self.margins
        totals = [(i, model[i][0] + model[i][1] * value) for i in candidates]
        floor = max(t - margins[i] for i, t in totals)
        return [i for i, t in totals if t + margins[i] >= floor]

    def _work_out(self, index: int) -> list[int]:
        low = PENNY * (index * STRETCH)
        high = PENNY * ((index + 1) * STRETCH)
        ends = [(a + b * low, a + b * high) for a, b in self.model]
        floor = max(min(e) - m for e, m in zip(ends, self.margins, strict=True))
        return [i for i, (e, m) in enumerate(zip(ends, self.margins, strict=True)) if max(e) + m >= floor]
