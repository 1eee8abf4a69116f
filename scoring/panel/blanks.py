"""Blank evaluator sheets for a pack, and the guard that keeps a filled one from being overwritten."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError, Problem
from .scale import Scale
from .sheet import assigned_items, blank_sheet_text, parse_sheet
from .workbook import blank_workbook, workbook_text

if TYPE_CHECKING:
    from ..models import Tender

SHEET_FORMATS = ("xlsx", "csv")


def blank_sheets(tender: Tender, bidders: dict[str, str], fmt: str, tender_file: str) -> dict[str, bytes | str]:
    """File name -> content of one sheet per evaluator (`bidders`: each bidder by bid id; `tender_file` names
    the tender in messages). No sheet carries a price: quality is scored blind to it."""
    if not tender.panel:
        message = "expected the evaluators to write sheets for (panel: [{id, name, questions}]), found none"
        raise InputError([Problem(tender_file, "panel", message)])
    scale = Scale.of(tender)
    sheets: dict[str, bytes | str] = {}
    for evaluator in tender.panel:
        items = assigned_items(tender, bidders, evaluator)
        if fmt == "csv":
            sheets[f"{evaluator.id}.csv"] = blank_sheet_text(items, scale)
        else:
            sheets[f"{evaluator.id}.xlsx"] = blank_workbook(tender, evaluator, items, scale)
    return sheets


def sheets_in_the_way(folder: Path, names: list[str], force: bool) -> list[Problem]:
    """Every existing sheet that writing `names` into `folder` would destroy or duplicate, all at once."""
    problems: list[Problem] = []
    for name in names:
        target = folder / name
        for suffix in (".xlsx", ".csv"):
            existing = target.with_suffix(suffix)
            if not existing.is_file():
                continue
            if existing.name != name:
                problems.append(
                    Problem(
                        str(existing),
                        "",
                        f"a sheet in the other format exists for evaluator {target.stem}; only one sheet per "
                        "evaluator can count: move it away first",
                    )
                )
            elif not force:
                why = _filled(existing)
                if why:
                    problems.append(Problem(str(existing), "", f"{why}: not overwritten (use --force to replace it)"))
    return problems


def _filled(path: Path) -> str:
    """Why an existing sheet must be kept ("" when it is blank and may be written again)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if path.suffix == ".xlsx":
        text, problem = workbook_text(data, str(path))
        if problem is not None or text is None:
            return "cannot be read as a sheet, so it may hold an evaluator's work"
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return "cannot be read as a sheet, so it may hold an evaluator's work"
    content, problems = parse_sheet(text, str(path))
    if problems:
        return "cannot be read as a sheet, so it may hold an evaluator's work"
    return "already filled in (a score, comment or declaration)" if content.filled() else ""
