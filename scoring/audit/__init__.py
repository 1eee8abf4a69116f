"""Auditing decisions: self-contained decision records, the hash-chained ledger, replay and explain.

`record_decision(pack, evaluation, ledger)` is what a command calls once per scored pack. Where packs are scored
in worker processes, build the body there (`build_record`, plain picklable data) and `ledger.append(body)` in
the one process that owns the ledger, in pack order, so the chain's order is deterministic.
"""

from __future__ import annotations

from ..evaluate import Evaluation
from ..pack import Pack
from .errors import ChainBroken, LedgerUnavailable, RecordBroken
from .ledger import Ledger, StoredRecord, ledger_path
from .record import build_record


def record_decision(pack: Pack, evaluation: Evaluation, ledger: Ledger) -> StoredRecord:
    """Append the decision record of one scored pack to `ledger`; returns it as stored (id, hash, record)."""
    return ledger.append(build_record(pack, evaluation))


__all__ = [
    "ChainBroken",
    "Ledger",
    "LedgerUnavailable",
    "RecordBroken",
    "StoredRecord",
    "build_record",
    "ledger_path",
    "record_decision",
]
