"""Where a score is computed: the points arithmetic of scoring.md, line by line, each line rounded half up."""

from __future__ import annotations

from decimal import Decimal

from scoring.numbers import HUNDRED, ZERO, div, mul, round2


def price_points(method: str, weight: Decimal, price: Decimal, lowest: Decimal) -> Decimal:
    """`lowest_relative`: w × Pmin / P.  `linear_from_lowest`: w × max(0, 1 − (P − Pmin) / Pmin)."""
    if method == "lowest_relative":
        return round2(div(mul(weight, lowest), price))
    if method == "linear_from_lowest":
        share = Decimal(1) - div(price - lowest, lowest)
        return round2(mul(weight, max(ZERO, share)))
    raise ValueError(f"unknown price method {method!r}")


def question_points(weight: Decimal, score: Decimal, scale_max: Decimal) -> Decimal:
    """w_q × score / scale_max."""
    return round2(div(mul(weight, score), scale_max))


def theme_points(weight: Decimal, value: Decimal, best: Decimal) -> Decimal:
    """w_t × V / best V over eligible bids; a theme nobody offers anything in gives everyone 0."""
    if best <= ZERO:
        return round2(ZERO)
    return round2(div(mul(weight, value), best))


def percent_of(part: Decimal, whole: Decimal) -> Decimal:
    return round2(div(mul(part, HUNDRED), whole))


def total_of(lines: list[Decimal]) -> Decimal:
    """A component or total: the sum of already-rounded lines, so every report adds up."""
    return sum(lines, ZERO)
