"""`rules lint`: every static problem of a ruleset file, found at once, each marked an error or a warning.

The loader stops at its first batch of problems (a file that fails the schema is never cross-checked); lint
salvages what it can of a broken file and goes on, so a council sees every problem in one run. Errors are what
the loader or durable-rules would refuse, or what would make a score wrong; warnings are what still scores
correctly but is probably not what was meant.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from engine import RuleDefinitionError, RulesetSpec, compile_ruleset
from engine.conditions import compile_condition
from engine.effects import check_effect
from scoring.errors import Problem
from scoring.ruleset import (
    THEMES,
    RulesetFile,
    engine_rules,
    params_of,
    semantic_problems,
    valuation_rule_id,
)
from scoring.rulesets_tools.network import Network, network_of
from scoring.validation import pydantic_problems
from scoring.yamlio import parse_yaml, read_text

Severity = Literal["error", "warning"]
# Effects that decide one thing per fact: two rules with the same conditions and one of these effects
# contradict each other, or the second is ignored (a commitment keeps its first value).
_ONE_PER_FACT = ("value", "status", "cap", "refuse")
# Values a policy section needs only to stand in while a broken one's rules are still checked.
_STAND_IN_POLICY: dict[str, Any] = {
    "applies_over_gbp": 0,
    "floor": 0,
    "target": 0,
    "portal_over_gbp": 0,
    "alt_fraction": 0,
    "alt_min_others": 1,
    "plausibility_ratio": 1,
    "spread_amber_from": 0,
    "spread_red_over": 0,
    "procedures": [],
}
_STAND_IN_SECTION: dict[str, Any] = {
    "id": "lint",
    "version": "lint",
    "title": "lint",
    "source": "",
    # Measures and outcomes name themes: with the section broken, every TOMs theme stands in, so only names
    # that could never be right are reported again.
    "themes": {theme: {"number": n, "title": theme} for n, theme in enumerate(THEMES, start=1)},
    "core_outcomes": {},
    "gates": {},
    "measures": [],
    "rules": [],
}
_STAND_IN_MEASURE = {"unit": "?", "proxy_gbp": "0", "title": "", "source": ""}


@dataclass(frozen=True)
class Finding:
    severity: Severity
    problem: Problem

    def __str__(self) -> str:
        return f"{self.severity}: {self.problem}"


@dataclass(frozen=True)
class LintReport:
    name: str
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def summary(self) -> str:
        return f"{self.name}: {_count(len(self.errors), 'error')}, {_count(len(self.warnings), 'warning')}"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def lint_file(path: Path, name: str | None = None) -> LintReport:
    label = name or str(path)
    text, problem = read_text(path, label)
    if text is None:
        return LintReport(label, (Finding("error", problem or Problem(label, "", "cannot be read")),))
    return lint_text(text, label)


def lint_text(text: str, name: str) -> LintReport:
    return LintReport(name, tuple(_Linter(name).run(text)))


class _Linter:
    def __init__(self, name: str) -> None:
        self.name = name
        self.findings: list[Finding] = []

    def add(self, severity: Severity, field: str, message: str) -> None:
        self.findings.append(Finding(severity, Problem(self.name, field, message)))

    def run(self, text: str) -> list[Finding]:
        data, problem = parse_yaml(text, self.name)
        if problem is not None:
            return [Finding("error", problem)]
        if not isinstance(data, dict):
            self.add("error", "", "expected a mapping of ruleset sections (id, version, title, policy, ...)")
            return self.findings
        model, stand_ins = self.salvage(data)
        if model is None:
            return self.findings
        for problem in semantic_problems(model, self.name):
            # A check of policy values that stood in for broken ones would report what the file does not say.
            if not (problem.field.startswith("policy") and stand_ins & {"*", "floor", "target"}):
                self.findings.append(Finding("error", problem))
        policy = model.policy
        if not stand_ins & {"*", "spread_amber_from", "spread_red_over"} and (
            policy.spread_amber_from > policy.spread_red_over
        ):
            self.add(
                "error",
                "policy.spread_amber_from",
                f"expected at most spread_red_over ({policy.spread_red_over}), found {policy.spread_amber_from}",
            )
        self.outcome_coverage(model)
        # Parameters as written where they can be read, stand-ins where not, so rules naming them still compile.
        self.rules(model, {**params_of(policy), **_numbers(data.get("policy"))} if stand_ins else params_of(policy))
        return self.findings

    def salvage(self, data: dict[str, Any]) -> tuple[RulesetFile | None, set[str]]:
        """The file as a model, each part the schema refuses reported and set aside (or stood in for).

        Returns the model (None when even that fails) and the policy fields that were stood in for.
        """
        try:
            return RulesetFile.model_validate(data), set()
        except ValidationError as exc:
            errors = exc.errors()
            self.findings += [Finding("error", p) for p in pydantic_problems(exc, self.name)]
        kept = copy.deepcopy(data)
        stand_ins: set[str] = set()
        dropped: dict[str, set[Any]] = defaultdict(set)
        for error in errors:
            loc = error["loc"]
            section = str(loc[0]) if loc else ""
            if section == "policy":
                stand_ins.add(str(loc[1]) if len(loc) > 1 else "*")
            elif len(loc) == 1:
                kept[section] = copy.deepcopy(_STAND_IN_SECTION.get(section))
                if kept[section] is None:
                    kept.pop(section)  # an unknown section
            elif section in ("measures", "rules") and len(loc) == 3 and error["type"] == "extra_forbidden":
                del kept[section][loc[1]][loc[2]]  # reported; the rest of the item is still checked
            elif section == "measures" and len(loc) > 2 and loc[2] in _STAND_IN_MEASURE:
                # A measure with a bad proxy or unit is kept, so its code and theme are still checked.
                kept[section][loc[1]][loc[2]] = _STAND_IN_MEASURE[str(loc[2])]
            elif section == "themes":
                # Measures name themes: a malformed theme stays known, so its measures are not reported twice.
                kept[section][loc[1]] = {"number": 0, "title": str(loc[1])}
            else:
                dropped[section].add(loc[1])
        for section, bad in dropped.items():
            if isinstance(kept.get(section), list):
                kept[section] = [item for index, item in enumerate(kept[section]) if index not in bad]
            elif isinstance(kept.get(section), dict):
                kept[section] = {k: v for k, v in kept[section].items() if k not in bad}
        if stand_ins:
            given = data.get("policy")
            raw: dict[str, Any] = given if isinstance(given, dict) and "*" not in stand_ins else {}
            kept["policy"] = {
                key: raw[key] if key in raw and key not in stand_ins else value
                for key, value in _STAND_IN_POLICY.items()
            }
            stand_ins |= {key for key in _STAND_IN_POLICY if key not in raw}
        try:
            return RulesetFile.model_validate(kept), stand_ins
        except ValidationError:
            return None, stand_ins  # nothing more can be checked than the schema problems above

    def outcome_coverage(self, model: RulesetFile) -> None:
        fed = {theme for outcome in model.core_outcomes.values() for theme in outcome.themes}
        for index, measure in enumerate(model.measures):
            if measure.theme in model.themes and measure.theme not in fed:
                self.add(
                    "warning",
                    f"measures[{index}] ({measure.code}).theme",
                    f"theme {measure.theme} feeds no core outcome: the measure scores, but counts in no "
                    "core outcome figure (add the theme to an outcome in core_outcomes)",
                )

    def rules(self, model: RulesetFile, params: Mapping[str, Any]) -> None:
        rules = engine_rules(model)
        where = {valuation_rule_id(m.code): f"measures[{i}] ({m.code})" for i, m in enumerate(model.measures)}
        where.update({r.id: f"rules[{i}] ({r.id})" for i, r in enumerate(model.rules)})
        spec = RulesetSpec(model.id, "lint", params, rules)
        try:
            network = network_of(compile_ruleset(spec))
            # The loader's own checks (semantic_problems, above) report the network's shape when it compiles.
            limits = []
        except RuleDefinitionError:
            # Reported above; the limits are still checked over the rules that do compile.
            sound = []
            for rule in rules:
                compiled, problems = compile_condition(rule.when, params, rule.id)
                if not problems and not check_effect(rule.then, params, rule.id):
                    sound.append((rule.id, compiled.durable))
            network = Network(sound)
            limits = network.structural_problems()
        stack = network.stack_problem()
        for limit in [*limits, *([stack] if stack else [])]:
            self.add("error", "rules", limit.describe())
        self.themes_named(rules, model, where)
        self.identical(rules, params, where)

    def themes_named(self, rules: tuple[Any, ...], model: RulesetFile, where: dict[str, str]) -> None:
        known = [theme for theme in model.themes if theme in THEMES]
        for rule in rules:
            for value in sorted(_literals_of(rule.when, "theme") - set(known)):
                self.add("error", f"{where[rule.id]}.when", f"unknown theme {value!r} (themes: {', '.join(known)})")

    def identical(self, rules: tuple[Any, ...], params: Mapping[str, Any], where: dict[str, str]) -> None:
        groups: dict[frozenset[Any], list[Any]] = defaultdict(list)
        for rule in rules:
            try:
                groups[_normal(rule.when, params)].append(rule)
            except (TypeError, KeyError, AttributeError, InvalidOperation):
                continue  # a malformed condition, already reported by the compiler
        for same in groups.values():
            first = same[0]
            for other in same[1:]:
                if other.id == first.id:
                    continue  # a duplicate id, reported as such
                effects = {_effect_name(first.then), _effect_name(other.then)}
                clash = len(effects) == 1 and effects <= set(_ONE_PER_FACT)
                self.add(
                    "error" if clash else "warning",
                    f"{where[other.id]}.when",
                    f"the same conditions as {first.id}: "
                    + (
                        f"both {effects.pop()} the same facts, so one contradicts or shadows the other"
                        if clash
                        else "both fire on every fact either matches (merge them, or make them differ)"
                    ),
                )


def _effect_name(then: Any) -> str:
    return next(iter(then)) if isinstance(then, Mapping) and len(then) == 1 else ""


def _numbers(policy: Any) -> dict[str, Any]:
    """A broken policy's parameters as written, numbers read exactly, so its rules can still be checked."""
    if not isinstance(policy, Mapping):
        return {}
    out: dict[str, Any] = {}
    for key, value in policy.items():
        if isinstance(value, str):
            try:
                out[str(key)] = Decimal(value)
            except InvalidOperation:
                out[str(key)] = value
        elif isinstance(value, (int, Decimal, bool)):
            out[str(key)] = value
    return out


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


def _normal(cond: Mapping[str, Any], params: Mapping[str, Any]) -> frozenset[Any]:
    """A condition's meaning as a set of tests: key order, `all` nesting, `in: [x]` and `{eq: x}` do not count."""
    tests: set[Any] = set()
    for key, value in cond.items():
        if key == "all":
            for item in value:
                tests |= _normal(item, params)
        elif key == "any":
            branches = frozenset(_normal(item, params) for item in value)
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


def _literals_of(cond: Any, path: str) -> set[str]:
    """String literals a condition compares `path` with for equality (eq, in)."""
    found: set[str] = set()
    if not isinstance(cond, Mapping):
        return found
    for key, value in cond.items():
        if key in ("all", "any") and isinstance(value, list):
            for item in value:
                found |= _literals_of(item, path)
        elif key == path:
            ops = value if isinstance(value, Mapping) else {"eq": value}
            for op, operand in ops.items():
                items = operand if op in ("in", "not_in") and isinstance(operand, list) else [operand]
                if op in ("eq", "in", "ne", "not_in"):
                    found |= {v for v in items if isinstance(v, str)}
    return found
