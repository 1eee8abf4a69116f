"""Turning pydantic's validation errors into problems a procurement officer can act on.

Every message reads "expected …, found …", whatever pydantic's own wording for the check, and an unknown field
(a typo) names the field the user most likely meant.
"""

from __future__ import annotations

import difflib
import types
import typing
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .errors import Problem

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


def _model_in(annotation: Any) -> tuple[type[BaseModel] | None, int]:
    """The model an annotation holds, and how many location parts (list indexes, dict keys) lead to it."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, 0
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            found, depth = _model_in(arg)
            if found is not None:
                return found, depth
    elif origin in (list, tuple, dict) and args:
        found, depth = _model_in(args[-1])
        return found, depth + 1
    return None, 0


def _fields_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The field names allowed where `loc` ends (its last part is the unknown field itself)."""
    current: type[BaseModel] | None = model
    skip = 0
    for part in loc[:-1]:
        if skip:
            skip -= 1
            continue
        if current is None or not isinstance(part, str) or part not in current.model_fields:
            return []
        current, skip = _model_in(current.model_fields[part].annotation)
    return list(current.model_fields) if current is not None and not skip else []


def _unknown_field(model: type[BaseModel] | None, loc: tuple[int | str, ...]) -> str:
    allowed = _fields_at(model, loc) if model is not None else []
    guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1) if loc else []
    if guess:
        return f"unknown field; did you mean {guess[0]}?"
    if allowed:
        return f"unknown field; expected one of {', '.join(allowed)}"
    return "unknown field (check its spelling)"


def pydantic_problems(
    exc: ValidationError, name: str, prefix: str = "", model: type[BaseModel] | None = None
) -> list[Problem]:
    """One problem per validation error; with the `model` validated, a typo names the field it resembles."""
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
            message = _unknown_field(model, tuple(error["loc"]))
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
