"""Money and flags as people read them (issue 13, item 12): £1,200,000.00 in every message, rule templates
included; flag names in words in the table, HTML and `explain`, codes kept in JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from conftest import STOCKPORT_PACK, invoke
from tenderscore.engine.effects import compute_effect


def test_a_money_placeholder_in_a_rule_message_reads_with_thousands_and_pence() -> None:
    then = {"notice": {"code": "n", "message": "Over £${param.limit}, £${price_gbp} offered; ${param.limit} raw"}}
    effect = compute_effect(then, {"price_gbp": Decimal("860000.005")}, {"limit": Decimal(50000)})
    # 860000.005 rounds half up to 860,000.01; the same parameter without a £ is written as it is.
    assert effect["message"] == "Over £50,000.00, £860,000.01 offered; 50000 raw"


def test_the_table_says_money_and_flags_in_words_and_json_and_csv_keep_codes() -> None:
    table = invoke("score", STOCKPORT_PACK, "--no-ledger").stdout
    assert "Contract value over £50,000.00: record the winning supplier's commitments" in table
    assert "capped, implausible social value, abnormally low price" in table
    assert "sv_implausible" not in table and "£50000" not in table
    data = json.loads(invoke("score", STOCKPORT_PACK, "--no-ledger", "--format", "json").stdout)
    evergreen = next(b for b in data["bids"] if b["bid_id"] == "evergreen")
    assert [f["code"] for f in evergreen["flags"]] == ["capped", "sv_implausible", "abnormally_low_price"]
    rows = list(csv.DictReader(io.StringIO(invoke("score", STOCKPORT_PACK, "--no-ledger", "--format", "csv").stdout)))
    assert next(r for r in rows if r["bid_id"] == "evergreen")["flags"] == "capped sv_implausible abnormally_low_price"


def test_explain_and_html_say_flags_in_words() -> None:
    text = invoke("explain", STOCKPORT_PACK, "--bid", "evergreen").stdout
    assert "  implausible social value: Social value offered (£1,235,308.00) exceeds 1.0 × the contract value" in text
    assert "  capped: Commitment 2 (STK-GRO-1): £1,500,000.00 capped at £1,200,000.00 (the contract value)" in text
    html = invoke("score", STOCKPORT_PACK, "--no-ledger", "--format", "html").stdout
    assert (
        '<span class="tag kind-flag" data-code="sv_implausible"><span aria-hidden="true">⚑ </span>implausible' in html
    )


def test_rules_show_writes_money_parameters_as_money_and_json_keeps_them_plain() -> None:
    text = invoke("rules", "show", "stockport").stdout
    assert "  applies_over_gbp: £25,000.00" in text and "  portal_over_gbp: £50,000.00" in text
    data = json.loads(invoke("rules", "show", "stockport", "--format", "json").stdout)
    assert data["policy"]["portal_over_gbp"] == "50000"
