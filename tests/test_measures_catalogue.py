"""`measures`: the catalogue as a table, JSON (exactly code, theme, unit, proxy_gbp, source) or CSV."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from conftest import invoke
from tenderscore import rulesets
from tenderscore.scoring.rulesets_tools.catalogue import money

KEYS = ["code", "theme", "unit", "proxy_gbp", "source"]


def test_json_is_a_list_of_objects_with_exactly_the_five_keys() -> None:
    result = invoke("measures", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 24  # the Stockport catalogue is the default
    assert all(list(row) == KEYS for row in rows)
    assert all(isinstance(row["proxy_gbp"], str) for row in rows)
    by_code = {row["code"]: row for row in rows}
    assert by_code["NT1"]["proxy_gbp"] == "12654.00"
    assert by_code["NT15"]["proxy_gbp"] == "42.67"
    assert by_code["STK-GRO-1"] == {
        "code": "STK-GRO-1",
        "theme": "growth",
        "unit": "gbp",
        "proxy_gbp": "1.00",
        "source": "indicative: pound-for-pound value of local spend; not also counted as SME spend",
    }


def test_another_ruleset_by_id_or_path() -> None:
    by_id = json.loads(invoke("measures", "--ruleset", "ppn002", "--format", "json").stdout)
    assert [row["code"] for row in by_id] == ["NT1", "NT7", "NT8", "NT15", "NT16", "NT17", "NT28", "NT29"]
    by_path = invoke("measures", "-r", rulesets.SHIPPED_DIR / "ppn002.yaml", "-f", "json")
    assert json.loads(by_path.stdout) == by_id


def test_csv_has_a_header_and_one_row_per_measure() -> None:
    result = invoke("measures", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == KEYS
    assert len(rows) == 24
    assert rows[0] == {
        "code": "NT1",
        "theme": "jobs",
        "unit": "FTE-year",
        "proxy_gbp": "12654.00",
        "source": "indicative: public TOMs calculators, local employment per FTE-year",
    }


def test_the_table_is_for_people() -> None:
    result = invoke("measures", "-r", "ppn002")
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "ppn002@2026.1: 8 measures (UK central government, PPN 002 social value (Procurement Act 2023; "
        "indicative proxies))"
    )
    assert lines[2].split() == KEYS
    assert lines[4].split()[:4] == ["NT1", "jobs", "FTE-year", "12,654.00"]


def test_money_keeps_two_decimals_and_never_rounds_a_finer_proxy_away() -> None:
    assert money(Decimal("12654")) == "12654.00"
    assert money(Decimal("42.67")) == "42.67"
    assert money(Decimal("0.125")) == "0.125"


def test_an_unknown_ruleset_is_an_input_error() -> None:
    result = invoke("measures", "--ruleset", "nowhere")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ruleset 'nowhere' is not shipped")
