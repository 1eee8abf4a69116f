"""durable-rules' limits: what lint and the loader predict is what the real engine does.

The engine runs in a child process: an error 303 leaves durable-rules' session state as garbage (reading it has
crashed the process with SIGSEGV), which must not take the test run down with it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FIXTURES
from tenderscore.engine.limits import Network
from tenderscore.scoring.errors import RulesetError
from tenderscore.scoring.ruleset import parse_ruleset
from tenderscore.scoring.rulesets_tools.lint import lint_text

STACK_FIXTURE = FIXTURES / "rulesets-broken" / "stack-limit.yaml"
FLAG = {"flag": {"code": "hit", "message": "hit"}}


def ruleset_text(rules: list[dict[str, Any]], measures: list[dict[str, Any]] | None = None) -> str:
    data = {
        "id": "limits",
        "version": "1",
        "title": "Limits",
        "policy": {"applies_over_gbp": 0, "floor": 0, "alt_fraction": "0.2", "plausibility_ratio": "1"},
        "themes": {"jobs": {"number": 1, "title": "Jobs"}},
        "core_outcomes": {"1": {"title": "One", "themes": ["jobs"]}},
        "measures": measures or [{"code": "NT1", "theme": "jobs", "unit": "FTE", "proxy_gbp": "1.00"}],
        "rules": rules,
    }
    # The rules share FLAG: written out in full, since a ruleset may hold no YAML alias (issue 13, item 16).
    return yaml.dump(data, Dumper=_NoAliases, sort_keys=False)


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


# The loader refuses a ruleset that could overfill durable-rules' stack (issue 13, item 17: whatever lint refuses);
# to show what the real engine does with one, the child process loads it with that one check switched off.
WITHOUT_STACK_CHECK = "from tenderscore.engine.limits import Network; Network.stack_problem = lambda self: None"


def run_engine(text: str, facts: list[dict[str, Any]]) -> dict[str, Any]:
    """Load `text` and assert `facts` in one session of the real engine, in a child process."""
    script = textwrap.dedent(
        """
        import json, sys
        from decimal import Decimal
        from tenderscore.engine import EngineError, Session, Trace
        from tenderscore.scoring.ruleset import parse_ruleset
        {without_stack_check}
        text, facts = json.loads(sys.stdin.read())
        ruleset = parse_ruleset(text, "limits.yaml", "test")
        trace = Trace()
        try:
            with Session(ruleset.spec, "s", trace) as session:
                for fact in facts:
                    session.assert_fact(fact)
            print(json.dumps({"firings": len(trace.firings), "error": None}))
        except EngineError as exc:
            print(json.dumps({"firings": len(trace.firings), "error": str(exc)}))
        """
    ).replace("{without_stack_check}", WITHOUT_STACK_CHECK)
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps([text, facts]),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def lint_errors(text: str) -> list[str]:
    return [str(f) for f in lint_text(text, "limits.yaml").errors]


def commitment(quantity: int, measure: str = "NT7") -> dict[str, Any]:
    return {
        "id": "commitment:1",
        "kind": "commitment",
        "index": 1,
        "measure": measure,
        "quantity": quantity,
        "catalogued": True,
        "accepted": True,
        "contract_value_gbp": 1000000,
    }


def test_the_stack_fixture_is_flagged_by_lint_and_really_fails_in_the_engine() -> None:
    text = STACK_FIXTURE.read_text(encoding="utf-8")
    errors = lint_errors(text)
    assert len(errors) == 1
    assert "up to 66 true conditions at once" in errors[0] and "error 303 above 64" in errors[0]
    # 620 hours: value.NT7's `measure eq NT7` plus the bands gte 0, 10, ..., 620 (63 of them) = 64 tests on
    # the stack: every one of those 64 rules fires.
    assert run_engine(text, [commitment(620)]) == {"firings": 64, "error": None}
    # 630 hours: 1 + 64 bands = 65: durable-rules refuses the assert and nothing fires.
    result = run_engine(text, [commitment(630)])
    assert result["firings"] == 0
    assert "error code: 303" in result["error"]


def test_the_limit_counts_true_tests_not_true_rules() -> None:
    # 65 rules: kind, then a test of their own field (true), then y eq 5 (false). No rule is true, yet 65
    # tests are pushed at once under the shared `kind eq k` test.
    rules = [{"id": f"r{i}", "when": {"kind": "k", f"x{i}": i, "y": 5}, "then": FLAG} for i in range(65)]
    fact = {"id": "f", "kind": "k", "y": 4, **{f"x{i}": i for i in range(65)}}
    text = ruleset_text(rules)
    assert len(lint_errors(text)) == 1
    assert "error code: 303" in run_engine(text, [fact])["error"]


def test_one_rule_with_many_anded_conditions_is_fine_for_lint_and_engine() -> None:
    # 100 conditions in one rule form a chain: one test on the stack at a time.
    rule = {"id": "long", "when": {"kind": "k", **{f"x{i}": i for i in range(100)}}, "then": FLAG}
    text = ruleset_text([rule])
    assert lint_errors(text) == []
    fact = {"id": "f", "kind": "k", **{f"x{i}": i for i in range(100)}}
    assert run_engine(text, [fact]) == {"firings": 1, "error": None}


def test_nested_any_multiplies_combinations_but_not_the_stack() -> None:
    # any of 8 and any of 9, all true: 72 combinations, but the stack holds at most 8 + 9 - 1 = 16 tests.
    rule = {
        "id": "grid",
        "when": {
            "kind": "k",
            "any": [{"v": {"lt": 100 + i}} for i in range(8)],
            "all": [{"any": [{"w": {"lt": 100 + i}} for i in range(9)]}],
        },
        "then": FLAG,
    }
    text = ruleset_text([rule])
    assert lint_errors(text) == []
    # durable-rules fires the rule once per true combination; the engine records one firing per rule and fact.
    assert run_engine(text, [{"id": "f", "kind": "k", "v": 0, "w": 0}]) == {"firings": 1, "error": None}


def test_absence_tests_count_towards_the_stack_and_lint_says_so() -> None:
    # 70 `exists: false` tests under `kind eq k`: a k fact with none of the fields holds all 70 at once.
    text = ruleset_text(absent_rules(70))
    (error,) = lint_errors(text)
    assert 'up to 70 true conditions at once (at `kind eq "k"`)' in error
    assert "error code: 303" in run_engine(text, [{"id": "bare", "kind": "k"}])["error"]
    # With f0 ... f5 present, 70 - 6 = 64 hold: exactly the stack, and each of those 64 rules fires.
    assert run_engine(text, [{"id": "six", "kind": "k", **{f"f{i}": 1 for i in range(6)}}]) == {
        "firings": 64,
        "error": None,
    }


def test_a_large_catalogue_stays_within_the_stack_limit() -> None:
    # 300 measures: 300 valuation rules under `kind eq commitment`, but a commitment has one measure, so at
    # most one `measure eq ...` test holds: lint must not cry wolf, and the engine values the commitment.
    measures = [{"code": f"M{i}", "theme": "jobs", "unit": "hours", "proxy_gbp": "2.50"} for i in range(300)]
    text = ruleset_text([], measures)
    assert lint_errors(text) == []
    assert run_engine(text, [commitment(4, "M299")]) == {"firings": 1, "error": None}


def measures_of(count: int) -> list[dict[str, Any]]:
    return [{"code": f"M{i}", "theme": "jobs", "unit": "h", "proxy_gbp": "1"} for i in range(count)]


def absent_rules(count: int) -> list[dict[str, Any]]:
    return [{"id": f"n{i}", "when": {"kind": "k", f"f{i}": {"exists": False}}, "then": FLAG} for i in range(count)]


def same_rules(count: int) -> list[dict[str, Any]]:
    return [{"id": f"r{i}", "when": {"kind": "j", "a": 1}, "then": FLAG} for i in range(count)]


@pytest.mark.parametrize(
    ("rules", "measures", "expected"),
    [
        # 512 measures: 512 different `measure eq` tests under `kind eq commitment`. durable-rules registers
        # them, but its table of 512 is then full and every commitment's assert hangs (test_engine_limits).
        ([], measures_of(512), '512 different conditions follow `kind eq "commitment"`'),
        # 513: set_rulesets itself never returns.
        ([], measures_of(513), '513 different conditions follow `kind eq "commitment"`'),
        # an `any` of 512 alternatives: the same limit, reached by one rule.
        (
            [{"id": "wide", "when": {"kind": "k", "any": [{"v": i} for i in range(512)]}, "then": FLAG}],
            None,
            '512 different conditions follow `kind eq "k"`',
        ),
        # 128 `exists: false` tests under `kind eq k`: SIGSEGV on the first k fact.
        (absent_rules(128), None, '128 `exists: false` tests follow `kind eq "k"`'),
        # 129: error 107 at registration (absence tests and `any` exits share a list of 128).
        (absent_rules(129), None, '129 `exists: false` tests and `any` exits follow `kind eq "k"`'),
        # 129 rules with the same `any` branches: 129 exits from each branch (error 107 at registration).
        (
            [{"id": f"r{i}", "when": {"kind": "k", "any": [{"a": 1}, {"b": 2}]}, "then": FLAG} for i in range(129)],
            None,
            "refuses more than 128 there (error 107",
        ),
        # 256 rules with identical conditions: SIGSEGV on the first fact they match; 257: error 108.
        (same_rules(256), None, "256 rules have the same conditions up to `a eq 1`"),
        (same_rules(257), None, "257 rules have the same conditions up to `a eq 1`"),
    ],
)
def test_the_loader_refuses_what_durable_rules_cannot_register_or_run(
    rules: list[dict[str, Any]], measures: list[dict[str, Any]] | None, expected: str
) -> None:
    text = ruleset_text(rules, measures)
    with pytest.raises(RulesetError) as raised:
        parse_ruleset(text, "limits.yaml", "test")
    assert expected in str(raised.value)
    assert any(expected in line for line in lint_errors(text))


def test_just_under_the_limits_loads_registers_and_fires(monkeypatch: pytest.MonkeyPatch) -> None:
    # One ruleset at every structural limit's highest accepted count, run through the real engine (a hang
    # would time the child process out, a crash would fail it): 511 measures under `kind eq commitment`,
    # 127 `exists: false` tests under `kind eq k`, 255 rules with the same conditions (`kind eq j`, `a eq 1`),
    # and 128 rules with the same `any` (128 exits from each branch, the most that registers; a fact reaching
    # them would hold 128 tests at once, over the stack's 64, so none is asserted).
    same_any = [{"id": f"s{i}", "when": {"kind": "s", "any": [{"a": 1}, {"b": 2}]}, "then": FLAG} for i in range(128)]
    text = ruleset_text(absent_rules(127) + same_rules(255) + same_any, measures_of(511))
    monkeypatch.setattr(Network, "stack_problem", lambda self: None)  # as run_engine's child process does
    parse_ruleset(text, "limits.yaml", "test")
    facts = [
        commitment(4, "M510"),  # value.M510: 1 firing
        {"id": "k1", "kind": "k", **{f"f{i}": 1 for i in range(126)}},  # only f126 is absent: n126, 1 firing
        {"id": "j1", "kind": "j", "a": 1},  # r0 ... r254: 255 firings
    ]
    # 1 + 1 + 255 = 257
    assert run_engine(text, facts) == {"firings": 257, "error": None}


def test_a_long_not_in_is_a_chain_not_a_fan_and_is_fine() -> None:
    # `not_in` of 600 literals compiles to 600 `ne` tests one after another (one on the stack at a time), so no
    # limit applies; an `in` of 600 would be 600 tests under one node, refused above.
    rule = {"id": "rare", "when": {"kind": "k", "v": {"not_in": list(range(600))}}, "then": FLAG}
    text = ruleset_text([rule])
    assert lint_errors(text) == []
    facts = [{"id": "in", "kind": "k", "v": 599}, {"id": "out", "kind": "k", "v": 600}, {"id": "none", "kind": "k"}]
    # 599 is listed, a missing v satisfies no comparison: only `out` fires.
    assert run_engine(text, facts) == {"firings": 1, "error": None}
