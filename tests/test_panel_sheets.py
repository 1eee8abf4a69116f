"""`panel sheets`: one blank sheet per evaluator, never a price, never overwriting a filled one."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import openpyxl
from conftest import invoke
from panel_support import fill_workbook, panel_pack, panel_tender, signed


def cells(path: Path) -> list[list[object]]:
    book = openpyxl.load_workbook(path)
    return [list(row) for name in book.sheetnames for row in book[name].iter_rows(values_only=True)]


def items(path: Path) -> list[tuple[object, ...]]:
    rows = cells(path)
    header = next(i for i, row in enumerate(rows) if row[0] == "bid")
    assert rows[header] == ["bid", "bidder", "question", "title", "score", "comment"]
    end = next(i for i, row in enumerate(rows) if row[0] == "Conflict of interest declaration")
    return [tuple(row) for row in rows[header + 1 : end]]


def test_one_workbook_per_evaluator_with_only_their_items(tmp_path: Path) -> None:
    pack = panel_pack(tmp_path / "pack")
    result = invoke("panel", "sheets", pack)
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote 4 sheets to {pack}/panel: e1.xlsx, e2.xlsx, e3.xlsx, e4.xlsx\n"
    # Question by question, every bid; blank score and comment.
    assert items(pack / "panel" / "e1.xlsx") == [
        ("a", "Alpha Ltd", "Q1", "Method", None, None),
        ("b", "Beta Ltd", "Q1", "Method", None, None),
        ("a", "Alpha Ltd", "Q2", "Resources", None, None),
        ("b", "Beta Ltd", "Q2", "Resources", None, None),
        ("a", "Alpha Ltd", "SV1", "SV plan", None, None),
        ("b", "Beta Ltd", "SV1", "SV plan", None, None),
    ]
    # Written for colleagues: the usual file mode (what the umask allows), not mkstemp's owner-only 0600.
    umask = os.umask(0o022)
    os.umask(umask)
    assert (pack / "panel" / "e1.xlsx").stat().st_mode & 0o777 == 0o666 & ~umask
    # e4 is assigned SV1 only.
    assert items(pack / "panel" / "e4.xlsx") == [
        ("a", "Alpha Ltd", "SV1", "SV plan", None, None),
        ("b", "Beta Ltd", "SV1", "SV plan", None, None),
    ]


def test_workbook_carries_scale_descriptors_validation_and_declaration(tmp_path: Path) -> None:
    pack = panel_pack(tmp_path / "pack")
    assert invoke("panel", "sheets", pack).exit_code == 0
    path = pack / "panel" / "e4.xlsx"
    rows = cells(path)
    assert ["Evaluator", "Evaluator Four (e4)", None, None, None, None] in rows
    assert ["Scale", "0 to 5 in steps of 1", None, None, None, None] in rows
    # The tender publishes no descriptors, so the documented default 0-5 wording is used.
    descriptors = [row[:2] for row in rows if isinstance(row[0], int)]
    assert descriptors == [
        [0, "Unacceptable"],
        [1, "Poor"],
        [2, "Fair"],
        [3, "Good"],
        [4, "Very good"],
        [5, "Excellent"],
    ]
    declaration = [row[:2] for row in rows if row[0] in ("name", "date", "conflicts", "signature")]
    assert declaration == [["name", None], ["date", None], ["conflicts", None], ["signature", None]]

    sheet = openpyxl.load_workbook(path)["Scores"]
    (validation,) = sheet.data_validations.dataValidation
    assert validation.type == "list"
    assert validation.formula1 == '"0,1,2,3,4,5"'
    first_item = next(row[0].row for row in sheet.iter_rows() if row[0].value == "bid") + 1
    assert str(validation.sqref) == f"E{first_item}:E{first_item + 1}"


def test_no_sheet_shows_a_price(tmp_path: Path) -> None:
    pack = panel_pack(tmp_path / "pack")
    assert invoke("panel", "sheets", pack).exit_code == 0
    assert invoke("panel", "sheets", pack, "--format", "csv", "--output-dir", tmp_path / "csv").exit_code == 0
    texts = [str(value) for e in ("e1", "e4") for row in cells(pack / "panel" / f"{e}.xlsx") for value in row]
    texts += [(tmp_path / "csv" / f"{e}.csv").read_text(encoding="utf-8") for e in ("e1", "e4")]
    joined = " ".join(texts).lower()
    # The bids' prices are 1000.00 and 1250.00.
    assert "1000" not in joined
    assert "1250" not in joined
    assert "price" not in joined
    assert "£" not in joined


def test_csv_sheet_layout(tmp_path: Path) -> None:
    tender = panel_tender()
    tender["quality"]["scale_step"] = "0.5"
    tender["quality"]["descriptors"] = {0: "Nothing", "2.5": "Half way", 5: "Everything"}
    pack = panel_pack(tmp_path / "pack", tender)
    result = invoke("panel", "sheets", pack, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert (pack / "panel" / "e4.csv").read_text(encoding="utf-8") == (
        "bid,bidder,question,title,score,comment\n"
        "declaration,,name,Your full name,,\n"
        'declaration,,date,"The date you sign, YYYY-MM-DD",,\n'
        'declaration,,conflicts,"Write ""no conflict"", or the bids you have a conflict of interest with, '
        'separated by ;",,\n'
        "declaration,,signature,Type your full name again to sign this declaration,,\n"
        "scale,,0,Nothing,,\n"
        "scale,,2.5,Half way,,\n"
        "scale,,5,Everything,,\n"
        "a,Alpha Ltd,SV1,SV plan,,\n"
        "b,Beta Ltd,SV1,SV plan,,\n"
    )
    assert invoke("panel", "sheets", pack, "--output-dir", tmp_path / "x").exit_code == 0
    (validation,) = openpyxl.load_workbook(tmp_path / "x" / "e4.xlsx")["Scores"].data_validations.dataValidation
    assert validation.formula1 == '"0,0.5,1,1.5,2,2.5,3,3.5,4,4.5,5"'


def test_workbooks_are_the_same_bytes_every_time(tmp_path: Path) -> None:
    pack = panel_pack(tmp_path / "pack")
    assert invoke("panel", "sheets", pack, "--output-dir", tmp_path / "one").exit_code == 0
    assert invoke("panel", "sheets", pack, "--output-dir", tmp_path / "two").exit_code == 0
    for name in ("e1.xlsx", "e4.xlsx"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    # No clock time inside: every zip entry's stamp and the document's dates are fixed.
    with zipfile.ZipFile(tmp_path / "one" / "e1.xlsx") as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert core.count("2000-01-01T00:00:00Z") == 2


def test_filled_sheets_are_never_overwritten_without_force(tmp_path: Path) -> None:
    pack = panel_pack(tmp_path / "pack")
    assert invoke("panel", "sheets", pack).exit_code == 0
    fill_workbook(pack / "panel" / "e1.xlsx", {("a", "Q1"): 4})  # a score, no declaration yet
    fill_workbook(pack / "panel" / "e2.xlsx", {}, {"name": "Evaluator Two"})  # only a name
    before = {p.name: p.read_bytes() for p in (pack / "panel").iterdir()}

    result = invoke("panel", "sheets", pack)
    assert result.exit_code == 2
    errors = result.stderr.splitlines()
    assert errors == [
        f"Error: {pack}/panel/e{n}.xlsx: already filled in (a score, comment or declaration): not overwritten "
        "(use --force to replace it)"
        for n in (1, 2)
    ]
    assert {p.name: p.read_bytes() for p in (pack / "panel").iterdir()} == before  # nothing written, e3 included

    assert invoke("panel", "sheets", pack, "--force").exit_code == 0
    assert items(pack / "panel" / "e1.xlsx")[0] == ("a", "Alpha Ltd", "Q1", "Method", None, None)


def test_blank_sheets_may_be_written_again(tmp_path: Path) -> None:
    pack = panel_pack(tmp_path / "pack")
    assert invoke("panel", "sheets", pack, "--format", "csv").exit_code == 0
    assert invoke("panel", "sheets", pack, "--format", "csv").exit_code == 0


def test_a_sheet_in_the_other_format_is_in_the_way(tmp_path: Path) -> None:
    pack = panel_pack(tmp_path / "pack")
    assert invoke("panel", "sheets", pack, "--format", "csv").exit_code == 0
    result = invoke("panel", "sheets", pack, "--force")
    assert result.exit_code == 2
    assert f"Error: {pack}/panel/e1.csv: a sheet in the other format exists for evaluator e1" in result.stderr
    assert not (pack / "panel" / "e1.xlsx").exists()


def test_a_tender_without_a_panel_gets_no_sheets(tmp_path: Path) -> None:
    tender = panel_tender()
    del tender["panel"]
    pack = panel_pack(tmp_path / "pack", tender)
    result = invoke("panel", "sheets", pack)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {pack}/tender.yaml: panel: expected the evaluators to write sheets for "
        "(panel: [{id, name, questions}]), found none\n"
    )


def test_a_panel_that_cannot_be_made_into_sheets_is_an_input_error(tmp_path: Path) -> None:
    tender = panel_tender(
        panel=[
            {"id": "e1", "questions": ["Q1", "Q9"]},
            {"id": "../e2", "questions": ["SV1"]},
            {"id": "e1", "questions": ["Q1"]},
        ]
    )
    tender["quality"]["scale_step"] = 2  # does not divide 5
    pack = panel_pack(tmp_path / "pack", tender)
    result = invoke("panel", "sheets", pack)
    assert result.exit_code == 2
    label = f"Error: {pack}/tender.yaml"
    assert result.stderr.splitlines() == [
        f"{label}: quality.scale_step: expected a step that divides the scale maximum 5, found 2",
        f"{label}: panel[0] (e1).questions: expected questions of this tender, found 'Q9'",
        f"{label}: panel[1] (../e2).id: expected letters, digits, '.', '_' or '-' (it names the sheet's file)",
        f"{label}: panel[2] (e1): expected a unique evaluator id",
        f"{label}: panel: expected an evaluator for every question, found none for Q2",
    ]


def test_excel_lock_files_are_ignored_and_damaged_workbooks_reported(tmp_path: Path) -> None:
    pack = panel_pack(tmp_path / "pack")
    assert invoke("panel", "sheets", pack).exit_code == 0
    for n in range(1, 5):
        fill_workbook(pack / "panel" / f"e{n}.xlsx", {}, signed(f"e{n}"))
    (pack / "panel" / "~$e1.xlsx").write_bytes(b"owner file Excel keeps while e1.xlsx is open")
    result = invoke("panel", "moderate", pack)
    assert "~$e1" not in result.stderr
    assert "evaluator e1, bid a, question Q1: missing score" in result.stderr

    (pack / "panel" / "e2.xlsx").write_bytes(b"not a workbook")
    result = invoke("panel", "moderate", pack)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {pack}/panel/e2.xlsx: expected an Excel workbook (.xlsx), found a file")
    assert "Traceback" not in result.stderr
