"""Inputs a person can mistype are refused by name, never read as some other number.

Found in review: a decimal comma became a thousands separator (£1,150,000,50 → £115,000,050), YAML's base-60
numbers turned 1:30 into 90, a repeated key silently replaced the first, and numbers the rules engine would
round (14.99999999999999999 → 15) slipped under the policy floor.
"""

import json

import pytest
from conftest import all_scores, basic_bid, basic_tender, invoke
from tenderscore.scoring.errors import Problem
from tenderscore.scoring.yamlio import parse_json


def _errors(result) -> list[str]:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    return result.stderr.splitlines()


def test_a_decimal_comma_is_refused_and_thousands_separators_accepted(make_pack) -> None:
    bids = {"a": basic_bid("A Ltd", "1150000,50"), "b": basic_bid("B Ltd", "1,150,000.50")}
    pack = make_pack(basic_tender(), bids, all_scores(["a", "b"]))
    assert _errors(invoke("validate", pack)) == [
        f"Error: {pack}/bids/a.yaml: price_gbp: expected a number with a point for decimals (commas only between "
        "thousands, as in 1,150,000.50), found '1150000,50'; an amount allows digits 0-9, an optional leading £, "
        "commas between thousands and a point before the pence (as in £1,150,000.50)"
    ]


def test_numbers_the_engine_would_round_are_refused_where_they_are_written(make_pack) -> None:
    # 14.99999999999999999 is under the 15% floor, but as a double it is 15.0: it must not reach the rules.
    tender = basic_tender(
        weights={"price": 40, "quality": "45.00000000000000001", "social_value": "14.99999999999999999"}
    )
    pack = make_pack(tender, {"a": basic_bid("A Ltd", "100000.00")}, all_scores(["a"]))
    errors = _errors(invoke("validate", pack))
    assert any(
        line.startswith(f"Error: {pack}/tender.yaml: weights.social_value: expected a number the rules can compare")
        and "more than 15 significant digits" in line
        for line in errors
    ), errors


def test_a_score_the_engine_would_round_is_refused(make_pack) -> None:
    scores = "bid,question,score\na,Q1,1.99999999999999999\na,Q2,4\na,SV1,3\n"
    pack = make_pack(basic_tender(), {"a": basic_bid("A Ltd", "100000.00")}, scores)
    assert _errors(invoke("validate", pack)) == [
        f"Error: {pack}/scores.csv: line 2: score: expected a number the rules can compare exactly "
        "(1.99999999999999999 has more than 15 significant digits, which the rules engine would round)"
    ]


def test_huge_numbers_are_refused_at_once_not_after_a_hang(make_pack) -> None:
    pack = make_pack(basic_tender(), {"a": basic_bid("A Ltd", "1e999999999")}, all_scores(["a"]))
    (line,) = _errors(invoke("validate", pack))
    assert line == (
        f"Error: {pack}/bids/a.yaml: price_gbp: expected a number of at most 30 digits either side of the point, "
        "found '1e999999999'"
    )


def test_base_60_numbers_and_repeated_keys_are_refused(make_pack) -> None:
    pack = make_pack(basic_tender(), {"a": basic_bid("A Ltd", "100000.00")}, all_scores(["a"]))
    (pack / "bids" / "a.yaml").write_text(
        'bidder: A Ltd\nprice_gbp: "100000.00"\nprice_gbp: "90000.00"\n'
        "gates: {ethical_standards: pass, modern_slavery: pass}\n"
        "commitments:\n  - {measure: NT1, quantity: 1:30}\n",
        encoding="utf-8",
    )
    assert _errors(invoke("validate", pack)) == [
        f"Error: {pack}/bids/a.yaml: line 3, column 1: not valid YAML: found the key 'price_gbp' twice"
    ]
    (pack / "bids" / "a.yaml").write_text(
        'bidder: A Ltd\nprice_gbp: "100000.00"\ngates: {ethical_standards: pass, modern_slavery: pass}\n'
        "commitments:\n  - {measure: NT1, quantity: 1:30}\n",
        encoding="utf-8",
    )
    assert _errors(invoke("validate", pack)) == [
        f"Error: {pack}/bids/a.yaml: line 5, column 30: not valid YAML: 1:30 would be read as a base-60 number: "
        "write the number itself, or quote it"
    ]


def test_a_repeated_key_in_a_json_bid_is_refused(make_pack) -> None:
    pack = make_pack(basic_tender(), {"a": basic_bid("A Ltd", "100000.00")}, all_scores(["a"]))
    (pack / "bids" / "a.yaml").unlink()
    bid = json.dumps(basic_bid("A Ltd", "100000.00"))
    (pack / "bids" / "a.json").write_text(
        bid.replace('"price_gbp": "100000.00"', '"price_gbp": "100000.00", "price_gbp": "1.00"'), encoding="utf-8"
    )
    assert _errors(invoke("validate", pack)) == [
        f"Error: {pack}/bids/a.json: price_gbp: found this key twice in one object (JSON would keep only the last)"
    ]


def test_scores_for_a_tender_without_questions_are_an_error(make_pack) -> None:
    tender = basic_tender(weights={"price": 80, "quality": 0, "social_value": 20})
    tender["quality"]["questions"] = []
    tender["social_value"] = {"themes": {"jobs": 10, "growth": 10}}
    pack = make_pack(tender, {"a": basic_bid("A Ltd", "100000.00")}, all_scores(["a"]))
    assert _errors(invoke("validate", pack)) == [
        f"Error: {pack}/scores.csv: expected no consensus scores: the tender has no scored questions"
    ]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_non_numbers_are_refused_not_read_as_floats(constant: str) -> None:
    # Python's json would read them as floats, which no exact amount (or canonical record) can hold.
    data, problem = parse_json(f'{{"price_gbp": {constant}}}', "bids/a.json")
    assert data is None and problem == Problem("bids/a.json", "", f"not valid JSON: {constant} is not a JSON number")
