"""The table, markdown and csv renderings carry the same figures as the result, for people and spreadsheets."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import STOCKPORT_PACK, all_scores, basic_bid, basic_tender
from scoring_support import failing, score
from tenderscore.scoring.numbers import fmt2, fmt_gbp, opt2
from tenderscore.scoring.output import render
from tenderscore.scoring.published import result_to_dict, winner, winner_of
from tenderscore.scoring.result import Result


@pytest.fixture(scope="module")
def shipped() -> Result:
    return score(STOCKPORT_PACK)


def test_table_lists_ranked_bids_then_exclusions_then_policy(shipped: Result) -> None:
    lines = render(shipped, "table").splitlines()
    header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("Rank"))
    assert " ".join(lines[header].split()) == "Rank Bidder Price £ Price pts Quality Social value Total Flags"
    rows = [line.split() for line in lines[header + 2 : header + 6]]
    assert [row[0] for row in rows] == ["1", "2", "3", "4"]
    assert "Castle" in lines[header + 2] and "76.50" in lines[header + 2] and "unknown measure" in lines[header + 2]
    assert (
        "Evergreen" in lines[header + 5]
        and "capped, implausible social value, abnormally low price" in lines[header + 5]
    )
    tail = lines[header + 6 :]
    assert tail[0] == ""
    assert tail[1] == "Castle Infrastructure Group plc ranks first with 76.50 points."
    assert tail[2].startswith("Excluded: Dale Valley Surfacing Ltd (dale): Gate modern_slavery")
    assert tail[3].startswith("Excluded: Fairfield Contracting Ltd (fairfield): Question Q2")
    assert tail[4].startswith("Policy: meets_target (social value weight 20%, floor 15%, target 20%).")
    assert tail[5].startswith("Notice: portal_required: ")


def test_markdown_is_a_github_table_with_the_same_rows(shipped: Result) -> None:
    text = render(shipped, "markdown")
    assert text.startswith("# STK-2026-014 Highways minor works framework\n")
    table = [line for line in text.splitlines() if line.startswith("|")]
    assert table[0].replace(" ", "") == "|Rank|Bidder|Price£|Pricepts|Quality|Socialvalue|Total|Flags|"
    assert set(table[1].replace("|", "").replace(" ", "")) <= {"-", ":"}
    cells = [[c.strip() for c in row.strip("|").split("|")] for row in table[2:]]
    assert [(c[0], c[1], c[6]) for c in cells] == [
        ("1", "Castle Infrastructure Group plc", "76.50"),
        ("2", "Acme Civil Engineering Ltd", "70.74"),
        ("3", "Brennan & Shaw Highways Ltd", "70.30"),
        ("4", "Evergreen Roads Ltd", "67.82"),
    ]
    assert "- Excluded: Dale Valley Surfacing Ltd (dale): " in text
    assert "- Notice: portal_required: " in text


def test_csv_has_one_row_per_bid_with_blank_points_for_excluded_bids(shipped: Result) -> None:
    rows = list(csv.DictReader(io.StringIO(render(shipped, "csv"))))
    assert [(r["rank"], r["bid_id"], r["status"], r["total"]) for r in rows] == [
        ("1", "castle", "eligible", "76.50"),
        ("2", "acme", "eligible", "70.74"),
        ("3", "brennan", "eligible", "70.30"),
        ("4", "evergreen", "eligible", "67.82"),
        ("", "dale", "excluded", ""),
        ("", "fairfield", "excluded", ""),
    ]
    brennan = rows[2]
    assert (brennan["price_gbp"], brennan["price_points"], brennan["environment_points"]) == (
        "1095000.00",
        "31.42",
        "1.43",
    )
    assert (brennan["sv_total_gbp"], brennan["sv_percent_of_contract"]) == ("354523.50", "29.54")
    assert rows[3]["flags"] == "capped sv_implausible abnormally_low_price"
    dale = rows[4]
    assert (dale["price_gbp"], dale["price_points"], dale["jobs_gbp"], dale["jobs_points"]) == (
        "990000.00",
        "",
        "37962.00",
        "",
    )
    assert dale["excluded_reasons"] == "Gate modern_slavery (Modern slavery) was answered fail, not pass."


def test_every_format_renders_a_pack_with_no_eligible_bid(make_pack: Callable[..., Path]) -> None:
    failed = failing("ethical_standards")
    result = score(make_pack(basic_tender(), {"x": basic_bid("X", "1.00", gates=failed)}, all_scores(["x"])))
    statement = "No bid is eligible: all 1 bids were excluded, so nobody is ranked."
    assert statement in render(result, "table")
    assert statement in render(result, "markdown")
    rows = list(csv.DictReader(io.StringIO(render(result, "csv"))))
    assert [(r["rank"], r["status"], r["total"]) for r in rows] == [("", "excluded", "")]


def test_money_for_people_has_separators_and_machine_formats_stay_plain(shipped: Result) -> None:
    # Half up at the penny: 0.005 → £0.01; 1234567.891 → £1,234,567.89; the table heading's £1,200,000.00.
    assert fmt_gbp(Decimal("0.005")) == "£0.01"
    assert fmt_gbp(Decimal("1234567.891")) == "£1,234,567.89"
    assert (opt2(None), opt2(Decimal("27.3015")), opt2(Decimal("0.125"))) == (None, "27.30", "0.13")
    assert "contract value £1,200,000.00, weights" in render(shipped, "table")
    assert '"contract_value_gbp": "1200000.00"' in render(shipped, "json")


def test_who_won_is_worded_once_for_results_and_their_published_shape(make_pack: Callable[..., Path]) -> None:
    failed = failing("ethical_standards")
    bids = {
        "a": basic_bid("Alpha Ltd", "90000.00"),
        "b": basic_bid("Beta Ltd", "90000.00"),
        "c": basic_bid("Gamma Ltd", "100000.00"),
        "x": basic_bid("Xeno Ltd", "1.00", gates=failed),
    }
    tied = score(make_pack(basic_tender(), bids, all_scores(list(bids))))
    alone = score(make_pack(basic_tender(), {"c": bids["c"], "x": bids["x"]}, all_scores(["c", "x"])))
    nobody = score(make_pack(basic_tender(), {"x": bids["x"]}, all_scores(["x"])))
    # Alpha and Beta offer the same price and the same scores: a true tie at rank 1; Xeno is excluded.
    expected = {"tie: Alpha Ltd, Beta Ltd": tied, "Gamma Ltd": alone, "none eligible": nobody}
    for words, result in expected.items():
        assert winner(result) == winner_of(result_to_dict(result)) == words


def test_json_is_the_published_shape_indented_with_every_character_written_as_itself(
    make_pack: Callable[..., Path],
) -> None:
    # render_json goes through orjson for speed: its text must stay what json.dumps(indent=2,
    # ensure_ascii=False) wrote, escapes included (quote, backslash, tab), non-ASCII as itself.
    name = 'Łódź "Roads"\\Works\tLtd 🚧\u2028'
    bids = {"a": basic_bid(name, "90000.00"), "b": basic_bid("Beta Ltd", "100000.00")}
    result = score(make_pack(basic_tender(title="Café — ½ works"), bids, all_scores(list(bids))))
    text = render(result, "json")
    assert text == json.dumps(result_to_dict(result), indent=2, ensure_ascii=False) + "\n"
    assert '\n      "bidder": "Łódź \\"Roads\\"\\\\Works\\tLtd 🚧\u2028",\n' in text
    assert '\n    "title": "Café — ½ works",\n' in text
    assert '\n      "excluded_reasons": [],\n' in text


def test_published_figures_never_take_an_exponent_whatever_the_value_was_written_as() -> None:
    # fmt2 prints the penny-rounded Decimal with str(): exponent -2 reads plainly, half up at the third place.
    assert fmt2(Decimal("1E+6")) == "1000000.00"
    assert fmt2(Decimal("5E+3")) == "5000.00"
    assert fmt2(Decimal("1E-30")) == "0.00"
    assert fmt2(Decimal("0.005")) == "0.01"
    assert fmt2(Decimal("-0.001")) == "-0.00"
    assert fmt2(Decimal("123456789.995")) == "123456790.00"
