"""Auditing decisions: self-contained decision records, the hash-chained ledger, replay and explain.

`record_decision(pack, evaluation, ledger)` is what a command calls once per scored pack. Where packs are scored
in worker processes, build the body there (`build_record`, plain picklable data) and `ledger.append(body)` in
the one process that owns the ledger, in pack order, so the chain's order is deterministic.

Names load from their modules when first used: a command that only needs to know where the ledger is (every
command's `--ledger` option) does not load the record builder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...engine.lazy import lazy_names

if TYPE_CHECKING:
    from .errors import ChainBroken as ChainBroken
    from .errors import LedgerUnavailable as LedgerUnavailable
    from .errors import RecordBroken as RecordBroken
    from .ledger import Ledger as Ledger
    from .ledger import StoredRecord as StoredRecord
    from .location import ledger_path as ledger_path
    from .record import build_record as build_record
    from .store import record_decision as record_decision

_HOME = {
    "ChainBroken": "errors",
    "LedgerUnavailable": "errors",
    "RecordBroken": "errors",
    "Ledger": "ledger",
    "StoredRecord": "ledger",
    "ledger_path": "location",
    "build_record": "record",
    "record_decision": "store",
}

__all__ = sorted(_HOME)

__getattr__ = lazy_names(__name__, _HOME, globals())
