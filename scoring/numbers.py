"""Exact numbers: the rounding rule and the formats of scoring.md, in one place."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

# scoring.md: at least 28 significant digits; ROUND_HALF_UP at the documented places only.
CONTEXT = Context(prec=34, rounding=ROUND_HALF_UP)
PENNY = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)


# The context is passed to each operation rather than entered with localcontext: the same arithmetic (an
# operation rounds by the context it is given), at a third of the cost on the ~13,000 figures a 40-pack batch
# rounds. Only the context's sticky flags differ, and nothing reads them.


# A number as people write it, in ASCII digits only: Python's Decimal also reads Arabic-Indic and fullwidth
# digits, which no form or spreadsheet a buyer publishes asks for, and a mixed-script figure cannot be checked by
# eye. The exponent is at most 4 digits long so that its size is known before Decimal reads it.
_NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?(?P<exponent>[0-9]+))?", re.ASCII)
# The largest power of ten and the finest place a figure may reach (any figure tenderscore reads, money, weights,
# scores, quantities, facts). Beyond them a 13-byte cell such as 4e-999999999 prints as a billion zeros, and
# arithmetic on it overflows the context: such a value is refused where it is read, with its file and field.
MAX_PLACES = 30


class NotNumberText(ValueError):
    """Text that is not a number at all (as opposed to a number out of some range)."""


def bounded(dec: Decimal) -> Decimal:
    """`dec`, or ValueError when it is not finite or reaches beyond MAX_PLACES in either direction."""
    if not dec.is_finite():
        raise ValueError(f"expected a finite number, found {dec}")
    # The leading digit's place bounds the printed length of any number written without many digits of its own
    # (a zero's is its exponent: 0E-999999999 is refused too); one written out digit by digit is as long as its text.
    if not -MAX_PLACES <= dec.adjusted() < MAX_PLACES:
        raise ValueError(_too_many_places(str(dec)))
    return dec


def _too_many_places(text: str) -> str:
    return f"expected a number of at most {MAX_PLACES} digits either side of the point, found {shown(text)}"


def read_decimal(text: str) -> Decimal:
    """A number written as text (digits 0-9, an optional sign, point and exponent), exactly; ValueError if not."""
    stripped = text.strip()
    match = _NUMBER_TEXT.fullmatch(stripped)
    if match is None:
        ascii_only = " in the digits 0-9" if any(ch.isdigit() and not ch.isascii() for ch in stripped) else ""
        raise NotNumberText(f"expected a number{ascii_only}, found {shown(text)}")
    if len(match["exponent"] or "") > 4:
        raise ValueError(_too_many_places(stripped))
    try:
        return bounded(Decimal(stripped))
    except InvalidOperation:  # not reachable through the pattern; kept so no text can escape as a crash
        raise ValueError(f"expected a number, found {shown(text)}") from None


def shown(text: str) -> str:
    """`text` as an error message quotes it."""
    # A value thousands of characters long is named by its start, not echoed whole.
    return repr(text) if len(text) <= 40 else f"{text[:20]!r}... ({len(text)} characters)"


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
