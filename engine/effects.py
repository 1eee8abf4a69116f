"""The closed vocabulary of rule effects, and the values each one computes when its rule fires.

The engine computes only what a firing itself determines (a commitment's value from its quantity and rate, a
message from its template); what the effects mean for a tender is the scoring layer's business.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from string import Template
from typing import Any

from .predicate import lookup

PENNY = Decimal("0.01")


class _DottedTemplate(Template):
    # Messages quote nested fields and parameters: ${facts.sme}, ${param.floor}.
    idpattern = r"[_a-zA-Z][_a-zA-Z0-9]*(?:\.[_a-zA-Z][_a-zA-Z0-9]*)*"


@dataclass(frozen=True)
class EffectSpec:
    description: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    templates: tuple[str, ...] = ()


EFFECTS: dict[str, EffectSpec] = {
    "value": EffectSpec("value a fact: field × rate, rounded half up to the penny", ("field", "rate")),
    "cap": EffectSpec("cap the value of a fact at a limit (a number or a field)", (), ("limit", "limit_field")),
    "flag": EffectSpec("raise a flag for a person to check", ("code", "message"), (), ("message",)),
    "exclude": EffectSpec("exclude the subject of the fact", ("code", "reason"), (), ("reason",)),
    "status": EffectSpec("decide a status", ("value",), ("message",), ("message",)),
    "notice": EffectSpec("attach a notice", ("code", "message"), (), ("message",)),
    "refuse": EffectSpec("refuse to go on", ("code", "message"), (), ("message",)),
}
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def check_effect(then: Any, params: Mapping[str, Any], where: str) -> list[str]:
    """Problems with a rule's `then` (empty when it is one well-formed effect of the vocabulary)."""
    if not isinstance(then, Mapping) or len(then) != 1:
        return [f"{where}: `then` must be exactly one effect ({', '.join(EFFECTS)}), found {then!r}"]
    ((name, args),) = then.items()
    spec = EFFECTS.get(name)
    if spec is None:
        return [f"{where}: unsupported effect {name!r} (supported: {', '.join(EFFECTS)})"]
    if not isinstance(args, Mapping):
        return [f"{where}: effect {name} takes a mapping of arguments, found {args!r}"]
    problems = []
    missing = [key for key in spec.required if key not in args]
    unknown = [key for key in args if key not in spec.required + spec.optional]
    if missing:
        problems.append(f"{where}: effect {name} needs {', '.join(missing)}")
    if unknown:
        problems.append(f"{where}: effect {name} does not take {', '.join(map(str, unknown))}")
    for key in ("code", "value"):
        if key in args and not (isinstance(args[key], str) and _CODE.match(args[key])):
            problems.append(f"{where}: effect {name}: {key} must be a snake_case word, found {args[key]!r}")
    if name == "value":
        problems += _check_number(args.get("rate"), f"{where}: effect value: rate")
    if name == "cap":
        if ("limit" in args) == ("limit_field" in args):
            problems.append(f"{where}: effect cap takes exactly one of limit or limit_field")
        elif "limit" in args:
            problems += _check_number(args["limit"], f"{where}: effect cap: limit")
    for key in spec.templates:
        if key in args:
            try:
                _DottedTemplate(str(args[key])).get_identifiers()
            except ValueError as exc:
                problems.append(f"{where}: effect {name}: {key} is not a valid template ({exc})")
    return problems


def _check_number(value: Any, where: str) -> list[str]:
    if isinstance(value, bool):
        return [f"{where} must be a number, found {value!r}"]
    try:
        if not Decimal(str(value)).is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        return [f"{where} must be a number, found {value!r}"]
    return []


# A placeholder right after a pound sign is money, written as people read it: `£${param.portal_over_gbp}` is
# £50,000.00, never £50000 (thousands separated, pence always shown, rounded half up like every figure).
_MONEY_PLACEHOLDER = re.compile(r"£\$\{(" + _DottedTemplate.idpattern + r")\}")
_MONEY = "__gbp__."


def money_text(value: Any) -> str:
    """A number as pounds for people (without the £): 1,200,000.00; anything else as it is."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        return str(value)
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return str(value)
    if not amount.is_finite():
        return str(value)
    return f"{amount.quantize(PENNY, rounding=ROUND_HALF_UP):,.2f}"


def _render(template: str, fact: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    def value_of(name: str) -> str:
        if name.startswith(_MONEY):
            return money_text(raw_of(name[len(_MONEY) :]))
        return str(raw_of(name))

    def raw_of(name: str) -> Any:
        if name.startswith("param."):
            key = name[len("param.") :]
            if key not in params:
                raise KeyError(f"template names unknown parameter {key!r}")
            return params[key]
        found = lookup(fact, name)
        if not isinstance(found, (str, int, Decimal, bool)):
            raise KeyError(f"template names field {name!r}, which the fact does not have")
        return found

    tmpl, names = _parsed(template)
    return tmpl.substitute({name: value_of(name) for name in names})


@functools.lru_cache(maxsize=1024)
def _parsed(template: str) -> tuple[_DottedTemplate, tuple[str, ...]]:
    # A ruleset has a handful of message templates and they render on thousands of firings: parsed once each.
    tmpl = _DottedTemplate(_MONEY_PLACEHOLDER.sub(lambda m: "£${" + _MONEY + m.group(1) + "}", template))
    return tmpl, tuple(tmpl.get_identifiers())


def _value(args: Mapping[str, Any], fact: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    raw = lookup(fact, args["field"])
    if isinstance(raw, bool) or not isinstance(raw, (int, Decimal)):
        raise ValueError(f"field {args['field']} must be a number to be valued, found {raw!r}")
    quantity = Decimal(raw)
    rate = Decimal(str(args["rate"]))
    return {"quantity": quantity, "rate": rate, "amount": (quantity * rate).quantize(PENNY, ROUND_HALF_UP)}


def _cap(args: Mapping[str, Any], fact: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    if "limit" in args:
        return {"limit": Decimal(str(args["limit"]))}
    raw = lookup(fact, args["limit_field"])
    if isinstance(raw, bool) or not isinstance(raw, (int, Decimal)):
        raise ValueError(f"field {args['limit_field']} must be a number to cap at, found {raw!r}")
    return {"limit": Decimal(raw), "limit_field": args["limit_field"]}


def _coded(text_key: str) -> Callable[[Mapping[str, Any], Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]:
    def compute(args: Mapping[str, Any], fact: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
        return {"code": args["code"], text_key: _render(str(args[text_key]), fact, params)}

    return compute


def _status(args: Mapping[str, Any], fact: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"value": args["value"]}
    if "message" in args:
        out["message"] = _render(str(args["message"]), fact, params)
    return out


_COMPUTE = {
    "value": _value,
    "cap": _cap,
    "flag": _coded("message"),
    "exclude": _coded("reason"),
    "status": _status,
    "notice": _coded("message"),
    "refuse": _coded("message"),
}


def compute_effect(then: Mapping[str, Any], fact: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """The effect a firing records: its type and the values it computed from the matched fact."""
    ((name, args),) = then.items()
    return {"type": name, **_COMPUTE[name](args, fact, params)}
