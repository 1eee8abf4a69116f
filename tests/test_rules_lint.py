"""`rules lint`: the shipped rulesets are clean; each broken fixture reports each of its problems, marked."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, invoke
from tenderscore import rulesets
from tenderscore.scoring.errors import RulesetError
from tenderscore.scoring.ruleset import parse_ruleset, shipped_ids
from tenderscore.scoring.rulesets_tools.lint import lint_file, lint_text

BROKEN = FIXTURES / "rulesets-broken"

# fixture -> every finding lint must report, as (severity, field, words of the message), and nothing else.
EXPECTED: dict[str, list[tuple[str, str, str]]] = {
    "duplicate-ids.yaml": [
        ("error", "measures[2] (NT1)", "duplicate measure code"),
        ("error", "rules", "rule value.NT1: duplicate rule id"),
        ("error", "rules", "rule gate.not_passed: duplicate rule id"),
        ("error", "rules", "rule value.NT29: duplicate rule id"),
    ],
    "unknown-vocabulary.yaml": [
        ("error", "themes.wellbeing", "expected one of jobs, growth, social, environment, innovation"),
        ("error", "measures[1] (LOC-1).theme", "expected a theme of this ruleset, found 'culture'"),
        ("error", "core_outcomes.1.themes", "unknown theme 'heritage'"),
        ("error", "rules", "rule gate.not_passed: field answer: unsupported operator 'neq'"),
        ("error", "rules", "rule policy.meets_floor: unsupported effect 'approve'"),
        ("error", "rules[0] (commitment.green).when", "unknown theme 'enviroment'"),
    ],
    "policy-range.yaml": [
        ("error", "policy.applies_over_gbp", "expected a number of 0 or more, found -25000"),
        ("error", "policy.portal_over_gbp", "expected a number of 0 or more, found -1"),
        ("error", "policy.alt_fraction", "less than 1, found 1.0"),
        ("error", "policy.target", "expected at least the floor (15)"),
        ("error", "policy.spread_amber_from", "expected at most spread_red_over (50), found 60"),
    ],
    "policy-order.yaml": [
        ("error", "policy.target", "expected at least the floor (15)"),
        ("error", "policy.spread_amber_from", "expected at most spread_red_over (50), found 60"),
    ],
    "outcome-matrix.yaml": [
        ("warning", "measures[1] (ENV-1).theme", "theme environment feeds no core outcome"),
    ],
    "shadowed.yaml": [
        ("error", "rules[1] (policy.meets_twenty).when", "the same conditions as policy.meets_target: both status"),
        ("warning", "rules[3] (gate.flagged).when", "the same conditions as gate.not_passed: both fire"),
    ],
    "many-at-once.yaml": [
        ("error", "measures[0].proxy_gbp", "expected a number of 0 or more, found -5"),
        ("error", "measures[1].proxy_gbp", "expected a number, found 'thirty-two'"),
        ("error", "rules[1].when", "required, but missing"),
        ("error", "rules[1].whne", "unknown field"),
        ("error", "measures[1] (NT7).theme", "found 'jobz'"),
        ("error", "measures[2] (NT1)", "duplicate measure code"),
        ("error", "rules", "rule value.NT1: duplicate rule id"),
        ("error", "rules", "rule score.low: field score: unsupported operator 'below'"),
    ],
    "not-yaml.yaml": [("error", "line 5, column 6", "not valid YAML")],
    "stack-limit.yaml": [("error", "rules", "one fact could hold up to 66 true conditions at once")],
}


def test_every_broken_fixture_has_expectations() -> None:
    assert sorted(p.name for p in BROKEN.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_problem_of_a_broken_fixture_is_reported_once(name: str) -> None:
    report = lint_file(BROKEN / name)
    found = [(f.severity, f.problem.field, f.problem.message) for f in report.findings]
    unmatched = list(found)
    for severity, field, words in EXPECTED[name]:
        hits = [f for f in unmatched if f[0] == severity and f[1] == field and words in f[2]]
        assert hits, f"{name}: no {severity} at {field} saying {words!r}; found {found}"
        unmatched.remove(hits[0])
    assert unmatched == [], f"{name}: unexpected findings {unmatched}"
    assert all(f.problem.file == str(BROKEN / name) for f in report.findings)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_command_exits_2_on_errors_and_0_on_warnings_only(name: str) -> None:
    result = invoke("rules", "lint", BROKEN / name)
    errors = sum(1 for severity, _, _ in EXPECTED[name] if severity == "error")
    warnings = len(EXPECTED[name]) - errors
    assert result.exit_code == (2 if errors else 0), result.output
    lines = result.stdout.splitlines()
    assert sum(line.startswith("error: ") for line in lines) == errors
    assert sum(line.startswith("warning: ") for line in lines) == warnings
    assert lines[-1].endswith(f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}")
    if errors:
        counts = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
        assert result.stderr == f"Error: {BROKEN / name}: {counts} (listed above)\n"
    assert "Traceback" not in result.output


@pytest.mark.parametrize("ruleset_id", ["stockport", "ppn002"])
def test_the_shipped_rulesets_lint_clean(ruleset_id: str) -> None:
    assert ruleset_id in shipped_ids()
    result = invoke("rules", "lint", rulesets.SHIPPED_DIR / f"{ruleset_id}.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"{rulesets.SHIPPED_DIR / f'{ruleset_id}.yaml'}: 0 errors, 0 warnings"]
    # A shipped id works as well as a path.
    assert invoke("rules", "lint", ruleset_id).exit_code == 0


def test_lint_finds_what_the_loader_hides_behind_a_schema_error() -> None:
    # The loader stops at the schema (the bad proxies); lint also finds the duplicate code and the unknown operator.
    text = (BROKEN / "many-at-once.yaml").read_text(encoding="utf-8")
    with pytest.raises(RulesetError) as raised:
        parse_ruleset(text, "x.yaml", "test")
    assert "duplicate measure code" not in str(raised.value)
    assert "unsupported operator" not in str(raised.value)
    messages = [f.problem.message for f in lint_text(text, "x.yaml").findings]
    assert "duplicate measure code" in messages
    assert any("unsupported operator 'below'" in m for m in messages)


def test_identical_conditions_are_compared_after_normalising(tmp_path: Path) -> None:
    # Same meaning written four ways: key order, {eq: x}, in: [x] and an all: wrapper; a param with its value.
    text = (BROKEN / "policy-order.yaml").read_text(encoding="utf-8").replace("target: 10", "target: 20") + (
        "rules:\n"
        "  - {id: a, when: {kind: tender, procedure: competitive, social_value_weight: {gte: {param: target}}},"
        " then: {status: {value: x}}}\n"
        "  - {id: b, when: {social_value_weight: {gte: 20}, kind: tender, procedure: {eq: competitive}},"
        " then: {status: {value: y}}}\n"
        "  - {id: c, when: {kind: tender, procedure: {in: [competitive]}, all: [{social_value_weight: {gte: 20}}]},"
        " then: {status: {value: z}}}\n"
        "  - {id: d, when: {kind: tender, procedure: competitive, social_value_weight: {gte: 21}},"
        " then: {status: {value: w}}}\n"
    )
    text = text.replace("spread_amber_from: 60", "spread_amber_from: 20")
    findings = lint_text(text, "x.yaml").findings
    assert [(f.severity, f.problem.field) for f in findings] == [
        ("error", "rules[1] (b).when"),
        ("error", "rules[2] (c).when"),
    ]
    assert all("the same conditions as a" in f.problem.message for f in findings)


def test_a_broken_section_is_reported_once_not_again_by_everything_that_names_it() -> None:
    # With `themes` unreadable, the 24 measures naming TOMs themes are not each reported as unknown.
    data = yaml.safe_load((rulesets.SHIPPED_DIR / "stockport.yaml").read_text(encoding="utf-8"))
    data["themes"] = ["jobs", "growth"]
    data["measures"].append({"code": "X1", "theme": "culture", "unit": "h", "proxy_gbp": "1"})
    findings = [(f.problem.field, f.problem.message) for f in lint_text(yaml.safe_dump(data), "x.yaml").findings]
    assert findings == [
        ("themes", "expected a mapping of fields, found a list"),
        ("measures[24] (X1).theme", "expected a theme of this ruleset, found 'culture'"),
    ]
