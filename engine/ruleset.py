"""Rules as data, and their compilation to a durable-rules ruleset.

Compiling refuses what durable-rules could not register (engine.limits): such a ruleset would hang
set_rulesets or fail it, so it never reaches a session. A ruleset is compiled once per process per
(id, sha256): durable-rules cannot unregister a ruleset and each registration costs memory that is never freed
(field notes), so the compiled form is cached here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .conditions import DISCRIMINATOR, CompiledCondition, compile_condition
from .effects import check_effect
from .errors import RuleDefinitionError
from .limits import LimitError, Network

# A kind no caller's fact may carry (Session refuses it), so only the primer's own fact matches the primer rule.
PRIME_KIND = "engine:prime"
PRIME_RULE = "prime"


@dataclass(frozen=True)
class Rule:
    id: str
    when: Mapping[str, Any]
    then: Mapping[str, Any]
    pri: int = 0


@dataclass(frozen=True)
class RulesetSpec:
    """What the engine needs of a ruleset: an identity, parameters conditions may name, and the rules."""

    id: str
    sha256: str
    params: Mapping[str, Any]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    condition: CompiledCondition


@dataclass
class CompiledRuleset:
    spec: RulesetSpec
    rules: tuple[CompiledRule, ...]
    durable_name: str
    # kind -> field path -> expected type, merged over every rule about that kind.
    schema: dict[str, dict[str, str]] = field(default_factory=dict)
    # kind -> the top-level fields any rule about that kind reads, sorted: what a fact of that kind must carry
    # to durable-rules (engine.session sends those, with its id and kind, and nothing else).
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def durable_definition(self) -> dict[str, Any]:
        # A fresh dict every time: set_rulesets mutates what it is given (it deletes `run`).
        rules: dict[str, Any] = {
            f"r{index}": {"all": [{"m": compiled.condition.durable}], "pri": compiled.rule.pri, "run": str(index)}
            for index, compiled in enumerate(self.rules)
        }
        # durable-rules 2.0.28 never initialises a new state's action context (two heap pointers) and frees it
        # in delete_state: deleting a session no action has run on frees garbage and kills the process
        # (SIGSEGV, or "free(): invalid pointer") whenever its state slot was not used before. Running an action
        # sets and then clears those pointers, so a session in which nothing fired asserts the primer fact
        # (engine.session.primer_fact) before it is deleted.
        rules[PRIME_RULE] = {"all": [{"m": {DISCRIMINATOR: PRIME_KIND}}], "run": PRIME_RULE}
        return {self.durable_name: rules}

    def network(self) -> Network:
        """The alpha network durable-rules builds for exactly what is registered: these rules and the primer."""
        definition = self.durable_definition()[self.durable_name]
        names = {f"r{index}": compiled.rule.id for index, compiled in enumerate(self.rules)}
        return Network((names.get(name, name), body["all"][0]["m"]) for name, body in definition.items())


# The highest priority a rule may have: far beyond any ruleset's needs, and well inside the C core's integers.
MAX_PRI = 1_000_000
_RULE_ID = re.compile(r"^[A-Za-z0-9_.:@-]+$")


def compile_ruleset(spec: RulesetSpec) -> CompiledRuleset:
    """Check and compile every rule; raises RuleDefinitionError listing every problem found.

    Rules that are each sound but together break a limit of durable-rules' network raise LimitError.
    """
    problems: list[str] = []
    compiled: list[CompiledRule] = []
    seen: set[str] = set()
    schema: dict[str, dict[str, str]] = {}
    fields: dict[str, set[str]] = {}
    for rule in spec.rules:
        where = f"rule {rule.id}"
        if not _RULE_ID.match(rule.id):
            problems.append(f"{where}: a rule id uses letters, digits and _ . : @ - only")
        if rule.id in seen:
            problems.append(f"{where}: duplicate rule id")
        seen.add(rule.id)
        if isinstance(rule.pri, bool) or not isinstance(rule.pri, int) or not 0 <= rule.pri <= MAX_PRI:
            # Negative priorities wrap around in the C core (field notes); one beyond 64 bits fails registration.
            problems.append(f"{where}: pri must be a whole number from 0 to {MAX_PRI}, found {rule.pri!r}")
        condition, found = compile_condition(rule.when, spec.params, where)
        problems += found
        if condition.kind == PRIME_KIND:
            problems.append(f"{where}: kind {PRIME_KIND} is reserved for the engine")
        problems += check_effect(rule.then, spec.params, where)
        fields.setdefault(condition.kind, set()).update(condition.fields)
        kind_schema = schema.setdefault(condition.kind, {})
        for path, typ in condition.field_types.items():
            if kind_schema.setdefault(path, typ) != typ:
                problems.append(
                    f"{where}: field {path} of {condition.kind} facts is compared as a {typ} here "
                    f"and as a {kind_schema[path]} by another rule"
                )
        compiled.append(CompiledRule(rule, condition))
    if problems:
        raise RuleDefinitionError(problems)
    name = re.sub(r"[^A-Za-z0-9_]", "_", f"{spec.id}_{spec.sha256[:16]}")
    read = {kind: tuple(sorted(names - {"id", DISCRIMINATOR})) for kind, names in fields.items()}
    result = CompiledRuleset(spec, tuple(compiled), name, schema, read)
    network = result.network()
    limits = network.structural_problems()
    # The stack bound is an upper bound (it assumes every test that may hold does), so it can refuse a ruleset
    # whose facts would never reach it; but one that can reach it fires nothing, or hangs durable-rules (an `all`
    # of 10 `any` lists of 9 alternatives), so a ruleset `rules lint` refuses is never loaded either.
    stack = network.stack_problem()
    if stack is not None:
        limits.append(stack)
    if limits:
        raise LimitError(limits, network)
    return result


_CACHE: dict[tuple[int, str, str], CompiledRuleset] = {}


def compiled_ruleset(spec: RulesetSpec) -> CompiledRuleset:
    """The compiled form of `spec`, built once per process."""
    key = (os.getpid(), spec.id, spec.sha256)
    found = _CACHE.get(key)
    if found is None:
        found = _CACHE[key] = compile_ruleset(spec)
    return found
