"""The readable condition language of rulesets, compiled to durable-rules condition JSON.

A condition is a mapping; every entry must hold (an implicit `all`):

    kind: commitment                      # equality with a literal
    quantity: {gt: 0, lte: 1000}          # operators, all of which must hold
    contract_value_gbp: {gt: {param: applies_over_gbp}}   # a ruleset parameter
    score: {lt: {field: min_score}}       # another field of the same fact
    any: [{unit: gbp}, {unit: hours}]     # at least one sub-condition
    all: [...]                            # every sub-condition

The top level must pin `kind` to a string: durable-rules matches a bare negative condition against the
session's own state object and loops forever (field notes), so every rule names the kind of fact it is about.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .numbers import to_engine_number

OPERATORS: dict[str, str] = {
    "eq": "equal to",
    "ne": "not equal to",
    "lt": "less than",
    "lte": "less than or equal to",
    "gt": "greater than",
    "gte": "greater than or equal to",
    "in": "one of a list of literals",
    "not_in": "none of a list of literals",
    "exists": "present (true) or absent (false)",
}
COMBINATORS = ("all", "any")
_DURABLE_OP = {"ne": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}
_FIELD_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
DISCRIMINATOR = "kind"


@dataclass
class CompiledCondition:
    """A condition in durable-rules JSON, with what it needs of the facts it is asserted against."""

    durable: dict[str, Any]
    kind: str
    # field path -> "number" | "string" | "bool": facts whose field has another type are refused, because
    # durable-rules coerces mismatched types unpredictably instead of failing.
    field_types: dict[str, str] = field(default_factory=dict)
    # The top-level fields the condition reads (compares, tests for, or refers to): all durable-rules needs.
    fields: frozenset[str] = frozenset()


class _Compiler:
    def __init__(self, params: Mapping[str, Any], where: str) -> None:
        self.params = params
        self.where = where
        self.problems: list[str] = []
        self.field_types: dict[str, str] = {}
        self.fields: set[str] = set()

    def fail(self, message: str) -> dict[str, Any]:
        self.problems.append(f"{self.where}: {message}")
        return {}

    def mapping(self, cond: Any) -> list[dict[str, Any]]:
        if not isinstance(cond, Mapping) or not cond:
            self.fail(f"a condition must be a non-empty mapping, found {cond!r}")
            return []
        terms: list[dict[str, Any]] = []
        for key, value in cond.items():
            if key in COMBINATORS:
                terms.append(self.combinator(key, value))
            elif not isinstance(key, str) or not _FIELD_PATH.match(key):
                self.fail(f"{key!r} is neither a field name (letters, digits, _ and dots) nor all/any")
            elif isinstance(value, Mapping):
                if not value:
                    self.fail(f"field {key}: an empty operator mapping")
                for op, operand in value.items():
                    terms.append(self.comparison(key, op, operand))
            else:
                terms.append(self.comparison(key, "eq", value))
        return terms

    def combinator(self, name: str, value: Any) -> dict[str, Any]:
        if not isinstance(value, list) or not value:
            return self.fail(f"{name} takes a non-empty list of conditions, found {value!r}")
        branches = [_and(self.mapping(item)) for item in value]
        if name == "all":
            return _and(branches)
        return {"$or": branches}

    def comparison(self, path: str, op: Any, operand: Any) -> dict[str, Any]:
        self.fields.add(path.split(".", 1)[0])
        if op not in OPERATORS:
            known = ", ".join(OPERATORS)
            return self.fail(f"field {path}: unsupported operator {op!r} (supported: {known})")
        if op == "exists":
            if not isinstance(operand, bool):
                return self.fail(f"field {path}: exists takes true or false, found {operand!r}")
            return {"$ex" if operand else "$nex": {path: 1}}
        if op in ("in", "not_in"):
            if not isinstance(operand, list) or not operand:
                return self.fail(f"field {path}: {op} takes a non-empty list of literals, found {operand!r}")
            # A long `in` is an `$or` as wide as its list: engine.limits refuses one wider than durable-rules
            # can register. A `not_in` is a chain of tests, as long as its list (2,000 measured fine).
            values = [self.literal(path, item) for item in operand]
            if op == "in":
                return {"$or": [{path: v} for v in values]} if len(values) > 1 else {path: values[0]}
            return _and([{"$neq": {path: v}} for v in values])
        if isinstance(operand, Mapping) and set(operand) == {"field"}:
            other = operand["field"]
            if not isinstance(other, str) or not _FIELD_PATH.match(other):
                return self.fail(f"field {path}: {{field: ...}} must name a field, found {other!r}")
            self.fields.add(other.split(".", 1)[0])
            # Guard the reference: durable-rules matches a comparison with an absent field as true.
            ref = {"$m": other}
            compare = {path: ref} if op == "eq" else {_DURABLE_OP[op]: {path: ref}}
            return {"$and": [{"$ex": {path: 1}}, {"$ex": {other: 1}}, compare]}
        value = self.operand(path, operand)
        if op == "eq":
            return {path: value}
        return {_DURABLE_OP[op]: {path: value}}

    def operand(self, path: str, operand: Any) -> Any:
        if isinstance(operand, Mapping):
            if set(operand) != {"param"}:
                return self.fail(f"field {path}: an operand is a literal, {{param: NAME}} or {{field: NAME}}")
            name = operand["param"]
            if name not in self.params:
                return self.fail(f"field {path}: unknown parameter {name!r}")
            return self.literal(path, self.params[name])
        return self.literal(path, operand)

    def literal(self, path: str, value: Any) -> Any:
        converted: bool | str | int | float
        if isinstance(value, bool):
            kind, converted = "bool", value
        elif isinstance(value, str):
            kind, converted = "string", value
        elif isinstance(value, (int, Decimal, float)):
            try:
                converted = to_engine_number(Decimal(str(value)))
            except ValueError as exc:
                return self.fail(f"field {path}: {exc}")
            kind = "number"
        else:
            return self.fail(f"field {path}: a literal must be a string, number or boolean, found {value!r}")
        seen = self.field_types.setdefault(path, kind)
        if seen != kind:
            self.fail(f"field {path}: compared with both a {seen} and a {kind}")
        return converted


def _and(terms: list[dict[str, Any]]) -> dict[str, Any]:
    return terms[0] if len(terms) == 1 else {"$and": terms}


def compile_condition(cond: Any, params: Mapping[str, Any], where: str) -> tuple[CompiledCondition, list[str]]:
    """Compile one rule's `when`; returns the condition and the problems found (empty when it is sound)."""
    compiler = _Compiler(params, where)
    kind = cond.get(DISCRIMINATOR) if isinstance(cond, Mapping) else None
    if not isinstance(kind, str):
        compiler.fail(f"the condition must pin `{DISCRIMINATOR}` to a string at its top level")
    terms = compiler.mapping(cond)
    compiled = CompiledCondition(
        durable=_and(terms) if terms else {},
        kind=kind if isinstance(kind, str) else "",
        field_types=compiler.field_types,
        fields=frozenset(compiler.fields),
    )
    return compiled, compiler.problems
