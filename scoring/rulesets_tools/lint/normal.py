"""What a readable condition means, read without the engine: its normal form, and the literals it names.

Two rules whose conditions have the same normal form fire on the same facts (lint's identical-conditions check);
the literals a condition compares a field with are how lint finds a rule naming an unknown theme.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any


def _literal(value: Any) -> tuple[str, Any]:
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, Decimal)):
        return ("number", Decimal(value).normalize())
    if isinstance(value, str):
        return ("string", value)
    raise TypeError(value)


def _operand(operand: Any, params: Mapping[str, Any]) -> tuple[str, Any]:
    if isinstance(operand, Mapping):
        if set(operand) == {"param"}:
            return _literal(params[operand["param"]])
        return ("field", operand["field"])
    return _literal(operand)


def normal(cond: Mapping[str, Any], params: Mapping[str, Any]) -> frozenset[Any]:
    """A condition's meaning as a set of tests: key order, `all` nesting, `in: [x]` and `{eq: x}` do not count.

    A malformed condition raises TypeError, KeyError, AttributeError or InvalidOperation (the compiler reports it).
    """
    tests: set[Any] = set()
    for key, value in cond.items():
        if key == "all":
            for item in value:
                tests |= normal(item, params)
        elif key == "any":
            branches = frozenset(normal(item, params) for item in value)
            if len(branches) == 1:
                tests |= next(iter(branches))
            else:
                tests.add(("any", branches))
        else:
            ops = value if isinstance(value, Mapping) else {"eq": value}
            for op, operand in ops.items():
                if op == "in" and len(operand) == 1:
                    tests.add((key, "eq", _literal(operand[0])))
                elif op in ("in", "not_in"):
                    literals = frozenset(_literal(v) for v in operand)
                    if op == "in":
                        tests.add((key, "in", literals))
                    else:
                        tests |= {(key, "ne", lit) for lit in literals}
                elif op == "exists":
                    tests.add((key, "exists", bool(operand)))
                else:
                    tests.add((key, op, _operand(operand, params)))
    return frozenset(tests)


def literals_of(cond: Any, path: str) -> set[str]:
    """String literals a condition compares `path` with (eq, ne, in, not_in)."""
    found: set[str] = set()
    if not isinstance(cond, Mapping):
        return found
    for key, value in cond.items():
        if key in ("all", "any") and isinstance(value, list):
            for item in value:
                found |= literals_of(item, path)
        elif key == path:
            ops = value if isinstance(value, Mapping) else {"eq": value}
            for op, operand in ops.items():
                items = operand if op in ("in", "not_in") and isinstance(operand, list) else [operand]
                if op in ("eq", "in", "ne", "not_in"):
                    found |= {v for v in items if isinstance(v, str)}
    return found
