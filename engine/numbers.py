"""How numbers cross into durable-rules.

The C core parses JSON numbers into doubles (or 64-bit integers) and rejects exponent-form floats (error 204),
so every number is converted here, once, and refused with a clear message where it cannot cross safely.
Arithmetic on money never happens in the engine: effects compute with the caller's original Decimals.
"""

from __future__ import annotations

from decimal import Decimal

_INT_LIMIT = 2**63


def to_engine_number(value: Decimal | int) -> int | float:
    """A number as durable-rules should see it, or ValueError saying why it cannot be matched on."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    dec = Decimal(value)
    if not dec.is_finite():
        raise ValueError(f"{value} is not a finite number")
    if dec == dec.to_integral_value():
        as_int = int(dec)
        if abs(as_int) >= _INT_LIMIT:
            raise ValueError(f"{value} is outside the engine's 64-bit integer range")
        return as_int
    as_float = float(dec)
    if "e" in repr(as_float):
        raise ValueError(f"{value} would reach the engine in exponent form, which durable-rules rejects")
    return as_float
