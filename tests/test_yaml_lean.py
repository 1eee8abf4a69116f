"""The lean walk over libyaml's node tree builds exactly what PyYAML's safe constructor builds, or hands over.

parse_yaml first builds data with scoring.yamlio._walk (one call per node) and leaves anything outside the
plain subset (aliases, merge keys, other tags, repeated keys, errors) to the full loaders. Each case here is
compared with the full constructor's own result, type by type, and where the walk must hand over, the
walk is checked to refuse it rather than guess.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import yaml
from tenderscore.scoring import yamlio

pytestmark = pytest.mark.skipif(yamlio._FAST_LOADER is None, reason="PyYAML was built without libyaml")


def _typed(value: Any) -> Any:
    """The value with every scalar's type spelled out, so Decimal('1.5') never passes for 1.5 or '1.5'."""
    if isinstance(value, dict):
        return [(_typed(k), _typed(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, repr(value))


def _full(text: str) -> Any:
    return yaml.load(text, Loader=yamlio._FAST_LOADER)


# Plain scalars typed by YAML 1.1's implicit rules, quoted and tagged scalars, nesting, and keys that are not
# text: all within the walk's subset, so the walk itself must build them.
WALKED = {
    "text and quoted numbers": "bidder: Acme Ltd\nprice_gbp: '1150000.10'\nname: \"1:30\"\n",
    "yaml 1.1 booleans": "a: yes\nb: No\nc: on\nd: OFF\ne: true\nf: False\n",
    "nulls": "a: ~\nb: null\nc:\nd: NULL\n",
    "integers": "a: 6\ne: -0\ng: +5\nh: 0\n",
    "decimals": "a: 1150000.10\nb: 2.0\nc: 1e3\nd: 1.5e3\ne: .5\nf: -0.0\nh: 1.\n",
    "look like numbers, are text": "a: 08\nb: 1,150,000.50\nc: 1.2.3\nd: tRUE\ne: 0o17\n",
    "explicit tags": "a: !!str 12\nb: !!int '12'\nc: !!float '1.5'\nd: !!null x\ne: !!bool 'yes'\n",
    "explicit collection tags": "a: !!map {b: 1}\nc: !!seq [1, 2]\n",
    "nested": "commitments:\n- measure: NT1\n  quantity: '1.5'\n- {measure: NT28, quantity: 2}\nfacts: {}\n",
    "non-text keys": "1: one\n2.5: two\nfalse: no\n~: none\n",
    "repeated null key": "~: 1\n~: 2\n",
    "block scalars": "a: |\n  two\n  lines\nb: >\n  folded\n  text\n",
    "not a mapping": "[1, 2.5, x]\n",
    "a lone scalar": "42\n",
    "empty": "",
}


@pytest.mark.parametrize("text", WALKED.values(), ids=WALKED.keys())
def test_the_walk_builds_what_the_safe_constructor_builds(text: str) -> None:
    data = yamlio._lean_load(text)  # raises if the walk handed over: these must not
    assert _typed(data) == _typed(_full(text))
    assert yamlio.parse_yaml(text, "x.yaml") == (data, None)


def test_the_walk_types_each_scalar_as_written() -> None:
    data = yamlio._lean_load("p: 1150000.10\nq: '85.5'\nn: 6\nw: 2.0\nf: yes\nk: '010'\n")
    # A quoted 010 stays text: a number field reads it as decimal ten (models.parse_exact), never as octal 8.
    assert _typed(data) == _typed(
        {"p": Decimal("1150000.10"), "q": "85.5", "n": 6, "w": Decimal("2.0"), "f": True, "k": "010"}
    )


# Outside the subset, or refused: the walk stops, and the full loaders give what they always gave.
HANDED_OVER = {
    "alias of a mapping": "a: &x {q: 1}\nb: *x\n",
    "alias of a list": "a: &x [1]\nb: *x\n",
    "recursive list": "&a [*a]\n",
    "merge key": "base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n",
    "value key": "=: 1\n",
    "timestamp": "a: 2026-01-01\n",
    "binary": "a: !!binary aGVsbG8=\n",
    "set": "a: !!set {x, y}\n",
    "omap": "a: !!omap [b: 1]\n",
    "unknown tag": "a: !foo bar\n",
    "python tag": "a: !!python/object/apply:os.system ['true']\n",
    "repeated key": "a: 1\nb: 2\na: 3\n",
    "true then 1": "true: a\n1: b\n",
    "1 then 1.0": "1: a\n1.0: b\n",
    "list as key": "? [a]\n: 1\n",
    "base 60": "a: 1:30\n",
    "hexadecimal": "a: 0x1F\n",
    "binary number": "a: 0b101\n",
    "leading zero (octal in YAML 1.1)": "a: 010\n",
    "underscores": "a: 1_000\n",
    "underscores in a decimal": "a: 1_000.25\n",
    "infinity": "a: .inf\n",
    "not a number": "a: .nan\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "unclosed flow": "a: [1, 2\n",
    "colon in a name": "bidder: Acme Ltd: Highways\n",
}


@pytest.mark.parametrize("text", HANDED_OVER.values(), ids=HANDED_OVER.keys())
def test_the_walk_hands_over_what_it_does_not_build(text: str) -> None:
    with pytest.raises(Exception):  # noqa: B017 - any stop is a hand-over; which one is not the point
        yamlio._lean_load(text)


# A list as a key fails inside PyYAML (unhashable) and a recursive list cannot be compared: both are left out.
COMPARABLE = {k: t for k, t in HANDED_OVER.items() if k not in ("list as key", "recursive list")}


@pytest.mark.parametrize("text", COMPARABLE.values(), ids=COMPARABLE.keys())
def test_what_is_handed_over_reads_as_the_full_loaders_read_it(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    got = yamlio.parse_yaml(text, "x.yaml")
    with monkeypatch.context() as patch:
        patch.setattr(yamlio, "_lean_load", _full)  # parse_yaml as it was before the walk
        expected = yamlio.parse_yaml(text, "x.yaml")
    assert (_typed(got[0]), got[1]) == (_typed(expected[0]), expected[1])


def test_a_repeated_key_is_refused_with_its_position() -> None:
    data, problem = yamlio.parse_yaml("a: 1\nb: 2\na: 3\n", "bids/x.yaml")
    assert data is None and problem is not None
    # The third line's key: line 3, column 1.
    assert str(problem) == "bids/x.yaml: line 3, column 1: not valid YAML: found the key 'a' twice"


def test_an_alias_is_refused_with_its_position() -> None:
    # issue 13, item 16: an alias lets a few hundred bytes stand for billions of values; none is accepted.
    data, problem = yamlio.parse_yaml("a: &x {q: 1}\nb: *x\n", "x.yaml")
    assert data is None
    assert str(problem) == "x.yaml: line 2, column 4: a YAML alias (*x) is not accepted: write the value out in full"
