"""The engine refuses rulesets durable-rules 2.0.28 cannot register or run, at exactly the counts where it fails.

Each limit is a count of the network durable-rules builds (engine.limits). The refusals are checked on the
engine alone; the controls run the first refused count on bare durable-rules, in a child process, to show it
really hangs or crashes there (if a new durable-rules stops doing so, a control fails and the limit can move).
The highest accepted counts are run through the real engine in test_rules_limits.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from tenderscore.engine import LimitError, Rule, RuleDefinitionError, RulesetSpec, Session, Trace, compile_ruleset
from tenderscore.engine.limits import MAX_ABSENT, MAX_CHILDREN, MAX_LISTED, MAX_RULES_PER_NODE, Network

FLAG = {"flag": {"code": "hit", "message": "hit"}}


def spec_of(rules: list[Rule]) -> RulesetSpec:
    return RulesetSpec("limits", f"{len(rules):064d}", {}, tuple(rules))


def children(count: int) -> list[Rule]:
    """`count` different tests under `kind eq c`, as a catalogue of `count` measures makes them."""
    return [Rule(f"m{i}", {"kind": "c", "measure": f"M{i}"}, FLAG) for i in range(count)]


def absent(count: int) -> list[Rule]:
    return [Rule(f"n{i}", {"kind": "c", f"f{i}": {"exists": False}}, FLAG) for i in range(count)]


def same_any(count: int) -> list[Rule]:
    return [Rule(f"s{i}", {"kind": "c", "any": [{"a": 1}, {"b": 2}]}, FLAG) for i in range(count)]


def identical(count: int) -> list[Rule]:
    return [Rule(f"r{i}", {"kind": "c", "a": 1}, FLAG) for i in range(count)]


@pytest.mark.parametrize(
    ("rules", "limit", "words"),
    [
        (children(512), "children", '512 different conditions follow `kind eq "c"`'),
        # An `in` of 512 literals is an `any` of 512 branches: the same 512 tests under one node.
        (
            [Rule("wide", {"kind": "c", "v": {"in": list(range(512))}}, FLAG)],
            "children",
            '512 different conditions follow `kind eq "c"`',
        ),
        (absent(128), "absent", '128 `exists: false` tests follow `kind eq "c"`'),
        (absent(129), "listed", '129 `exists: false` tests and `any` exits follow `kind eq "c"`'),
        # Each of the two branches (`a eq 1`, `b eq 2`) gets 129 exits.
        (same_any(129), "listed", "129 `exists: false` tests and `any` exits follow `a eq 1`"),
        (identical(256), "rules", "256 rules have the same conditions up to `a eq 1`"),
    ],
)
def test_compiling_refuses_each_limit_at_the_first_count_that_fails(rules: list[Rule], limit: str, words: str) -> None:
    with pytest.raises(LimitError) as raised:
        compile_ruleset(spec_of(rules))
    found = [(problem.limit, problem.message) for problem in raised.value.limits]
    assert any(kind == limit and words in message for kind, message in found), found
    assert any(words in line for line in raised.value.problems)
    # It is a RuleDefinitionError like any other, so every caller that reports those reports it.
    assert isinstance(raised.value, RuleDefinitionError)


def test_one_under_each_limit_compiles(monkeypatch: pytest.MonkeyPatch) -> None:
    # 127 absence tests, or 128 exits of one `any`, could all hold for one fact: over the stack's 64, which
    # compiling refuses too (issue 13, item 17). The structural limits are what is tested here.
    monkeypatch.setattr(Network, "stack_problem", lambda self: None)
    assert (MAX_CHILDREN, MAX_ABSENT, MAX_LISTED, MAX_RULES_PER_NODE) == (511, 127, 128, 255)
    for rules in (children(511), absent(127), same_any(128), identical(255)):
        compile_ruleset(spec_of(rules))


def test_the_problem_names_the_rules_involved_and_a_session_never_registers_them() -> None:
    with pytest.raises(LimitError) as raised:
        Session(spec_of(identical(256)), "s", Trace())
    (problem,) = raised.value.limits
    # The rules ending at that node in rule order, the first six of the 256 shown.
    assert problem.describe().endswith("(rules: r0, r1, r2, r3, r4, r5, ...)")
    assert len(problem.rules) == 256


def run_bare(rules: dict[str, Any], fact: dict[str, Any], timeout: float) -> tuple[str, int | None]:
    """Register `rules` on a bare durable-rules Host and assert `fact`: (what it printed, exit code or None if
    it was still running after `timeout` seconds)."""
    script = textwrap.dedent(
        """
        import json, sys
        import tenderscore.engine.core  # loads durable-rules' C core on every supported Python first
        from durable import engine as durable

        class Host(durable.Host):
            def _run(self):
                return None

        rules, fact = json.loads(sys.stdin.read())
        for body in rules.values():
            body["run"] = lambda c: None
        host = Host()
        host.set_rulesets({"x": rules})
        print("registered", flush=True)
        host.assert_fact("x", {**fact, "sid": "1"})
        print("asserted", flush=True)
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    try:
        out, _ = process.communicate(json.dumps([rules, fact]), timeout=timeout)
        return out, process.returncode
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
        return out, None


def bare(conditions: list[dict[str, Any]]) -> dict[str, Any]:
    return {f"r{i}": {"all": [{"m": condition}]} for i, condition in enumerate(conditions)}


def test_control_512_tests_under_one_node_register_then_hang_the_first_fact() -> None:
    rules = bare([{"$and": [{"kind": "c"}, {"measure": f"M{i}"}]} for i in range(512)])
    # A fact naming a measure that is there hangs too: every fact reaching the node does. (An assert takes
    # milliseconds; 5 s is a hang.)
    out, code = run_bare(rules, {"id": "a", "kind": "c", "measure": "M511"}, timeout=5)
    assert (out, code) == ("registered\n", None)


def test_control_256_identical_rules_break_the_first_fact_they_match() -> None:
    # durable-rules keeps a node's rules in a zero-terminated list of 256: full, it is read past its end, so
    # what happens depends on the memory after it. Measured: SIGSEGV on every run. (128 `exists: false` tests
    # fill their list of 128 the same way, but crashed only in some processes, so there is no control for it.)
    rules = bare([{"$and": [{"kind": "c"}, {"a": 1}]} for _ in range(256)])
    out, code = run_bare(rules, {"id": "a", "kind": "c", "a": 1}, timeout=60)
    assert out == "registered\n"
    assert code is not None and code != 0
