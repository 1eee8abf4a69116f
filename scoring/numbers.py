"""Exact numbers: the rounding rule and the formats of scoring.md, in one place."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

# scoring.md: at least 28 significant digits; ROUND_HALF_UP at the documented places only.
CONTEXT = Context(prec=34, rounding=ROUND_HALF_UP)
PENNY = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)


# The context is passed to each operation rather than entered with localcontext: the same arithmetic (an
# operation rounds by the context it is given), at a third of the cost on the ~13,000 figures a 40-pack batch
# rounds. Only the context's sticky flags differ, and nothing reads them.


def round2(value: Decimal) -> Decimal:
    """Round half up to two places (a penny, or a hundredth of a point)."""
    return value.quantize(PENNY, rounding=ROUND_HALF_UP, context=CONTEXT)


def div(numerator: Decimal, denominator: Decimal) -> Decimal:
    return CONTEXT.divide(numerator, denominator)


def mul(*factors: Decimal) -> Decimal:
    out = Decimal(1)
    for factor in factors:
        out = CONTEXT.multiply(out, factor)
    return out


def fmt2(value: Decimal) -> str:
    """Money and points as published: two decimals, no exponent."""
    # A Decimal with exponent -2 always prints plainly ("1200000.00", "-0.00"), exactly as :.2f formats it,
    # at less cost (a batch publishes thousands of figures).
    return str(round2(value))


def opt2(value: Decimal | None) -> str | None:
    """A figure that may be missing (an excluded bid's points): None, else as published."""
    return None if value is None else fmt2(value)


def fmt_money(value: Decimal) -> str:
    """Pounds for people to read: thousands separated, two decimals (1,260,000.00)."""
    return f"{round2(value):,.2f}"


def fmt_gbp(value: Decimal) -> str:
    """Pounds in text for people (explain, table, report): £1,260,000.00. Machine formats use fmt2."""
    return f"£{fmt_money(value)}"


def fmt_plain(value: Decimal) -> str:
    """A weight or score as the user wrote its value: 40, 2.5 (no trailing zeros, no exponent)."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def plural(count: int, noun: str) -> str:
    """`1 record`, `3 records`: counts in messages read as English."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def short(digest: str) -> str:
    """The start of a sha256, as people read it beside the whole one."""
    return digest[:16]
