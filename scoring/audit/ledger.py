"""The decision ledger: an append-only SQLite file of decision records linked by a hash chain.

Each record carries the hash of the one before it; `verify` walks the whole chain, so changing any byte of a
stored record, or removing one from the middle, is found and named. Appends are one `BEGIN IMMEDIATE`
transaction each (concurrent appenders queue on SQLite's write lock, so each sees the true head), in WAL mode
with full sync, so a process killed mid-append leaves the record wholly there or wholly absent.

Triggers refuse UPDATE and DELETE as a guard against accidents; the tamper evidence is the chain, which does
not depend on them. Removing the newest records cannot be seen from inside the file: keep the head hash that
`score` and `ledger verify` print somewhere else if that matters.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ..published import winner_of
from ..yamlio import refuse_constant
from .errors import ChainBroken, LedgerDamaged, LedgerUnavailable
from .record import build_record, record_problem, record_text, seal

if TYPE_CHECKING:
    from ..evaluate import Evaluation
    from ..pack import Pack

SCHEMA_VERSION = 1
# Long enough for a queue of concurrent appenders, each holding the lock for one fsync'd insert.
BUSY_TIMEOUT_S = 60.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    tender TEXT NOT NULL,
    ruleset TEXT NOT NULL,
    winner TEXT NOT NULL,
    prev_hash TEXT,
    hash TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS records_append_only_update BEFORE UPDATE ON records
BEGIN SELECT RAISE(ABORT, 'the decision ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS records_append_only_delete BEFORE DELETE ON records
BEGIN SELECT RAISE(ABORT, 'the decision ledger is append-only'); END;
"""
_COLUMNS = "id, created_at, tender, ruleset, winner, prev_hash, hash, record"


@dataclass(frozen=True)
class Entry:
    """A ledger row as `ledger list` shows it."""

    id: int
    created_at: str
    tender: str
    ruleset: str
    winner: str
    hash: str


@dataclass(frozen=True)
class StoredRecord:
    id: int
    hash: str
    record: dict[str, Any]


@dataclass(frozen=True)
class ChainReport:
    count: int
    head: str | None


def summary_columns(record: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """The columns `ledger list` reads without parsing records: derived from the record, checked by verify."""
    result = record["result"]
    ruleset = f"{result['ruleset']['id']}@{result['ruleset']['version']}"
    return (str(record["created_at"]), str(result["tender"]["id"]), ruleset, winner_of(result))


class Ledger:
    """One open ledger file. Use as a context manager, or call close()."""

    def __init__(self, path: Path, create: bool = True) -> None:
        self.path = Path(path)
        # The row this connection last appended, as written: a head still equal to it needs no re-check.
        self._written: tuple[Any, ...] | None = None
        if not create and not self.path.is_file():
            raise LedgerUnavailable(f"{self.path}: no ledger here yet (score a pack, or name one with --ledger)")
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: transactions are begun and ended here, explicitly.
            self._conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            # A tampered byte may not be UTF-8; it must reach verify as a changed record, not a decoding crash.
            self._conn.text_factory = _text
        except (OSError, sqlite3.Error) as exc:
            raise LedgerUnavailable(f"{self.path}: cannot open the ledger ({exc})") from None
        try:
            self._prepare(create)
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise LedgerUnavailable(f"{self.path}: not a tenderscore ledger ({exc})") from None

    def _prepare(self, create: bool) -> None:
        conn = self._conn
        if create:
            self._use_wal()
        conn.execute("PRAGMA synchronous=FULL")
        has_table = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='records'").fetchone()
        if has_table:
            return
        if not create:
            raise LedgerUnavailable(f"{self.path}: not a tenderscore ledger (it has no records table)")
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(_SCHEMA):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _use_wal(self) -> None:
        """Switch the file to WAL (it stays so: the mode is kept in the file), however busy it is.

        Changing the journal mode needs the file to itself and SQLite answers "locked" at once rather than
        waiting, which two processes creating the ledger together hit; so this waits here instead.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                (mode,) = self._conn.execute("PRAGMA journal_mode=WAL").fetchone()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                mode = None
            if mode == "wal":
                return
            if time.monotonic() > deadline:
                raise LedgerUnavailable(f"{self.path}: cannot switch the ledger to WAL mode (found {mode})")
            time.sleep(0.01)

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    def append(self, body: Mapping[str, Any]) -> StoredRecord:
        """Seal a record body (`record.build_record`) onto the chain after the current head, atomically."""
        return self.append_many([body])[0]

    def append_many(self, bodies: Sequence[Mapping[str, Any]]) -> list[StoredRecord]:
        """Seal record bodies onto the chain in order, in one transaction: all of them, or none.

        One commit is one sync of the file, the largest part of an append: a batch hands over every record
        that is ready at once (group commit), and each is still durable before its result file is written.
        """
        if not bodies:
            return []
        conn = self._conn
        stored: list[StoredRecord] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                head = conn.execute(f"SELECT {_COLUMNS} FROM records ORDER BY id DESC LIMIT 1").fetchone()
                if head is None:
                    seq, prev = 1, None
                else:
                    if tuple(head) != self._written:
                        self._check_head(head)
                    seq, prev = int(head[0]) + 1, str(head[6])
                written = None
                for body in bodies:
                    record = seal(body, seq, prev)
                    written = self._insert(record)
                    stored.append(StoredRecord(seq, record["hash"], record))
                    seq, prev = seq + 1, str(record["hash"])
                conn.execute("COMMIT")
                self._written = written
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise LedgerUnavailable(f"{self.path}: cannot append to the ledger ({exc})") from None
        return stored

    def _check_head(self, row: tuple[Any, ...]) -> None:
        # Chaining onto a head that does not verify would bless whatever was done to it. (A head byte for byte
        # as this connection wrote it was sealed here; a batch appends hundreds, and parsing each back to check
        # it was two thirds of an append.)
        record = _parse(row, self.path)
        why = record_problem(record) or _row_problem(row, record)
        if why is not None:
            raise ChainBroken(
                f"ledger {self.path}: record {row[0]}",
                f"{why}; refusing to append after it (run `tenderscore ledger verify`)",
            )

    def _insert(self, record: Mapping[str, Any]) -> tuple[Any, ...]:
        values = (record["seq"], *summary_columns(record), record["prev_hash"], record["hash"], record_text(record))
        self._conn.execute(f"INSERT INTO records ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", values)
        return values

    def entries(self) -> list[Entry]:
        rows = self._read("SELECT id, created_at, tender, ruleset, winner, hash FROM records ORDER BY id")
        return [Entry(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5])) for r in rows]

    def last_id(self) -> int | None:
        """The newest record's id (ids run from 1 without gaps), or None for an empty ledger."""
        last = self._read("SELECT max(id) FROM records")[0][0]
        return None if last is None else int(last)

    def get(self, record_id: int) -> StoredRecord:
        rows = self._read(f"SELECT {_COLUMNS} FROM records WHERE id = ?", (record_id,))
        if not rows:
            last = self.last_id()
            known = "the ledger is empty" if last is None else f"records are numbered 1 to {last}"
            raise LedgerUnavailable(f"{self.path}: no record {record_id} ({known})")
        row = rows[0]
        return StoredRecord(int(row[0]), str(row[6]), _parse(row, self.path))

    def verify(self) -> ChainReport:
        """Walk the whole chain; raises ChainBroken naming the first record that fails and why."""
        expected, prev = 1, None
        with self._reading() as conn:
            for row in conn.execute(f"SELECT {_COLUMNS} FROM records ORDER BY id"):
                self._verify_row(row, expected, prev)
                prev = str(row[6])
                expected += 1
        return ChainReport(expected - 1, prev)

    def _verify_row(self, row: tuple[Any, ...], expected: int, prev: str | None) -> None:
        where = f"ledger {self.path}: record {row[0]}"
        if row[0] != expected:
            missing = f"record {expected} is" if row[0] == expected + 1 else f"records {expected} to {row[0] - 1} are"
            raise ChainBroken(where, f"expected record {expected} next: {missing} missing from the chain")
        record = _parse(row, self.path)
        why = record_problem(record) or _row_problem(row, record)
        if why is None and record["prev_hash"] != prev:
            why = (
                f"its prev_hash ({str(record['prev_hash'])[:16]}…) is not the hash of record {expected - 1} "
                f"({str(prev)[:16]}…)"
                if prev is not None
                else "it is the first record but names a previous one"
            )
        if why is not None:
            raise ChainBroken(where, why)

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """One read transaction, so a walk sees one consistent chain while others append."""
        try:
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                self._conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:  # busy, locked, unreadable: not evidence of tampering
            raise LedgerUnavailable(f"{self.path}: cannot read the ledger ({exc})") from None
        except sqlite3.DatabaseError as exc:  # malformed pages: the file itself was damaged
            raise LedgerDamaged(f"{self.path}: the ledger file is damaged ({exc})") from None

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            return list(self._conn.execute(sql, args))
        except sqlite3.Error as exc:
            raise LedgerUnavailable(f"{self.path}: cannot read the ledger ({exc})") from None


def _statements(script: str) -> list[str]:
    # executescript would commit the open transaction; the schema goes in statement by statement instead.
    out, pending = [], ""
    for line in script.strip().splitlines():
        pending += line + "\n"
        if sqlite3.complete_statement(pending):
            out.append(pending.strip())
            pending = ""
    return out


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _parse(row: tuple[Any, ...], path: Path) -> dict[str, Any]:
    try:
        data = json.loads(row[7], parse_float=Decimal, parse_constant=refuse_constant)
    except (ValueError, TypeError) as exc:  # not JSON, or not even UTF-8
        raise ChainBroken(f"ledger {path}: record {row[0]}", f"its stored record is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ChainBroken(f"ledger {path}: record {row[0]}", "its stored record is not a JSON object")
    return data


def _row_problem(row: tuple[Any, ...], record: Mapping[str, Any]) -> str | None:
    """Disagreement between a row's columns and the (verified) record they were derived from."""
    if record["seq"] != row[0]:
        return f"the record says it is record {record['seq']}"
    if row[6] != record["hash"] or row[5] != record["prev_hash"]:
        return "its hash columns do not match the record"
    try:
        columns = summary_columns(record)
    except (KeyError, TypeError) as exc:
        return f"its result is not well formed ({exc})"
    if tuple(row[1:5]) != columns:
        return "its listed time, tender, ruleset or winner do not match the record"
    return None


def record_decision(pack: Pack, evaluation: Evaluation, ledger: Ledger | Path) -> StoredRecord:
    """Append the decision record of one scored pack to `ledger` (an open Ledger, or the path of one, opened and
    closed here); returns it as stored (id, hash, record). The one place a single decision is recorded."""
    if isinstance(ledger, Ledger):
        return ledger.append(build_record(pack, evaluation))
    with Ledger(ledger) as book:
        return book.append(build_record(pack, evaluation))
