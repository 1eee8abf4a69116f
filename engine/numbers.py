"""How numbers cross into durable-rules.

The C core compares numbers as doubles (or 64-bit integers) and rejects exponent-form floats (error 204), so
every number is converted here, once, and refused with a clear message where it cannot cross exactly: a value
the double would round (14.99999999999999999 becomes 15) could change which rules fire.
Arithmetic on money never happens in the engine: effects compute with the caller's original Decimals.
"""

from __future__ import annotations

from decimal import Decimal

# A double holds every integer below 2**53 exactly, so integers and fractions compare exactly below it.
EXACT_INTEGER_LIMIT = 2**53
# Any decimal of at most 15 significant digits survives the round trip through a double, and distinct such
# decimals stay distinct and in order: comparisons made by the engine are the comparisons of the decimals.
SIGNIFICANT_DIGITS = 15


def significant_digits(dec: Decimal) -> int:
    """Digits of the coefficient, trailing zeros aside (14.50 has 3)."""
    digits = dec.as_tuple().digits
    count = len(digits)
    while count > 1 and digits[count - 1] == 0:
        count -= 1
    return count


def _too_large(value: Decimal | int) -> ValueError:
    return ValueError(f"{value} is too large for the rules engine to compare exactly (at most 15 digits)")


def to_engine_number(value: Decimal | int) -> int | float:
    """A number as durable-rules should see it, or ValueError saying why it cannot be matched on exactly."""
    # Every fact's numbers pass through here (about 3 per fact): the common cases return early.
    if type(value) is int:
        if -EXACT_INTEGER_LIMIT < value < EXACT_INTEGER_LIMIT:
            return value
        raise _too_large(value)
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    dec = value if type(value) is Decimal else Decimal(value)
    if not dec.is_finite():
        raise ValueError(f"{value} is not a finite number")
    # Checked before int(): converting 1E+999999999 to an int would take the process's memory and time.
    if dec and dec.adjusted() >= 16:
        raise _too_large(value)
    if dec == dec.to_integral_value():
        as_int = int(dec)
        if abs(as_int) >= EXACT_INTEGER_LIMIT:
            raise _too_large(value)
        return as_int
    if significant_digits(dec) > SIGNIFICANT_DIGITS:
        raise ValueError(
            f"{value} has more than {SIGNIFICANT_DIGITS} significant digits, which the rules engine would round"
        )
    as_float = float(dec)
    if "e" in repr(as_float):
        raise ValueError(f"{value} would reach the engine in exponent form, which durable-rules rejects")
    return as_float
