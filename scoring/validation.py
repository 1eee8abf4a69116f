"""Turning pydantic's validation errors into problems a procurement officer can act on."""

from __future__ import annotations

from decimal import Decimal

from pydantic import ValidationError

from scoring.errors import Problem


def pydantic_problems(exc: ValidationError, name: str, prefix: str = "") -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = ".".join(_loc(part) for part in error["loc"]).replace(".[", "[")
        field = f"{prefix}{loc}" if loc else prefix.rstrip(".")
        kind = error["type"]
        if kind == "missing":
            message = "required, but missing"
        elif kind == "extra_forbidden":
            message = "unknown field (check the spelling against formats.md)"
        else:
            message = error["msg"]
            if message.startswith("Value error, "):
                message = message[len("Value error, ") :]
            found = error.get("input")
            if isinstance(found, Decimal):
                # Numbers are read as Decimals; the user wrote -5.00, not Decimal('-5.00').
                message = f"{message}; found {found}"
            elif not isinstance(found, (dict, list)):
                message = f"{message}; found {found!r}"
        problems.append(Problem(name, field, message))
    return problems


def _loc(part: int | str) -> str:
    return f"[{part}]" if isinstance(part, int) else str(part)
