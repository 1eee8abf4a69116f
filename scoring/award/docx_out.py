"""An assessment summary as a Word letter (python-docx): A4, 25 mm margins, the buyer above the supplier's
address block, then the outcome, the award criteria and the assessment in tables whose heading rows repeat
on each page. The same decision gives the same bytes: no clock time goes into the file."""

from __future__ import annotations

import datetime
import io
import zipfile

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table

from .summary import MISSING, Assessment, Summary, supplier_lines

PAGE = (Mm(210), Mm(297))
MARGIN = Mm(25)
TABLE_TEXT = Pt(9)
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FALLBACK_TIME = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def _record_time(text: str) -> datetime.datetime:
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        return _FALLBACK_TIME


def _print_rows(table: Table) -> None:
    """The heading row repeats on every page, and no row is split across two."""
    for index, row in enumerate(table.rows):
        properties = row._tr.get_or_add_trPr()
        keep = OxmlElement("w:cantSplit")
        keep.set(qn("w:val"), "true")
        properties.append(keep)
        if index == 0:
            header = OxmlElement("w:tblHeader")
            header.set(qn("w:val"), "true")
            properties.append(header)


def _table(doc: DocumentObject, headings: list[str], widths_mm: list[int], rows: list[list[str]]) -> Table:
    table: Table = doc.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    table.autofit = False
    for cell, text in zip(table.rows[0].cells, headings, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for values in rows:
        cells = table.add_row().cells  # type: ignore[no-untyped-call]  # python-docx 1.2 leaves it untyped
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    # Word reads each cell's width, LibreOffice the table grid: both are set, and the layout fixed to them.
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = TABLE_TEXT
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    _print_rows(table)
    return table


def _assessment(doc: DocumentObject, heading: str, a: Assessment) -> None:
    doc.add_heading(heading, level=2)
    rows = [
        [
            line.label,
            line.weight,
            line.score,
            line.points if line.points is not None else "no points",
            "\n".join(line.explanation),
        ]
        for line in a.lines
    ]
    rows += [[f"{title} (sub-total)", "", "", points or "no points", ""] for title, points in a.subtotals]
    rows.append(["Total", "", "", a.total or "no points", ""])
    _table(doc, ["Criterion", "Weight", "Score", "Points", "Explanation"], [30, 15, 27, 19, 69], rows)
    for note in a.notes:
        doc.add_paragraph(note, style="List Bullet")


def render_docx(s: Summary) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = MARGIN
    normal = doc.styles["Normal"]
    normal.font.name = "Liberation Sans"
    normal.font.size = Pt(10)

    sender = doc.add_paragraph(s.buyer)
    sender.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    dated = doc.add_paragraph(f"{s.dated}\nDecision record {s.record_hash[:16]} ({s.record_date})")
    dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for line in supplier_lines(s.own.supplier):
        paragraph = doc.add_paragraph(line)
        paragraph.paragraph_format.space_after = Pt(0)
        if line.endswith(MISSING):
            paragraph.runs[0].italic = True
    doc.add_heading(f"Assessment summary: {s.tender_id} {s.tender_title}", level=1)
    doc.add_paragraph(
        f"Contract value {s.contract_value}. This summary is given under section 50(3) of the Procurement Act 2023 "
        "with the information regulation 31 of the Procurement Regulations 2024 requires."
    )
    doc.add_heading("Outcome", level=2)
    for text in s.outcome:
        doc.add_paragraph(text)
    doc.add_heading("Award criteria", level=2)
    rows: list[list[str]] = []
    for c in s.criteria:
        rows.append([c.title, c.weight, c.assessed, c.available])
        rows += [[f"    {sub.label}", sub.weight, sub.assessed, ""] for sub in c.sub]
    _table(doc, ["Criterion", "Weight", "How it was assessed", "Scores available"], [42, 17, 57, 44], rows)
    if s.gates:
        doc.add_paragraph(f"Pass/fail conditions (a fail disqualifies the tender): {', '.join(s.gates)}.")
    doc.add_paragraph(s.full_criteria)
    _assessment(doc, "How your tender was assessed", s.own)
    if s.winner is not None:
        _assessment(doc, f"The most advantageous tender: {s.winner.supplier.name}", s.winner)

    when = _record_time(s.record_date)
    props = doc.core_properties
    props.title = f"Assessment summary: {s.tender_id}: {s.own.supplier.name}"
    props.author = props.last_modified_by = s.buyer or "tenderscore"
    props.created = props.modified = when.replace(tzinfo=None)
    props.revision = 1
    out = io.BytesIO()
    doc.save(out)
    return _without_clock(out.getvalue())


def _without_clock(data: bytes) -> bytes:
    """The package rezipped with a fixed time on every member: python-docx stamps each with the clock."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, _FIXED_ZIP_TIME)
            target.writestr(member, source.read(info.filename), zipfile.ZIP_DEFLATED)
    return out.getvalue()
