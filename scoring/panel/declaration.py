"""Conflict-of-interest declarations: a sheet counts only when its evaluator has signed one."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from ..errors import Problem
from .sheet import DECLARATION_FIELDS, NO_CONFLICT

# ISO first; UK day-first is what a person types into a spreadsheet that has not turned it into a date.
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


@dataclass(frozen=True)
class Declaration:
    name: str
    date: datetime.date
    conflicts: tuple[str, ...]  # bid ids, in pack order; empty when the evaluator declared no conflict
    signature: str


def check_declaration(
    fields: dict[str, str], bidders: dict[str, str], label: str, evaluator: str
) -> tuple[Declaration | None, list[Problem]]:
    where = f"evaluator {evaluator}, declaration"
    if not any(fields.get(key, "").strip() for key, _ in DECLARATION_FIELDS):
        message = "missing: a sheet counts only with a signed declaration (name, date, conflicts, signature)"
        return None, [Problem(label, where, message)]
    problems: list[Problem] = []
    for key in ("name", "signature"):
        if not fields.get(key, "").strip():
            problems.append(Problem(label, f"{where} {key}", "required, but empty"))
    date = _date(fields.get("date", ""))
    if date is None:
        found = fields.get("date", "")
        problems.append(Problem(label, f"{where} date", f"expected a date (YYYY-MM-DD), found {found!r}"))
    conflicts, message = _conflicts(fields.get("conflicts", ""), bidders)
    if message:
        problems.append(Problem(label, f"{where} conflicts", message))
    if problems or date is None:
        return None, problems
    return Declaration(fields["name"].strip(), date, conflicts, fields["signature"].strip()), []


def _date(text: str) -> datetime.date | None:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _conflicts(text: str, bidders: dict[str, str]) -> tuple[tuple[str, ...], str]:
    """The bids named (by id or bidder name, case aside), or a message saying what is wrong."""
    expected = f'expected "{NO_CONFLICT}" or the bids conflicted with ({", ".join(bidders)}, separated by ;)'
    wording = " ".join(text.lower().split()).rstrip(".")
    if not wording:
        return (), f"{expected}, found nothing"
    if wording in (NO_CONFLICT, f"{NO_CONFLICT}s"):
        return (), ""
    known = {bid.lower(): bid for bid in bidders} | {name.lower(): bid for bid, name in bidders.items()}
    named: set[str] = set()
    unknown: list[str] = []
    for part in re.split(r"[;\n]", text):
        part = " ".join(part.split())
        if not part:
            continue
        if part.lower() in known:
            named.add(known[part.lower()])
            continue
        # A comma may separate bids, or belong to a bidder's name ("Smith, Jones Ltd"): whole names first.
        for piece in (p.strip() for p in part.split(",") if p.strip()):
            if piece.lower() in known:
                named.add(known[piece.lower()])
            else:
                unknown.append(piece)
    if unknown:
        return (), f"{expected}, found {', '.join(repr(u) for u in unknown)}"
    return tuple(bid for bid in bidders if bid in named), ""
