"""Ruleset test cases: the shipped rulesets pass their own cases through the real engine; a wrong expectation
fails, naming its case, with a diff of expected and actual firings."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import invoke
from tenderscore import rulesets
from tenderscore.scoring.rulesets_tools.cases import CASES_SUFFIX, cases_path_for, load_cases, run_cases

SHIPPED_CASES = sorted(rulesets.SHIPPED_DIR.glob(f"*{CASES_SUFFIX}"))


def test_each_shipped_ruleset_has_cases() -> None:
    assert [p.name for p in SHIPPED_CASES] == ["ppn002.tests.yaml", "stockport.tests.yaml"]


@pytest.mark.parametrize("path", SHIPPED_CASES, ids=lambda p: p.name)
def test_every_shipped_case_passes(path: Path) -> None:
    results = run_cases(load_cases(path))
    assert len(results) >= 10
    assert [r.name for r in results if not r.passed] == []


@pytest.mark.parametrize(("ruleset_id", "version"), [("stockport", "2026.2"), ("ppn002", "2026.1")])
def test_rules_test_by_shipped_id_passes(ruleset_id: str, version: str) -> None:
    result = invoke("rules", "test", ruleset_id)
    assert result.exit_code == 0, result.output
    assert f"ruleset {ruleset_id}@{version}" in result.stdout
    assert " 0 failed" in result.stdout.splitlines()[-1]
    assert "FAIL" not in result.stdout


def wrong_copy(tmp_path: Path, change: str, by: str) -> Path:
    """The Stockport cases with one expectation changed, beside a copy of the ruleset (found by path)."""
    text = (rulesets.SHIPPED_DIR / "stockport.tests.yaml").read_text(encoding="utf-8")
    assert text.count(change) == 1
    (tmp_path / "stockport.yaml").write_text(
        (rulesets.SHIPPED_DIR / "stockport.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    path = tmp_path / "stockport.tests.yaml"
    path.write_text(text.replace(change, by), encoding="utf-8")
    return path


def test_a_wrong_amount_fails_naming_the_case_with_a_diff(tmp_path: Path) -> None:
    # 6 × £12,654.00 is £75,924.00; the case is made to expect a penny more.
    path = wrong_copy(tmp_path, 'amount: "75924.00"', 'amount: "75924.01"')
    result = invoke("rules", "test", path)
    assert result.exit_code == 4
    name = "a commitment is valued at quantity × proxy, to the penny"
    assert f"FAIL  {name}" in result.stdout
    assert '-value.NT1 type="value" quantity=6 rate=12654.00 amount=75924.01' in result.stdout
    assert '+value.NT1 type="value" quantity=6 rate=12654.00 amount=75924.00' in result.stdout
    assert result.stdout.splitlines()[-1] == "27 cases: 26 passed, 1 failed"
    assert result.stderr == f"Error: {path}: case {name!r}: the firings differ from what it expects (diff above)\n"


def test_a_missing_firing_fails_and_shows_the_extra_one(tmp_path: Path) -> None:
    # The cap fires after the value of a spend commitment; a case that forgets it must fail.
    change = (
        '      - {rule: cap.spend_at_contract_value, effect: {type: cap, limit: "1200000.00", '
        "limit_field: contract_value_gbp}}\n"
    )
    path = wrong_copy(tmp_path, change, "")
    result = invoke("rules", "test", path)
    assert result.exit_code == 4
    assert "FAIL  spend over the contract value is valued, then capped at it" in result.stdout
    assert '+cap.spend_at_contract_value type="cap" limit=1200000.00 limit_field="contract_value_gbp"' in result.stdout


def test_firings_in_the_wrong_order_fail(tmp_path: Path) -> None:
    path = wrong_copy(
        tmp_path,
        '      - {rule: value.NT8, effect: {amount: "384.00"}}\n      # £5,000.00',
        '      - {rule: value.NT28, effect: {amount: "5000.00"}}\n      # £5,000.00',
    )
    results = {r.name: r for r in run_cases(load_cases(path))}
    assert not results["a bid's facts in one session fire in the order they are asserted"].passed


def test_a_fact_the_engine_refuses_fails_its_case_with_the_reason(tmp_path: Path) -> None:
    # A quoted number is text; the rules compare social_value_weight as a number, so the engine refuses it.
    cases = {
        "ruleset": "stockport",
        "cases": [
            {
                "name": "text where a number belongs",
                "facts": [{"id": "tender", "kind": "tender", "procedure": "competitive", "social_value_weight": "20"}],
                "expect": [],
            }
        ],
    }
    path = tmp_path / "text.tests.yaml"
    path.write_text(yaml.safe_dump(cases), encoding="utf-8")
    result = invoke("rules", "test", path)
    assert result.exit_code == 4
    assert "field social_value_weight must be a number" in result.stdout
    assert "case 'text where a number belongs'" in result.stderr


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: object) -> bool:
        return True


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"ruleset": "stockport", "cases": []}, "cases: expected a non-empty"),
        ({"ruleset": "nowhere", "cases": [{"name": "x", "facts": [{"id": "a", "kind": "k"}]}]}, "ruleset: ruleset"),
        (
            {"ruleset": "stockport", "cases": [{"name": "x", "facts": [{"id": "a", "kind": "k"}]}] * 2},
            "case names must be unique, repeated: x",
        ),
        ({"ruleset": "stockport", "cases": [{"name": "x", "facts": [], "expct": []}]}, "cases[0].expct: unknown field"),
    ],
)
def test_a_bad_case_file_is_an_input_error(tmp_path: Path, content: dict[str, object], message: str) -> None:
    path = tmp_path / "bad.tests.yaml"
    # A case repeated by `* 2` is written out twice: YAML aliases are refused (issue 13, item 16).
    path.write_text(yaml.dump(content, Dumper=_NoAliases), encoding="utf-8")
    result = invoke("rules", "test", path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {path}: ")
    assert message in result.stderr


def test_the_case_file_of_a_ruleset_path_sits_beside_it(tmp_path: Path) -> None:
    ruleset = tmp_path / "council.yaml"
    ruleset.write_text((rulesets.SHIPPED_DIR / "ppn002.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert cases_path_for(str(ruleset)) == tmp_path / "council.tests.yaml"
    assert cases_path_for("stockport") == rulesets.SHIPPED_DIR / "stockport.tests.yaml"
