"""Declared bid facts: what a ruleset reads from a bid's free-form `facts:`, and the checks that follow from it.

A ruleset that declares its bid facts (the `bid_facts:` section) says for each one its type, the values it may
take, a title and the policy passage behind it. A pack's bids are checked against that declaration (a misspelt
name or a value outside the list is an input error naming the file and field, not a rule that silently never
fires), the ruleset's own rules are checked to read only declared facts, and the eligible bids are counted
against the declaration's summary lines for the buyer's own reporting. Facts never score: rules over them raise
notices.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from .models import Strict

FactType = Literal["choice", "boolean", "text", "number"]
FactValue = bool | str | Decimal
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# How a rule names a bid's fact: in a condition (`facts.sme: true`) or in a message template (`${facts.sme}`).
FACTS_PREFIX = "facts."
_TEMPLATE_FACT = re.compile(r"\$\{facts\.([A-Za-z_][A-Za-z0-9_]*)")


class DeclaredFact(Strict):
    type: FactType
    values: list[str] | None = None  # the allowed values of a `choice`
    title: str = Field(min_length=1)
    source: str = ""  # the policy passage behind it, quoted


class SummaryCount(Strict):
    """One count of the tender-level line: how many eligible bidders state one of `values` for `fact`."""

    label: str = Field(min_length=1)
    fact: str
    values: list[FactValue] = Field(min_length=1)


class BidFacts(Strict):
    title: str = Field(default="Bid facts", min_length=1)  # how reports head the notices about a bid
    undeclared: Literal["refuse", "allow"] = "refuse"
    facts: dict[str, DeclaredFact]
    summary: list[SummaryCount] = Field(default_factory=list)


def declaration_problems(declared: BidFacts) -> list[tuple[str, str]]:
    """(field, message) for what the schema cannot see in a `bid_facts:` section."""
    problems: list[tuple[str, str]] = []
    for name, fact in declared.facts.items():
        where = f"bid_facts.facts.{name}"
        if not _NAME.match(name):
            problems.append((where, "expected a snake_case name (rules read it as facts.NAME)"))
        if fact.type == "choice":
            if not fact.values:
                problems.append((f"{where}.values", "expected the list of values a choice may take"))
            elif len(set(fact.values)) != len(fact.values):
                problems.append((f"{where}.values", "expected each value once"))
        elif fact.values is not None:
            problems.append((f"{where}.values", f"expected no values: only a choice lists them, this is a {fact.type}"))
    for index, count in enumerate(declared.summary):
        where = f"bid_facts.summary[{index}]"
        counted = declared.facts.get(count.fact)
        if counted is None:
            names = ", ".join(declared.facts)
            problems.append((f"{where}.fact", f"expected a declared fact ({names}), found {count.fact!r}"))
            continue
        for value in count.values:
            problem = value_problem(value, counted)
            if problem is not None:
                problems.append((f"{where}.values", problem))
    return problems


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Decimal):
        return str(value)
    if value is None:
        return "nothing (null)"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return repr(value)


def value_problem(value: Any, fact: DeclaredFact) -> str | None:
    """What is wrong with `value` for `fact` ("expected ..., found ..."), or None when it is allowed."""
    if fact.type == "choice":
        allowed = fact.values or []
        if isinstance(value, str) and value in allowed:
            return None
        hint = ""
        if isinstance(value, bool):
            # YAML reads an unquoted yes/no/on/off as true/false: the user most likely typed one of those.
            hint = " (an unquoted yes, no, on or off reads as true or false)"
        return f"expected one of {', '.join(allowed)}, found {_shown(value)}{hint}"
    if fact.type == "boolean":
        return None if isinstance(value, bool) else f"expected true or false, found {_shown(value)}"
    if fact.type == "number":
        ok = isinstance(value, (int, Decimal)) and not isinstance(value, bool)
        return None if ok else f"expected a number, found {_shown(value)}"
    return None if isinstance(value, str) else f"expected text, found {_shown(value)}"


def bid_fact_problems(facts: Mapping[str, Any], declared: BidFacts, ruleset: str) -> list[tuple[str, str]]:
    """(field, message) for each of a bid's facts the declaration does not allow, every one at once."""
    problems: list[tuple[str, str]] = []
    names = list(declared.facts)
    for name, value in facts.items():
        where = f"facts.{name}"
        fact = declared.facts.get(name)
        if fact is None:
            if declared.undeclared == "allow":
                continue
            close = difflib.get_close_matches(str(name), names, n=1)
            guess = f": did you mean {close[0]}?" if close else ""
            problems.append(
                (where, f"expected a fact ruleset {ruleset} declares ({', '.join(names)}), found {name!r}{guess}")
            )
            continue
        problem = value_problem(value, fact)
        if problem is not None:
            problems.append((where, f"{fact.title}: {problem}"))
    return problems


def counts(declared: BidFacts, eligible: Sequence[Mapping[str, Any]]) -> list[tuple[SummaryCount, int]]:
    """Each summary count with how many of the eligible bids' facts state one of its values."""
    return [(c, sum(1 for facts in eligible if _stated(facts.get(c.fact), c.values))) for c in declared.summary]


def _kind(value: Any) -> str:
    # true == 1 in Python, so a boolean is its own kind; a bid's whole number (an int from YAML) and a declared
    # number (a Decimal) are one kind, compared by value.
    if isinstance(value, bool):
        return "bool"
    return "number" if isinstance(value, (int, Decimal)) else type(value).__name__


def _stated(value: Any, values: Sequence[FactValue]) -> bool:
    return value is not None and any(_kind(value) == _kind(v) and value == v for v in values)


def facts_read(when: Any, then: Any) -> Iterator[tuple[str, Any]]:
    """(fact name, the literals it is compared with) for every `facts.NAME` a rule reads."""
    yield from _condition_reads(when)
    if isinstance(then, Mapping):
        for args in then.values():
            if isinstance(args, Mapping):
                for text in args.values():
                    if isinstance(text, str):
                        for name in _TEMPLATE_FACT.findall(text):
                            yield name, ()


def _condition_reads(cond: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(cond, list):
        for item in cond:
            yield from _condition_reads(item)
        return
    if not isinstance(cond, Mapping):
        return
    for key, value in cond.items():
        if key in ("all", "any"):
            yield from _condition_reads(value)
            continue
        if isinstance(key, str) and key.startswith(FACTS_PREFIX):
            yield key[len(FACTS_PREFIX) :].split(".", 1)[0], _literals(value)
        if isinstance(value, Mapping):
            for operand in value.values():
                other = operand.get("field") if isinstance(operand, Mapping) else None
                if isinstance(other, str) and other.startswith(FACTS_PREFIX):
                    yield other[len(FACTS_PREFIX) :].split(".", 1)[0], ()


def _literals(value: Any) -> tuple[Any, ...]:
    """The literals a field is compared with for equality or membership (not ordering, nor `exists`)."""
    if not isinstance(value, Mapping):
        return (value,)
    found: list[Any] = []
    for op, operand in value.items():
        if op in ("eq", "ne") and not isinstance(operand, Mapping):
            found.append(operand)
        elif op in ("in", "not_in") and isinstance(operand, list):
            found += operand
    return tuple(found)


def rule_read_problems(rules: Sequence[tuple[str, Any, Any, Any]], declared: BidFacts) -> list[tuple[str, str]]:
    """(field, message) for each bid fact a rule reads that is not declared, or compares with a value it cannot
    take: such a rule would never fire. `rules` are (where, kind, when, then)."""
    problems: list[tuple[str, str]] = []
    names = ", ".join(declared.facts)
    for where, kind, when, then in rules:
        if kind != "bid":
            continue  # only bid facts carry `facts`
        for name, literals in facts_read(when, then):
            fact = declared.facts.get(name)
            if fact is None:
                close = difflib.get_close_matches(name, list(declared.facts), n=1)
                guess = f": did you mean {close[0]}?" if close else ""
                problems.append(
                    (f"{where}.when", f"reads facts.{name}, which bid_facts does not declare ({names}){guess}")
                )
                continue
            for literal in literals:
                problem = value_problem(literal, fact)
                if problem is not None:
                    problems.append((f"{where}.when", f"compares facts.{name} with a value it cannot take: {problem}"))
    return problems
