"""Ruleset files: the policy, themes, core outcomes, measure catalogue, gates and rules of one buyer.

A ruleset is data. It is read with the safe loader only, validated here, and handed to the engine as rules:
the authored `rules:` plus one valuation rule per catalogue measure, generated so that every commitment's
value is a visible rule firing (`value.NT1`) and the catalogue stays the one place a proxy is written.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from .. import rulesets
from ..engine import Rule as EngineRule
from ..engine import (
    RuleDefinitionError,
    RulesetSpec,
    canonical_json,
    compile_ruleset,
    compiled_ruleset,
    register,
    sha256_hex,
)
from .bid_facts import BidFacts, declaration_problems, rule_read_problems
from .errors import Problem, RulesetError
from .models import Exact, Strict
from .validation import pydantic_problems
from .yamlio import parse_yaml, read_text

THEMES = ("jobs", "growth", "social", "environment", "innovation")


class Policy(Strict):
    procedures: list[str] = Field(default_factory=lambda: ["competitive"])
    applies_over_gbp: Exact = Field(ge=0)
    floor: Exact = Field(ge=0, le=100)
    target: Exact | None = Field(default=None, ge=0, le=100)
    portal_over_gbp: Exact | None = Field(default=None, ge=0)
    alt_fraction: Exact = Field(ge=0, lt=1)
    alt_min_others: int = Field(default=2, ge=1)
    plausibility_ratio: Exact = Field(gt=0)
    spread_amber_from: Exact = Field(default=Decimal(20), ge=0, le=100)
    spread_red_over: Exact = Field(default=Decimal(50), ge=0, le=100)


class Theme(Strict):
    number: int
    title: str


class CoreOutcome(Strict):
    title: str
    themes: list[str]


class Gate(Strict):
    title: str
    description: str = ""


class Measure(Strict):
    code: str = Field(min_length=1)
    theme: str
    unit: str = Field(min_length=1)
    proxy_gbp: Exact = Field(ge=0)
    title: str = ""
    source: str = ""


class RuleModel(Strict):
    id: str = Field(min_length=1)
    title: str = ""
    when: dict[str, Any]
    then: dict[str, Any]
    pri: int = 0


class RulesetFile(Strict):
    id: str = Field(min_length=1)
    version: str = Field(min_length=1)
    title: str
    source: str = ""
    policy: Policy
    themes: dict[str, Theme]
    core_outcomes: dict[str, CoreOutcome]
    gates: dict[str, Gate] = Field(default_factory=dict)
    measures: list[Measure]
    rules: list[RuleModel] = Field(default_factory=list)
    # The facts rules read from a bid's `facts:` (scoring.bid_facts); without it, bids' facts are not checked.
    bid_facts: BidFacts | None = None


@dataclass(frozen=True)
class LoadedRuleset:
    """A validated ruleset, its exact text (for the decision record) and the engine's view of it."""

    model: RulesetFile
    text: str
    sha256: str
    origin: str
    spec: RulesetSpec
    measures: dict[str, Measure]

    @property
    def id(self) -> str:
        return self.model.id

    @property
    def version(self) -> str:
        return self.model.version


def params_of(policy: Policy) -> dict[str, Any]:
    """Policy parameters as rule conditions and messages may name them ({param: floor}, ${param.floor})."""
    return {
        key: value for key, value in policy.model_dump().items() if value is not None and not isinstance(value, list)
    }


def valuation_rule_id(code: str) -> str:
    return f"value.{code}"


def engine_rules(model: RulesetFile) -> tuple[EngineRule, ...]:
    generated = [
        EngineRule(
            valuation_rule_id(m.code),
            {"kind": "commitment", "measure": m.code, "accepted": True},
            {"value": {"field": "quantity", "rate": str(m.proxy_gbp)}},
        )
        for m in model.measures
    ]
    authored = [EngineRule(r.id, r.when, r.then, r.pri) for r in model.rules]
    return tuple(generated + authored)


def semantic_problems(model: RulesetFile, name: str) -> list[Problem]:
    """What the schema cannot see: cross-references between sections, and rules the engine would refuse."""
    problems: list[Problem] = []
    for key in model.themes:
        if key not in THEMES:
            problems.append(Problem(name, f"themes.{key}", f"expected one of {', '.join(THEMES)}"))
    seen: set[str] = set()
    for index, measure in enumerate(model.measures):
        where = f"measures[{index}] ({measure.code})"
        if measure.code in seen:
            problems.append(Problem(name, where, "duplicate measure code"))
        seen.add(measure.code)
        if measure.theme not in model.themes:
            problems.append(
                Problem(name, f"{where}.theme", f"expected a theme of this ruleset, found {measure.theme!r}")
            )
    for key, outcome in model.core_outcomes.items():
        for theme in outcome.themes:
            if theme not in model.themes:
                problems.append(Problem(name, f"core_outcomes.{key}.themes", f"unknown theme {theme!r}"))
    if model.bid_facts is not None:
        problems += [Problem(name, where, message) for where, message in declaration_problems(model.bid_facts)]
        reads = [(f"rules[{i}] ({r.id})", r.when.get("kind"), r.when, r.then) for i, r in enumerate(model.rules)]
        problems += [Problem(name, where, message) for where, message in rule_read_problems(reads, model.bid_facts)]
    if model.policy.target is not None and model.policy.target < model.policy.floor:
        problems.append(Problem(name, "policy.target", f"expected at least the floor ({model.policy.floor})"))
    try:
        # This also refuses shapes durable-rules would hang or crash on, or fail to register (engine.LimitError).
        compile_ruleset(RulesetSpec(model.id, "check", params_of(model.policy), engine_rules(model)))
    except RuleDefinitionError as exc:
        problems += [Problem(name, "rules", problem) for problem in exc.problems]
    return problems


# A batch loads the same ruleset for every pack; checking it again each time was a third of a pack's load time.
# A LoadedRuleset is immutable, so one text (read under one name) always gives the same one.
@functools.lru_cache(maxsize=16)
def parse_ruleset(text: str, name: str, origin: str) -> LoadedRuleset:
    """Validate a ruleset's text; raises RulesetError listing every problem."""
    data, problem = parse_yaml(text, name)
    if problem is not None:
        raise RulesetError(str(problem))
    if not isinstance(data, dict):
        raise RulesetError(f"{name}: expected a mapping of ruleset sections")
    try:
        model = RulesetFile.model_validate(data)
    except ValidationError as exc:
        raise RulesetError("\n".join(map(str, pydantic_problems(exc, name)))) from None
    problems = semantic_problems(model, name)
    if problems:
        raise RulesetError("\n".join(map(str, problems)))
    # The hash is of the canonical content, so reformatting or reordering keys does not change it.
    sha = sha256_hex(canonical_json(data))
    spec = RulesetSpec(model.id, sha, params_of(model.policy), engine_rules(model))
    try:
        register(compiled_ruleset(spec))
    except RuleDefinitionError as exc:
        raise RulesetError("\n".join(str(Problem(name, "rules", problem)) for problem in exc.problems)) from None
    return LoadedRuleset(model, text, sha, origin, spec, {m.code: m for m in model.measures})


_PIN = re.compile(r"^(?P<id>[A-Za-z0-9_-]+)(?:@(?P<version>[A-Za-z0-9._-]+))?$")


def shipped_ids() -> list[str]:
    # A ruleset's test cases sit beside it as <id>.tests.yaml: data shipped with it, but not a ruleset.
    return sorted(path.stem for path in rulesets.SHIPPED_DIR.glob("*.yaml") if not path.name.endswith(".tests.yaml"))


def shipped_path(ruleset_id: str) -> Path:
    """Where the shipped ruleset `ruleset_id` is (or would be) stored."""
    return rulesets.SHIPPED_DIR / f"{ruleset_id}.yaml"


def archived_path(ruleset_id: str, version: str) -> Path:
    """Where an earlier version of a shipped ruleset is kept, byte for byte, so a tender pinned to it still loads."""
    return rulesets.SHIPPED_DIR / "archive" / f"{ruleset_id}@{version}.yaml"


def archived_versions(ruleset_id: str) -> list[str]:
    # Each archived version's test cases sit beside it (`<id>@<version>.tests.yaml`): not a version.
    found = (rulesets.SHIPPED_DIR / "archive").glob(f"{ruleset_id}@*.yaml")
    return sorted(p.stem.split("@", 1)[1] for p in found if not p.name.endswith(".tests.yaml"))


def resolve_ruleset(reference: str, base_dir: Path | None = None) -> LoadedRuleset:
    """A ruleset by shipped id (`stockport`, `stockport@2026.1`) or by file path (relative to `base_dir`)."""
    if reference.endswith((".yaml", ".yml")) or "/" in reference:
        path = Path(reference)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        return load_ruleset_file(path)
    match = _PIN.match(reference)
    if match is None:
        raise RulesetError(f"ruleset {reference!r}: expected a shipped id such as stockport or stockport@2026.1")
    path = shipped_path(match["id"])
    try:
        shipped = path.is_file()
    except OSError:  # a name longer than the system allows (ENAMETOOLONG) names no shipped ruleset either
        shipped = False
    if not shipped:
        raise RulesetError(
            f"ruleset {match['id']!r} is not shipped (shipped: {', '.join(shipped_ids())}); "
            "a ruleset file can be named by its path instead"
        )
    if match["version"]:
        # A new version of a shipped ruleset must not break a tender pinned to the one it was written against.
        archived = archived_path(match["id"], match["version"])
        if archived.is_file():
            loaded = load_ruleset_file(archived, origin=f"shipped:{match['id']}@{match['version']}")
            if loaded.version != match["version"]:
                raise RulesetError(f"{archived}: version: expected {match['version']}, found {loaded.version}")
            return loaded
    loaded = load_ruleset_file(path, origin=f"shipped:{match['id']}")
    if match["version"] and match["version"] != loaded.version:
        earlier = archived_versions(loaded.id)
        also = f" (earlier versions shipped: {', '.join(earlier)})" if earlier else ""
        raise RulesetError(
            f"ruleset {reference!r}: pinned to version {match['version']}, "
            f"but the shipped {loaded.id} is version {loaded.version}{also}"
        )
    return loaded


def load_ruleset_file(path: Path, origin: str | None = None) -> LoadedRuleset:
    text, problem = read_text(path, str(path))
    if text is None:
        raise RulesetError(str(problem))
    return parse_ruleset(text, str(path), origin or str(path))
