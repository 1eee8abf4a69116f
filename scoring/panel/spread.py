"""Moderation statistics: how far a panel's independent scores agree, item by item, in exact arithmetic."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from ..numbers import HUNDRED, ZERO, div
from .reading import IndividualScore, PanelReading
from .scale import Scale

GREEN = "green"
AMBER = "amber"
RED = "red"


def rag_status(spread_percent: Decimal, amber_from: Decimal, red_over: Decimal) -> str:
    """Green under `amber_from`% of the scale, red over `red_over`%, amber between (both ends included)."""
    if spread_percent > red_over:
        return RED
    if spread_percent >= amber_from:
        return AMBER
    return GREEN


@dataclass(frozen=True)
class ItemStatistics:
    bid: str
    question: str
    scores: tuple[IndividualScore, ...]  # the scores that count
    set_aside: tuple[IndividualScore, ...]
    conflicted: tuple[str, ...]  # evaluators assigned the item who declared a conflict with its bidder
    mean: Decimal
    median: Decimal
    low: Decimal
    high: Decimal
    spread: Decimal
    spread_percent: Decimal  # of the scale's maximum, exact (shown rounded)
    rag: str
    proposed: Decimal  # the median, rounded half up to the scale's step


@dataclass(frozen=True)
class Moderation:
    scale: Scale
    amber_from: Decimal
    red_over: Decimal
    reading: PanelReading
    items: tuple[ItemStatistics, ...]

    @cached_property
    def _by_key(self) -> dict[tuple[str, str], ItemStatistics]:
        return {(s.bid, s.question): s for s in self.items}

    def item(self, bid: str, question: str) -> ItemStatistics:
        return self._by_key[(bid, question)]

    def red(self) -> list[ItemStatistics]:
        return [s for s in self.items if s.rag == RED]


def median(values: list[Decimal]) -> Decimal:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return div(ordered[middle - 1] + ordered[middle], Decimal(2))


def item_statistics(
    bid: str,
    question: str,
    individual: tuple[IndividualScore, ...],
    scale: Scale,
    amber_from: Decimal,
    red_over: Decimal,
    conflicted: tuple[str, ...] = (),
) -> ItemStatistics:
    counted = tuple(s for s in individual if not s.set_aside)
    values = [s.score for s in counted]
    low, high = min(values), max(values)
    spread = high - low
    percent = div(spread * HUNDRED, scale.maximum)
    middle = median(values)
    return ItemStatistics(
        bid=bid,
        question=question,
        scores=counted,
        set_aside=tuple(s for s in individual if s.set_aside),
        conflicted=conflicted,
        mean=div(sum(values, ZERO), Decimal(len(values))),
        median=middle,
        low=low,
        high=high,
        spread=spread,
        spread_percent=percent,
        rag=rag_status(percent, amber_from, red_over),
        proposed=scale.round_to_step(middle),
    )


def moderate(reading: PanelReading, scale: Scale, amber_from: Decimal, red_over: Decimal) -> Moderation:
    """Statistics for every item of a complete panel (read_panel reported no problems)."""
    if reading.problems:
        raise ValueError("moderation needs complete sheets; report reading.problems first")
    items = tuple(
        item_statistics(
            bid, question, found, scale, amber_from, red_over, conflicted_evaluators(reading, bid, question)
        )
        for (bid, question), found in reading.scores.items()
    )
    return Moderation(scale, amber_from, red_over, reading, items)


def conflicted_evaluators(reading: PanelReading, bid: str, question: str) -> tuple[str, ...]:
    """The evaluators assigned an item who declared a conflict of interest with its bid, in the panel's order."""
    return tuple(
        sheet.evaluator.id
        for sheet in reading.sheets
        if sheet.declaration is not None
        and bid in sheet.declaration.conflicts
        and (sheet.evaluator.questions is None or question in sheet.evaluator.questions)
    )
