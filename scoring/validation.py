"""Turning pydantic's validation errors into problems a procurement officer can act on.

Every message reads "expected …, found …" (formats.md), whatever pydantic's own wording for the check.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from scoring.errors import Problem

_NO_INPUT = object()


def _found(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)  # the user wrote -5.00, not Decimal('-5.00')
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    return repr(value)


def _expected(error: ErrorDetails) -> str | None:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    simple = {
        "string_type": "text",
        "int_type": "a whole number",
        "int_parsing": "a whole number",
        "int_from_float": "a whole number",
        "bool_type": "true or false",
        "bool_parsing": "true or false",
        "dict_type": "a mapping of fields",
        "list_type": "a list",
        "decimal_type": "a number",
        "decimal_parsing": "a number",
    }
    if kind in simple:
        return simple[kind]
    bounds = {
        "greater_than": "a number greater than {gt}",
        "greater_than_equal": "a number of {ge} or more",
        "less_than": "a number less than {lt}",
        "less_than_equal": "a number of {le} or less",
    }
    if kind in bounds:
        return bounds[kind].format(**{k: _found(v) for k, v in ctx.items()})
    if kind == "literal_error":
        return f"one of {ctx.get('expected', '')}"
    if kind == "too_short":
        return "a non-empty value"
    return None


def pydantic_problems(exc: ValidationError, name: str, prefix: str = "") -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = ".".join(_loc(part) for part in error["loc"]).replace(".[", "[")
        field = f"{prefix}{loc}" if loc else prefix.rstrip(".")
        kind = error["type"]
        found = error.get("input", _NO_INPUT)
        expected = _expected(error)
        if kind == "missing":
            message = "required, but missing"
        elif kind == "extra_forbidden":
            message = "unknown field (check the spelling against formats.md)"
        elif expected is not None:
            message = f"expected {expected}, found {_found(found)}"
        else:
            # Our own validators already phrase "expected …, found …"; other checks keep pydantic's words.
            message = error["msg"].removeprefix("Value error, ")
            if found is not _NO_INPUT and not isinstance(found, (dict, list)) and "found" not in message:
                message = f"{message}; found {_found(found)}"
        problems.append(Problem(name, field, message))
    return problems


def _loc(part: int | str) -> str:
    return f"[{part}]" if isinstance(part, int) else str(part)
