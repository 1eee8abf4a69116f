"""Reading a panel's sheets back: every score, every declaration, and every gap at once."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from ..errors import Problem
from ..models import Evaluator, Tender
from ..numbers import read_decimal
from .declaration import Declaration, check_declaration
from .scale import Scale, scale_problems
from .sheet import (
    RESERVED_BIDS,
    SHEET_DIR,
    XLSX_TEXT_SUFFIX,
    assigned_items,
    evaluator_of,
    parse_sheet,
    shown_name,
)

# An evaluator id names a file (panel/ID.xlsx), so it must be a plain file name on every system.
_EVALUATOR_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class IndividualScore(NamedTuple):
    """One evaluator's score for an item; unpacks as (evaluator, score, comment, set_aside)."""

    evaluator: str
    score: Decimal
    comment: str
    set_aside: str = ""  # why the score does not count (a declared conflict); empty when it counts


@dataclass(frozen=True)
class EvaluatorSheet:
    evaluator: Evaluator
    file: str  # the file a person edits, inside the pack: panel/alice.xlsx
    declaration: Declaration | None


@dataclass(frozen=True)
class PanelReading:
    sheets: tuple[EvaluatorSheet, ...]
    # Every (bid, question) of the tender, bid by bid: each evaluator's score, in the panel's order.
    scores: dict[tuple[str, str], tuple[IndividualScore, ...]]
    problems: tuple[Problem, ...]


def has_sheets(files: Mapping[str, str]) -> bool:
    return any(evaluator_of(name) is not None for name in files)


def tender_panel_problems(tender: Tender, bid_ids: list[str]) -> list[tuple[str, str]]:
    """(field, message) for tender.yaml: the scale, and a panel that cannot be turned into sheets."""
    problems = scale_problems(tender)
    if tender.panel is None:
        return problems
    questions = [q.id for q in tender.all_questions()]
    covered: set[str] = set()
    seen: set[str] = set()
    for index, evaluator in enumerate(tender.panel):
        where = f"panel[{index}] ({evaluator.id})"
        if not _EVALUATOR_ID.match(evaluator.id):
            problems.append((f"{where}.id", "expected letters, digits, '.', '_' or '-' (it names the sheet's file)"))
        if evaluator.id in seen:
            problems.append((where, "expected a unique evaluator id"))
        seen.add(evaluator.id)
        wanted = questions if evaluator.questions is None else evaluator.questions
        if not wanted:
            problems.append((f"{where}.questions", "expected at least one question (or no list: every question)"))
        for qid in wanted:
            if qid not in questions:
                problems.append((f"{where}.questions", f"expected questions of this tender, found {qid!r}"))
            covered.add(qid)
    for qid in questions:
        if qid not in covered:
            problems.append(("panel", f"expected an evaluator for every question, found none for {qid}"))
    for bid in bid_ids:
        if bid in RESERVED_BIDS:
            problems.append(("panel", f"bid id {bid!r} is reserved on panel sheets: give that bid another bid_id"))
    return problems


def read_panel(files: Mapping[str, str], tender: Tender, bidders: dict[str, str], display: str) -> PanelReading:
    """Every sheet of the pack read and checked against the tender's panel; gaps are listed, never guessed."""
    reader = _Reader(files, tender, bidders, display)
    return reader.read()


class _Reader:
    def __init__(self, files: Mapping[str, str], tender: Tender, bidders: dict[str, str], display: str) -> None:
        self.files = files
        self.tender = tender
        self.bidders = bidders
        self.display = display
        self.scales = Scale.by_question(tender)
        self.problems: list[Problem] = []
        self.scores: dict[tuple[str, str], list[IndividualScore]] = {
            (bid, q.id): [] for bid in bidders for q in tender.all_questions()
        }

    def label(self, name: str) -> str:
        return f"{self.display}/{shown_name(name)}"

    def read(self) -> PanelReading:
        panel = self.tender.panel or []
        listed = ", ".join(e.id for e in panel) or "none: add panel: to tender.yaml"
        by_evaluator: dict[str, list[str]] = {}
        for name in sorted(self.files):
            owner = evaluator_of(name)
            if owner is not None:
                by_evaluator.setdefault(owner, []).append(name)
        for owner, names in by_evaluator.items():
            if owner not in {e.id for e in panel}:
                message = f"expected the sheet of an evaluator the tender's panel lists ({listed}), found {owner!r}"
                self.problems.append(Problem(self.label(names[0]), "", message))
            elif len(names) > 1:
                shown = " and ".join(shown_name(n) for n in names)
                self.problems.append(Problem(self.label(names[0]), "", f"two sheets for evaluator {owner} ({shown})"))
        sheets: list[EvaluatorSheet] = []
        conflicted: dict[str, set[str]] = {}
        for evaluator in panel:
            names = by_evaluator.get(evaluator.id, [])
            if not names:
                where = f"{self.display}/{SHEET_DIR}{evaluator.id}.xlsx"
                self.problems.append(
                    Problem(where, "", f"missing: evaluator {evaluator.id} has no sheet (.xlsx or .csv)")
                )
            elif len(names) == 1:
                sheet = self.sheet(evaluator, names[0])
                sheets.append(sheet)
                if sheet.declaration is not None:
                    conflicted[evaluator.id] = set(sheet.declaration.conflicts)
        self.uncovered(panel, conflicted)
        scores = {key: tuple(found) for key, found in self.scores.items()}
        return PanelReading(tuple(sheets), scores, tuple(self.problems))

    def sheet(self, evaluator: Evaluator, name: str) -> EvaluatorSheet:
        label = self.label(name)
        content, problems = parse_sheet(self.files[name], label)
        self.problems += problems
        declaration, problems = check_declaration(content.declaration, self.bidders, label, evaluator.id)
        self.problems += problems
        conflicts = set(declaration.conflicts) if declaration is not None else set()
        items = assigned_items(self.tender, self.bidders, evaluator)
        assigned = {(item.bid, item.question) for item in items}
        rows = {}
        for row in content.rows:
            key = (row.bid, row.question)
            where = f"evaluator {evaluator.id}, bid {row.bid}, question {row.question}"
            if row.bid not in self.bidders:
                self.problems.append(Problem(label, where, f"expected a bid of this pack ({', '.join(self.bidders)})"))
            elif key not in assigned:
                self.problems.append(Problem(label, where, "expected only the items assigned to this evaluator"))
            elif key in rows:
                self.problems.append(Problem(label, where, f"a second row for this item (line {row.line})"))
            else:
                rows[key] = row
        for item in items:
            key = (item.bid, item.question)
            where = f"evaluator {evaluator.id}, bid {item.bid}, question {item.question}"
            text = rows[key].score if key in rows else ""
            comment = rows[key].comment if key in rows else ""
            if item.bid in conflicts:
                # Whatever a conflicted evaluator wrote for that bid ("n/a", a number) is set aside, not checked.
                value = _number(text)
                if declaration is not None and value is not None:
                    reason = f"{evaluator.id} declared a conflict of interest with {item.bidder} ({item.bid})"
                    self.scores[key].append(IndividualScore(evaluator.id, value, comment, reason))
                continue
            value, message = self.scales[item.question].read(text)
            if message:
                if key in rows and not name.lower().endswith(XLSX_TEXT_SUFFIX):
                    where = f"line {rows[key].line}: {where}"  # a CSV sheet's own line (a workbook has none)
                self.problems.append(Problem(label, where, message))
            elif value is not None and declaration is not None:
                self.scores[key].append(IndividualScore(evaluator.id, value, comment))
        return EvaluatorSheet(evaluator, shown_name(name), declaration)

    def uncovered(self, panel: list[Evaluator], conflicted: dict[str, set[str]]) -> None:
        """Items no evaluator may score once conflicts are declared: the panel itself must change."""
        if len(conflicted) < len(panel):
            return  # a sheet is missing or unsigned: that gap is reported, and may be this one's cause
        for bid, question in self.scores:
            able = [
                e.id for e in panel if (e.questions is None or question in e.questions) and bid not in conflicted[e.id]
            ]
            if not able:
                self.problems.append(
                    Problem(
                        f"{self.display}/tender.yaml",
                        "panel",
                        f"bid {bid}, question {question}: every evaluator assigned to it declared a conflict "
                        "of interest with that bidder; add an evaluator",
                    )
                )


def _number(text: str) -> Decimal | None:
    try:
        return read_decimal(text)
    except ValueError:
        return None
