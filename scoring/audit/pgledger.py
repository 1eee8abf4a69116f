"""The decision ledger in PostgreSQL: the same records, hash chain and verification as the SQLite file
(`chain.py` decides what verifies; this module only stores rows), in tables beside the web app's own.

Appends from any number of processes and machines are serialised by the database, never in one process's
memory: each append is one transaction that first locks the head row (`SELECT ... FOR UPDATE`), so the next
appender waits for the commit and then sees the true head. A transaction that fails leaves nothing; one that
committed is durable (PostgreSQL's WAL, synchronous_commit on).

Triggers refuse UPDATE, DELETE and TRUNCATE of records and any insert but the next id. The head row records
a marker of those guards (the catalogue rows' transaction ids): a guard dropped, disabled or replaced since
the last append changes it, and the whole chain is walked before anything is appended after it.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .chain import COLUMNS, ChainWalk, Head, Row, parse_stored, refusing_to_append, row_of, walk_on_from_head
from .errors import ChainBroken, LedgerUnavailable
from .ledger import BeforeCommit, ChainReport, Entry, Ledger, StoredRecord
from .record import seal

try:  # the postgres extra; without it a postgresql:// ledger is an input error, not a traceback
    import psycopg
except ImportError:  # pragma: no cover - exercised only where the extra is missing
    psycopg = None  # type: ignore[assignment]

RECORDS = "tenderscore_ledger_records"
HEAD = "tenderscore_ledger_head"
# Held (per transaction) while the tables are created: two processes starting on an empty database together.
CREATE_LOCK = 0x5453444C
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {RECORDS} (
    id BIGINT PRIMARY KEY,
    created_at TEXT NOT NULL,
    tender TEXT NOT NULL,
    ruleset TEXT NOT NULL,
    winner TEXT NOT NULL,
    prev_hash TEXT,
    hash TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS {HEAD} (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    count BIGINT NOT NULL,
    hash TEXT,
    schema BIGINT NOT NULL
);
INSERT INTO {HEAD} (one, count, hash, schema) VALUES (1, 0, NULL, 0) ON CONFLICT (one) DO NOTHING;
CREATE OR REPLACE FUNCTION tenderscore_ledger_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.id = (SELECT coalesce(max(id), 0) + 1 FROM {RECORDS}) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'the decision ledger is append-only: only the next record may be added';
    END IF;
    RAISE EXCEPTION 'the decision ledger is append-only';
END $$;
DROP TRIGGER IF EXISTS tenderscore_ledger_append_only ON {RECORDS};
CREATE TRIGGER tenderscore_ledger_append_only BEFORE INSERT OR UPDATE OR DELETE ON {RECORDS}
    FOR EACH ROW EXECUTE FUNCTION tenderscore_ledger_guard();
DROP TRIGGER IF EXISTS tenderscore_ledger_no_truncate ON {RECORDS};
CREATE TRIGGER tenderscore_ledger_no_truncate BEFORE TRUNCATE ON {RECORDS}
    FOR EACH STATEMENT EXECUTE FUNCTION tenderscore_ledger_guard();
"""
_GUARDS = ("tenderscore_ledger_append_only", "tenderscore_ledger_no_truncate")
# The guards as the catalogue holds them: any ALTER, DROP or CREATE OR REPLACE writes a new catalogue row.
_GUARD_STATE = f"""
SELECT t.tgname, t.tgenabled, t.xmin::text, p.xmin::text
FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
WHERE t.tgrelid = '{RECORDS}'::regclass AND NOT t.tgisinternal
ORDER BY t.tgname
"""


def redacted(url: str) -> str:
    """The URL to show in messages: never its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = (parts.username or "") + ":***"
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc[-1]}"))


class PgLedger(Ledger):
    """A ledger in a PostgreSQL database (`postgresql://...`). Use as a context manager, or call close()."""

    def __init__(self, path: Path | str, create: bool = True) -> None:
        url = str(path)
        self.url = url
        self.name = redacted(url)
        self.path = self.name  # type: ignore[assignment]  # only ever shown in messages: never the password
        self._written = None
        if psycopg is None:
            raise LedgerUnavailable(
                f"{self.name}: a PostgreSQL ledger needs the postgres extra: pip install '.[postgres]'"
            )
        try:
            self._pg = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            raise LedgerUnavailable(
                f"{self.name}: cannot connect to the ledger's database ({_first_line(exc)})"
            ) from None
        try:
            exists = self._pg.execute("SELECT to_regclass(%s) IS NOT NULL", (RECORDS,)).fetchone()
            if not (exists and exists[0]):
                if not create:
                    raise LedgerUnavailable(f"{self.name}: no ledger here yet (its database has no {RECORDS} table)")
                with self._pg.transaction():
                    self._pg.execute("SELECT pg_advisory_xact_lock(%s)", (CREATE_LOCK,))
                    self._pg.execute(_SCHEMA)
        except psycopg.Error as exc:
            self._pg.close()
            raise LedgerUnavailable(f"{self.name}: cannot prepare the ledger ({_first_line(exc)})") from None
        except BaseException:
            self._pg.close()
            raise

    def close(self) -> None:
        self._pg.close()

    def _schema(self) -> int:
        rows = self._pg.execute(_GUARD_STATE).fetchall()
        if tuple(r[0] for r in rows) != _GUARDS or any(r[1] != "O" for r in rows):
            return -1  # a guard missing or disabled: never equal to a recorded marker
        return zlib.crc32(repr(rows).encode())

    def append_many(
        self, bodies: Sequence[Mapping[str, Any]], before_commit: BeforeCommit | None = None
    ) -> list[StoredRecord]:
        """Seal record bodies onto the chain in order, in one transaction: all of them, or none."""
        if not bodies:
            return []
        stored: list[StoredRecord] = []
        try:
            with self._pg.transaction():
                walk = self._verified_head()
                written: tuple[Any, ...] | None = None
                for body in bodies:
                    record = seal(body, walk.count + 1, walk.head)
                    written = tuple(row_of(record))
                    self._pg.execute(
                        f"INSERT INTO {RECORDS} ({COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                        written,
                    )
                    stored.append(StoredRecord(walk.count + 1, record["hash"], record))
                    walk.count, walk.head = walk.count + 1, str(record["hash"])
                self._pg.execute(
                    f"UPDATE {HEAD} SET count = %s, hash = %s, schema = %s WHERE one = 1",
                    (walk.count, walk.head, self._schema()),
                )
                if before_commit is not None:
                    before_commit(stored)
            self._written = written
        except psycopg.Error as exc:
            raise LedgerUnavailable(f"{self.name}: cannot append to the ledger ({_first_line(exc)})") from None
        return stored

    def _verified_head(self) -> ChainWalk:
        """The head, locked until this transaction ends (the next appender waits here), checked as SQLite's is."""
        store = self.name
        row = self._pg.execute(f"SELECT count, hash, schema FROM {HEAD} WHERE one = 1 FOR UPDATE").fetchone()
        if row is None:
            raise ChainBroken(f"ledger {store}", "its head row is missing; refusing to append after it")
        try:
            if row[2] != self._schema() or row[2] == -1:
                walk = ChainWalk(store)
                for found in self._pg.execute(f"SELECT {COLUMNS} FROM {RECORDS} ORDER BY id"):
                    walk.feed(Row(*found))
                self._check_recorded_head(walk)
                return walk
            head = Head(int(row[0]), row[1], int(row[2]))
            last = self._pg.execute(f"SELECT {COLUMNS} FROM {RECORDS} ORDER BY id DESC LIMIT 1").fetchone()
            at_count = self._pg.execute(f"SELECT hash FROM {RECORDS} WHERE id = %s", (head.count,)).fetchone()
            return walk_on_from_head(
                store,
                head,
                None if last is None else Row(*last),
                None if at_count is None else at_count[0],
                lambda after: (
                    Row(*found)
                    for found in self._pg.execute(
                        f"SELECT {COLUMNS} FROM {RECORDS} WHERE id > %s ORDER BY id", (after,)
                    )
                ),
                self._written,
            )
        except ChainBroken as broken:
            raise refusing_to_append(broken) from None

    def _check_recorded_head(self, walk: ChainWalk) -> None:
        row = self._pg.execute(f"SELECT count, hash FROM {HEAD} WHERE one = 1").fetchone()
        if row is None or row[0] == 0:
            return
        at = self._pg.execute(f"SELECT hash FROM {RECORDS} WHERE id = %s", (row[0],)).fetchone()
        if row[0] > walk.count or at is None or at[0] != row[1]:
            raise ChainBroken(
                f"ledger {self.name}",
                f"the ledger recorded {row[0]} records at its last append (head {str(row[1])[:16]}…) but its "
                f"chain ends at record {walk.count}: newer records were removed",
            )

    @contextmanager
    def _snapshot(self) -> Iterator[psycopg.Connection[Any]]:
        """One read-only snapshot, so a walk sees one consistent chain while others append."""
        try:
            with self._pg.transaction():
                self._pg.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                yield self._pg
        except psycopg.Error as exc:
            raise LedgerUnavailable(f"{self.name}: cannot read the ledger ({_first_line(exc)})") from None

    def verify(self) -> ChainReport:
        """Walk the whole chain; raises ChainBroken naming the first record that fails and why."""
        walk = ChainWalk(self.name)
        with self._snapshot() as conn:
            for row in conn.execute(f"SELECT {COLUMNS} FROM {RECORDS} ORDER BY id"):
                walk.feed(Row(*row))
            self._check_recorded_head(walk)
        return ChainReport(walk.count, walk.head)

    def entries(self) -> list[Entry]:
        with self._snapshot() as conn:
            rows = conn.execute(
                f"SELECT id, created_at, tender, ruleset, winner, hash FROM {RECORDS} ORDER BY id"
            ).fetchall()
        return [Entry(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5])) for r in rows]

    def last_id(self) -> int | None:
        with self._snapshot() as conn:
            row = conn.execute(f"SELECT max(id) FROM {RECORDS}").fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def get(self, record_id: int) -> StoredRecord:
        with self._snapshot() as conn:
            found = conn.execute(f"SELECT {COLUMNS} FROM {RECORDS} WHERE id = %s", (record_id,)).fetchone()
        if found is None:
            last = self.last_id()
            known = "the ledger is empty" if last is None else f"records are numbered 1 to {last}"
            raise LedgerUnavailable(f"{self.name}: no record {record_id} ({known})")
        row = Row(*found)
        return StoredRecord(record_id, str(row.hash), parse_stored(row, self.name))


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
