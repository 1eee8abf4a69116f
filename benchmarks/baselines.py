"""The engine baselines both benchmarks measure tenderscore against, on facts tenderscore asserted.

- bare durable-rules: its documented Python API (a Host with the dispatcher threads off, a ruleset of Python
  actions that only count, `assert_fact` per fact), the baseline issue 7's target names;
- the C core alone: durable-rules' `durable_rules_engine` driven directly, as engine.Session drives it, doing
  nothing per firing but count it: the floor for anything built on durable-rules 2.0.28.

Both run one session per group of facts and delete it after, priming a session in which nothing fired first,
as engine.Session does (durable-rules 2.0.28 crashes deleting a state no action ran on).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import tenderscore.engine.session as engine_session

# After tenderscore.engine.core, which loads durable-rules' C core on every Python tenderscore supports.
from durable import engine as durable
from tenderscore.engine.core import core as durable_rules_engine
from tenderscore.engine.ruleset import PRIME_RULE, CompiledRuleset

Sessions = list[list[dict[str, Any]]]
NOT_HANDLED = 1  # durable_rules_engine.assert_fact's status when no rule is about the fact


def engine_sessions(compiled: CompiledRuleset, groups: Iterable[Iterable[Mapping[str, Any]]], prefix: str) -> Sessions:
    """Each group's facts exactly as engine.Session sends them to durable-rules (converted once, before any
    clock starts), with a session id of its own."""
    convert = engine_session._registration(compiled).to_engine
    sessions: Sessions = []
    for number, group in enumerate(groups):
        sid = f"{prefix}{number}"
        sessions.append([{**convert(fact), "sid": sid} for fact in group])
    return sessions


class _BareHost(durable.Host):  # type: ignore[misc]
    def _run(self) -> None:  # no dispatcher or timer threads: every action runs inside assert_fact
        return None


def bare_durable(compiled: CompiledRuleset, sessions: Sessions) -> Callable[[], int]:
    """A runner asserting `sessions` through durable-rules' Host API; it returns the number of firings."""
    name = f"bare_{compiled.durable_name}"
    fired = [0]

    def count(c: Any) -> None:
        fired[0] += 1

    def primed(c: Any) -> None:
        return None

    rules = compiled.durable_definition()[compiled.durable_name]
    for rule_name, body in rules.items():
        body["run"] = primed if rule_name == PRIME_RULE else count
    host = _BareHost()
    host.set_rulesets({name: rules})

    def run() -> int:
        fired[0] = 0
        for facts in sessions:
            before = fired[0]
            for fact in facts:
                try:  # noqa: SIM105 (cheaper than contextlib.suppress in the timed loop)
                    host.assert_fact(name, fact)
                except durable.MessageNotHandledException:
                    pass
            sid = facts[0]["sid"]
            if fired[0] == before:
                host.assert_fact(name, engine_session.primer_fact(sid))
            host.delete_state(name, sid)
        return fired[0]

    return run


def core_durable(compiled: CompiledRuleset, sessions: Sessions) -> Callable[[], int]:
    """A runner asserting `sessions` on durable-rules' C core directly; it returns the number of firings."""
    rules = compiled.durable_definition()[compiled.durable_name]
    for body in rules.values():
        del body["run"]
    handle = durable_rules_engine.create_ruleset(f"core_{compiled.durable_name}", json.dumps(rules))
    encode, decode = engine_session._encode, engine_session._decode
    start, complete = durable_rules_engine.start_action_for_state, durable_rules_engine.complete_and_start_action

    def act(state: int) -> int:
        started = start(handle, state)
        message = started[1] if started else None
        fired = 0
        while message:
            fired += PRIME_RULE not in decode(message)  # {rule name: {"m": fact}}; the primer is no firing
            message = complete(handle, state)
        return fired

    def run() -> int:
        fired = 0
        for facts in sessions:
            before = fired
            for fact in facts:
                status, state = durable_rules_engine.assert_fact(handle, encode(fact))
                if status != NOT_HANDLED:
                    fired += act(state)
            sid = facts[0]["sid"]
            if fired == before:
                _, state = durable_rules_engine.assert_fact(handle, encode(engine_session.primer_fact(sid)))
                act(state)
            durable_rules_engine.delete_state(handle, sid)
        return fired

    return run
