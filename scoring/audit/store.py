"""Open the ledger a location names: a SQLite file, or the ledger tables of a PostgreSQL database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .ledger import BeforeCommit, Ledger, StoredRecord
from .location import LedgerLocation, is_database_url
from .pgledger import PgLedger
from .record import build_record

if TYPE_CHECKING:
    from ..evaluate import Evaluation
    from ..pack import Pack


def open_ledger(location: LedgerLocation, create: bool = True) -> Ledger:
    """The ledger at `location` (see `location.ledger_path`); both kinds keep the same chain and verify alike."""
    if is_database_url(location):
        return PgLedger(location, create)
    return Ledger(Path(location), create)


def record_decision(
    pack: Pack, evaluation: Evaluation, ledger: Ledger | LedgerLocation, before_commit: BeforeCommit | None = None
) -> StoredRecord:
    """Append the decision record of one scored pack to `ledger` (an open Ledger, or where one is: a file or a
    postgresql:// URL, opened and closed here); returns it as stored (id, hash, record). The one place a single
    decision is recorded. `before_commit` (see Ledger.append_many) writes what must exist before the record may."""
    if isinstance(ledger, Ledger):
        return ledger.append(build_record(pack, evaluation), before_commit)
    # Through open_ledger: a postgresql:// URL must reach PgLedger, never become a SQLite file named after it.
    with open_ledger(ledger) as book:
        return book.append(build_record(pack, evaluation), before_commit)
