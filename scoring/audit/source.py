"""Finding a decision record: a record file (as `ledger export` writes it) or a record id in a ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scoring.audit.ledger import Ledger, ledger_path
from scoring.audit.record import parse_record
from scoring.errors import InputError, Problem
from scoring.yamlio import read_text


def load_record(reference: str, ledger: Path | None) -> tuple[dict[str, Any], str]:
    """The record `reference` names and how to name it in messages; raises InputError when there is none."""
    path = Path(reference)
    if path.is_file():
        text, problem = read_text(path, reference)
        if text is None:
            raise InputError([problem] if problem else [])
        return parse_record(text, reference), reference
    if reference.isdigit():
        with Ledger(ledger_path(ledger), create=False) as book:
            stored = book.get(int(reference))
            return stored.record, f"ledger {book.path}: record {stored.id}"
    raise InputError(
        [Problem(reference, "", "expected a decision record file (ledger export) or a record id in the ledger")]
    )
