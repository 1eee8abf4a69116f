"""What-if for a scored tender: weight sensitivity, rank reversal and the ranking under each method.

The tender is scored once (the engine fires once per bid); everything after is arithmetic over the valued
facts (basis.py), except the policy status at a re-weighted social value weight, which the ruleset's policy
rules decide on the re-weighted tender fact, exactly as `score` would.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..evaluate import Evaluation, evaluate, policy_status
from ..models import Weights as TenderWeights
from ..pack import Pack
from ..points import PRICE_METHODS, QUALITY_METHODS
from .basis import Basis, Scorer, Standing, leaders_of
from .sensitivity import Breakeven, Sensitivity
from .weights import Layout, Weights


@dataclass(frozen=True)
class Reversal:
    """The ranking once one bid not ranked first is taken out of the tender."""

    removed: str
    before: tuple[Standing, ...]  # the others as ranked with it
    after: tuple[Standing, ...]  # the others as ranked without it

    @property
    def changed(self) -> bool:
        return _order(self.before) != _order(self.after)

    @property
    def winner_changed(self) -> bool:
        return leaders_of(self.before) != leaders_of(self.after)


@dataclass(frozen=True)
class MethodRanking:
    kind: str  # price | quality
    method: str
    current: bool
    standings: tuple[Standing, ...]


@dataclass(frozen=True)
class WhatIf:
    evaluation: Evaluation
    weights: Weights
    standings: tuple[Standing, ...]
    leaders: tuple[str, ...]
    breakevens: tuple[Breakeven, ...]
    unmovable: tuple[str, ...]  # weights with nothing beside them to rescale, or nothing to put weight on
    reversals: tuple[Reversal, ...]
    methods: tuple[MethodRanking, ...]
    policy_status: str
    floor: Decimal
    target: Decimal | None


def analyse(pack: Pack) -> WhatIf:
    """Score `pack` once (PolicyRefused as `score` raises it) and work out its what-if."""
    evaluation = evaluate(pack)
    tender = pack.tender
    layout = Layout.of(tender)
    basis = Basis.of(tender, evaluation.result)
    scorer = Scorer(basis)
    weights = dict(layout.original)
    standings = tuple(scorer.standings(weights))
    breakevens: list[Breakeven] = []
    unmovable: list[str] = []
    if basis.bids:
        sensitivity = Sensitivity(scorer, layout)

        def policy(at: Weights) -> str:
            top = TenderWeights(price=at["price"], quality=at["quality"], social_value=at["social_value"])
            return policy_status(pack, tender.model_copy(update={"weights": top}))

        for key in layout.dimensions():
            if not layout.movable(key):
                unmovable.append(key)
                continue
            for direction in (1, -1):
                breakevens.append(sensitivity.breakeven(key, direction, policy))
    policy_result = evaluation.result.policy
    return WhatIf(
        evaluation,
        weights,
        standings,
        leaders_of(standings),
        tuple(breakevens),
        tuple(unmovable),
        reversals(basis, weights, standings),
        methods(basis, weights),
        policy_result.status,
        policy_result.floor,
        policy_result.target,
    )


def reversals(basis: Basis, weights: Weights, standings: tuple[Standing, ...]) -> tuple[Reversal, ...]:
    """For each eligible bid not ranked first: the others' order with it and without it."""
    out = []
    for removed in standings:
        if removed.rank == 1:
            continue
        before = tuple(s for s in standings if s.bid_id != removed.bid_id)
        after = tuple(Scorer(basis.without(removed.bid_id)).standings(weights))
        out.append(Reversal(removed.bid_id, before, after))
    return tuple(out)


def methods(basis: Basis, weights: Weights) -> tuple[MethodRanking, ...]:
    out = [
        MethodRanking(
            "price", m, m == basis.price_method, tuple(Scorer(basis.using(price_method=m)).standings(weights))
        )
        for m in PRICE_METHODS
    ]
    out += [
        MethodRanking(
            "quality",
            m,
            m == basis.quality_method,
            tuple(Scorer(basis.using(quality_method=m)).standings(weights)),
        )
        for m in QUALITY_METHODS
    ]
    return tuple(out)


def _order(standings: tuple[Standing, ...]) -> list[tuple[str, ...]]:
    """Bids in rank order, tied bids together: two orders are the same when every bid keeps its place."""
    groups: dict[int, list[str]] = {}
    for s in standings:
        groups.setdefault(s.rank, []).append(s.bid_id)
    return [tuple(sorted(groups[r])) for r in sorted(groups)]
