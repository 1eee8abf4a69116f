"""Open the ledger a location names: a SQLite file, or the ledger tables of a PostgreSQL database."""

from __future__ import annotations

from pathlib import Path

from .ledger import Ledger
from .location import LedgerLocation, is_database_url
from .pgledger import PgLedger


def open_ledger(location: LedgerLocation, create: bool = True) -> Ledger:
    """The ledger at `location` (see `location.ledger_path`); both kinds keep the same chain and verify alike."""
    if is_database_url(location):
        return PgLedger(location, create)
    return Ledger(Path(location), create)
