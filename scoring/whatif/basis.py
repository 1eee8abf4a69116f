"""Scoring again from facts already valued: each eligible bid's price, consensus scores and theme values.

The rules fired once per bid when the tender was scored; what they decided (eligibility, every commitment's
value, every cap) does not depend on the weights. What does is arithmetic, and it is done here by the very
functions `score` uses (scoring.points, ranking.order_key), over the same references (lowest and highest
eligible price, best eligible score and theme value), so a re-weighting can never disagree with `score`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from .. import points
from ..models import Tender
from ..numbers import ZERO
from ..ranking import order_key
from ..result import Result
from .weights import Weights

# One line of a bid's points at a weight: scoring.points' function with this bid's figures bound.
LineScore = Callable[[Decimal], Decimal]


@dataclass(frozen=True)
class BidFacts:
    bid_id: str
    bidder: str
    price_gbp: Decimal
    scores: Mapping[str, Decimal]  # consensus score by question id
    theme_gbp: Mapping[str, Decimal]  # counted value by theme


@dataclass(frozen=True)
class Basis:
    """The valued facts of a scored tender's eligible bids, and how its lines are scored."""

    price_method: str
    quality_method: str
    bids: tuple[BidFacts, ...]  # eligible bids, in the result's rank order
    quality_questions: tuple[str, ...]
    sv_questions: tuple[str, ...]
    scale_max: Mapping[str, Decimal]  # each question's own scale maximum
    themes: tuple[str, ...]  # themes the tender weights

    @classmethod
    def of(cls, tender: Tender, result: Result) -> Basis:
        bids = tuple(
            BidFacts(
                b.bid_id,
                b.bidder,
                b.price_gbp,
                {qid: q.score for qid, q in b.questions.items()},
                {theme: t.gbp for theme, t in b.themes.items()},
            )
            for b in result.eligible
        )
        return cls(
            tender.price.method,
            tender.quality.method,
            bids,
            tuple(q.id for q in tender.quality.questions),
            tuple(q.id for q in tender.social_value.questions),
            {q.id: tender.scale_max_of(q) for q in tender.all_questions()},
            tuple(tender.social_value.themes),
        )

    def without(self, bid_id: str) -> Basis:
        return Basis(
            self.price_method,
            self.quality_method,
            tuple(b for b in self.bids if b.bid_id != bid_id),
            self.quality_questions,
            self.sv_questions,
            self.scale_max,
            self.themes,
        )

    def using(self, price_method: str | None = None, quality_method: str | None = None) -> Basis:
        return Basis(
            price_method or self.price_method,
            quality_method or self.quality_method,
            self.bids,
            self.quality_questions,
            self.sv_questions,
            self.scale_max,
            self.themes,
        )


class Standing(NamedTuple):
    """A bid's points at some weights (a tuple: thousands are built a second)."""

    bid_id: str
    bidder: str
    price_points: Decimal
    quality_points: Decimal
    sv_points: Decimal
    total: Decimal
    price_gbp: Decimal
    rank: int = 0

    @property
    def key(self) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        return order_key(self.total, self.quality_points, self.sv_points, self.price_gbp)


class Scorer:
    """A basis ready to score at any weights: the references fixed, each bid's lines bound to its figures."""

    def __init__(self, basis: Basis) -> None:
        self.basis = basis
        bids = basis.bids
        # Component of each line key, in the order evaluate adds lines up.
        self.components: dict[str, str] = {"price": "price"}
        for qid in basis.quality_questions:
            self.components[f"question:{qid}"] = "quality"
        for theme in basis.themes:
            self.components[f"theme:{theme}"] = "social_value"
        for qid in basis.sv_questions:
            self.components[f"question:{qid}"] = "social_value"
        self.lines: list[dict[str, LineScore]] = []
        # Each line's exact points per weight point (the line at weight 1, unrounded): for bounds only.
        self.factors: list[dict[str, Decimal]] = []
        if not bids:
            return
        lowest = min(b.price_gbp for b in bids)
        highest = max(b.price_gbp for b in bids)
        out_of = {
            qid: points.question_base(basis.quality_method, basis.scale_max[qid], max(b.scores[qid] for b in bids))
            for qid in basis.quality_questions + basis.sv_questions
        }
        best = {theme: max(b.theme_gbp.get(theme, ZERO) for b in bids) for theme in basis.themes}
        method = basis.price_method
        one = Decimal(1)
        for bid in bids:
            lines: dict[str, LineScore] = {"price": _price_line(method, bid.price_gbp, lowest, highest)}
            factors = {"price": points.price_exact(method, one, bid.price_gbp, lowest, highest)}
            for qid in basis.quality_questions + basis.sv_questions:
                lines[f"question:{qid}"] = _question_line(bid.scores[qid], out_of[qid])
                factors[f"question:{qid}"] = points.question_exact(one, bid.scores[qid], out_of[qid])
            for theme in basis.themes:
                value = bid.theme_gbp.get(theme, ZERO)
                lines[f"theme:{theme}"] = _theme_line(value, best[theme])
                factors[f"theme:{theme}"] = points.theme_exact(one, value, best[theme])
            self.lines.append(lines)
            self.factors.append(factors)
        # Each bid's lines as (component number, weight key, line), in the order evaluate adds them up.
        number = {"price": 0, "quality": 1, "social_value": 2}
        self.plan = [
            tuple((number[self.components[key]], key, line) for key, line in lines.items()) for lines in self.lines
        ]

    def standing(self, index: int, weights: Weights) -> Standing:
        """One bid's points at `weights`, each line rounded and each component a sum of lines, as evaluate does."""
        bid = self.basis.bids[index]
        sums = [ZERO, ZERO, ZERO]
        for component, key, line in self.plan[index]:
            sums[component] += line(weights[key])
        price, quality, social = sums
        return Standing(bid.bid_id, bid.bidder, price, quality, social, points.total_of(sums), bid.price_gbp)

    def standings(self, weights: Weights) -> list[Standing]:
        """Every eligible bid at `weights`, ranked as ranking.rank ranks (1, 1, 3 on a true tie)."""
        scored = sorted(
            (self.standing(i, weights) for i in range(len(self.basis.bids))), key=lambda s: (s.key, s.bid_id)
        )
        ranked: list[Standing] = []
        for position, s in enumerate(scored):
            rank = ranked[-1].rank if ranked and ranked[-1].key == s.key else position + 1
            ranked.append(s._replace(rank=rank))
        return ranked


def leaders_of(standings: Sequence[Standing]) -> tuple[str, ...]:
    """The bids ranked first (several on a true tie), by bid id."""
    return tuple(sorted(s.bid_id for s in standings if s.rank == 1))


# Each line calls scoring.points through the module, as evaluate does, so both always use the same function.
def _price_line(method: str, price: Decimal, lowest: Decimal, highest: Decimal) -> LineScore:
    return lambda weight: points.price_points(method, weight, price, lowest, highest)


def _question_line(score: Decimal, out_of: Decimal) -> LineScore:
    return lambda weight: points.question_points(weight, score, out_of)


def _theme_line(value: Decimal, best: Decimal) -> LineScore:
    return lambda weight: points.theme_points(weight, value, best)
