"""The load-path speed-ups batch scoring relies on change nothing a user can see.

libyaml reads YAML when it is available, with the pure-Python loader as the judge of every problem; a ruleset
text is parsed and checked once per process. Both must give exactly what the slow path gives.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FIXTURES, ROOT
from tenderscore.scoring import yamlio
from tenderscore.scoring.ruleset import load_ruleset_file, parse_ruleset

YAML_FILES = sorted(FIXTURES.rglob("*.yaml")) + sorted((ROOT / "rulesets").glob("*.yaml"))


def _typed(value: Any) -> Any:
    """The value with every scalar's type spelled out, so Decimal('1.5') never passes for 1.5 or '1.5'."""
    if isinstance(value, dict):
        return {_typed(k): _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, repr(value))


def _slow(text: str, name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as patch:
        patch.setattr(yamlio, "_FAST_LOADER", None)
        return yamlio.parse_yaml(text, name)


@pytest.mark.skipif(yamlio._FAST_LOADER is None, reason="PyYAML was built without libyaml")
@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_fast_loader_reads_every_shipped_file_exactly_as_the_safe_loader(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = path.read_text(encoding="utf-8")
    fast, problem = yamlio.parse_yaml(text, str(path))
    slow, slow_problem = _slow(text, str(path), monkeypatch)
    assert problem == slow_problem
    assert _typed(fast) == _typed(slow)


def test_fast_loader_keeps_exact_decimals_and_yaml_types() -> None:
    text = "price: 1150000.10\nquantity: 85.5\ncount: 6\nwhole: 2.0\nflag: yes\nname: '1.10'\n"
    data, problem = yamlio.parse_yaml(text, "bid.yaml")
    assert problem is None
    assert _typed(data) == _typed(
        {
            "price": Decimal("1150000.10"),
            "quantity": Decimal("85.5"),
            "count": 6,
            "whole": Decimal("2.0"),
            "flag": True,
            "name": "1.10",
        }
    )


BROKEN = {
    "python tag": "a: !!python/object/apply:os.system ['true']\n",
    "unclosed flow": "commitments: [1, 2\n",
    "tab indent": "a:\n\tb: 1\n",
    "infinity": "price_gbp: .inf\n",
    "not a number": "price_gbp: .nan\n",
    "control character": "bidder: \x07\n",
    "bad indentation": "a: 1\n b: 2\n",
    "undefined alias": "a: *nothing\n",
}


@pytest.mark.parametrize("text", BROKEN.values(), ids=BROKEN.keys())
def test_problems_are_reported_in_the_safe_loaders_words(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    data, problem = yamlio.parse_yaml(text, "bids/x.yaml")
    assert data is None and problem is not None
    assert problem == _slow(text, "bids/x.yaml", monkeypatch)[1]
    assert problem.field.startswith("line ") or problem.field == "YAML"


def test_no_tag_constructs_a_python_object() -> None:
    # The fast loader's constructor is SafeConstructor's: a python/ tag is refused before anything runs.
    with pytest.raises(yaml.constructor.ConstructorError):
        yaml.load("!!python/object/apply:os.getcwd []", Loader=yamlio._FAST_LOADER or yamlio.DecimalSafeLoader)


def test_a_ruleset_text_is_checked_once_and_a_changed_text_is_checked_again(tmp_path: Path) -> None:
    shipped = ROOT / "rulesets" / "stockport.yaml"
    first = load_ruleset_file(shipped)
    assert load_ruleset_file(shipped) is first
    changed = tmp_path / "stockport.yaml"
    changed.write_text(
        shipped.read_text(encoding="utf-8").replace('proxy_gbp: "12654.00"', 'proxy_gbp: "12655.00"'),
        encoding="utf-8",
    )
    other = load_ruleset_file(changed)
    assert other is not first
    assert other.sha256 != first.sha256
    assert other.measures["NT1"].proxy_gbp == Decimal("12655.00")
    assert first.measures["NT1"].proxy_gbp == Decimal("12654.00")
    # Same text under another name is a separate entry: problems name the file they were read from.
    assert parse_ruleset(first.text, "elsewhere.yaml", "elsewhere.yaml").origin == "elsewhere.yaml"
