"""Where figures to audit come from: a decision record (a file from `ledger export`, or a record id in a ledger),
or a pack scored now; and what explaining them needs beside the result (firings, the panel's own scores).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..evaluate import evaluate
from ..explanation import PanelScores, Scored, scored_now
from ..pack import load_pack
from ..panel import individual_scores
from ..yamlio import read_text
from .location import LedgerLocation, ledger_path
from .record import describe, input_files, parse_record, result_of_record
from .replay import rebuild_pack, verified
from .store import open_ledger

__all__ = ["Scored", "ledger_record", "load_record", "open_scored", "scored_now", "scored_record"]


def ledger_record(record_id: int, ledger: LedgerLocation | None) -> tuple[dict[str, Any], str]:
    """Record `record_id` of the ledger, as stored (not yet verified), and how to name it in messages."""
    with open_ledger(ledger_path(ledger), create=False) as book:
        stored = book.get(record_id)
        return stored.record, f"ledger {book.path}: record {stored.id}"


def load_record(reference: str, ledger: LedgerLocation | None) -> tuple[dict[str, Any], str]:
    """The record `reference` names and how to name it in messages; raises InputError when there is none."""
    path = Path(reference)
    if path.is_file():
        text, problem = read_text(path, reference)
        if text is None:
            raise InputError([problem] if problem else [])
        return parse_record(text, reference), reference
    if reference.isdigit():
        return ledger_record(int(reference), ledger)
    raise InputError(
        [Problem(reference, "", "expected a decision record file (ledger export) or a record id in the ledger")]
    )


def panel_of_record(record: Mapping[str, Any]) -> PanelScores:
    """The individual scores behind a record's consensus scores, read again from the panel sheets it holds."""
    if not any(name.startswith("panel/") for name in input_files(record)):
        return {}
    return individual_scores(rebuild_pack(record).panel)


def scored_record(record: Mapping[str, Any], origin: Mapping[str, Any]) -> Scored:
    """A verified record's figures, as they were when it was made (nothing is scored again)."""
    return Scored(result_of_record(record), record["firings"], panel_of_record(record), origin)


def record_origin(record: Mapping[str, Any], where: str) -> dict[str, Any]:
    return {
        "kind": "record",
        "where": where,
        "record": describe(record),
        "hash": record["hash"],
        "seq": record.get("seq"),
        "created_at": record["created_at"],
        "tool_version": record["tool"]["version"],
    }


def open_scored(reference: str, ledger: LedgerLocation | None) -> Scored:
    """A pack folder, scored now; else a decision record (file or ledger id), which must verify (exit 4)."""
    if Path(reference).is_dir():
        pack = load_pack(Path(reference))
        return scored_now(evaluate(pack), {"kind": "pack", "where": pack.display})
    record, where = load_record(reference, ledger)
    return scored_record(verified(record, where), record_origin(record, where))
