"""Where a score is computed: the points arithmetic of scoring.md, line by line, each line rounded half up.

Each formula is written once, unrounded (`*_exact`, every operation rounded only by the scoring Decimal
context), so `explain` can show the working that the rounded line (`*_points`) comes from, and `whatif` can
re-weight with the very functions `score` used. docs/methods.md gives each method's formula and sources.
"""

from __future__ import annotations

from decimal import Decimal

from .numbers import CONTEXT, HUNDRED, ZERO, div, mul, round2

PRICE_METHODS = ("lowest_relative", "linear_from_lowest", "range")
QUALITY_METHODS = ("scale", "relative_to_best")

# The context is passed to each operation (numbers.py): the same arithmetic as inside localcontext(CONTEXT),
# at a fraction of the cost, which what-if's re-weightings pay thousands of times.
_mul = CONTEXT.multiply
_div = CONTEXT.divide
_sub = CONTEXT.subtract


def price_exact(
    method: str, weight: Decimal, price: Decimal, lowest: Decimal, highest: Decimal | None = None
) -> Decimal:
    """`lowest_relative`: w × Pmin / P.  `linear_from_lowest`: w × max(0, 1 − (P − Pmin) / Pmin).
    `range`: w × (Pmax − P) / (Pmax − Pmin), and w for every bid when all eligible prices are equal."""
    if method == "lowest_relative":
        return _div(_mul(weight, lowest), price)
    if method == "linear_from_lowest":
        return _mul(weight, max(ZERO, _sub(1, _div(_sub(price, lowest), lowest))))
    if method == "range":
        if highest is None:
            raise ValueError("the range method needs the highest eligible price")
        if highest == lowest:
            return weight
        return _div(_mul(weight, _sub(highest, price)), _sub(highest, lowest))
    raise ValueError(f"unknown price method {method!r}")


def price_points(
    method: str, weight: Decimal, price: Decimal, lowest: Decimal, highest: Decimal | None = None
) -> Decimal:
    return round2(price_exact(method, weight, price, lowest, highest))


def question_exact(weight: Decimal, score: Decimal, scale_max: Decimal) -> Decimal:
    """w_q × score / out_of, where out_of is the question's scale maximum (`scale`) or the best eligible score
    (`relative_to_best`, see `question_base`); a question whose best score is 0 gives everyone 0."""
    if scale_max <= ZERO:
        return ZERO
    return _div(_mul(weight, score), scale_max)


def question_points(weight: Decimal, score: Decimal, scale_max: Decimal) -> Decimal:
    return round2(question_exact(weight, score, scale_max))


def question_base(method: str, scale_max: Decimal, best: Decimal) -> Decimal:
    """What a question's score is divided by: its scale maximum, or the best score among eligible bids."""
    if method == "scale":
        return scale_max
    if method == "relative_to_best":
        return best
    raise ValueError(f"unknown quality method {method!r}")


def theme_exact(weight: Decimal, value: Decimal, best: Decimal) -> Decimal:
    """w_t × V / best V over eligible bids; a theme nobody offers anything in gives everyone 0."""
    if best <= ZERO:
        return ZERO
    return _div(_mul(weight, value), best)


def theme_points(weight: Decimal, value: Decimal, best: Decimal) -> Decimal:
    return round2(theme_exact(weight, value, best))


def percent_of(part: Decimal, whole: Decimal) -> Decimal:
    return round2(div(mul(part, HUNDRED), whole))


def total_of(lines: list[Decimal]) -> Decimal:
    """A component or total: the sum of already-rounded lines, so every report adds up."""
    return sum(lines, ZERO)
