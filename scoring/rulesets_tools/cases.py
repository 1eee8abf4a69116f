"""Ruleset test cases: given facts, the firings a ruleset must produce, run through the real engine.

A case file sits beside its ruleset (`stockport.yaml` -> `stockport.tests.yaml`) and names it. Each case asserts
its facts, in order, in a fresh `engine.Session` (durable-rules itself, not a simulation) and compares every
firing with what it expects: the rule ids in order, and any effect values it names.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator

from ...engine import EngineError, Firing, Session, Trace, plain
from ..errors import ExitCode, InputError, Problem, RulesetError, TenderscoreError
from ..models import Strict
from ..ruleset import LoadedRuleset, archived_path, resolve_ruleset, shipped_path
from ..validation import pydantic_problems
from ..yamlio import load_mapping_text, read_text

CASES_SUFFIX = ".tests.yaml"


class ExpectedFiring(Strict):
    rule: str = Field(min_length=1)
    # Only the effect values named here are compared (type, amount, code, message, ...).
    effect: dict[str, Any] = Field(default_factory=dict)


class Case(Strict):
    name: str = Field(min_length=1)
    description: str = ""
    facts: list[dict[str, Any]] = Field(min_length=1)
    expect: list[ExpectedFiring] = Field(default_factory=list)


class CasesFile(Strict):
    ruleset: str = Field(min_length=1)
    cases: list[Case] = Field(min_length=1)

    @field_validator("cases")
    @classmethod
    def _unique_names(cls, cases: list[Case]) -> list[Case]:
        names = [c.name for c in cases]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"case names must be unique, repeated: {', '.join(repeated)}")
        return cases


class CasesFailed(TenderscoreError):
    """Some of a ruleset's own test cases failed: its rules do not do what the cases expect."""

    exit_code = ExitCode.DIFFERS

    def __init__(self, file: str, names: list[str]) -> None:
        self.file = file
        self.names = names
        super().__init__(f"{file}: {len(names)} failing cases")

    def lines(self) -> list[str]:
        return [
            f"{self.file}: case {name!r}: the firings differ from what it expects (diff above)" for name in self.names
        ]


@dataclass(frozen=True)
class LoadedCases:
    name: str
    model: CasesFile
    ruleset: LoadedRuleset


@dataclass(frozen=True)
class CaseResult:
    name: str
    passed: bool
    diff: tuple[str, ...] = ()
    error: str = ""


def cases_path_for(reference: str, base_dir: Path | None = None) -> Path:
    """The case file for `reference`: itself if it is one, else the file beside the ruleset it names."""
    if reference.endswith(CASES_SUFFIX):
        return Path(reference)
    ruleset = resolve_ruleset(reference, base_dir)
    if ruleset.origin.startswith("shipped:"):
        shipped = ruleset.origin.removeprefix("shipped:")
        # An earlier version kept in the archive (`shipped:stockport@2026.1`) has its own cases beside it.
        path = archived_path(ruleset.id, ruleset.version) if "@" in shipped else shipped_path(shipped)
    else:
        path = Path(ruleset.origin)
    return path.with_name(path.name.removesuffix(path.suffix) + CASES_SUFFIX)


def load_cases(path: Path) -> LoadedCases:
    name = str(path)
    text, problem = read_text(path, name)
    if text is None:
        raise InputError([problem or Problem(name, "", "cannot be read")])
    data, problem = load_mapping_text(text, name, ".yaml")
    if problem is not None or data is None:
        raise InputError([problem or Problem(name, "", "expected a mapping")])
    try:
        model = CasesFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(pydantic_problems(exc, name)) from None
    try:
        ruleset = resolve_ruleset(model.ruleset, path.parent)
    except RulesetError as exc:
        raise InputError([Problem(name, "ruleset", line) for line in exc.lines()]) from None
    return LoadedCases(name, model, ruleset)


def run_cases(loaded: LoadedCases) -> list[CaseResult]:
    return [_run(case, loaded.ruleset) for case in loaded.model.cases]


def _run(case: Case, ruleset: LoadedRuleset) -> CaseResult:
    trace = Trace()
    try:
        with Session(ruleset.spec, f"case:{case.name}", trace) as session:
            for fact in case.facts:
                session.assert_fact(fact)
    except EngineError as exc:
        return CaseResult(case.name, False, error=str(exc))
    firings = trace.firings
    passed = len(firings) == len(case.expect) and all(
        _matches(expected, firing) for expected, firing in zip(case.expect, firings, strict=False)
    )
    if passed:
        return CaseResult(case.name, True)
    expected_lines = []
    for index, expected in enumerate(case.expect):
        actual = firings[index].effect if index < len(firings) and firings[index].rule == expected.rule else {}
        shown = {key: _as_actual(value, actual.get(key)) for key, value in expected.effect.items()}
        expected_lines.append(_line(expected.rule, shown, list(shown)))
    actual_lines = []
    for index, firing in enumerate(firings):
        wanted = case.expect[index] if index < len(case.expect) else None
        # Show the values the case names, so only a real difference shows in the diff.
        keys = list(wanted.effect) if wanted is not None and wanted.rule == firing.rule else list(firing.effect)
        actual_lines.append(_line(firing.rule, firing.effect, keys))
    diff = difflib.unified_diff(expected_lines, actual_lines, "expected", "actual", lineterm="", n=len(firings) + 1)
    return CaseResult(case.name, False, diff=tuple(diff))


def _as_actual(expected: Any, actual: Any) -> Any:
    """An expected amount written as text or a number is shown as the number it means, like the actual one."""
    if isinstance(actual, Decimal) and not isinstance(expected, bool):
        try:
            return Decimal(str(expected))
        except InvalidOperation:
            return expected
    return expected


def _matches(expected: ExpectedFiring, firing: Firing) -> bool:
    return expected.rule == firing.rule and all(
        key in firing.effect and _same(value, firing.effect[key]) for key, value in expected.effect.items()
    )


def _same(expected: Any, actual: Any) -> bool:
    # "75924.00", 75924 and 75924.0 all mean the same amount.
    return bool(_as_actual(expected, actual) == actual)


def _show(value: Any) -> str:
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    return json.dumps(plain(value), ensure_ascii=False)


def _line(rule: str, effect: dict[str, Any], keys: list[str]) -> str:
    values = " ".join(f"{key}={_show(effect.get(key))}" for key in keys)
    return f"{rule} {values}".rstrip()


def render_results(loaded: LoadedCases, results: list[CaseResult]) -> str:
    ruleset = loaded.ruleset
    lines = [f"{loaded.name}: ruleset {ruleset.id}@{ruleset.version} (sha256 {ruleset.sha256[:12]}...)"]
    for result in results:
        lines.append(f"{'PASS' if result.passed else 'FAIL'}  {result.name}")
        if result.error:
            lines.append(f"      {result.error}")
        lines += [f"      {line}" for line in result.diff]
    failed = [r for r in results if not r.passed]
    lines.append(f"{len(results)} cases: {len(results) - len(failed)} passed, {len(failed)} failed")
    return "\n".join(lines) + "\n"
