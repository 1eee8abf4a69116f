"""docs/rulesets.md documents every operator and effect the engine knows, each with an example that compiles.

Adding an operator to engine.OPERATORS or an effect to engine.EFFECTS without documenting it fails here.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import ROOT
from tenderscore.engine import EFFECTS, OPERATORS
from tenderscore.engine.conditions import compile_condition
from tenderscore.engine.effects import check_effect
from tenderscore.scoring.ruleset import params_of, resolve_ruleset
from tenderscore.scoring.yamlio import parse_yaml

DOC = (ROOT / "docs" / "rulesets.md").read_text(encoding="utf-8")
PARAMS = params_of(resolve_ruleset("stockport").model.policy)


def example_under(heading: str) -> tuple[Any, str]:
    """The first YAML block in the section titled `heading` (up to the next heading), parsed and as written."""
    match = re.search(rf"^#+ `{re.escape(heading)}`\n(.*?)(?=^#)", DOC, flags=re.MULTILINE | re.DOTALL)
    assert match, f"docs/rulesets.md has no section titled `{heading}`"
    block = re.search(r"```yaml\n(.*?)```", match.group(1), flags=re.DOTALL)
    assert block, f"the section `{heading}` has no yaml example"
    data, problem = parse_yaml(block.group(1), heading)
    assert problem is None, problem
    return data, block.group(1)


@pytest.mark.parametrize("operator", list(OPERATORS))
def test_every_operator_is_documented_with_an_example_that_compiles(operator: str) -> None:
    example, text = example_under(operator)
    _, problems = compile_condition(example["when"], PARAMS, f"docs example for {operator}")
    assert problems == []
    assert re.search(rf"[{{ ]{operator}: ", text), f"the example for {operator} does not use it"


@pytest.mark.parametrize("effect", list(EFFECTS))
def test_every_effect_is_documented_with_an_example_that_checks(effect: str) -> None:
    example, _ = example_under(effect)
    assert list(example["then"]) == [effect]
    assert check_effect(example["then"], PARAMS, f"docs example for {effect}") == []


def test_the_facts_table_names_every_kind_the_scoring_layer_asserts() -> None:
    table = DOC.split("## The facts tenderscore asserts", 1)[1].split("\n## ", 1)[0]
    kinds = re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE)
    assert kinds == ["tender", "bid", "gate", "score", "commitment", "sv_total", "price_check"]
    facts_source = (ROOT / "scoring" / "facts.py").read_text(encoding="utf-8")
    assert sorted(set(re.findall(r'"kind": "([a-z_]+)"', facts_source))) == sorted(kinds)
