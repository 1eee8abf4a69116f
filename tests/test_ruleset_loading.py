"""Loading a ruleset: every mistake is refused when it loads, naming the rule or field, and nothing runs.

Each case starts from the shipped Stockport ruleset and breaks one thing, so a message that names the wrong
rule, or a check that passes the broken file, fails here.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import basic_bid, basic_tender, invoke
from tenderscore import rulesets
from tenderscore.scoring.errors import RulesetError
from tenderscore.scoring.ruleset import LoadedRuleset, parse_ruleset, resolve_ruleset

SHIPPED = rulesets.SHIPPED_DIR / "stockport.yaml"
TEXT = SHIPPED.read_text(encoding="utf-8")
BASE: dict[str, Any] = yaml.safe_load(TEXT)
FLAG = {"flag": {"code": "check", "message": "Check this."}}


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def load(text: str) -> LoadedRuleset:
    return parse_ruleset(text, "rules.yaml", "test")


def problems_of(text: str) -> list[str]:
    with pytest.raises(RulesetError) as raised:
        load(text)
    return str(raised.value).splitlines()


def with_rule(rule: dict[str, Any]) -> str:
    data = copy.deepcopy(BASE)
    data["rules"].append(rule)
    return dump(data)


def edited(change: Callable[[dict[str, Any]], None]) -> str:
    data = copy.deepcopy(BASE)
    change(data)
    return dump(data)


def test_the_shipped_ruleset_loads() -> None:
    loaded = load(TEXT)
    assert (loaded.id, loaded.version) == ("stockport", "2026.2")
    # 24 catalogue measures, each with a generated valuation rule, plus the authored rules.
    assert len(loaded.measures) == 24
    assert len(loaded.spec.rules) == 24 + len(BASE["rules"])


CASES: list[tuple[str, str, str]] = [
    (
        "unknown operator",
        with_rule({"id": "x.between", "when": {"kind": "bid", "price_gbp": {"between": [1, 2]}}, "then": FLAG}),
        "rules.yaml: rules: rule x.between: field price_gbp: unsupported operator 'between' (supported: eq, ne, lt,",
    ),
    (
        "unknown effect",
        with_rule({"id": "x.award", "when": {"kind": "bid"}, "then": {"award": {"points": 5}}}),
        "rules.yaml: rules: rule x.award: unsupported effect 'award' (supported: value, cap, flag, exclude,",
    ),
    (
        "two effects in one then",
        with_rule(
            {"id": "x.two", "when": {"kind": "bid"}, "then": {**FLAG, "exclude": {"code": "out", "reason": "No."}}}
        ),
        "rules.yaml: rules: rule x.two: `then` must be exactly one effect",
    ),
    (
        "missing kind discriminator",
        with_rule({"id": "x.kindless", "when": {"price_gbp": {"gt": 0}}, "then": FLAG}),
        "rules.yaml: rules: rule x.kindless: the condition must pin `kind` to a string at its top level",
    ),
    (
        "duplicate rule id",
        edited(lambda d: d["rules"].append(copy.deepcopy(d["rules"][2]))),
        "rules.yaml: rules: rule policy.below_floor_exempt: duplicate rule id",
    ),
    (
        "unknown parameter",
        with_rule(
            {"id": "x.param", "when": {"kind": "tender", "contract_value_gbp": {"gt": {"param": "cap"}}}, "then": FLAG}
        ),
        "rules.yaml: rules: rule x.param: field contract_value_gbp: unknown parameter 'cap'",
    ),
    (
        "a field compared as a number and as a string",
        # gate.not_passed compares a gate's `answer` with the string "pass".
        with_rule({"id": "x.clash", "when": {"kind": "gate", "answer": {"gt": 3}}, "then": FLAG}),
        "rules.yaml: rules: rule x.clash: field answer of gate facts is compared as a number here "
        "and as a string by another rule",
    ),
    (
        "in with 513 alternatives",
        with_rule(
            {
                "id": "x.many",
                "when": {"kind": "commitment", "measure": {"in": [f"M{i}" for i in range(513)]}},
                "then": FLAG,
            }
        ),
        # Under the shared `kind eq commitment` test: 24 catalogue measures' `measure eq` tests, `catalogued`
        # true and false, `accepted` true (27), and the 513 `measure eq M<i>` of the `in`: 540 > 511.
        'rules.yaml: rules: 540 different conditions follow `kind eq "commitment"`; durable-rules 2.0.28 hangs '
        "with more than 511 there",
    ),
    (
        "negative pri",
        with_rule({"id": "x.early", "pri": -1, "when": {"kind": "bid"}, "then": FLAG}),
        "rules.yaml: rules: rule x.early: pri must be a whole number from 0 to 1000000, found -1",
    ),
    (
        "unknown measure theme",
        edited(lambda d: d["measures"][3].update(theme="wellbeing")),
        "rules.yaml: measures[3] (STK-JOB-1).theme: expected a theme of this ruleset, found 'wellbeing'",
    ),
    (
        "duplicate measure code",
        edited(lambda d: d["measures"][5].update(code="NT1")),
        "rules.yaml: measures[5] (NT1): duplicate measure code",
    ),
    (
        "unknown top-level key",
        edited(lambda d: d.update(owner="Stockport")),
        "rules.yaml: owner: unknown field",
    ),
    (
        "target below the floor",
        edited(lambda d: d["policy"].update(target=10)),
        "rules.yaml: policy.target: expected at least the floor (15)",
    ),
    (
        "a theme outside the TOMs five",
        edited(lambda d: d["themes"].update(wellbeing={"number": 6, "title": "Wellbeing"})),
        "rules.yaml: themes.wellbeing: expected one of jobs, growth, social, environment, innovation",
    ),
    (
        "a misspelt policy parameter",
        edited(lambda d: d["policy"].update(flor=d["policy"].pop("floor"))),
        "rules.yaml: policy.floor: required, but missing",
    ),
]


@pytest.mark.parametrize(("text", "expected"), [(t, e) for _, t, e in CASES], ids=[name for name, _, _ in CASES])
def test_a_broken_ruleset_is_refused_naming_what_is_wrong(text: str, expected: str) -> None:
    problems = problems_of(text)
    assert any(line.startswith(expected) for line in problems), problems


def test_every_problem_is_listed_at_once() -> None:
    def break_three(data: dict[str, Any]) -> None:
        data["policy"]["target"] = 10
        data["measures"][0]["theme"] = "wellbeing"
        data["rules"].append({"id": "x.op", "when": {"kind": "bid", "price_gbp": {"near": 1}}, "then": FLAG})

    problems = problems_of(edited(break_three))
    assert len(problems) == 3, problems
    assert [p.split(":")[1].strip() for p in problems] == ["measures[0] (NT1).theme", "policy.target", "rules"]


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
        "!!python/name:os.system",
        "!!python/object:scoring.ruleset.Policy {{}}",
    ],
)
def test_python_tags_are_refused_and_nothing_runs(tag: str, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    title = "title: Stockport Council Social Value Charter (National TOMs, indicative proxies)"
    text = TEXT.replace(title, "title: " + tag.format(marker=marker), 1)
    assert text != TEXT
    (problem,) = problems_of(text)
    # The title is on line 5 of the shipped file; the tag starts at column 8, after "title: ".
    assert problem.startswith("rules.yaml: line 5, column 8: not valid YAML: could not determine a constructor")
    assert "python/" in problem
    assert not marker.exists()


def test_invalid_yaml_names_the_line() -> None:
    # "floor: 15: ..." puts a mapping where a value belongs, on the floor's own line, after "  floor: 15".
    line = next(n for n, text in enumerate(TEXT.splitlines(), start=1) if text.startswith("  floor: 15 "))
    (problem,) = problems_of(TEXT.replace("  floor: 15 ", "  floor: 15: ", 1))
    assert problem == f"rules.yaml: line {line}, column 12: not valid YAML: mapping values are not allowed here"


def _reorder(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _reorder(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [_reorder(item) for item in value]
    return value


def test_sha256_ignores_key_order_and_layout_but_not_content() -> None:
    shipped = load(TEXT).sha256
    # Comments gone, keys in reverse order, everything in flow style: the same content.
    reordered = yaml.safe_dump(_reorder(BASE), sort_keys=False, allow_unicode=True, default_flow_style=True, width=60)
    assert reordered != TEXT
    assert load(reordered).sha256 == shipped
    assert load(dump(BASE)).sha256 == shipped
    # One proxy a penny higher is a different ruleset.
    changed = copy.deepcopy(BASE)
    changed["measures"][0]["proxy_gbp"] = "12654.01"
    assert load(dump(changed)).sha256 != shipped
    assert len(shipped) == 64 and int(shipped, 16) >= 0


def test_a_pinned_shipped_version_loads() -> None:
    loaded = resolve_ruleset("stockport@2026.2")
    assert (loaded.id, loaded.version, loaded.origin) == ("stockport", "2026.2", "shipped:stockport")
    assert loaded.sha256 == load(TEXT).sha256


def test_a_pin_to_an_earlier_shipped_version_loads_that_version_from_the_archive() -> None:
    loaded = resolve_ruleset("stockport@2026.1")
    assert (loaded.id, loaded.version, loaded.origin) == ("stockport", "2026.1", "shipped:stockport@2026.1")
    assert loaded.model.bid_facts is None
    assert loaded.sha256 != load(TEXT).sha256


def test_a_pin_to_another_version_is_a_clear_error() -> None:
    with pytest.raises(RulesetError) as raised:
        resolve_ruleset("stockport@1999.1")
    assert str(raised.value) == (
        "ruleset 'stockport@1999.1': pinned to version 1999.1, but the shipped stockport is version 2026.2 "
        "(earlier versions shipped: 2026.1)"
    )


def test_an_unknown_shipped_id_lists_the_shipped_ones() -> None:
    with pytest.raises(RulesetError, match=r"ruleset 'leeds' is not shipped \(shipped: .*stockport"):
        resolve_ruleset("leeds@2026.1")


def test_validate_reports_a_bad_pin_against_tender_yaml(make_pack: Callable[..., Path]) -> None:
    pack = make_pack(basic_tender(ruleset="stockport@1999.1"), {"acme": basic_bid("Acme", "1000.00")})
    result = invoke("validate", pack)
    assert result.exit_code == 2
    assert f"Error: {pack}/tender.yaml: ruleset: ruleset 'stockport@1999.1': pinned to version 1999.1" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_reports_a_broken_ruleset_file_by_its_path(make_pack: Callable[..., Path]) -> None:
    pack = make_pack(basic_tender(ruleset="council-rules.yaml"), {"acme": basic_bid("Acme", "1000.00")})
    rules_file = pack / "council-rules.yaml"
    rules_file.write_text(
        with_rule({"id": "x.between", "when": {"kind": "bid", "price_gbp": {"between": [1, 2]}}, "then": FLAG}),
        encoding="utf-8",
    )
    result = invoke("validate", pack)
    assert result.exit_code == 2
    assert f"{rules_file}: rules: rule x.between: field price_gbp: unsupported operator 'between'" in result.stderr
    assert "Traceback" not in result.stderr
