"""The decision ledger: an append-only SQLite file of decision records linked by a hash chain.

Each record carries the hash of the one before it; `verify` walks the whole chain, so changing any byte of a
stored record, or removing one from the middle, is found and named. What a record must be to verify, and how
records link, is `chain.py`'s (shared with any other store); this module is the SQLite side. Appends are one
`BEGIN IMMEDIATE` transaction each (concurrent appenders queue on SQLite's write lock, so each sees the true
head), in WAL mode with full sync, so a process killed mid-append leaves the record wholly there or absent.

Before appending, `append` checks the chain at a cost that does not grow with it (see `_verified_head`): the
head the ledger recorded at its last append (count, newest hash, the schema's version) still matches, the
newest record verifies, and the triggers that refuse UPDATE, DELETE and any insert but the next record are
still the ledger's own (SQLite changes its schema_version when a trigger is dropped). When that head is
missing or the schema was changed, the whole chain is walked once before anything is appended. A change made
below SQLite (a file's bytes edited directly) is found by `ledger verify`, which walks every record.

The file is a ledger only if it says so (its application_id) or is an older tenderscore ledger; another
program's SQLite database is refused untouched. Removing the newest records together with the recorded head
cannot be seen from inside the file: keep the head hash that `score` and `ledger verify` print elsewhere.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .chain import COLUMNS, ChainWalk, Head, Row, parse_stored, refusing_to_append, row_of, walk_on_from_head
from .chain import summary_columns as summary_columns
from .errors import ChainBroken, LedgerDamaged, LedgerUnavailable
from .record import seal

if TYPE_CHECKING:
    pass

SCHEMA_VERSION = 1
# "TSDL" (tenderscore decision ledger): set in every ledger this version creates or appends to.
APPLICATION_ID = 0x5453444C
SQLITE_MAGIC = b"SQLite format 3\x00"
# Long enough for a queue of concurrent appenders, each holding the lock for one fsync'd insert.
BUSY_TIMEOUT_S = 60.0

_TABLE = """
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
"""
# The guards; a missing one is added when a ledger of an older version is next appended to.
_GUARDS = {
    "records_append_only_update": """
CREATE TRIGGER IF NOT EXISTS records_append_only_update BEFORE UPDATE ON records
BEGIN SELECT RAISE(ABORT, 'the decision ledger is append-only'); END;
""",
    "records_append_only_delete": """
CREATE TRIGGER IF NOT EXISTS records_append_only_delete BEFORE DELETE ON records
BEGIN SELECT RAISE(ABORT, 'the decision ledger is append-only'); END;
""",
    # INSERT OR REPLACE deletes the row it replaces without firing delete triggers: only the next id may go in.
    "records_append_only_insert": """
CREATE TRIGGER IF NOT EXISTS records_append_only_insert BEFORE INSERT ON records
WHEN NEW.id IS NOT (SELECT coalesce(max(id), 0) + 1 FROM records)
BEGIN SELECT RAISE(ABORT, 'the decision ledger is append-only: only the next record may be added'); END;
""",
    "chain_head": """
CREATE TABLE IF NOT EXISTS chain_head (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    count INTEGER NOT NULL,
    hash TEXT,
    schema INTEGER NOT NULL
);
""",
}


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


# Called with the records an append sealed, inside its transaction, before it commits.
BeforeCommit = Callable[[list[StoredRecord]], None]


@dataclass(frozen=True)
class ChainReport:
    count: int
    head: str | None


class Ledger:
    """One open ledger file. Use as a context manager, or call close()."""

    def __init__(self, path: Path, create: bool = True) -> None:
        self.path = Path(path)
        # The row this connection last appended, as written: a head still equal to it needs no re-check.
        self._written: tuple[Any, ...] | None = None
        if not create and not self.path.is_file():
            raise LedgerUnavailable(f"{self.path}: no ledger here yet (score a pack, or name one with --ledger)")
        if self.path.exists() and not self.path.is_file():
            raise LedgerUnavailable(f"{self.path}: not a tenderscore ledger (expected a file, found something else)")
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
        except sqlite3.Error as exc:
            self._conn.close()
            raise self._unreadable(exc) from None
        except BaseException:
            self._conn.close()
            raise

    def _unreadable(self, exc: sqlite3.Error) -> Exception:
        """A file SQLite cannot read: broken (exit 4) when it was a database, else not a ledger at all (exit 2)."""
        if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
            return LedgerUnavailable(f"{self.path}: cannot read the ledger ({exc})")
        try:
            with self.path.open("rb") as handle:
                start = handle.read(len(SQLITE_MAGIC))
        except OSError:
            start = b""
        if start == SQLITE_MAGIC:
            return LedgerDamaged(f"{self.path}: the ledger file is damaged or truncated ({exc})")
        return LedgerUnavailable(f"{self.path}: not a tenderscore ledger (not an SQLite database: {exc})")

    def _prepare(self, create: bool) -> None:
        conn = self._conn
        objects = self._objects()
        if not objects:
            if not create:
                raise LedgerUnavailable(f"{self.path}: not a tenderscore ledger (it has no records table)")
            objects = self._create()
        self._identify(objects)
        if create:
            self._use_wal()
            self._upgrade()
        conn.execute("PRAGMA synchronous=FULL")

    def _objects(self) -> dict[str, str]:
        return {str(name): str(kind) for kind, name in self._conn.execute("SELECT type, name FROM sqlite_master")}

    def _identify(self, objects: Mapping[str, str]) -> None:
        """Refuse, untouched, an SQLite database that is not a tenderscore ledger."""
        (app_id,) = self._conn.execute("PRAGMA application_id").fetchone()
        if app_id == APPLICATION_ID:
            if objects.get("records") != "table":
                raise LedgerDamaged(f"{self.path}: the ledger's records table is missing")
            return
        columns = [str(r[1]) for r in self._conn.execute("PRAGMA table_info(records)")] if "records" in objects else []
        (user_version,) = self._conn.execute("PRAGMA user_version").fetchone()
        # A ledger made before application_id was set: its own table and version number.
        if app_id == 0 and user_version == SCHEMA_VERSION and columns == COLUMNS.split(", "):
            return
        held = ", ".join(sorted(name for name in objects if not name.startswith("sqlite_"))) or "nothing"
        raise LedgerUnavailable(
            f"{self.path}: not a tenderscore ledger (it has no records table): an SQLite database of another "
            f"program, holding {held}, left as it is; name another file with --ledger"
        )

    def _create(self) -> dict[str, str]:
        conn = self._conn
        with self._writing():
            objects = self._objects()
            if not objects:  # not created by another process while this one waited for the lock
                for statement in _statements(_TABLE + "".join(_GUARDS.values())):
                    conn.execute(statement)
                conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                objects = self._objects()
        return objects

    def _upgrade(self) -> None:
        """Add the guards and head an older ledger lacks; its first append after this walks the whole chain."""
        (app_id,) = self._conn.execute("PRAGMA application_id").fetchone()
        if app_id == APPLICATION_ID and set(_GUARDS) <= set(self._objects()):
            return
        with self._writing():
            for name, statement in _GUARDS.items():
                if name not in self._objects():
                    self._conn.execute(statement.strip())
            self._conn.execute(f"PRAGMA application_id={APPLICATION_ID}")

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
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

    def append(self, body: Mapping[str, Any], before_commit: BeforeCommit | None = None) -> StoredRecord:
        """Seal a record body (`record.build_record`) onto the chain after the current head, atomically."""
        return self.append_many([body], before_commit)[0]

    def append_many(
        self, bodies: Sequence[Mapping[str, Any]], before_commit: BeforeCommit | None = None
    ) -> list[StoredRecord]:
        """Seal record bodies onto the chain in order, in one transaction: all of them, or none.

        One commit is one sync of the file, the largest part of an append: a batch hands over every record
        that is ready at once (group commit), and each is still durable before its result file is put in place.
        `before_commit(stored)` runs inside the transaction, once the records are sealed: what it raises rolls
        them back, so a result that cites its record can be written (and fail, on a full disk) before the
        record is kept.
        """
        if not bodies:
            return []
        stored: list[StoredRecord] = []
        try:
            with self._writing() as conn:
                walk = self._verified_head()
                written = None
                for body in bodies:
                    record = seal(body, walk.count + 1, walk.head)
                    written = self._insert(record)
                    stored.append(StoredRecord(walk.count + 1, record["hash"], record))
                    walk.count, walk.head = walk.count + 1, str(record["hash"])
                (schema,) = conn.execute("PRAGMA schema_version").fetchone()
                conn.execute(
                    "INSERT OR REPLACE INTO chain_head (one, count, hash, schema) VALUES (1, ?, ?, ?)",
                    (walk.count, walk.head, schema),
                )
                if before_commit is not None:
                    before_commit(stored)
            self._written = written
        except (sqlite3.OperationalError, sqlite3.IntegrityError) as exc:  # busy, locked, full, a racing insert
            raise LedgerUnavailable(f"{self.path}: cannot append to the ledger ({exc})") from None
        except sqlite3.DatabaseError as exc:
            raise self._unreadable(exc) from None
        return stored

    def _verified_head(self) -> ChainWalk:
        """The chain's head, checked before anything is chained onto it (inside the append's transaction).

        Constant work while the ledger's own head and guards stand: the recorded head is still record
        `count` with its hash, no record was removed, and the newest record verifies (records appended by a
        version that kept no head are walked from it). Otherwise the whole chain is walked, once.
        """
        conn = self._conn
        store = str(self.path)
        row = conn.execute("SELECT count, hash, schema FROM chain_head WHERE one = 1").fetchone()
        (schema,) = conn.execute("PRAGMA schema_version").fetchone()
        try:
            if row is None or row[2] != schema:
                walk = ChainWalk(store)
                for found in conn.execute(f"SELECT {COLUMNS} FROM records ORDER BY id"):
                    walk.feed(Row(*found))
                self._check_recorded_head(walk)
                return walk
            head = Head(int(row[0]), row[1], int(row[2]))
            found = conn.execute(f"SELECT {COLUMNS} FROM records ORDER BY id DESC LIMIT 1").fetchone()
            at_count = conn.execute("SELECT hash FROM records WHERE id = ?", (head.count,)).fetchone()
            return walk_on_from_head(
                store,
                head,
                None if found is None else Row(*found),
                None if at_count is None else at_count[0],
                lambda after: (
                    Row(*found)
                    for found in conn.execute(f"SELECT {COLUMNS} FROM records WHERE id > ? ORDER BY id", (after,))
                ),
                self._written,
            )
        except ChainBroken as broken:
            raise refusing_to_append(broken) from None

    def _insert(self, record: Mapping[str, Any]) -> tuple[Any, ...]:
        values = tuple(row_of(record))
        self._conn.execute(f"INSERT INTO records ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", values)
        return values

    def entries(self) -> list[Entry]:
        rows = self._read("SELECT id, created_at, tender, ruleset, winner, hash FROM records ORDER BY id")
        return [Entry(self._id(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5])) for r in rows]

    def last_id(self) -> int | None:
        """The newest record's id (ids run from 1 without gaps), or None for an empty ledger."""
        last = self._read("SELECT max(id) FROM records")[0][0]
        return None if last is None else self._id(last)

    def get(self, record_id: int) -> StoredRecord:
        rows = self._read(f"SELECT {COLUMNS} FROM records WHERE id = ?", (record_id,))
        if not rows:
            last = self.last_id()
            known = "the ledger is empty" if last is None else f"records are numbered 1 to {last}"
            raise LedgerUnavailable(f"{self.path}: no record {record_id} ({known})")
        row = Row(*rows[0])
        return StoredRecord(record_id, str(row.hash), parse_stored(row, str(self.path)))

    def verify(self) -> ChainReport:
        """Walk the whole chain; raises ChainBroken naming the first record that fails and why."""
        walk = ChainWalk(str(self.path))
        with self._reading() as conn:
            for row in conn.execute(f"SELECT {COLUMNS} FROM records ORDER BY id"):
                walk.feed(Row(*row))
            self._check_recorded_head(walk)
        return ChainReport(walk.count, walk.head)

    def _check_recorded_head(self, walk: ChainWalk) -> None:
        # The head recorded at the last append: newest records removed with it left in place are found here.
        if "chain_head" not in self._objects():
            return
        row = self._conn.execute("SELECT count, hash FROM chain_head WHERE one = 1").fetchone()
        if row is None:
            return
        at = self._conn.execute("SELECT hash FROM records WHERE id = ?", (row[0],)).fetchone()
        if row[0] > walk.count or at is None or at[0] != row[1]:
            raise ChainBroken(
                f"ledger {self.path}",
                f"the ledger recorded {row[0]} records at its last append (head {str(row[1])[:16]}…) but its "
                f"chain ends at record {walk.count}: newer records were removed",
            )

    def _id(self, value: Any) -> int:
        if type(value) is not int:
            raise ChainBroken(
                f"ledger {self.path}: record {value}", f"its id is stored as {type(value).__name__} {value!r}"
            )
        return value

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
        except sqlite3.OperationalError as exc:
            raise LedgerUnavailable(f"{self.path}: cannot read the ledger ({exc})") from None
        except sqlite3.DatabaseError as exc:
            raise LedgerDamaged(f"{self.path}: the ledger file is damaged ({exc})") from None


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
