"""A tender's weights as one flat set, and the weights after one of them is moved with the others rescaled.

Keys: `price`, `quality`, `social_value` (the top level), `question:ID` (quality and qualitative social value
questions) and `theme:NAME`. Moving one weight rescales its siblings in proportion so their total is unchanged
(the top level's 100, a component's own weight); a component's questions and themes follow its weight in
proportion. Every weight stays on the 0.01 grid and every group sums exactly (largest remainder), so each
re-weighted tender is one a council could publish and `score` would accept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from ..models import Tender
from ..numbers import CONTEXT, PENNY, ZERO

TOP = ("price", "quality", "social_value")

Weights = dict[str, Decimal]


@dataclass(frozen=True)
class Layout:
    """Which weights move together: the top level, and the items of each component."""

    original: Mapping[str, Decimal]
    children: Mapping[str, tuple[str, ...]]  # component -> its question and theme keys (price has none)
    hundredths: Mapping[str, int]  # each original weight on the 0.01 grid, in hundredths

    def __init__(self, original: Mapping[str, Decimal], children: Mapping[str, tuple[str, ...]]) -> None:
        object.__setattr__(self, "original", original)
        object.__setattr__(self, "children", children)
        grid = {k: int(w * 100) for k, w in original.items() if (w * 100) % 1 == 0}
        object.__setattr__(self, "hundredths", grid)

    @classmethod
    def of(cls, tender: Tender) -> Layout:
        w = tender.weights
        original: Weights = {"price": w.price, "quality": w.quality, "social_value": w.social_value}
        quality = tuple(f"question:{q.id}" for q in tender.quality.questions)
        social = tuple(f"theme:{t}" for t in tender.social_value.themes) + tuple(
            f"question:{q.id}" for q in tender.social_value.questions
        )
        for q in tender.all_questions():
            original[f"question:{q.id}"] = q.weight
        for theme, weight in tender.social_value.themes.items():
            original[f"theme:{theme}"] = weight
        return cls(original, {"price": (), "quality": quality, "social_value": social})

    def group_of(self, key: str) -> tuple[str, tuple[str, ...]]:
        """(the group's total's key, or `` for the top level; every key of the group)."""
        if key in TOP:
            return "", TOP
        for component, items in self.children.items():
            if key in items:
                return component, items
        raise KeyError(key)

    def total_of(self, key: str) -> Decimal:
        parent, _ = self.group_of(key)
        return Decimal(100) if not parent else self.original[parent]

    def holds(self, key: str) -> bool:
        """Whether weight can be put on `key`: a component without questions or themes cannot hold any."""
        return key not in ("quality", "social_value") or bool(self.children[key])

    def siblings(self, key: str) -> tuple[str, ...]:
        """The weights rescaled when `key` moves: the others of its group that can hold weight."""
        _, group = self.group_of(key)
        return tuple(k for k in group if k != key and self.holds(k))

    def movable(self, key: str) -> bool:
        return self.holds(key) and bool(self.siblings(key))

    def dimensions(self) -> list[str]:
        """Every weight a panel could ask about: the top level, then each component's items."""
        return list(TOP) + [key for component in TOP for key in self.children[component]]

    def proportions(self, keys: Sequence[str]) -> dict[str, Decimal]:
        """Each key's share of their original total; equal shares when every one of them is 0."""
        base = sum((self.original[k] for k in keys), ZERO)
        if base == ZERO:
            share = CONTEXT.divide(Decimal(1), Decimal(len(keys)))
            return dict.fromkeys(keys, share)
        return {k: CONTEXT.divide(self.original[k], base) for k in keys}


def apportion(layout: Layout, keys: Sequence[str], total: Decimal) -> Weights:
    """`total` shared among `keys` in proportion to their original weights (equally when all are 0), each to
    0.01 by largest remainder (the earlier key first on a tie), so the shares sum to `total` exactly."""
    hundredths = [layout.hundredths.get(k) for k in keys]
    whole = total * 100
    if whole % 1 != 0 or None in hundredths:
        return _apportion_decimal(layout, keys, total)
    # On the 0.01 grid the shares are exact fractions of whole hundredths: integer arithmetic, no rounding.
    parts = [h or 0 for h in hundredths]
    base = sum(parts)
    if base == 0:
        parts, base = [1] * len(keys), len(keys)
    units = int(whole)
    floors = [units * p // base for p in parts]
    remainders = [units * p % base for p in parts]
    left = units - sum(floors)
    if left:
        for i in sorted(range(len(keys)), key=lambda i: (-remainders[i], i))[:left]:
            floors[i] += 1
    return {k: _as_weight(f) for k, f in zip(keys, floors, strict=True)}


_WEIGHTS: dict[int, Decimal] = {}


def _as_weight(hundredths: int) -> Decimal:
    """A whole number of hundredths as the Decimal weight it is (remembered: re-weightings reuse a few thousand)."""
    found = _WEIGHTS.get(hundredths)
    if found is None:
        found = _WEIGHTS[hundredths] = Decimal(hundredths).scaleb(-2)
    return found


def _apportion_decimal(layout: Layout, keys: Sequence[str], total: Decimal) -> Weights:
    """`apportion` for weights written finer than 0.01: Decimal shares, the remainder under 0.01 placed last."""
    base = sum((layout.original[k] for k in keys), ZERO)
    if base == ZERO:
        exact = [CONTEXT.divide(total, Decimal(len(keys))) for _ in keys]
    else:
        exact = [CONTEXT.divide(CONTEXT.multiply(total, layout.original[k]), base) for k in keys]
    floors = [e.quantize(PENNY, rounding=ROUND_FLOOR, context=CONTEXT) for e in exact]
    left = total - sum(floors, ZERO)
    order = sorted(range(len(keys)), key=lambda i: (floors[i] - exact[i], i))
    position = 0
    while left >= PENNY and order:
        floors[order[position % len(order)]] += PENNY
        left -= PENNY
        position += 1
    if left > ZERO and order:
        floors[order[0]] += left
    return dict(zip(keys, floors, strict=True))


def reweigh(layout: Layout, key: str, value: Decimal) -> Weights:
    """Every weight once `key` is set to `value` and its siblings (and their items) are rescaled."""
    weights: Weights = dict(layout.original)
    parent, _ = layout.group_of(key)
    total = layout.total_of(key)
    others = layout.siblings(key)
    weights[key] = value
    if others:
        weights.update(apportion(layout, others, total - value))
    if parent:
        return weights
    for component in TOP:
        items = layout.children[component]
        if items and weights[component] != layout.original[component]:
            weights.update(apportion(layout, items, weights[component]))
    return weights


def describe_key(key: str) -> str:
    """How a weight is named to people: `price`, `question Q1`, `theme jobs`."""
    return key.replace(":", " ")
