"""Canonical JSON is json.dumps' bytes (sorted keys, no spaces, UTF-8), however it is produced.

Every ledger hash is over these bytes, so records written before orjson produced them must still verify:
orjson's output is held to json.dumps' on generated documents, and what orjson will not write goes to json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tenderscore.engine import canonical_json, plain
from tenderscore.engine.canonical import canonical_dumps


def by_json(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# Every code point but the surrogates (which no UTF-8 text holds), control characters included.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
SCALARS = TEXT | st.integers(-(2**63), 2**64 - 1) | st.booleans() | st.none()
DOCUMENTS = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(TEXT, inner, max_size=5))


@settings(max_examples=400, deadline=None)
@given(DOCUMENTS)
def test_the_bytes_are_json_dumps_bytes(data: Any) -> None:
    assert canonical_dumps(data) == by_json(data)


@pytest.mark.parametrize(
    "data",
    [
        {"big": 2**64, "small": -(2**63) - 1},  # beyond 64 bits: orjson refuses, json writes them
        {"deep": json.loads("[" * 300 + "]" * 300)},  # deeper than orjson's 255 levels
        {"b": 1, "a": {"d": "é", "c": "\u2028\x00\x1f\x7f"}},
    ],
)
def test_what_orjson_will_not_write_is_written_by_json(data: Any) -> None:
    assert canonical_dumps(data) == by_json(data)


def test_what_json_refuses_is_still_refused() -> None:
    # A Decimal only reaches canonical_dumps in a tampered record; verification reports the TypeError.
    with pytest.raises(TypeError):
        canonical_dumps({"amount": Decimal("1.50")})

    @dataclass
    class Point:
        x: int

    with pytest.raises(TypeError):
        canonical_dumps({"p": Point(1)})


def test_plain_writes_dataclasses_field_by_field_as_asdict_did() -> None:
    @dataclass(frozen=True)
    class Line:
        amount: Decimal
        tags: tuple[str, ...]

    @dataclass
    class Doc:
        lines: list[Line]
        by_code: dict[int, Line]
        note: str | None

    doc = Doc([Line(Decimal("1.50"), ("a", "b"))], {7: Line(Decimal("0.00"), ())}, None)
    assert plain(doc) == {
        "lines": [{"amount": "1.50", "tags": ["a", "b"]}],
        "by_code": {"7": {"amount": "0.00", "tags": []}},
        "note": None,
    }
    # Sorted keys, exact Decimal strings, no spaces.
    assert canonical_json(doc) == (
        b'{"by_code":{"7":{"amount":"0.00","tags":[]}},"lines":[{"amount":"1.50","tags":["a","b"]}],"note":null}'
    )
