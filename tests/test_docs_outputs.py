"""What `score` writes cannot drift from docs/formats.md (in the style of sqlite-utils' tests/test_docs.py): every
JSON field and CSV column the shipped packs score to is in the reference, every one the reference lists is
written, in its order, its examples are the fixture's output, and its figures are worked out again here.

A documented path is `a.b` for key `b` of object `a`, `[]` for each item of a list, and `{name}` for a key that is
data (a theme, a question id, a core outcome). Lists of plain values are fields, not paths: `bids[].flags` is
documented by `bids[].flags[].code`, and an object by the fields under it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FIXTURES, ROOT, STOCKPORT_PACK, all_scores, basic_bid, basic_tender, invoke, write_pack
from readme_example import printed_block

FORMATS = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
# Every pack folder the fixtures ship to be scored (those under a `broken` folder are there to fail).
FIXTURE_PACKS = sorted(
    path.parent
    for path in FIXTURES.rglob("tender.yaml")
    if not any("broken" in part for part in path.relative_to(FIXTURES).parts)
)
PENNY = Decimal("0.01")


def section(text: str, heading: str) -> str:
    """The text under `heading` up to the next heading of the same or a higher level."""
    level = heading.split(" ", 1)[0]
    start = text.index(f"\n{heading}\n")
    end = re.compile(rf"\n#{{1,{len(level)}}} ").search(text, start + len(heading) + 2)
    return text[start : end.start() if end else len(text)]


WRITES = section(FORMATS, "## What `score` writes")
JSON_DOCS = section(WRITES, "### JSON (`--format json`)")
CSV_DOCS = section(WRITES, "### CSV (`--format csv`)")


def table_rows(text: str) -> list[list[str]]:
    """The cells of each table row whose first cell is a `code` name (header and rule rows are not)."""
    return [[c.strip() for c in line.strip("|").split(" | ")] for line in text.splitlines() if line.startswith("| `")]


def first_code(cell: str) -> str:
    found = re.search(r"`([^`]+)`", cell)
    assert found is not None, cell
    return found.group(1)


JSON_ROWS = [first_code(row[0]) for row in table_rows(JSON_DOCS)]
CSV_ROWS = [(first_code(row[0]), first_code(row[2])) for row in table_rows(CSV_DOCS)]


def pattern(path: str) -> re.Pattern[str]:
    """A documented path as a regular expression: each `{name}` stands for any one key."""
    parts = re.split(r"\{[a-z_]+\}", path)
    return re.compile(r"[^.\[\]]+".join(re.escape(part) for part in parts))


def prefixes(path: str) -> Iterator[str]:
    """The objects and lists a documented field is inside: `bids`, `bids[].flags` for `bids[].flags[].code`."""
    for boundary in re.finditer(r"\.|\[\]", path):
        head = path[: boundary.start()]
        if head and not head.endswith("[]"):
            yield head


ROW_PATTERNS = [pattern(p) for p in JSON_ROWS]
# Each row with the objects and lists it is inside: an actual path is documented when one of them names it, and
# it comes in the order of the first row that does.
NAMED_BY_ROW = [[pattern(p) for p in (*prefixes(row), row)] for row in JSON_ROWS]


def first_row(path: str) -> int | None:
    return next((i for i, named in enumerate(NAMED_BY_ROW) if any(p.fullmatch(path) for p in named)), None)


def key_paths(value: Any, prefix: str = "") -> Iterator[str]:
    """Every key's path in a JSON document, parents first, in the order the document writes them."""
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            yield path
            yield from key_paths(item, path)
    elif isinstance(value, list):
        for item in value:
            yield from key_paths(item, f"{prefix}[]")


def objects(value: Any, prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object in a JSON document with its path."""
    if isinstance(value, dict):
        yield prefix, value
        for key, item in value.items():
            yield from objects(item, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, list):
        for item in value:
            yield from objects(item, f"{prefix}[]")


def score(pack: Path, fmt: str) -> str:
    result = invoke("score", pack, "--format", fmt, "--no-ledger")
    assert result.exit_code == 0, f"{pack}: {result.output}"
    return str(result.stdout)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Any, str]]:
    """(JSON document, CSV text) of every fixture pack, and of a pack recording an exemption (which the
    fixtures do not), by the pack's name."""
    exempt_tender = basic_tender(
        weights={"price": 50, "quality": 40, "social_value": 10},
        exemption={"reason": "Specialist supply", "approved_by": "Head of Procurement"},
    )
    exempt_tender["social_value"]["themes"] = {"jobs": 5}
    exempt = write_pack(
        tmp_path_factory.mktemp("exempt") / "exempt", exempt_tender, {"a": basic_bid("A", "100.00")}, all_scores(["a"])
    )
    return {pack.name: (json.loads(score(pack, "json")), score(pack, "csv")) for pack in [*FIXTURE_PACKS, exempt]}


def test_both_shipped_packs_are_scored() -> None:
    assert {FIXTURES / "stockport-highways", FIXTURES / "stockport-panel"} <= set(FIXTURE_PACKS)


def test_the_reference_lists_json_fields_and_csv_columns() -> None:
    # So that a heading or table reworded out of the parser's sight fails here, not by checking nothing.
    assert "bids[].price.points" in JSON_ROWS and len(JSON_ROWS) > 40
    assert ("notices", "bids[].notices[].code") in CSV_ROWS and len(CSV_ROWS) > 10


def test_every_json_field_written_is_documented(written: dict[str, tuple[Any, str]]) -> None:
    missing = sorted({path for doc, _ in written.values() for path in key_paths(doc) if first_row(path) is None})
    assert missing == [], "docs/formats.md does not document these JSON fields"


def test_every_documented_json_field_is_written(written: dict[str, tuple[Any, str]]) -> None:
    paths = {path for doc, _ in written.values() for path in key_paths(doc)}
    unwritten = [row for row, p in zip(JSON_ROWS, ROW_PATTERNS, strict=True) if not any(p.fullmatch(x) for x in paths)]
    assert unwritten == [], "docs/formats.md documents JSON fields no pack writes"


def test_json_keys_come_in_the_documented_order(written: dict[str, tuple[Any, str]]) -> None:
    for name, (doc, _) in written.items():
        for where, obj in objects(doc):
            found = [first_row(f"{where}.{key}" if where else key) for key in obj]
            rows = [row for row in found if row is not None]  # an undocumented key fails the test above
            assert rows == sorted(rows), (name, where, list(obj))


def contains(actual: Any, example: Any) -> bool:
    """`example` is `actual` shortened: keys left out of objects, items left out of lists (the rest in order)."""
    if isinstance(example, dict):
        return isinstance(actual, dict) and all(k in actual and contains(actual[k], v) for k, v in example.items())
    if isinstance(example, list):
        remaining = iter(actual) if isinstance(actual, list) else iter(())
        return all(any(contains(item, wanted) for item in remaining) for wanted in example)
    return bool(actual == example) and type(actual) is type(example)


def test_the_json_example_is_what_the_fixture_writes(written: dict[str, tuple[Any, str]]) -> None:
    (block,) = re.findall(r"```json\n(.*?)```", JSON_DOCS, re.S)
    assert contains(written[STOCKPORT_PACK.name][0], json.loads(block))


def test_the_contains_check_can_fail() -> None:
    actual = {"bids": [{"rank": 1, "total": "76.50"}, {"rank": None, "total": None}]}
    assert contains(actual, {"bids": [{"rank": 1}, {"total": None}]})
    assert not contains(actual, {"bids": [{"total": None}, {"rank": 1}]})  # out of order
    assert not contains(actual, {"bids": [{"total": "76.5"}]})
    assert not contains(actual, {"bids": [{"rank": True}]})  # 1 == True, but JSON tells them apart


def themes_of(doc: Any) -> list[str]:
    return list(doc["bids"][0]["social_value"]["themes"])


def documented_header(themes: list[str]) -> list[str]:
    header = []
    for column, _ in CSV_ROWS:
        header += [column.replace("{theme}", t) for t in themes] if "{theme}" in column else [column]
    return header


def test_the_csv_columns_are_the_documented_ones_in_order(written: dict[str, tuple[Any, str]]) -> None:
    for name, (doc, text) in written.items():
        assert next(csv.reader(io.StringIO(text))) == documented_header(themes_of(doc)), name


def test_the_csv_example_is_what_the_fixture_writes(written: dict[str, tuple[Any, str]]) -> None:
    (block,) = re.findall(r"```csv\n(.*?)```", CSV_DOCS, re.S)
    header, *rows = block.splitlines()
    lines = written[STOCKPORT_PACK.name][1].splitlines()
    assert header == lines[0]
    assert rows and all(row in lines[1:] for row in rows)


def json_value(bid: dict[str, Any], path: str) -> str:
    """The JSON figure a CSV cell documents, as the cell writes it: lists joined by spaces, null as empty."""
    head, _, rest = path.partition("[]")
    value: Any = bid
    for key in head.split(".") if head else []:
        value = value.get(key) if isinstance(value, dict) else None
    if rest:  # a field of each item of a list: `flags[].code`
        value = [item[rest.lstrip(".")] for item in value or []]
    if isinstance(value, list):
        return " ".join(value)
    return "" if value is None else str(value)


def test_each_csv_cell_is_the_json_figure_the_reference_names(written: dict[str, tuple[Any, str]]) -> None:
    for name, (doc, text) in written.items():
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [r["bid_id"] for r in rows] == [b["bid_id"] for b in doc["bids"]], name
        for row, bid in zip(rows, doc["bids"], strict=True):
            for column, documented in CSV_ROWS:
                for theme in themes_of(doc) if "{theme}" in column else [""]:
                    path = documented.replace("{theme}", theme).removeprefix("bids[].")
                    cell = row[column.replace("{theme}", theme)]
                    assert cell == json_value(bid, path), (name, bid["bid_id"], column, theme)


def exact(text: str) -> Decimal:
    return Decimal(text).quantize(PENNY, rounding=ROUND_HALF_UP)


def read_file(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))  # a JSON bid is YAML too


def readme_table() -> dict[str, list[str]]:
    """The README's printed ranking, by bidder: rank, price £, price pts, quality, social value, total."""
    rows = {}
    for line in printed_block("score").splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if cells[0].isdigit() and len(cells) >= 7:
            rows[cells[1]] = [cells[0], *cells[2:7]]
    return rows


def test_the_figures_add_up_and_match_the_readme(written: dict[str, tuple[Any, str]]) -> None:
    # Worked out here from the pack's own files, not by the scoring code: lowest_relative price points
    # (w × lowest eligible price ÷ price), each rounded half up to the penny.
    doc, text = written[STOCKPORT_PACK.name]
    tender = read_file(STOCKPORT_PACK / "tender.yaml")
    assert tender["price"]["method"] == "lowest_relative"
    weight, contract = Decimal(str(tender["weights"]["price"])), Decimal(tender["contract_value_gbp"])
    prices = {p.stem: Decimal(read_file(p)["price_gbp"]) for p in (STOCKPORT_PACK / "bids").iterdir()}
    eligible = [b["bid_id"] for b in doc["bids"] if b["status"] == "eligible"]
    lowest = min(prices[b] for b in eligible)
    rows = {r["bid_id"]: r for r in csv.DictReader(io.StringIO(text))}
    readme = readme_table()
    assert len(readme) == len(eligible) == 4
    for bid in doc["bids"]:
        row = rows[bid["bid_id"]]
        themes = bid["social_value"]["themes"].values()
        assert Decimal(row["sv_total_gbp"]) == sum(Decimal(t["gbp"]) for t in themes)
        assert row["sv_percent_of_contract"] == str(exact(str(Decimal(row["sv_total_gbp"]) * 100 / contract)))
        assert row["price_gbp"] == f"{prices[bid['bid_id']]:.2f}"
        if bid["status"] == "excluded":
            continue
        price_points = str(exact(str(weight * lowest / prices[bid["bid_id"]])))
        assert row["price_points"] == bid["price"]["points"] == price_points, bid["bid_id"]
        parts = [row["price_points"], row["quality_points"], row["social_value_points"]]
        assert Decimal(row["total"]) == sum(map(Decimal, parts))
        questions = [*bid["quality"]["questions"].values()]
        assert Decimal(row["quality_points"]) == sum(Decimal(q["points"]) for q in questions)
        sv_lines = [*themes, *bid["social_value"]["questions"].values()]
        assert Decimal(row["social_value_points"]) == sum(Decimal(line["points"]) for line in sv_lines)
        assert readme[bid["bidder"]] == [row["rank"], f"{prices[bid['bid_id']]:,.2f}", *parts, row["total"]]
