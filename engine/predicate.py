"""The same condition language evaluated in plain Python.

`lookup` is how the engine reads a fact's (dotted) field everywhere: effects (engine.effects) and the type
checks of asserted facts (engine.session). `matches` is the benchmarks' plain-Python baseline and a third opinion
in tests/test_engine_conditions.py; no scoring path uses it. It follows durable-rules' observed semantics for
well-typed facts (an absent field satisfies no comparison, not even `ne`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

MISSING = object()


def lookup(fact: Mapping[str, Any], path: str) -> Any:
    value: Any = fact
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return MISSING
        value = value[part]
    # A null field is an absent field: the engine never sends nulls to durable-rules.
    return MISSING if value is None else value


def _resolve(operand: Any, fact: Mapping[str, Any], params: Mapping[str, Any]) -> Any:
    if isinstance(operand, Mapping):
        if "param" in operand:
            return _norm(params[operand["param"]])
        return _norm(lookup(fact, operand["field"]))
    return _norm(operand)


def _norm(value: Any) -> Any:
    if isinstance(value, bool) or value is MISSING:
        return value
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value))
    return value


def _compare(op: str, left: Any, right: Any) -> bool:
    if left is MISSING or right is MISSING:
        return False
    if op == "eq":
        return bool(left == right)
    if op == "ne":
        return bool(left != right)
    if op == "lt":
        return bool(left < right)
    if op == "lte":
        return bool(left <= right)
    if op == "gt":
        return bool(left > right)
    return bool(left >= right)


def matches(cond: Mapping[str, Any], fact: Mapping[str, Any], params: Mapping[str, Any]) -> bool:
    """True when `fact` satisfies the readable condition `cond`."""
    for key, value in cond.items():
        if key == "all":
            if not all(matches(item, fact, params) for item in value):
                return False
        elif key == "any":
            if not any(matches(item, fact, params) for item in value):
                return False
        else:
            ops = value if isinstance(value, Mapping) else {"eq": value}
            left = _norm(lookup(fact, key))
            for op, operand in ops.items():
                if op == "exists":
                    if (left is not MISSING) != operand:
                        return False
                elif op == "in":
                    if left is MISSING or left not in [_norm(v) for v in operand]:
                        return False
                elif op == "not_in":
                    if left is MISSING or left in [_norm(v) for v in operand]:
                        return False
                elif not _compare(op, left, _resolve(operand, fact, params)):
                    return False
    return True
