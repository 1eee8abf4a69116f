"""Evaluator sheets as Excel workbooks (openpyxl): writing blank ones, and reading filled ones back as text.

A filled workbook enters a pack as the CSV text of `scoring.panel.sheet` (scores, comments, declaration), so a
decision record holds what the evaluator wrote in a form that rebuilds the pack without the workbook.
openpyxl is imported only when a workbook is touched: scoring a pack without one should not pay for it.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Callable
from typing import Any

from ..errors import Problem
from ..models import Evaluator, Tender
from ..numbers import fmt_plain
from .scale import Scale
from .sheet import COLUMNS, DECLARATION_FIELDS, Item, render_sheet

SCORES_SHEET = "Scores"
DECLARATION_SHEET = "Declaration"
_DECLARATION_FIRST_ROW = 5
# Excel refuses a list validation whose list is longer than this; a finer scale gets a range check instead.
_EXCEL_LIST_LIMIT = 255
# Workbooks are outputs like any other: the same pack gives the same bytes, so no clock time goes into them.
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FIXED_DOC_TIME = "2000-01-01T00:00:00Z"
_DOC_TIME = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def blank_workbook(tender: Tender, evaluator: Evaluator, items: list[Item], scale: Scale) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    bold = Font(bold=True)
    to_fill = PatternFill("solid", fgColor="FFF2CC")
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = SCORES_SHEET
    who = f"{evaluator.name} ({evaluator.id})" if evaluator.name else evaluator.id
    heading = [
        ("Tender", f"{tender.id} {tender.title}".strip()),
        ("Evaluator", who),
        ("Scale", scale.describe()),
        (
            "Instructions",
            "Score every item on your own, without conferring, and give a reason in the comment. "
            "Sign the Declaration sheet first; leave blank any bid you declare a conflict with.",
        ),
    ]
    for label, text in heading:
        sheet.append([label, text])
        sheet.cell(sheet.max_row, 1).font = bold
    sheet.append([])
    sheet.append(["Score", "Meaning"])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for point, words in scale.descriptors:
        sheet.append([_number(point), words])
    sheet.append([])
    sheet.append(list(COLUMNS))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = bold
    for item in items:
        sheet.append([item.bid, item.bidder, item.question, item.title, None, None])
        for column in (5, 6):
            sheet.cell(sheet.max_row, column).fill = to_fill
    sheet.freeze_panes = f"A{header_row + 1}"
    for letter, width in zip("ABCDEF", (14, 34, 10, 34, 8, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    # A question marked on its own scale gets its own check; the rest share the tender's.
    scales = Scale.by_question(tender)
    rows_by_scale: dict[Scale, list[int]] = {}
    for row, item in enumerate(items, start=header_row + 1):
        own = scales.get(item.question, scale)
        rows_by_scale.setdefault(scale if own.maximum == scale.maximum and own.step == scale.step else own, []).append(
            row
        )
    for each, rows in rows_by_scale.items():
        sheet.add_data_validation(_score_validation(DataValidation, each, rows))
    _print_setup(sheet)
    # Long text wraps in its column on paper, so fitting the width does not shrink the page to nothing.
    for cells in sheet.iter_rows(min_row=header_row + 1, min_col=4, max_col=4):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.print_title_rows = f"{header_row}:{header_row}"

    declaration = book.create_sheet(DECLARATION_SHEET)
    declaration.append(["Conflict of interest declaration"])
    declaration["A1"].font = Font(bold=True, size=13)
    declaration.append(
        [
            "I declare any conflict of interest with a bidder before scoring. This sheet counts only when the "
            "name, date, conflicts and signature below are all filled in."
        ]
    )
    declaration.append([])
    declaration.append(["field", "your answer", "guidance"])
    for cell in declaration[4]:
        cell.font = bold
    for key, guidance in DECLARATION_FIELDS:
        declaration.append([key, None, guidance])
        declaration.cell(declaration.max_row, 2).fill = to_fill
    date_row = _DECLARATION_FIRST_ROW + [key for key, _ in DECLARATION_FIELDS].index("date")
    declaration.cell(date_row, 2).number_format = "yyyy-mm-dd"
    for letter, width in zip("ABC", (12, 40, 90), strict=True):
        declaration.column_dimensions[letter].width = width
    _print_setup(declaration, one_page=True)

    book.properties.creator = "tenderscore"
    out = io.BytesIO()
    book.save(out)
    return _without_clock(out.getvalue())


def _print_setup(sheet: Any, one_page: bool = False) -> None:
    """A4 landscape, every column on one page's width (the score and comment columns on page 1, not page 2);
    the declaration on a single page."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 1 if one_page else 0  # 0: as many pages tall as the rows need
    sheet.print_options.gridLines = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6


def _score_validation(validation_type: Any, scale: Scale, rows: list[int]) -> Any:
    allowed = ",".join(fmt_plain(value) for value in scale.values())
    common = {
        "allow_blank": True,
        "showErrorMessage": True,
        "errorTitle": "Not on the scale",
        "error": f"Scores are {scale.describe()}.",
        "showInputMessage": True,
        "promptTitle": "Score",
        "prompt": f"{scale.describe()}; see the descriptors above.",
    }
    if len(allowed) + 2 <= _EXCEL_LIST_LIMIT:
        validation = validation_type(type="list", formula1=f'"{allowed}"', **common)
    else:
        validation = validation_type(
            type="decimal", operator="between", formula1="0", formula2=fmt_plain(scale.maximum), **common
        )
    # Consecutive rows as one range (one range for the whole sheet when every question shares a scale).
    start = previous = rows[0]
    for row in [*rows[1:], None]:
        if row is not None and row == previous + 1:
            previous = row
            continue
        validation.add(f"E{start}:E{previous}")
        if row is not None:
            start = previous = row
    return validation


def _number(value: Any) -> int | float:
    # Excel holds numbers as binary doubles; every point of a published scale (0, 2.5, 10) is exact in one.
    return int(value) if value == int(value) else float(value)


def _without_clock(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _DOC_TIME.sub(rb"\g<1>" + _FIXED_DOC_TIME.encode() + rb"\g<2>", content)
            target.writestr(zipfile.ZipInfo(info.filename, _FIXED_ZIP_TIME), content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def cell_text(value: Any) -> str:
    """What a person typed in a cell, as text: 4 → "4", 2.5 → "2.5", a date → "2026-03-02"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same double: what the person typed, not 2.5000001.
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def workbook_text(data: bytes, label: str) -> tuple[str | None, Problem | None]:
    """The sheet text of a filled workbook, or the problem that stops it being read."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a damaged or foreign file can fail anywhere inside openpyxl
        return None, _unreadable(label, exc)
    try:
        missing = [name for name in (SCORES_SHEET, DECLARATION_SHEET) if name not in book.sheetnames]
        if missing:
            found = ", ".join(book.sheetnames)
            return None, Problem(
                label, "", f"expected the sheets {SCORES_SHEET} and {DECLARATION_SHEET}, found {found}"
            )
        rows, problem = _score_rows(_cells(book[SCORES_SHEET]), label, lambda: _formulas(data))
        if problem is not None:
            return None, problem
        declaration: dict[str, str] = {}
        fields = {key for key, _ in DECLARATION_FIELDS}
        for row in _cells(book[DECLARATION_SHEET]):
            key = cell_text(row[0]).lower() if row else ""
            if key in fields and key not in declaration:
                declaration[key] = cell_text(row[1]) if len(row) > 1 else ""
        return render_sheet(declaration, None, rows), None
    except Exception as exc:  # read-only sheets are parsed as they are read: a bad sheet fails here, not above
        return None, _unreadable(label, exc)
    finally:
        book.close()


def _unreadable(label: str, exc: Exception) -> Problem:
    return Problem(label, "", f"expected an Excel workbook (.xlsx), found a file openpyxl cannot read ({exc})")


def _cells(sheet: Any) -> list[tuple[Any, ...]]:
    # A read-only sheet stops at the used range its file declares (<dimension>), which the program that wrote it
    # may get wrong: without this, scores typed beyond it would be silently skipped (openpyxl's documented fix).
    sheet.reset_dimensions()
    return list(sheet.iter_rows(values_only=True))


def _formulas(data: bytes) -> list[tuple[Any, ...]]:
    """The Scores sheet with each formula as written (=2+2) rather than its saved value."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        return _cells(book[SCORES_SHEET])
    finally:
        book.close()


def _score_rows(
    cells: list[tuple[Any, ...]], label: str, formulas: Callable[[], list[tuple[Any, ...]]]
) -> tuple[list[list[str]], Problem | None]:
    headers = [i for i, row in enumerate(cells) if row and cell_text(row[0]).lower() == "bid"]
    if not headers:
        return [], Problem(label, SCORES_SHEET, f"expected a header row {','.join(COLUMNS)}, found none")
    names = [cell_text(value).lower() for value in cells[headers[0]]]
    position = {name: at for at, name in enumerate(names) if name in COLUMNS}
    missing = [name for name in ("bid", "question", "score", "comment") if name not in position]
    if missing:
        where = f"{SCORES_SHEET}!row {headers[0] + 1}"
        return [], Problem(label, where, f"expected the columns {', '.join(missing)} in the header row")
    rows: list[list[str]] = []
    written: list[tuple[Any, ...]] | None = None
    score_at = position["score"]
    for index in range(headers[0] + 1, len(cells)):
        row = cells[index]
        texts = [cell_text(row[position[n]]) if position.get(n, len(row)) < len(row) else "" for n in COLUMNS]
        if any(texts) and not texts[COLUMNS.index("score")]:
            # A formula saved without its value (written by a program, never opened in Excel) reads as empty.
            written = formulas() if written is None else written
            formula = written[index][score_at] if index < len(written) and score_at < len(written[index]) else None
            if isinstance(formula, str) and formula.startswith("="):
                from openpyxl.utils import get_column_letter

                where = f"{SCORES_SHEET}!{get_column_letter(score_at + 1)}{index + 1}"
                return [], Problem(
                    label,
                    where,
                    f"a formula ({formula[:40]}) with no saved value: the sheet must hold a number (type the "
                    "score itself)",
                )
        if any(texts):
            rows.append(texts)
    return rows, None
