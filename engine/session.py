"""Firing rules over facts: one durable-rules session per subject, always deleted afterwards.

This is where a rule fires. Each fact is asserted on its own so the trace order is the assertion order
(durable-rules fires the last fact of a batch first); every firing runs the effect in Python with the
caller's original values and is recorded in the trace.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping
from decimal import Decimal
from types import TracebackType
from typing import Any

import orjson

from .conditions import DISCRIMINATOR
from .core import core as _core
from .effects import compute_effect
from .errors import ActionError, EngineError, FactError, RuleDefinitionError
from .numbers import to_engine_number
from .predicate import MISSING, lookup
from .ruleset import PRIME_KIND, PRIME_RULE, CompiledRuleset, RulesetSpec, compiled_ruleset
from .trace import Firing, Trace


def _encode(value: Any) -> str:
    # orjson: much faster than json.dumps on a fact, and the same text for every number the engine sends
    # (checked over 300,000 decimals of up to 15 digits); the C core takes str, not bytes.
    return orjson.dumps(value).decode()


_decode = orjson.loads
# assert_fact's status codes (durable/engine.py, Ruleset._handle_result): matched, its actions pending on the
# returned state; no rule is about the fact; the fact was already asserted. (3, queued for a store callback,
# needs callbacks the engine never sets: met anyway, it is an error, never another session's state.)
_HANDLED, _NOT_HANDLED, _OBSERVED = 0, 1, 2
# durable-rules refuses facts with more properties than this (field notes).
MAX_PROPERTIES = 255
# durable-rules holds at most this many session ids per ruleset; only delete_state frees one.
MAX_LIVE_SESSIONS = 1024
_TYPE_OK = {
    "number": lambda v: isinstance(v, (int, Decimal)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
}
# (field path, whether it is a top-level field, type name): a kind's schema laid out once per registration, so
# checking a fact is a dict lookup per field instead of splitting every dotted path on every assert.
TypeCheck = tuple[str, bool, str]


def _type_checks(schema: Mapping[str, Mapping[str, str]]) -> dict[str, tuple[TypeCheck, ...]]:
    return {kind: tuple((path, "." not in path, typ) for path, typ in paths.items()) for kind, paths in schema.items()}


class _Registration:
    """A compiled ruleset registered with durable-rules' C core in this process, and its action table.

    The engine drives the C core directly rather than through durable-rules' Python Host: that layer starts
    threads that never stop (error 307 under batch load, field notes), swallows an action's exceptions into the
    session state, and spent much of the engine's time per firing on work the engine never uses (a
    timestamp, a state object, a state write-back per action). Every action here is started and completed by
    the session that asserted the fact, on that session's own state, so no firing can land in another's trace.
    """

    def __init__(self, compiled: CompiledRuleset) -> None:
        self.checks = _type_checks(compiled.schema)
        definition = compiled.durable_definition()[compiled.durable_name]
        # The action name durable-rules reports -> the rule's index (None for the primer, which only has to run).
        self.actions: dict[str, int | None] = {}
        for name, body in definition.items():
            run = body.pop("run")  # the C core takes conditions only; actions are run here
            self.actions[name] = None if name == PRIME_RULE else int(run)
        try:
            self.handle: int = _core.create_ruleset(compiled.durable_name, _encode(definition))
        except Exception as exc:  # rules each sound that durable-rules' network still refuses (error 113 seen)
            raise RuleDefinitionError(
                [f"ruleset {compiled.spec.id}: durable-rules refused to register it ({exc})"]
            ) from None
        self.fields = compiled.fields

    def to_engine(self, fact: Mapping[str, Any]) -> dict[str, Any]:
        """The fact as durable-rules is sent it (without its session id): its id and kind, and the fields some
        rule about its kind reads, converted; ValueError names a field whose value cannot cross exactly.

        Only what the rules read is sent: durable-rules matches on nothing else, and the trace keeps the whole
        fact. On the workload this halves the conversion and the JSON (a commitment fact reads 5 of 12 fields).
        A field no rule reads is therefore not checked either: it reaches the trace as the caller gave it.
        """
        kind = fact[DISCRIMINATOR]
        out = {"id": fact["id"], DISCRIMINATOR: kind}
        for name in self.fields.get(kind, ()):
            value = fact.get(name)
            if value is None:  # a null field is an absent one (as in lookup)
                continue
            cls = type(value)
            if cls is str or cls is bool:
                out[name] = value
            elif cls is Decimal or cls is int:
                try:
                    out[name] = to_engine_number(value)
                except ValueError as exc:
                    raise ValueError(f"field {name}: {exc}") from None
            else:
                out[name] = _to_engine(value, name)
        return out


def primer_fact(sid: str) -> dict[str, str]:
    """The fact that fires a ruleset's primer rule in session `sid` (see CompiledRuleset.durable_definition)."""
    return {"id": PRIME_KIND, DISCRIMINATOR: PRIME_KIND, "sid": sid}


_REGISTERED: dict[tuple[int, str], _Registration] = {}
_SIDS = itertools.count(1)


def register(compiled: CompiledRuleset) -> None:
    """Register `compiled` with durable-rules in this process now, as a session would on its first fact.

    Some rulesets that compile are still refused by durable-rules' network (RuleDefinitionError): registering
    when a ruleset is loaded finds that before any bid is scored, and a later session reuses the registration.
    """
    _registration(compiled)


def _registration(compiled: CompiledRuleset) -> _Registration:
    key = (os.getpid(), compiled.durable_name)  # a forked worker registers its own, not its parent's
    found = _REGISTERED.get(key)
    if found is None:
        found = _REGISTERED[key] = _Registration(compiled)
    return found


class Session:
    """The facts about one subject (a bid, a tender), fired against one ruleset."""

    def __init__(self, spec: RulesetSpec, label: str, trace: Trace) -> None:
        self.compiled = compiled_ruleset(spec)
        self.spec = spec
        self.label = label
        self.trace = trace
        self._reg = _registration(self.compiled)
        self._sid = f"s{next(_SIDS)}"
        self._facts: dict[str, Mapping[str, Any]] = {}
        self._fired: set[tuple[int, str]] = set()
        self._new: list[Firing] = []
        self._error: EngineError | None = None
        self._closed = False
        self._broken = False
        self._sent = False
        self._acted = False  # whether durable-rules has run an action on this session's state

    def __enter__(self) -> Session:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close(check=exc is None)

    def assert_fact(self, fact: Mapping[str, Any]) -> list[Firing]:
        """Assert one fact; returns the firings it caused, in order. Raises EngineError on any failure."""
        if self._closed:
            raise EngineError("the session is closed", ruleset_id=self.spec.id, fact=dict(fact))
        if self._broken:
            # An action was abandoned part-way: its match is still pending and would fire on the next fact.
            raise EngineError(
                "an earlier fact of this session failed part-way through its actions: open a new session",
                ruleset_id=self.spec.id,
                fact=dict(fact),
            )
        engine_fact = self._prepare(fact)
        self._facts[str(fact["id"])] = fact
        self._new = []
        self._sent = True
        try:
            status, state = _core.assert_fact(self._reg.handle, _encode(engine_fact))
            if status == _OBSERVED:
                raise FactError("the same fact was asserted twice", ruleset_id=self.spec.id, fact=dict(fact))
            if status == _HANDLED:
                self._act(state)
            elif status != _NOT_HANDLED:  # not handled: no rule is about this fact, which is an answer too
                raise EngineError(f"durable-rules answered status {status}", ruleset_id=self.spec.id, fact=dict(fact))
        except EngineError:
            raise
        except MemoryError as exc:
            # The C core raises a bare MemoryError when a ruleset already has its 1024 live sessions.
            raise EngineError(
                f"durable-rules is out of session ids or memory (it allows {MAX_LIVE_SESSIONS} live sessions per "
                "ruleset; is every Session closed?)",
                ruleset_id=self.spec.id,
                fact=dict(fact),
            ) from exc
        except Exception as exc:  # durable-rules reports C-core failures as bare Exceptions with error codes
            raise EngineError(f"durable-rules failed: {exc}", ruleset_id=self.spec.id, fact=dict(fact)) from exc
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        return self._new

    def _act(self, state: int) -> None:
        """Run every action the last fact started on this session's state, one at a time, in durable's order."""
        handle, actions = self._reg.handle, self._reg.actions
        started = _core.start_action_for_state(handle, state)
        if not started:
            return
        self._acted = True
        message: str | None = started[1]
        try:
            while message:
                # One action per message: {rule name: {"m": the matched fact}}.
                ((name, matched),) = _decode(message).items()
                index = actions[name]
                if index is not None:
                    self._on_fire(index, matched["m"])
                message = _core.complete_and_start_action(handle, state)
        except BaseException:
            # Left started, the action would hold the state; the session is deleted on close either way.
            _core.abandon_action(handle, state)
            self._broken = True
            raise

    def close(self, check: bool = True) -> None:
        """Delete the session's state (the only way durable-rules frees a session id)."""
        if self._closed:
            return
        self._closed = True
        if not self._sent:
            return  # no fact reached durable-rules, so it holds no state to delete (asking fails with error 309)
        if not self._acted and not self._run_primer(check):
            return
        try:
            _core.delete_state(self._reg.handle, self._sid)
        except Exception as exc:
            # Closing after a failure: the C core may have refused the fact before creating any state,
            # and the caller needs the original error, not "state not found".
            if check:
                raise EngineError(f"durable-rules failed closing the session: {exc}", ruleset_id=self.spec.id) from exc

    def _run_primer(self, check: bool) -> bool:
        """Run one action on this session's state, so delete_state does not free uninitialised pointers."""
        try:
            status, state = _core.assert_fact(self._reg.handle, _encode(primer_fact(self._sid)))
            if status != _HANDLED:
                raise EngineError(f"durable-rules answered status {status} to the primer fact", ruleset_id=self.spec.id)
            self._act(state)
        except Exception as exc:
            # After a failure the C core may have made no state at all (it refused the fact, or had no session
            # id left): nothing to delete, and the caller needs the original error.
            if check:
                raise EngineError(f"durable-rules failed closing the session: {exc}", ruleset_id=self.spec.id) from exc
            return False
        return True

    def _prepare(self, fact: Mapping[str, Any]) -> dict[str, Any]:
        fact_id = fact.get("id")
        kind = fact.get("kind")
        if not isinstance(fact_id, str) or not fact_id:
            raise FactError("every fact needs a non-empty string id", ruleset_id=self.spec.id, fact=dict(fact))
        if fact_id in self._facts:
            raise FactError("a fact with this id was already asserted", ruleset_id=self.spec.id, fact=dict(fact))
        if not isinstance(kind, str):
            raise FactError("every fact needs a string kind", ruleset_id=self.spec.id, fact=dict(fact))
        if kind == PRIME_KIND:
            raise FactError(f"kind {PRIME_KIND} is reserved for the engine", ruleset_id=self.spec.id, fact=dict(fact))
        if "sid" in fact:
            raise FactError("sid is reserved for the engine", ruleset_id=self.spec.id, fact=dict(fact))
        if len(fact) > MAX_PROPERTIES - 1:
            raise FactError(
                f"{len(fact)} properties; durable-rules takes at most {MAX_PROPERTIES}",
                ruleset_id=self.spec.id,
                fact=dict(fact),
            )
        for path, top_level, typ in self._reg.checks.get(kind, ()):
            # A null field is an absent one (as in lookup): the engine never sends nulls to durable-rules.
            value = fact.get(path) if top_level else lookup(fact, path)
            if value is not None and value is not MISSING and not _TYPE_OK[typ](value):
                raise FactError(
                    f"field {path} must be a {typ} (the rules compare it as one), found {value!r}",
                    ruleset_id=self.spec.id,
                    fact=dict(fact),
                )
        try:
            converted = self._reg.to_engine(fact)
        except ValueError as exc:
            raise FactError(str(exc), ruleset_id=self.spec.id, fact=dict(fact)) from None
        converted["sid"] = self._sid
        return converted

    def _on_fire(self, index: int, matched: Any) -> None:
        self._acted = True
        compiled = self.compiled.rules[index]
        fact_id = str(matched["id"])
        # An `any` fires once per true branch (field notes); one firing per rule and fact is what is meant.
        if (index, fact_id) in self._fired or self._error is not None:
            return
        self._fired.add((index, fact_id))
        fact = self._facts[fact_id]
        try:
            effect = compute_effect(compiled.rule.then, fact, self.spec.params)
        except Exception as exc:  # durable-rules would swallow it; keep it and raise it after the assert
            self._error = ActionError(
                f"effect failed: {exc}", ruleset_id=self.spec.id, rule_id=compiled.rule.id, fact=dict(fact)
            )
            return
        self._new.append(self.trace.record(self.label, compiled.rule.id, dict(fact), effect))


def _to_engine(value: Any, path: str = "") -> Any:
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, Decimal)):
        try:
            return to_engine_number(value)
        except ValueError as exc:
            raise ValueError(f"field {path}: {exc}") from None
    if isinstance(value, Mapping):
        return {str(k): _to_engine(v, f"{path}.{k}" if path else str(k)) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_to_engine(v, f"{path}[]") for v in value if v is not None]
    raise ValueError(f"field {path}: {type(value).__name__} values cannot be matched on (use Decimal, str or bool)")
