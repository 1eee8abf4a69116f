"""A YAML value PyYAML cannot build is a problem with its line and column, never a crash.

Found while checking the lean YAML walk against PyYAML: a typo'd date (`2026-13-45`), `0x_`, an explicit tag on
the wrong text (`!!int abc`, `!!bool maybe`) or a list used as a key made PyYAML's own constructors raise
ValueError, KeyError, IndexError, AttributeError or TypeError, and tenderscore print a traceback (exit 1).
"""

from __future__ import annotations

import pytest
import yaml
from conftest import all_scores, basic_bid, basic_tender, invoke
from tenderscore.scoring.errors import Problem
from tenderscore.scoring.yamlio import DecimalSafeLoader, _int, parse_json, parse_yaml

# (text, line and column of the value, what the user is told). Columns count from 1: in `a: x` the value is at 4.
DATE = "expected a real date (YYYY-MM-DD, or with a time), found"
REFUSED = {
    "month 13": ("a: 2026-13-45\n", "line 1, column 4", f"{DATE} '2026-13-45'"),
    "hour 25": ("a: 2026-01-01 25:00:00\n", "line 1, column 4", f"{DATE} '2026-01-01 25:00:00'"),
    "timestamp tag": ("b: 1\na: !!timestamp abc\n", "line 2, column 4", f"{DATE} 'abc'"),
    "hex without digits": (
        "a: 0x_\n",
        "line 1, column 4",
        "expected a whole number in plain decimal digits, found '0x_' (YAML 1.1 would read a leading 0 as octal, "
        "0x as hexadecimal, 0b as binary, and drop _): write it without them, or quote it",
    ),
    "int tag on text": ("a: !!int abc\n", "line 1, column 4", "expected a whole number, found 'abc'"),
    "int tag on nothing": ("a: !!int ''\n", "line 1, column 4", "expected a whole number, found ''"),
    "bool tag on text": ("a: !!bool maybe\n", "line 1, column 4", "expected true or false, found 'maybe'"),
    "list as a key": ("? [a]\n: 1\n", "line 1, column 3", "found unhashable key"),
    "mapping as a key": ("x: 1\n? {a: 1}\n: 1\n", "line 2, column 3", "found unhashable key"),
    "map tag on text": ("a: !!map x\n", "line 1, column 4", "expected a mapping node, but found scalar"),
    "set tag on a list": ("a: !!set [1]\n", "line 1, column 4", "expected a mapping node, but found sequence"),
    # Python reads no integer of more than 4300 digits; the value is named by its first 20 characters.
    "5000-digit number": (
        "a: " + "1" * 5000 + "\n",
        "line 1, column 4",
        f"expected a whole number, found {'1' * 20!r}... (5000 characters)",
    ),
}


@pytest.mark.parametrize(("text", "where", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_each_is_refused_with_its_position(text: str, where: str, message: str) -> None:
    assert parse_yaml(text, "bids/a.yaml") == (None, Problem("bids/a.yaml", where, f"not valid YAML: {message}"))


@pytest.mark.parametrize(("text", "where", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_the_pure_python_loader_refuses_them_too(text: str, where: str, message: str) -> None:
    # Without libyaml, DecimalSafeLoader alone reads: it must not crash either.
    with pytest.raises(yaml.YAMLError) as refused:
        yaml.load(text, Loader=DecimalSafeLoader)
    assert getattr(refused.value, "problem", None) == message


def test_what_pyyaml_builds_is_still_built() -> None:
    data, problem = parse_yaml("d: 2026-01-31\nb: !!bool yes\nn: !!int '12'\n", "x.yaml")
    assert problem is None
    assert (str(data["d"]), data["b"], data["n"]) == ("2026-01-31", True, 12)


def test_a_typo_d_date_in_a_bid_is_an_input_error_not_a_crash(make_pack) -> None:
    pack = make_pack(basic_tender(), {"a": basic_bid("A Ltd", "100000.00")}, all_scores(["a"]))
    bid = pack / "bids" / "a.yaml"
    bid.write_text(bid.read_text(encoding="utf-8") + "facts:\n  submitted: 2026-13-45\n", encoding="utf-8")
    line = len(bid.read_text(encoding="utf-8").splitlines())  # the last line holds the date
    result = invoke("validate", pack)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"Error: {pack}/bids/a.yaml: line {line}, column 14: not valid YAML: {DATE} '2026-13-45'"
    ]


def test_a_json_number_python_cannot_read_is_a_problem() -> None:
    assert parse_json('{"price_gbp": ' + "9" * 5000 + "}", "bids/a.json") == (
        None,
        Problem("bids/a.json", "", "not valid JSON: a number has more digits than can be read (at most 4300)"),
    )


@pytest.mark.parametrize("text", ["0", "1", "10", "123", "+5", "-5", "-0", "1" * 25])
def test_plain_whole_numbers_are_read_as_pyyaml_reads_them(text: str) -> None:
    loader = yaml.SafeLoader("")
    node = yaml.ScalarNode("tag:yaml.org,2002:int", text)
    assert _int(loader, node) == loader.construct_yaml_int(node)


@pytest.mark.parametrize("text", ["00", "07", "010", "01150000", "1_000", "0x1F", "0b101", "007", "-010"])
def test_yaml_1_1_whole_numbers_are_refused_never_converted(text: str) -> None:
    # issue 13, item 14: YAML 1.1 reads 01150000 as octal 315,392 (1150000 in base 8); a figure is never converted.
    loader = yaml.SafeLoader("")
    node = yaml.ScalarNode("tag:yaml.org,2002:int", text)
    with pytest.raises(yaml.constructor.ConstructorError, match="expected a whole number in plain decimal digits"):
        _int(loader, node)
