"""Canonical JSON: one byte sequence for one value, in any process, on any day.

Sorted keys, UTF-8, no insignificant whitespace; Decimals are written as their exact strings and floats are
refused, so no reader ever loses a penny to binary rounding.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from decimal import Decimal
from typing import Any


def plain(value: Any) -> Any:
    """A JSON-ready copy of `value`: Decimals become strings, tuples lists, dataclasses dicts."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        raise TypeError(f"float {value!r} in canonical data: use Decimal")
    if is_dataclass(value) and not isinstance(value, type):
        return plain(asdict(value))
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def canonical_json(value: Any) -> bytes:
    return json.dumps(plain(value), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
