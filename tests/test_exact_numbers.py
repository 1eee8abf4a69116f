"""parse_exact's shortcut for short numbers accepts exactly what the engine's own check accepts.

parse_exact skips engine.numbers.to_engine_number for a number written in at most 15 characters whose leading
digit sits between the 10**-4 and 10**14 places; these tests hold it to the engine's answer on every shape of
number, near each edge of the shortcut and far past it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from tenderscore.engine.numbers import to_engine_number
from tenderscore.scoring.models import parse_exact
from tenderscore.scoring.numbers import bounded

NUMBERS = st.from_regex(r"\A[+-]?[0-9]{0,18}(\.[0-9]{0,18})?([eE][+-]?[0-9]{1,2})?\Z").filter(
    lambda text: any(ch.isdigit() for ch in text.split("e")[0].split("E")[0])
)


def _engine_accepts(dec: Decimal) -> bool:
    # Within the places any figure is read to (numbers.MAX_PLACES: 0E+30 is refused where it is read).
    try:
        to_engine_number(bounded(dec))
    except ValueError:
        return False
    return True


def _parse_accepts(value: str | Decimal) -> bool:
    try:
        parsed = parse_exact(value)
    except ValueError as exc:
        assert "the rules can compare exactly" in str(exc) or "digits either side of the point" in str(exc)
        return False
    assert parsed == Decimal(value) and str(parsed) == str(Decimal(value))
    return True


@given(NUMBERS)
@example("0.0001")  # 10**-4: the shortcut's lowest place, repr 0.0001
@example("0.00001")  # 10**-5: repr 1e-05, which durable-rules rejects
@example("123456789012345")  # 15 digits: the shortcut's longest
@example("1234567890123456")  # 16 digits, still below 2**53 (9007199254740992): the engine's check accepts
@example("12345678901234.5")  # 15 digits with a fraction: exact in a double
@example("1.23456789012345e14")  # 15 digits, leading digit at 10**14, integral: accepted by the engine
@example("9.9e15")  # integral but above 2**53
@example("-0.000")  # zero written with places
def test_the_shortcut_agrees_with_the_engine_on_text(text: str) -> None:
    assert _parse_accepts(text) == _engine_accepts(Decimal(text))


@given(NUMBERS)
@example("1E-5")
@example("1.00000000000000E+14")
def test_the_shortcut_agrees_with_the_engine_on_decimals(text: str) -> None:
    # Unquoted YAML numbers arrive as Decimals; their own text is what the shortcut measures.
    assert _parse_accepts(Decimal(text)) == _engine_accepts(Decimal(text))


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("0.1", True),  # leading digit at 10**-1, 3 characters
        ("0.00001", False),  # 1e-05 in a double's repr
        ("14.99999999999999999", False),  # 19 significant digits: the double would be 15.0
        ("1,150,000.50", True),  # commas between thousands, 10 characters once removed
        (9007199254740993, False),  # 2**53 + 1: an int takes the engine's check, which refuses it
    ],
)
def test_hand_picked_numbers(value: str | int, accepted: bool) -> None:
    try:
        parse_exact(value)
    except ValueError:
        assert not accepted
    else:
        assert accepted
