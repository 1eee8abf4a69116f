"""Issue 13, the input half: each reproducer from the new user's pass and the adversarial pass, as a test.

Every test here failed before its fix (a wrong or silent result, an unhelpful message, a hang, or a traceback).
Each names its item of the issue.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import time
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from conftest import FIXTURES, STOCKPORT_PACK, all_scores, basic_bid, basic_tender, invoke
from panel_support import SCORES, filled_panel_pack
from tenderscore.scoring.models import Bid
from tenderscore.scoring.panel.workbook import workbook_text
from tenderscore.scoring.yamlio import parse_json, parse_yaml

RULESET = Path(__file__).resolve().parent.parent / "rulesets" / "stockport.yaml"


def _refused(result: Any) -> list[str]:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return [line for line in result.stderr.splitlines() if line.strip()]


def _copy(tmp_path: Path, source: Path = STOCKPORT_PACK, name: str = "pack") -> Path:
    return Path(shutil.copytree(source, tmp_path / name))


# Item 1: every score, wherever it enters, is checked against the scale's range and its steps.


@pytest.mark.parametrize("quality", [{"scale_max": 5}, {"scale_max": 5, "scale_step": 1}])
def test_an_off_step_score_in_scores_csv_is_refused(make_pack: Callable[..., Path], quality: dict[str, Any]) -> None:
    tender = basic_tender()
    tender["quality"].update(quality)
    scores = "bid,question,score\na,Q1,3.5\na,Q2,4\na,SV1,3\n"
    pack = make_pack(tender, {"a": basic_bid("A Ltd", "100.00")}, scores)
    assert _refused(invoke("score", "--no-ledger", pack)) == [
        f"Error: {pack}/scores.csv: line 2: score: off the scale's steps: expected a score 0 to 5 in steps of 1, "
        "found 3.5"
    ]


def test_an_off_step_score_on_a_csv_sheet_is_refused_with_its_line(tmp_path: Path) -> None:
    pack = _copy(tmp_path, FIXTURES / "stockport-panel")
    sheet = pack / "panel" / "ahmed.csv"
    lines = sheet.read_text(encoding="utf-8").splitlines()
    row = next(n for n, line in enumerate(lines) if line.startswith("northway,") and ",Q1," in line)
    lines[row] = lines[row].replace(",4,", ",3.5,", 1)
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _refused(invoke("validate", pack)) == [
        f"Error: {pack}/panel/ahmed.csv: line {row + 1}: evaluator ahmed, bid northway, question Q1: off the "
        "scale's steps: expected a score 0 to 5 in steps of 1, found 3.5"
    ]


def test_a_half_point_is_on_a_scale_in_halves(make_pack: Callable[..., Path]) -> None:
    tender = basic_tender()
    tender["quality"]["scale_step"] = "0.5"
    pack = make_pack(tender, {"a": basic_bid("A Ltd", "100.00")}, "bid,question,score\na,Q1,3.5\na,Q2,4\na,SV1,3\n")
    assert invoke("validate", pack).exit_code == 0


# Item 2: a header with no rows holds no scores.


def _price_only_tender() -> dict[str, Any]:
    tender = basic_tender(weights={"price": 80, "quality": 0, "social_value": 20})
    tender["quality"]["questions"] = []
    tender["social_value"] = {"themes": {"jobs": 6, "growth": 4, "social": 3, "environment": 7, "innovation": 0}}
    return tender


def test_a_header_only_scores_csv_is_accepted_for_a_price_only_tender(make_pack: Callable[..., Path]) -> None:
    pack = make_pack(_price_only_tender(), {"a": basic_bid("A Ltd", "100.00")}, "bid,question,score,rationale\n")
    result = invoke("score", "--no-ledger", pack)
    assert result.exit_code == 0, result.output


def test_a_score_row_for_a_price_only_tender_is_still_refused(make_pack: Callable[..., Path]) -> None:
    pack = make_pack(_price_only_tender(), {"a": basic_bid("A Ltd", "100.00")}, "bid,question,score\na,Q1,3\n")
    assert _refused(invoke("validate", pack)) == [
        f"Error: {pack}/scores.csv: expected no consensus scores: the tender has no scored questions"
    ]


# Item 3: a commitment to a code the catalogue lacks is not counted (the spec), and said loudly.


def test_a_mistyped_measure_code_is_warned_of_with_file_line_and_nearest_code(tmp_path: Path) -> None:
    pack = _copy(tmp_path)
    bid = pack / "bids" / "acme.yaml"
    bid.write_text(bid.read_text(encoding="utf-8").replace("measure: NT1,", "measure: NTl,"), encoding="utf-8")
    # The line the mistyped commitment stands on in the file as shipped (counted from the file, not assumed).
    line = next(n for n, text in enumerate(bid.read_text(encoding="utf-8").splitlines(), 1) if "NTl" in text)
    warning = (
        f"Warning: {pack}/bids/acme.yaml: line {line}: commitments[0].measure: 'NTl' is not a measure of ruleset "
        "stockport, so this commitment counts for nothing; did you mean NT1?"
    )
    validated = invoke("validate", pack)
    assert validated.exit_code == 0
    assert warning in validated.stderr.splitlines()
    assert "2 warnings (on stderr)" in validated.stdout  # acme's NTl, and castle's NT99 (the fixture's own)
    scored = invoke("score", "--no-ledger", "--format", "json", pack)
    assert scored.exit_code == 0
    assert warning in scored.stderr.splitlines()
    (acme,) = [b for b in json.loads(scored.stdout)["bids"] if b["bid_id"] == "acme"]
    assert "unknown_measure" in [f["code"] for f in acme["flags"]]  # the spec's rule: flagged, not counted


# Item 7: a Windows-1252 file is refused with its line and column and how to fix it.


def test_a_windows_1252_pound_sign_is_refused_with_line_column_and_the_fix(tmp_path: Path) -> None:
    pack = _copy(tmp_path)
    text = (pack / "scores.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[2] = lines[2] + " (saves £5k)"  # line 3 of the file
    (pack / "scores.csv").write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    column = len(lines[2]) - len("5k)")  # the £, counted from 1
    assert _refused(invoke("validate", pack)) == [
        f"Error: {pack}/scores.csv: line 3, column {column}: expected UTF-8 text, found the byte 0xA3 (in "
        "Windows-1252, '£'): save the file as UTF-8 (in Excel: File > Save As > \"CSV UTF-8\")"
    ]


def test_an_undecodable_file_is_refused_with_line_and_column(tmp_path: Path) -> None:
    pack = _copy(tmp_path)
    # 0x81 is no character in UTF-8 or in Windows-1252: nothing is guessed about it.
    (pack / "bids" / "acme.yaml").write_bytes(b"bidder: Acme\nprice_gbp: \x81\n")
    assert _refused(invoke("validate", pack)) == [
        f"Error: {pack}/bids/acme.yaml: line 2, column 12: expected UTF-8 text, found the byte 0x81: save the file "
        'as UTF-8 (in Excel: File > Save As > "CSV UTF-8")'
    ]


# Item 8: money is read the same with or without £ and commas, and a refusal says which characters it allows.


@pytest.mark.parametrize("written", ["£1,150,000", "1,150,000", "£1150000", "1150000", " £1,150,000.00 "])
def test_a_price_reads_the_same_with_or_without_pound_sign_and_commas(written: str) -> None:
    bid = Bid.model_validate(basic_bid("A Ltd", written))
    assert bid.price_gbp == Decimal("1150000")


@pytest.mark.parametrize("written", ["£1.150.000", "GBP 1150000", "1150000£", "££5"])
def test_a_refused_price_says_which_characters_money_allows(make_pack: Callable[..., Path], written: str) -> None:
    pack = make_pack(basic_tender(), {"a": basic_bid("A Ltd", written)}, all_scores(["a"]))
    (line,) = _refused(invoke("validate", pack))
    assert line.startswith(f"Error: {pack}/bids/a.yaml: price_gbp: expected a number")
    assert line.endswith(
        "an amount allows digits 0-9, an optional leading £, commas between thousands and a point before the "
        "pence (as in £1,150,000.50)"
    )


# Item 9: a file where a pack folder is expected.


@pytest.mark.parametrize("command", ["score", "validate"])
def test_a_file_given_as_a_pack_is_named_as_such(command: str) -> None:
    result = invoke(command, STOCKPORT_PACK / "tender.yaml")
    assert result.exit_code == 2
    assert (
        f"Invalid value for 'PACK{'...' if command == 'score' else ''}': expected a pack folder (holding "
        f"tender.yaml), found a file: {STOCKPORT_PACK / 'tender.yaml'}" in result.stderr
    )


# Item 10: a formula saved without its value.


def _set_score_cell(path: Path, value: Any) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["Scores"]
    header = next(row[0].row for row in sheet.iter_rows() if row[0].value == "bid")
    sheet.cell(header + 1, 5).value = value
    book.save(path)


def test_a_formula_without_a_saved_value_is_named(tmp_path: Path) -> None:
    pack = filled_panel_pack(tmp_path / "p", SCORES)
    path = pack / "panel" / "e1.xlsx"
    _set_score_cell(path, "=2+2")  # openpyxl saves the formula alone, as a program that never calculates does
    header = next(
        i for i, row in enumerate(openpyxl.load_workbook(path)["Scores"].iter_rows()) if row[0].value == "bid"
    )
    text, problem = workbook_text(path.read_bytes(), "panel/e1.xlsx")
    assert text is None
    assert str(problem) == (
        f"panel/e1.xlsx: Scores!E{header + 2}: a formula (=2+2) with no saved value: the sheet must hold a number "
        "(type the score itself)"
    )


# Item 14: no YAML 1.1 reading changes a figure.


def test_a_price_with_a_leading_zero_is_refused_not_read_as_octal(make_pack: Callable[..., Path]) -> None:
    pack = make_pack(basic_tender(), {"a": basic_bid("A Ltd", "100.00")}, all_scores(["a"]))
    bid = pack / "bids" / "a.yaml"
    # YAML 1.1 reads 01150000 as octal: 1*8**6 + 1*8**5 + 5*8**4 = 262144 + 32768 + 20480 = 315392.
    bid.write_text(bid.read_text(encoding="utf-8").replace("price_gbp: '100.00'", "price_gbp: 01150000"), "utf-8")
    (line,) = _refused(invoke("validate", pack))
    assert line.startswith(f"Error: {pack}/bids/a.yaml: line 2, column 12: not valid YAML: expected a whole number")
    assert "found '01150000' (YAML 1.1 would read a leading 0 as octal" in line


@pytest.mark.parametrize("written", ["040", "0x28", "0o50", "0b101000", "4_0", "0:40"])
def test_a_weight_written_the_yaml_1_1_way_is_refused(make_pack: Callable[..., Path], written: str) -> None:
    pack = make_pack(basic_tender(), {"a": basic_bid("A Ltd", "100.00")}, all_scores(["a"]))
    tender = pack / "tender.yaml"
    text = tender.read_text(encoding="utf-8")
    assert "  price: 40\n" in text
    tender.write_text(text.replace("  price: 40\n", f"  price: {written}\n", 1), encoding="utf-8")
    assert invoke("validate", pack).exit_code == 2


def test_a_quoted_leading_zero_is_read_as_decimal() -> None:
    assert Bid.model_validate(basic_bid("A Ltd", "01150000")).price_gbp == Decimal("1150000")


# Item 15: exponents are bounded where numbers are read.


@pytest.mark.parametrize("cell", ["4e-999999999", "4e-99999999999", "0e-999999999", "1e+40"])
def test_a_score_with_a_huge_exponent_is_refused_at_once(make_pack: Callable[..., Path], cell: str) -> None:
    scores = f"bid,question,score\na,Q1,{cell}\na,Q2,4\na,SV1,3\n"
    pack = make_pack(basic_tender(), {"a": basic_bid("A Ltd", "100.00")}, scores)
    started = time.monotonic()
    (line,) = _refused(invoke("score", "--no-ledger", "--format", "json", pack))
    assert time.monotonic() - started < 10
    assert line.startswith(f"Error: {pack}/scores.csv: line 2: score: ")


@pytest.mark.parametrize("step", ["1e-99999999999", "1e-999999", "1E+99"])
def test_a_scale_step_with_a_huge_exponent_is_refused(make_pack: Callable[..., Path], step: str) -> None:
    tender = basic_tender()
    tender["quality"]["scale_step"] = step
    pack = make_pack(tender, {"a": basic_bid("A Ltd", "100.00")}, all_scores(["a"]))
    (line,) = _refused(invoke("validate", pack))
    assert line.startswith(f"Error: {pack}/tender.yaml: quality.scale_step: expected a number of at most 30 digits")


def test_a_fact_with_a_huge_exponent_is_refused() -> None:
    data, problem = parse_yaml("facts: {ratio: 1.0e-999999999}\n", "bids/a.yaml")
    assert data is None and problem is not None
    assert "expected a number of at most 30 digits either side of the point" in problem.message
    data, problem = parse_json('{"facts": {"ratio": 1e-999999999}}', "bids/a.json")
    assert data is None and problem is not None
    assert "expected a number of at most 30 digits either side of the point" in problem.message


def test_a_scale_of_a_million_steps_is_refused(make_pack: Callable[..., Path]) -> None:
    tender = basic_tender()
    tender["quality"]["scale_step"] = "0.0001"
    pack = make_pack(tender, {"a": basic_bid("A Ltd", "100.00")}, all_scores(["a"]))
    assert _refused(invoke("validate", pack)) == [
        f"Error: {pack}/tender.yaml: quality.scale_step: expected at most 1000 steps from 0 to 5, found steps of 0.0001"
    ]


def test_a_question_scale_of_ten_million_steps_is_refused(make_pack: Callable[..., Path]) -> None:
    # A question's own scale is listed on blank sheets just as the tender's is: 0 to 1000 in steps of 0.0001 is
    # 10,000,000 points (panel sheets once ran out of memory building them after validate had passed it).
    tender = basic_tender()
    tender["quality"]["questions"][0].update(scale_max="1000", scale_step="0.0001")
    pack = make_pack(tender, {"a": basic_bid("A Ltd", "100.00")}, all_scores(["a"]))
    assert _refused(invoke("validate", pack)) == [
        f"Error: {pack}/tender.yaml: quality.questions[0] (Q1).scale_step: expected at most 1000 steps from 0 to "
        "1000, found steps of 0.0001"
    ]


# Item 16 (its input part): an alias bomb.


def _alias_bomb(depth: int) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, depth + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return "\n".join(f"  {line}" for line in lines) + "\n"


def test_a_yaml_alias_bomb_under_a_bids_facts_is_refused_at_once(make_pack: Callable[..., Path]) -> None:
    pack = make_pack(basic_tender(), {"a": basic_bid("A Ltd", "100.00")}, all_scores(["a"]))
    bid = pack / "bids" / "a.yaml"
    bomb = _alias_bomb(10)  # 9**11 values once expanded; about 900 bytes as written
    assert len(bomb) < 1000
    text = bid.read_text(encoding="utf-8") + "facts:\n" + bomb
    bid.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    row = next(n for n, line in enumerate(lines) if line.startswith("  a1:"))
    started = time.monotonic()
    (line,) = _refused(invoke("score", "--no-ledger", pack))
    assert time.monotonic() - started < 5
    assert line == (
        f"Error: {pack}/bids/a.yaml: line {row + 1}, column {lines[row].index('*a0') + 1}: a YAML alias (*a0) is "
        "not accepted: write the value out in full"
    )


def test_a_scalar_alias_is_refused_too() -> None:
    assert str(parse_yaml("a: &x 5\nb: *x\n", "t.yaml")[1]) == (
        "t.yaml: line 2, column 4: a YAML alias (*x) is not accepted: write the value out in full"
    )


# Item 17: a ruleset that would hang is refused where it is loaded; only regular files are read.


def _ruleset_with(tmp_path: Path, rule: str) -> Path:
    path = tmp_path / "council.yaml"
    path.write_text(RULESET.read_text(encoding="utf-8") + rule, encoding="utf-8")
    return path


def _pack_with_ruleset(tmp_path: Path, ruleset: str) -> Path:
    pack = _copy(tmp_path)
    tender = pack / "tender.yaml"
    # Whatever version the fixture pins, the pack now names this ruleset.
    tender.write_text(re.sub(r"(?m)^ruleset: .*$", f"ruleset: {ruleset}", tender.read_text(encoding="utf-8")), "utf-8")
    return pack


def test_a_ruleset_lint_refuses_is_refused_at_load_and_fast(tmp_path: Path) -> None:
    # An `all` of 10 `any` lists of 9 alternatives: durable-rules could hold 9 tests of each list at once.
    lists = ", ".join("{any: [" + ", ".join(f"{{f{k}_{j}: {{gt: {j}}}}}" for j in range(9)) + "]}" for k in range(10))
    path = _ruleset_with(
        tmp_path,
        f"  - {{id: big, when: {{kind: commitment, all: [{lists}]}}, then: {{flag: {{code: x, message: y}}}}}}\n",
    )
    linted = invoke("rules", "lint", path)
    assert linted.exit_code == 2
    (lint_error,) = [line for line in linted.stdout.splitlines() if line.startswith("error:")]
    started = time.monotonic()
    (line,) = _refused(invoke("score", "--no-ledger", _pack_with_ruleset(tmp_path, str(path))))
    assert time.monotonic() - started < 10
    assert "fails the assert with error 303 above 64" in line and "(rules: big)" in line
    assert lint_error.split(": rules: ", 1)[1] == line.split(": rules: ", 1)[1]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_never_read_as_a_ruleset(tmp_path: Path, device: str) -> None:
    started = time.monotonic()
    (line,) = _refused(invoke("score", "--no-ledger", _pack_with_ruleset(tmp_path, device)))
    assert line.endswith(
        f"ruleset: {device}: cannot be read: not a regular file (a device, pipe or folder is never read)"
    )
    linted = invoke("rules", "lint", device)
    assert linted.exit_code == 2
    assert f"error: {device}: cannot be read: not a regular file" in linted.stdout
    assert time.monotonic() - started < 10


def test_a_fifo_in_a_pack_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    pack = _copy(tmp_path)
    os.mkfifo(pack / "bids" / "zz.yaml")
    assert _refused(invoke("validate", pack)) == [
        f"Error: {pack}/bids/zz.yaml: cannot be read: not a regular file (a device, pipe or folder is never read)"
    ]


# Item 19: symbolic links that leave the pack, or lead nowhere.


def test_a_link_out_of_the_pack_is_refused_and_its_target_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("bidder: SECRET-TOKEN-42\nprice_gbp: 1\n", encoding="utf-8")
    pack = _copy(tmp_path)
    (pack / "bids" / "zz.yaml").symlink_to(secret)
    result = invoke("score", "--format", "json", pack)
    assert _refused(result) == [
        f"Error: {pack}/bids/zz.yaml: a symbolic link to {secret}, outside the pack: copy the file in"
    ]
    assert "SECRET-TOKEN-42" not in result.output


def test_a_linked_folder_out_of_the_pack_is_refused(tmp_path: Path) -> None:
    pack = _copy(tmp_path)
    elsewhere = Path(shutil.move(pack / "bids", tmp_path / "elsewhere"))
    (pack / "bids").symlink_to(elsewhere)
    assert _refused(invoke("validate", pack)) == [
        f"Error: {pack}/bids: a symbolic link to {elsewhere}, outside the pack: copy the file in"
    ]


def test_a_broken_link_is_reported_not_skipped(tmp_path: Path) -> None:
    pack = _copy(tmp_path)
    (pack / "bids" / "zz.yaml").symlink_to(pack / "bids" / "gone.yaml")
    assert _refused(invoke("validate", pack)) == [
        f"Error: {pack}/bids/zz.yaml: a broken symbolic link (its target {pack}/bids/gone.yaml does not exist)"
    ]


def test_a_link_inside_the_pack_is_followed(tmp_path: Path) -> None:
    pack = _copy(tmp_path)
    (pack / "bids" / "acme.yaml").rename(pack / "acme-original.yaml")
    (pack / "bids" / "acme.yaml").symlink_to(pack / "acme-original.yaml")
    assert invoke("validate", pack).exit_code == 0


# Item 22: user mistakes that were tracebacks.


def _nested(depth: int, inner: str = "1") -> str:
    return "{a: " * depth + inner + "}" * depth


@pytest.mark.parametrize("depth", [100, 500, 5000])
def test_deeply_nested_facts_are_refused(make_pack: Callable[..., Path], depth: int) -> None:
    pack = make_pack(basic_tender(), {"a": basic_bid("A Ltd", "100.00")}, all_scores(["a"]))
    bid = pack / "bids" / "a.yaml"
    bid.write_text(bid.read_text(encoding="utf-8") + f"facts: {_nested(depth)}\n", encoding="utf-8")
    data = yaml.safe_load((pack / "bids" / "a.yaml").read_text(encoding="utf-8")) if depth < 500 else None
    (pack / "bids" / "b.json").write_text(
        json.dumps(data) if data else '{"facts": ' + '{"a": ' * depth + "1" + "}" * depth + "}", encoding="utf-8"
    )
    lines = _refused(invoke("validate", pack))
    expected = "expected lists and mappings nested at most 64 deep, found deeper ones"
    assert f"Error: {pack}/bids/a.yaml: {expected}" in lines
    assert f"Error: {pack}/bids/b.json: {expected}" in lines


@pytest.mark.parametrize("depth", [1000, 3000])
def test_deeply_nested_lists_are_refused_by_every_loader(depth: int) -> None:
    text = "a: " + "[" * depth + "]" * depth + "\n"
    assert parse_yaml(text, "a.yaml")[1] is not None
    assert parse_yaml("- " * depth + "x\n", "a.yaml")[1] is not None


def test_facts_built_in_python_are_bounded_too() -> None:
    facts: dict[str, Any] = {}
    inner = facts
    for _ in range(2000):
        inner["a"] = {}
        inner = inner["a"]
    with pytest.raises(ValueError, match="nested at most 64 deep"):
        Bid.model_validate(basic_bid("A Ltd", "100.00", facts=facts))


def _bomb_sheet(xml: bytes) -> bytes:
    # The billion laughs: e9 expands to 10**9 copies of "lol".
    entities = '<!ENTITY e0 "lol">' + "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 10))
    doctype = f"<!DOCTYPE worksheet [{entities}]>".encode()
    head, declaration, rest = xml.rpartition(b"?>")  # after the XML declaration, if the sheet has one
    assert b"<v>" in rest
    return head + declaration + doctype + rest.replace(b"<v>", b"<v>&e9;", 1)


def test_an_xlsx_sheet_with_an_entity_bomb_is_refused(tmp_path: Path) -> None:
    pack = filled_panel_pack(tmp_path / "p", SCORES)
    path = pack / "panel" / "e1.xlsx"
    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = _bomb_sheet(data)
            target.writestr(info, data)
    path.write_bytes(out.getvalue())
    started = time.monotonic()
    lines = _refused(invoke("validate", pack))
    assert time.monotonic() - started < 10
    assert any(
        line.startswith(f"Error: {pack}/panel/e1.xlsx: expected an Excel workbook (.xlsx), found a file openpyxl")
        for line in lines
    ), lines


def _rule(when: str, pri: str = "0") -> str:
    return f"  - {{id: odd, when: {when}, pri: {pri}, then: {{flag: {{code: x, message: y}}}}}}\n"


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (_rule("{kind: commitment}", "99999999999999999999"), "pri must be a whole number from 0 to 1000000"),
        (_rule("{kind: commitment, all: [" + "{any: [" * 200 + "{quantity: 1}" + "]}" * 200 + "]}"), "at most 64 deep"),
        (
            _rule("{kind: commitment, all: [" + "{all: [" * 2000 + "{quantity: 1}" + "]}" * 2000 + "]}"),
            "at most 64 deep",
        ),
    ],
    ids=["huge pri", "any nested 200 deep", "all nested 2000 deep"],
)
def test_a_ruleset_that_crashed_the_loader_is_refused(tmp_path: Path, rule: str, expected: str) -> None:
    path = _ruleset_with(tmp_path, rule)
    linted = invoke("rules", "lint", path)
    assert linted.exit_code == 2 and expected in linted.stdout
    (line,) = _refused(invoke("score", "--no-ledger", _pack_with_ruleset(tmp_path, str(path))))
    assert expected in line


@pytest.mark.parametrize(
    "args", [["rules", "show"], ["rules", "lint"], ["measures", "--ruleset"], ["rules", "test"]], ids=" ".join
)
def test_a_ruleset_name_too_long_for_the_system_is_an_input_error(args: list[str]) -> None:
    result = invoke(*args, "a" * 300)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_a_ruleset_name_too_long_in_a_tender_is_an_input_error(tmp_path: Path) -> None:
    (line,) = _refused(invoke("validate", _pack_with_ruleset(tmp_path, "a" * 300)))
    assert "is not shipped" in line


def test_a_pack_folder_whose_name_is_not_utf8_scores_into_a_ledger(tmp_path: Path) -> None:
    pack = Path(shutil.copytree(STOCKPORT_PACK, os.fsdecode(bytes(tmp_path) + b"/p\xff")))
    result = invoke("score", "--ledger", tmp_path / "l.sqlite3", pack)
    assert result.exit_code == 0, result.output
    assert "Decision record 1" in result.stderr


# Item 23: capped problem lists, ASCII digits only, cells past a sheet's declared dimension.


def test_a_million_repeated_rows_print_a_capped_list(tmp_path: Path) -> None:
    pack = _copy(tmp_path)
    with (pack / "scores.csv").open("a", encoding="utf-8") as scores:
        scores.write("acme,Q1,4,again\n" * 5000)
    lines = _refused(invoke("validate", pack))
    assert len(lines) == 101
    assert lines[0] == f"Error: {pack}/scores.csv: line 20: a second score for bid acme, question Q1"
    assert lines[-1] == "Error: and 4900 more problems not listed"


@pytest.mark.parametrize(
    "digits", ["\u0661\u0662\u0663", "\uff11\uff12\uff13", "12\uff13"], ids=["arabic-indic", "fullwidth", "mixed"]
)
def test_only_ascii_digits_are_numbers(make_pack: Callable[..., Path], digits: str) -> None:
    pack = make_pack(basic_tender(), {"a": basic_bid("A Ltd", digits)}, f"bid,question,score\na,Q1,{digits[-1]}\n")
    lines = _refused(invoke("validate", pack))
    assert f"Error: {pack}/bids/a.yaml: price_gbp: expected a number in the digits 0-9, found {digits!r}" in " ".join(
        lines
    )
    assert f"Error: {pack}/scores.csv: line 2: score: expected a score 0 to 5 in steps of 1, found {digits[-1]!r}" in (
        lines
    )


def test_cells_beyond_a_sheets_declared_dimension_are_read(tmp_path: Path) -> None:
    pack = filled_panel_pack(tmp_path / "p", SCORES)
    path = pack / "panel" / "e1.xlsx"
    whole, problem = workbook_text(path.read_bytes(), "panel/e1.xlsx")
    assert problem is None and whole is not None
    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                start = data.index(b"<dimension ref=")
                end = data.index(b"/>", start)
                data = data[:start] + b'<dimension ref="A1:B2"' + data[end:]
            target.writestr(info, data)
    assert workbook_text(out.getvalue(), "panel/e1.xlsx") == (whole, None)
