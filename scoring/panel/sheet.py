"""An evaluator's sheet as text: the layout CSV sheets and the text form of workbooks share, and reading it back.

Rows are `bid,bidder,question,title,score,comment` (formats.md's `bid,question,score,comment`, plus two columns
that tell the evaluator what they are scoring). Two reserved values of `bid` carry the rest of the sheet:
`declaration` rows (the field in `question`, the evaluator's answer in `comment`) and `scale` rows (a point of
the scale in `question`, its descriptor in `title`), which are guidance only and ignored on reading.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import Problem
from ..models import Evaluator, Question, Tender
from ..numbers import fmt_plain
from ..yamlio import parse_csv
from .scale import Scale

SHEET_DIR = "panel/"
# A workbook is held in a pack (and so in a decision record) as the text of its sheet, under this suffix.
XLSX_TEXT_SUFFIX = ".xlsx.csv"
COLUMNS = ("bid", "bidder", "question", "title", "score", "comment")
REQUIRED_COLUMNS = ["bid", "question", "score", "comment"]
OPTIONAL_COLUMNS = ["bidder", "title"]
DECLARATION = "declaration"
SCALE_ROW = "scale"
RESERVED_BIDS = (DECLARATION, SCALE_ROW)
NO_CONFLICT = "no conflict"
DECLARATION_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "Your full name"),
    ("date", "The date you sign, YYYY-MM-DD"),
    ("conflicts", f'Write "{NO_CONFLICT}", or the bids you have a conflict of interest with, separated by ;'),
    ("signature", "Type your full name again to sign this declaration"),
)


@dataclass(frozen=True)
class Item:
    """One thing an evaluator must score: a question for a bid."""

    bid: str
    bidder: str
    question: str
    title: str


@dataclass(frozen=True)
class SheetRow:
    bid: str
    question: str
    score: str
    comment: str
    line: int


@dataclass(frozen=True)
class SheetContent:
    declaration: dict[str, str]
    rows: tuple[SheetRow, ...]

    def filled(self) -> bool:
        """Whether anyone has written on the sheet (a score, a comment or any part of the declaration)."""
        return any(self.declaration.values()) or any(row.score or row.comment for row in self.rows)


def assigned_items(tender: Tender, bidders: dict[str, str], evaluator: Evaluator) -> list[Item]:
    """Question by question, every bid: panels score one question across all bids to keep a steady hand."""
    wanted = evaluator.questions
    questions = [q for q in tender.all_questions() if wanted is None or q.id in wanted]
    return [Item(bid, bidder, q.id, _titled(tender, q)) for q in questions for bid, bidder in bidders.items()]


def _titled(tender: Tender, question: Question) -> str:
    """A question's title, telling the evaluator its own scale where it is not the tender's."""
    if question.scale_max is None and question.scale_step is None:
        return question.title
    own = Scale.of(tender, question)
    return f"{question.title} (scored {own.describe()})".lstrip()


def evaluator_of(name: str) -> str | None:
    """The evaluator a pack file is the sheet of (`panel/alice.csv`, `panel/alice.xlsx.csv`), or None."""
    if not name.startswith(SHEET_DIR) or "/" in name[len(SHEET_DIR) :]:
        return None
    base = name[len(SHEET_DIR) :]
    for suffix in (XLSX_TEXT_SUFFIX, ".csv"):
        if base.lower().endswith(suffix):
            return base[: -len(suffix)]
    return None


def shown_name(name: str) -> str:
    """The file a person edits: a workbook's text form is reported under the workbook's own name."""
    return name[: -len(".csv")] if name.lower().endswith(XLSX_TEXT_SUFFIX) else name


def render_sheet(declaration: dict[str, str], scale: Scale | None, rows: Iterable[Iterable[str]]) -> str:
    """The CSV text of a sheet: declaration rows, the scale's descriptors (when given), then the items."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for key, guidance in DECLARATION_FIELDS:
        writer.writerow([DECLARATION, "", key, guidance, "", declaration.get(key, "")])
    if scale is not None:
        for point, words in scale.descriptors:
            writer.writerow([SCALE_ROW, "", fmt_plain(point), words, "", ""])
    for row in rows:
        writer.writerow(list(row))
    return out.getvalue()


def blank_sheet_text(items: list[Item], scale: Scale) -> str:
    return render_sheet({}, scale, ([i.bid, i.bidder, i.question, i.title, "", ""] for i in items))


def parse_sheet(text: str, label: str) -> tuple[SheetContent, list[Problem]]:
    # Excel's "CSV UTF-8" puts a byte order mark before the header; it is not part of the first column's name.
    rows, problems = parse_csv(text.removeprefix("\ufeff"), label, REQUIRED_COLUMNS, OPTIONAL_COLUMNS)
    declaration: dict[str, str] = {}
    fields = [key for key, _ in DECLARATION_FIELDS]
    items: list[SheetRow] = []
    for row in rows:
        if row["bid"] == SCALE_ROW:
            continue
        if row["bid"] == DECLARATION:
            key = row["question"].lower()
            if key not in fields:
                problems.append(
                    Problem(label, f"line {row['_line']}: declaration", f"expected one of {', '.join(fields)}")
                )
            else:
                declaration[key] = row["comment"]
            continue
        items.append(SheetRow(row["bid"], row["question"], row["score"], row["comment"], int(row["_line"])))
    return SheetContent(declaration, tuple(items)), problems
