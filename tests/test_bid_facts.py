"""Declared bid facts (issue 18): Stockport's charter asks, read from each bid's facts as notices, never points.

The shipped highways pack's bids state their charter facts (bids/*.yaml, castle.json); each notice below is
worked out from those files and the rules in rulesets/stockport.yaml by hand, and every score is checked
against the figures the same pack scored before the ruleset declared any facts.
"""

from __future__ import annotations

import copy
import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FIXTURES, STOCKPORT_PACK, all_scores, basic_bid, basic_tender, invoke, load_json
from tenderscore import rulesets
from tenderscore.scoring.errors import RulesetError
from tenderscore.scoring.ruleset import parse_ruleset
from tenderscore.scoring.rulesets_tools.lint import lint_text
from test_output_json_schema import problems

# (bid, notice code, rule that raised it), from each bid's `facts:`:
#   acme: accredited, member, based in Stockport      brennan: paying, supporter, SME, based in Stockport
#   castle: neither, neither (sme/vcse/local false)  dale: paying, supporter, SME, VCSE, based in Stockport
#   evergreen: SME only, so both statuses not stated  fairfield: no facts, so both statuses not stated
NOTICES = [
    ("acme", "real_living_wage_accredited", "charter.real_living_wage.accredited"),
    ("brennan", "real_living_wage_paying", "charter.real_living_wage.paying"),
    ("castle", "real_living_wage_not_paid", "charter.real_living_wage.neither"),
    ("evergreen", "real_living_wage_not_stated", "charter.real_living_wage.not_stated"),
    ("acme", "good_employment_member", "charter.good_employment.member"),
    ("brennan", "good_employment_supporter", "charter.good_employment.supporter"),
    ("castle", "good_employment_not_signed", "charter.good_employment.neither"),
    ("fairfield", "good_employment_not_stated", "charter.good_employment.not_stated"),
    ("evergreen", "sme", "charter.sme"),
    ("dale", "vcse", "charter.vcse"),
    ("brennan", "based_in_stockport", "charter.based_in_stockport"),
]
EVERY_NOTICE = {
    "castle": ["real_living_wage_not_paid", "good_employment_not_signed"],
    "acme": ["real_living_wage_accredited", "good_employment_member", "based_in_stockport"],
    "brennan": ["real_living_wage_paying", "good_employment_supporter", "sme", "based_in_stockport"],
    "evergreen": ["real_living_wage_not_stated", "good_employment_not_stated", "sme"],
    "dale": ["real_living_wage_paying", "good_employment_supporter", "sme", "vcse", "based_in_stockport"],
    "fairfield": ["real_living_wage_not_stated", "good_employment_not_stated"],
}

# Each bid's (status, rank, price points, quality, social value points, SV £, total, flags) as
# `score --format json` gave them at commit 9f0a98d, before stockport 2026.2 declared any bid facts.
BEFORE = {
    "stockport-highways": {
        "castle": ("eligible", 1, "27.30", "34.00", "15.20", "261320.00", "76.50", ["unknown_measure"]),
        "acme": ("eligible", 2, "29.91", "32.00", "8.83", "259908.00", "70.74", []),
        "brennan": ("eligible", 3, "31.42", "27.00", "11.88", "354523.50", "70.30", []),
        "evergreen": (
            "eligible",
            4,
            "40.00",
            "21.00",
            "6.82",
            "1235308.00",
            "67.82",
            ["capped", "sv_implausible", "abnormally_low_price"],
        ),
        "dale": ("excluded", None, None, None, None, "119882.00", None, []),
        "fairfield": ("excluded", None, None, None, None, "80070.00", None, []),
    },
    "stockport-panel": {
        "northway": ("eligible", 1, "38.14", "29.00", "14.00", "61302.00", "81.14", []),
        "peak": ("eligible", 2, "36.80", "27.00", "12.87", "89308.00", "76.67", []),
        "tame": ("eligible", 3, "40.00", "24.00", "9.36", "34233.00", "73.36", []),
    },
}


def score_json(pack: Path) -> Any:
    run = invoke("score", pack, "--format", "json", "--no-ledger")
    assert run.exit_code == 0, run.output
    return load_json(run.stdout)


@pytest.fixture(scope="module")
def highways() -> Any:
    return score_json(STOCKPORT_PACK)


def figures(document: Any) -> dict[str, tuple[Any, ...]]:
    return {
        b["bid_id"]: (
            b["status"],
            b["rank"],
            b["price"]["points"],
            b["quality"]["points"],
            b["social_value"]["points"],
            b["social_value"]["total_gbp"],
            b["total"],
            [f["code"] for f in b["flags"]],
        )
        for b in document["bids"]
    }


@pytest.mark.parametrize("pack", sorted(BEFORE))
def test_every_figure_and_rank_is_what_it_was_before_facts_were_declared(pack: str) -> None:
    assert figures(score_json(FIXTURES / pack)) == BEFORE[pack]


def pinned_to_2026_1(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    (pack / "bids").mkdir(parents=True)
    for path in STOCKPORT_PACK.rglob("*"):
        if path.is_file():
            (pack / path.relative_to(STOCKPORT_PACK)).write_bytes(path.read_bytes())
    tender = pack / "tender.yaml"
    tender.write_text(tender.read_text().replace("stockport@2026.2", "stockport@2026.1"))
    return pack


def test_the_highways_pack_still_scores_the_same_under_the_earlier_version(tmp_path: Path) -> None:
    # 2026.1 reads no bid facts, so a tender pinned to it keeps today's figures and publishes no notices.
    document = score_json(pinned_to_2026_1(tmp_path))
    assert document["ruleset"]["version"] == "2026.1"
    assert figures(document) == BEFORE["stockport-highways"]
    assert "bid_facts" not in document
    assert all("notices" not in b for b in document["bids"])


@pytest.mark.parametrize(("bid_id", "code", "rule"), NOTICES, ids=[n[1] for n in NOTICES])
def test_each_charter_notice_is_published_traced_to_its_rule(highways: Any, bid_id: str, code: str, rule: str) -> None:
    (bid,) = [b for b in highways["bids"] if b["bid_id"] == bid_id]
    assert {"code": code, "rule": rule} in [{"code": n["code"], "rule": n["rule"]} for n in bid["notices"]]


@pytest.mark.parametrize(("bid_id", "code", "rule"), NOTICES, ids=[n[1] for n in NOTICES])
def test_each_charter_notice_is_in_the_table_explain_and_html(
    bid_id: str, code: str, rule: str, tmp_path: Path
) -> None:
    table = invoke("score", STOCKPORT_PACK, "--no-ledger")
    (line,) = [x for x in table.stdout.splitlines() if x.startswith("Charter, ") and f"({bid_id}):" in x]
    assert f"{code} (rule {rule})" in line
    explained = invoke("explain", STOCKPORT_PACK, "--bid", bid_id)
    assert explained.exit_code == 0, explained.output
    charter = explained.stdout.split("\nCharter:\n", 1)[1].split("\nPolicy:", 1)[0]
    assert f"  {code}: " in charter
    assert f"(rule {rule}, firing " in charter
    report = tmp_path / "report.html"
    assert invoke("score", STOCKPORT_PACK, "--format", "html", "-o", report, "--no-ledger").exit_code == 0
    html = report.read_text(encoding="utf-8")
    section = html.split(f"bid <code>{bid_id}</code>", 1)[1].split("</details>", 1)[0]
    assert "<h4>Charter</h4>" in section
    assert f'data-bid-notice="{code}"' in section
    assert f"rule <code>{rule}</code>, firing " in section


def test_every_bid_has_exactly_the_notices_its_facts_call_for(highways: Any) -> None:
    assert {b["bid_id"]: [n["code"] for n in b["notices"]] for b in highways["bids"]} == EVERY_NOTICE


def test_the_eligible_bidders_are_counted_against_the_declared_facts(highways: Any) -> None:
    # Eligible: castle (neither), acme (accredited), brennan (paying), evergreen (not stated).
    assert highways["bid_facts"] == {
        "title": "Charter",
        "eligible_bids": 4,
        "counts": [
            {"label": "Real Living Wage employers", "fact": "real_living_wage", "count": 2},
            {"label": "Good Employment Charter members or supporters", "fact": "good_employment_charter", "count": 2},
            {"label": "SMEs", "fact": "sme", "count": 2},  # brennan, evergreen (dale is excluded)
            {"label": "VCSE organisations", "fact": "vcse", "count": 0},  # only dale, excluded
            {"label": "based in Stockport", "fact": "based_in_stockport", "count": 2},  # acme, brennan
        ],
        "summary": "Charter, of the 4 eligible bidders: Real Living Wage employers 2, Good Employment Charter "
        "members or supporters 2, SMEs 2, VCSE organisations 0, based in Stockport 2.",
    }


def test_the_tender_level_line_is_in_the_table_and_the_html(tmp_path: Path) -> None:
    line = (
        "Charter, of the 4 eligible bidders: Real Living Wage employers 2, Good Employment Charter members or "
        "supporters 2, SMEs 2, VCSE organisations 0, based in Stockport 2."
    )
    assert line in invoke("score", STOCKPORT_PACK, "--no-ledger").stdout.splitlines()
    assert f"- {line}" in invoke("score", STOCKPORT_PACK, "--format", "markdown", "--no-ledger").stdout.splitlines()
    report = tmp_path / "report.html"
    invoke("score", STOCKPORT_PACK, "--format", "html", "-o", report, "--no-ledger")
    assert f'<p data-field="bid-facts-summary">{line}</p>' in report.read_text(encoding="utf-8")


# --- validate -------------------------------------------------------------------------------------------------


def with_facts(make_pack: Callable[..., Path], facts: dict[str, Any], ruleset: str = "stockport") -> Path:
    bids = {"a": basic_bid("A Ltd", "100000.00", facts=facts), "b": basic_bid("B Ltd", "110000.00")}
    return make_pack(basic_tender(ruleset=ruleset), bids, all_scores(["a", "b"]))


def test_a_value_outside_the_allowed_ones_names_file_field_and_allowed_values(make_pack: Callable[..., Path]) -> None:
    pack = with_facts(make_pack, {"real_living_wage": "yes please"})
    result = invoke("validate", pack)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: {pack}/bids/a.yaml: facts.real_living_wage: Real Living Wage employer status: "
        "expected one of accredited, paying, neither, found 'yes please'"
    ]


def test_an_unquoted_yes_is_refused_and_the_message_says_why(make_pack: Callable[..., Path]) -> None:
    pack = make_pack(basic_tender(), {"a": basic_bid("A Ltd", "100000.00")}, all_scores(["a"]))
    bid = pack / "bids" / "a.yaml"
    bid.write_text(bid.read_text(encoding="utf-8") + "facts: {real_living_wage: yes}\n", encoding="utf-8")
    result = invoke("validate", pack)
    assert result.exit_code == 2
    assert (
        f"Error: {pack}/bids/a.yaml: facts.real_living_wage: Real Living Wage employer status: expected one of "
        "accredited, paying, neither, found true (an unquoted yes, no, on or off reads as true or false)"
    ) in result.stderr.splitlines()


def test_a_misspelt_fact_is_named_with_the_fact_meant(make_pack: Callable[..., Path]) -> None:
    pack = with_facts(make_pack, {"good_employment_chartr": "member", "sme": "no", "vcse": True})
    result = invoke("validate", pack)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: {pack}/bids/a.yaml: facts.good_employment_chartr: expected a fact ruleset stockport@2026.2 declares "
        "(real_living_wage, good_employment_charter, sme, vcse, based_in_stockport), found 'good_employment_chartr': "
        "did you mean good_employment_charter?",
        f"Error: {pack}/bids/a.yaml: facts.sme: A micro, small or medium enterprise (SME): "
        "expected true or false, found 'no'",
    ]


def test_the_ppn002_ruleset_declares_no_facts_so_any_facts_pass_and_nothing_is_noted(
    make_pack: Callable[..., Path],
) -> None:
    tender = basic_tender(
        ruleset="ppn002",
        contract_value_gbp="1200000.00",
        weights={"price": 48, "quality": 40, "social_value": 12},
        gates=["modern_slavery"],
        social_value={
            "themes": {"jobs": 4, "growth": 0, "social": 3, "environment": 0, "innovation": 0},
            "questions": [{"id": "SV1", "title": "SV plan", "weight": 5, "min_score": 1}],
        },
    )
    facts = {"living_wage_employer": True, "real_living_wage": "yes please"}
    bids = {
        "a": basic_bid(
            "A Ltd", "100000.00", [{"measure": "NT1", "quantity": 1}], gates={"modern_slavery": "pass"}, facts=facts
        )
    }
    pack = make_pack(tender, bids, all_scores(["a"]))
    document = score_json(pack)
    assert "bid_facts" not in document
    assert "notices" not in document["bids"][0]
    assert "Charter" not in invoke("score", pack, "--no-ledger").stdout


# --- the ruleset format and lint -------------------------------------------------------------------------------

STOCKPORT = yaml.safe_load((rulesets.SHIPPED_DIR / "stockport.yaml").read_text(encoding="utf-8"))


def variant(change: Callable[[dict[str, Any]], None]) -> str:
    data = copy.deepcopy(STOCKPORT)
    data["version"] = "test"
    change(data)
    return json.dumps(data)  # JSON is YAML, and keeps the proxies' strings as written


def rule(data: dict[str, Any], rule_id: str) -> dict[str, Any]:
    (found,) = [r for r in data["rules"] if r["id"] == rule_id]
    return found


def test_lint_finds_a_rule_reading_an_undeclared_fact_and_one_comparing_with_a_value_it_cannot_take() -> None:
    def change(data: dict[str, Any]) -> None:
        rule(data, "charter.vcse")["when"] = {"kind": "bid", "facts.vsce": True}
        rule(data, "charter.real_living_wage.paying")["when"] = {"kind": "bid", "facts.real_living_wage": "payed"}

    report = lint_text(variant(change), "council.yaml")
    assert [str(f) for f in report.errors] == [
        "error: council.yaml: rules[14] (charter.real_living_wage.paying).when: compares facts.real_living_wage "
        "with a value it cannot take: expected one of accredited, paying, neither, found 'payed'",
        "error: council.yaml: rules[22] (charter.vcse).when: reads facts.vsce, which bid_facts does not declare "
        "(real_living_wage, good_employment_charter, sme, vcse, based_in_stockport): did you mean vcse?",
    ]


def test_a_fact_named_only_in_a_message_must_be_declared_too() -> None:
    def change(data: dict[str, Any]) -> None:
        rule(data, "charter.sme")["then"]["notice"]["message"] = "SME: ${facts.turnover_gbp}"

    with pytest.raises(RulesetError, match=r"reads facts.turnover_gbp, which bid_facts does not declare"):
        parse_ruleset(variant(change), "council.yaml", "council.yaml")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["bid_facts"]["facts"]["sme"].update(values=["yes"]),
            "bid_facts.facts.sme.values: expected no values: only a choice lists them, this is a boolean",
        ),
        (
            lambda d: d["bid_facts"]["facts"]["real_living_wage"].pop("values"),
            "bid_facts.facts.real_living_wage.values: expected the list of values a choice may take",
        ),
        (
            lambda d: d["bid_facts"]["summary"][0].update(values=["accredited", "paid"]),
            "bid_facts.summary[0].values: expected one of accredited, paying, neither, found 'paid'",
        ),
        (
            lambda d: d["bid_facts"]["summary"][2].update(fact="smes"),
            "bid_facts.summary[2].fact: expected a declared fact",
        ),
    ],
)
def test_a_declaration_that_cannot_be_right_is_a_ruleset_error(
    change: Callable[[dict[str, Any]], None], message: str
) -> None:
    with pytest.raises(RulesetError) as raised:
        parse_ruleset(variant(change), "council.yaml", "council.yaml")
    assert f"council.yaml: {message}" in str(raised.value)


def test_a_ruleset_that_allows_undeclared_facts_checks_only_the_declared_ones(
    make_pack: Callable[..., Path], tmp_path: Path
) -> None:
    council = tmp_path / "council.yaml"
    council.write_text(variant(lambda d: d["bid_facts"].update(undeclared="allow")), encoding="utf-8")
    pack = with_facts(make_pack, {"living_wage_employer": True, "sme": True}, ruleset=str(council))
    assert invoke("validate", pack).exit_code == 0
    bad = with_facts(make_pack, {"living_wage_employer": True, "sme": "yes"}, ruleset=str(council))
    result = invoke("validate", bad)
    assert result.exit_code == 2
    assert "facts.sme: A micro, small or medium enterprise (SME): expected true or false, found 'yes'" in result.stderr
    assert "living_wage_employer" not in result.stderr


def test_the_json_result_with_notices_matches_the_published_schema(highways: Any) -> None:
    assert problems(highways) == []
    broken = copy.deepcopy(highways)
    broken["bids"][0]["notices"][0].pop("rule")
    broken["bid_facts"]["counts"][0]["count"] = "2"
    assert len(problems(broken)) == 2


def test_rules_show_lists_the_declared_facts_with_their_charter_passages() -> None:
    shown = invoke("rules", "show", "stockport")
    assert shown.exit_code == 0
    lines = shown.stdout.splitlines()
    assert "Bid facts (Charter; undeclared facts: refuse):" in lines
    assert "  real_living_wage (choice: accredited, paying, neither): Real Living Wage employer status" in lines
    assert any(line.startswith('    source: Charter, 2. Our Promise: "Be a living wage employer') for line in lines)
    data = load_json(invoke("rules", "show", "stockport", "--format", "json").stdout)
    assert data["bid_facts"]["facts"]["good_employment_charter"]["values"] == ["member", "supporter", "neither"]
    assert "bid_facts" not in load_json(invoke("rules", "show", "ppn002", "--format", "json").stdout)


def test_an_archived_version_keeps_its_own_cases_and_they_still_pass() -> None:
    result = invoke("rules", "test", "stockport@2026.1")
    assert result.exit_code == 0, result.output
    assert "ruleset stockport@2026.1" in result.stdout
    assert result.stdout.splitlines()[-1] == "22 cases: 22 passed, 0 failed"


def test_a_record_made_without_bid_facts_has_the_shape_records_had_before_them_and_replays(
    tmp_path: Path, _private_ledger: Path
) -> None:
    # A record's `detail` holds the whole Result; records written before bid facts existed have none of the new
    # fields, so a ruleset without bid_facts must leave them out too, or every older record would replay as
    # different. The key sets are those of a record written at commit 9f0a98d.
    assert invoke("score", pinned_to_2026_1(tmp_path), "--format", "json").exit_code == 0
    # closing(): a connection's own `with` ends a transaction, not the connection (3.13 warns of the leak).
    with closing(sqlite3.connect(_private_ledger)) as conn:
        (text,) = conn.execute("SELECT record FROM records").fetchone()
    detail = json.loads(text)["detail"]["result"]
    assert sorted(detail) == ["bids", "core_outcome_titles", "policy", "ruleset", "tender", "themes"]
    for bid in detail["bids"]:
        assert sorted(bid) == [
            "bid_id", "bidder", "commitments", "core_outcomes", "excluded_reasons", "file", "flags", "price_gbp",
            "price_points", "quality_points", "questions", "rank", "status", "sv_percent", "sv_points",
            "sv_total_gbp", "themes", "total",
        ]  # fmt: skip
    replayed = invoke("replay", "1")
    assert replayed.exit_code == 0, replayed.output
    assert "replays identically" in replayed.stdout


def test_a_record_with_charter_notices_keeps_them_and_explain_reads_them_back(_private_ledger: Path) -> None:
    assert invoke("score", STOCKPORT_PACK, "--format", "json").exit_code == 0
    assert invoke("replay", "1").exit_code == 0
    explained = invoke("explain", "1", "--bid", "dale")
    assert explained.exit_code == 0, explained.output
    assert "  vcse: A VCSE organisation: the charter targets spend with the VCSE sector (TOMs Theme 2). (rule " in (
        explained.stdout
    )


def test_a_whole_number_a_bid_states_counts_against_a_declared_number() -> None:
    # YAML reads a bid's `staff: 10` as the int 10 and a declared value `10` as Decimal('10'): one number. Of
    # the three bids, 10 and 10.0 state a counted value and 12 does not, so the count is 2; true is no number.
    from decimal import Decimal

    from tenderscore.scoring.bid_facts import BidFacts, counts

    declared = BidFacts.model_validate(
        {
            "facts": {"staff": {"type": "number", "title": "Staff"}},
            "summary": [{"label": "ten staff", "fact": "staff", "values": [Decimal("10")]}],
        }
    )
    eligible = [{"staff": 10}, {"staff": Decimal("10.0")}, {"staff": 12}, {"staff": True}]
    assert [n for _, n in counts(declared, eligible)] == [2]
