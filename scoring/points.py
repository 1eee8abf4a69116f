"""Where a score is computed: the points arithmetic of scoring.md, line by line, each line rounded half up.

Each formula is written once, unrounded (`*_exact`, wholly inside the scoring Decimal context), so `explain`
can show the working that the rounded line (`*_points`) comes from.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

from .numbers import CONTEXT, HUNDRED, ZERO, div, mul, round2


def price_exact(method: str, weight: Decimal, price: Decimal, lowest: Decimal) -> Decimal:
    """`lowest_relative`: w × Pmin / P.  `linear_from_lowest`: w × max(0, 1 − (P − Pmin) / Pmin)."""
    with localcontext(CONTEXT):
        if method == "lowest_relative":
            return weight * lowest / price
        if method == "linear_from_lowest":
            return weight * max(ZERO, 1 - (price - lowest) / lowest)
    raise ValueError(f"unknown price method {method!r}")


def price_points(method: str, weight: Decimal, price: Decimal, lowest: Decimal) -> Decimal:
    return round2(price_exact(method, weight, price, lowest))


def question_exact(weight: Decimal, score: Decimal, scale_max: Decimal) -> Decimal:
    """w_q × score / scale_max."""
    with localcontext(CONTEXT):
        return weight * score / scale_max


def question_points(weight: Decimal, score: Decimal, scale_max: Decimal) -> Decimal:
    return round2(question_exact(weight, score, scale_max))


def theme_exact(weight: Decimal, value: Decimal, best: Decimal) -> Decimal:
    """w_t × V / best V over eligible bids; a theme nobody offers anything in gives everyone 0."""
    if best <= ZERO:
        return ZERO
    with localcontext(CONTEXT):
        return weight * value / best


def theme_points(weight: Decimal, value: Decimal, best: Decimal) -> Decimal:
    return round2(theme_exact(weight, value, best))


def percent_of(part: Decimal, whole: Decimal) -> Decimal:
    return round2(div(mul(part, HUNDRED), whole))


def total_of(lines: list[Decimal]) -> Decimal:
    """A component or total: the sum of already-rounded lines, so every report adds up."""
    return sum(lines, ZERO)
