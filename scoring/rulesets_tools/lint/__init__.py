"""`rules lint`: every static problem of a ruleset file, found at once, each marked an error or a warning.

The loader stops at its first batch of problems (a file that fails the schema is never cross-checked); lint
salvages what it can of a broken file (lint.salvage) and goes on, so a council sees every problem in one run.
Errors are what the loader or durable-rules would refuse, or what would make a score wrong; warnings are what
still scores correctly but is probably not what was meant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import InvalidOperation
from pathlib import Path
from typing import Any, Literal

from ....engine import RuleDefinitionError, RulesetSpec, canonical_json, compile_ruleset, register, sha256_hex
from ....engine.conditions import compile_condition
from ....engine.effects import check_effect
from ....engine.limits import LimitError, LimitProblem, Network
from ...errors import Problem
from ...ruleset import THEMES, RulesetFile, engine_rules, params_of, semantic_problems, valuation_rule_id
from ...yamlio import parse_yaml, read_text
from .normal import literals_of, normal
from .salvage import salvage, written_params

Severity = Literal["error", "warning"]
# Effects that decide one thing per fact: two rules with the same conditions and one of these effects
# contradict each other, or the second is ignored (a commitment keeps its first value).
_ONE_PER_FACT = ("value", "status", "cap", "refuse")


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

    def counts(self) -> str:
        """How many errors and warnings, in words: `1 error, 2 warnings`."""
        return f"{_count(len(self.errors), 'error')}, {_count(len(self.warnings), 'warning')}"

    def summary(self) -> str:
        return f"{self.name}: {self.counts()}"


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
        salvaged = salvage(data, self.name)
        self.findings += [Finding("error", p) for p in salvaged.problems]
        model, stand_ins = salvaged.model, salvaged.stand_ins
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
        params = {**params_of(policy), **written_params(data.get("policy"))} if stand_ins else params_of(policy)
        self.rules(model, params)
        return self.findings

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
        # Named by its content, so two files linted in one process are never taken for one registration.
        spec = RulesetSpec(model.id, sha256_hex(canonical_json([params, rules])), params, rules)
        limits: list[LimitProblem] = []
        loader_reported = False
        try:
            ruleset = compile_ruleset(spec)
        except LimitError as exc:
            network = exc.network  # the limits it breaks are the loader's, reported above (semantic_problems)
            loader_reported = True
        except RuleDefinitionError:
            # Reported above; the limits are still checked over the rules that do compile.
            sound = []
            for rule in rules:
                compiled, problems = compile_condition(rule.when, params, rule.id)
                if not problems and not check_effect(rule.then, params, rule.id):
                    sound.append((rule.id, compiled.durable))
            network = Network(sound)
            limits = network.structural_problems()
        else:
            network = ruleset.network()
            try:
                # What `score` does next: some rulesets that compile are still refused by durable-rules.
                register(ruleset)
            except RuleDefinitionError as exc:
                for problem in exc.problems:
                    self.add("error", "rules", problem)
        stack = None if loader_reported else network.stack_problem()
        for limit in [*limits, *([stack] if stack else [])]:
            self.add("error", "rules", limit.describe())
        self.themes_named(rules, model, where)
        self.identical(rules, params, where)

    def themes_named(self, rules: tuple[Any, ...], model: RulesetFile, where: dict[str, str]) -> None:
        known = [theme for theme in model.themes if theme in THEMES]
        for rule in rules:
            for value in sorted(literals_of(rule.when, "theme") - set(known)):
                self.add("error", f"{where[rule.id]}.when", f"unknown theme {value!r} (themes: {', '.join(known)})")

    def identical(self, rules: tuple[Any, ...], params: Mapping[str, Any], where: dict[str, str]) -> None:
        groups: dict[frozenset[Any], list[Any]] = defaultdict(list)
        for rule in rules:
            try:
                groups[normal(rule.when, params)].append(rule)
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
