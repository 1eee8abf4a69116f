"""What can go wrong with decision records and the ledger, each with the exit code formats.md gives it."""

from __future__ import annotations

from ..errors import ExitCode, RecordMismatch, TenderscoreError


class LedgerUnavailable(TenderscoreError):
    """The ledger cannot be opened or is not a tenderscore ledger: an input problem (exit 2)."""

    exit_code = ExitCode.INPUT


class RecordBroken(RecordMismatch):
    """A record (in a ledger or a file) does not verify: its content is not what was hashed (exit 4)."""

    def __init__(self, where: str, why: str) -> None:
        self.where = where
        self.why = why
        super().__init__(f"{where}: {why}")


class ChainBroken(RecordBroken):
    """The ledger's hash chain is broken at a named record (exit 4)."""


class LedgerDamaged(RecordMismatch):
    """The SQLite file itself is malformed, below the level of records (exit 4)."""
