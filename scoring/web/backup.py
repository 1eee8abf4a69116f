"""`tenderscore web backup DIR` and `restore DIR`: a consistent copy of the app's database and its decision
ledger, whichever engine holds them, made while the app serves.

- SQLite: SQLite's online backup API copies each file page by page inside a read transaction, so the copy is
  one committed state even while evaluators save (never a file copied under a writer).
- PostgreSQL: `pg_dump --format=custom` takes one snapshot of the whole database; a ledger in the same database
  is in that snapshot with the tables that cite it. `pg_restore` puts it back.

The database is copied before a ledger kept elsewhere (a file beside a PostgreSQL database, say): the app
appends a decision record before it stores the decision that cites it, so every decision in the copy finds its
record in the ledger's copy (the ledger's copy may hold a newer record no decision cites yet, as after a crash).
A manifest lists every file with its sha256; restore checks them before touching anything and verifies the
restored ledger's chain.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

from ..audit.location import LedgerLocation, is_database_url
from ..audit.store import open_ledger
from ..errors import ExitCode, InputError, Problem, RecordMismatch, TenderscoreError
from ..files import write_atomic

MANIFEST = "manifest.json"
DATABASE_FILE = "web.sqlite3"
DATABASE_DUMP = "database.dump"
LEDGER_FILE = "ledger.sqlite3"
LEDGER_DUMP = "ledger.dump"
SECRET_FILE = "secret-key"
_WRITER = "`tenderscore web backup`"


class BackupFailed(TenderscoreError):
    """A backup or restore that could not be made (a tool missing, the database refusing): exit 2."""

    exit_code = ExitCode.INPUT


class BackupDiffers(RecordMismatch):
    """A backup whose files are not the ones its manifest lists: exit 4, nothing restored."""


@dataclass(frozen=True)
class Outcome:
    folder: Path
    engine: str
    files: dict[str, str]  # name -> sha256
    ledger_records: int
    ledger_head: str | None


def _database() -> dict[str, Any]:
    return dict(connections["default"].settings_dict)


def _engine(db: dict[str, Any]) -> str:
    return "postgresql" if "postgresql" in str(db["ENGINE"]) else "sqlite"


def _database_url(db: dict[str, Any]) -> str:
    return os.environ.get("TENDERSCORE_DATABASE_URL", "").strip() or str(db.get("NAME"))


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: one committed state of `source`, written to `target` (replaced whole)."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        # closing(): a connection's own `with` ends a transaction, not the connection.
        with (
            closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
            closing(sqlite3.connect(partial)) as dst,
        ):
            src.backup(dst)
        os.replace(partial, target)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupFailed(f"{source}: cannot copy the SQLite database ({exc})") from None


def _sqlite_restore(source: Path, target: Path) -> None:
    """Into the live file through SQLite (its locks respected; readers see the old state or the new one)."""
    try:
        with (
            closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
            closing(sqlite3.connect(target)) as dst,
        ):
            src.backup(dst)
    except sqlite3.Error as exc:
        raise BackupFailed(f"{target}: cannot restore the SQLite database ({exc})") from None


def _tool(name: str) -> str:
    found = shutil.which(name) or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise BackupFailed(f"{name} is needed for a PostgreSQL backup: install the PostgreSQL client tools")
    return found


def _run(command: list[str], what: str) -> None:
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise BackupFailed(f"{what} failed: {run.stderr.strip()[-2000:]}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _ledger_kept_apart(ledger: LedgerLocation, database_url: str) -> bool:
    return not (is_database_url(ledger) and str(ledger) == database_url)


def backup(folder: Path) -> Outcome:
    """Copy the database, then the ledger (unless it is inside the database), then the manifest, into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / MANIFEST).exists() or any(folder.iterdir()):
        raise InputError([Problem(str(folder), "", "expected an empty or new folder for the backup, found files")])
    db = _database()
    engine, url = _engine(db), _database_url(db)
    ledger: LedgerLocation = settings.LEDGER_PATH
    made: list[str] = []
    if engine == "sqlite":
        _sqlite_copy(Path(db["NAME"]), folder / DATABASE_FILE)
        made.append(DATABASE_FILE)
    else:
        _run([_tool("pg_dump"), "--format=custom", "--file", str(folder / DATABASE_DUMP), url], "pg_dump")
        made.append(DATABASE_DUMP)
    if _ledger_kept_apart(ledger, url):
        if is_database_url(ledger):
            _run([_tool("pg_dump"), "--format=custom", "--file", str(folder / LEDGER_DUMP), str(ledger)], "pg_dump")
            made.append(LEDGER_DUMP)
        elif Path(ledger).is_file():
            _sqlite_copy(Path(ledger), folder / LEDGER_FILE)
            made.append(LEDGER_FILE)
    secret = Path(settings.DATA_DIR) / SECRET_FILE
    if secret.is_file():  # sessions and signed links stay valid after a restore
        shutil.copyfile(secret, folder / SECRET_FILE)
        os.chmod(folder / SECRET_FILE, 0o600)
        made.append(SECRET_FILE)
    files = {name: _sha256(folder / name) for name in made}
    count, head = _copied_ledger_head(folder, ledger, url)
    manifest = {
        "made_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "engine": engine,
        "ledger": "in the database" if not _ledger_kept_apart(ledger, url) else ("file" if made else "none"),
        "ledger_records": count,
        "ledger_head": head,
        "files": files,
    }
    write_atomic(folder / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return Outcome(folder, engine, files, count, head)


def _copied_ledger_head(folder: Path, ledger: LedgerLocation, url: str) -> tuple[int, str | None]:
    """The copied ledger's chain, verified: a backup of a broken chain says so now, not on the day it is needed."""
    if (folder / LEDGER_FILE).is_file():
        with open_ledger(folder / LEDGER_FILE, create=False) as book:
            report = book.verify()
        return report.count, report.head
    if not _ledger_kept_apart(ledger, url) or is_database_url(ledger):
        # In a dump: the source's chain, verified now (the dump holds this state or a newer one).
        try:
            with open_ledger(ledger, create=False) as book:
                report = book.verify()
        except TenderscoreError as exc:
            if "no ledger here yet" in str(exc):
                return 0, None
            raise
        return report.count, report.head
    return 0, None


def restore(folder: Path, force: bool) -> Outcome:
    """Check the backup against its manifest, then put the database and ledger back and verify the chain."""
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise InputError([Problem(str(folder), MANIFEST, "expected a backup made by `tenderscore web backup`")])
    manifest = _read_manifest(manifest_path)
    files: dict[str, str] = manifest["files"]
    for name, expected in files.items():
        path = folder / name
        if not path.is_file() or _sha256(path) != expected:
            raise BackupDiffers(f"{path}: missing or changed since the backup was made (its sha256 differs)")
    db = _database()
    engine, url = _engine(db), _database_url(db)
    if manifest["engine"] != engine:
        raise InputError(
            [Problem(str(folder), "engine", f"expected a backup of a {engine} database, found {manifest['engine']}")]
        )
    ledger: LedgerLocation = settings.LEDGER_PATH
    if not force and _holds_data(engine, db):
        raise InputError(
            [Problem(_shown(engine, db), "", "expected an empty database, found data (--force replaces it)")]
        )
    connections["default"].close()
    if engine == "sqlite":
        _sqlite_restore(folder / DATABASE_FILE, Path(db["NAME"]))
    else:
        _pg_restore(folder / DATABASE_DUMP, url)
    if LEDGER_FILE in files:
        target = Path(ledger) if not is_database_url(ledger) else None
        if target is None:
            raise InputError([Problem(str(folder), LEDGER_FILE, "expected TENDERSCORE_LEDGER to name a file")])
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_restore(folder / LEDGER_FILE, target)
    elif LEDGER_DUMP in files:
        _pg_restore(folder / LEDGER_DUMP, str(ledger))
    if SECRET_FILE in files and not os.environ.get("TENDERSCORE_SECRET_KEY"):
        target = Path(settings.DATA_DIR) / SECRET_FILE
        write_atomic(target, (folder / SECRET_FILE).read_text(encoding="utf-8"))
        os.chmod(target, 0o600)
    count, head = 0, None
    if manifest.get("ledger_records"):
        with open_ledger(ledger, create=False) as book:
            report = book.verify()
        count, head = report.count, report.head
        if count < int(manifest["ledger_records"]):
            raise BackupDiffers(f"the restored ledger holds {count} records, the backup {manifest['ledger_records']}")
    return Outcome(folder, engine, files, count, head)


def _read_manifest(path: Path) -> dict[str, Any]:
    """The manifest as `backup` writes it, or an InputError naming what is not: a folder holding some other
    tool's manifest.json (or a damaged one) must be refused before anything is touched, not end in a traceback."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        found = f"found invalid JSON ({exc})"
        raise InputError([Problem(str(path), "", f"expected the JSON manifest {_WRITER} writes, {found}")]) from None
    if not isinstance(manifest, dict):
        found = f"found {_json_shown(manifest)}"
        raise InputError([Problem(str(path), "", f"expected the JSON object {_WRITER} writes, {found}")])
    problems = []
    files, engine = manifest.get("files"), manifest.get("engine")
    # Plain names only: a backup's files are all in its folder, and restore reads nothing outside it.
    if not (
        isinstance(files, dict)
        and all(isinstance(d, str) and isinstance(n, str) and n and Path(n).name == n for n, d in files.items())
    ):
        problems.append(Problem(str(path), "files", "expected an object of file names and their sha256"))
    if engine not in ("sqlite", "postgresql"):
        problems.append(Problem(str(path), "engine", f"expected sqlite or postgresql, found {_json_shown(engine)}"))
    elif isinstance(files, dict) and (wanted := DATABASE_FILE if engine == "sqlite" else DATABASE_DUMP) not in files:
        problems.append(Problem(str(path), "files", f"expected {wanted} listed: the {engine} database's copy"))
    records = manifest.get("ledger_records")
    if records is not None and (isinstance(records, bool) or not isinstance(records, int) or records < 0):
        problems.append(Problem(str(path), "ledger_records", f"expected a whole number, found {_json_shown(records)}"))
    if problems:
        raise InputError(problems)
    return manifest


def _json_shown(value: object) -> str:
    """A value from the manifest as a problem quotes it: short, since the file may be anything at all."""
    text = json.dumps(value)
    return text if len(text) <= 40 else f"{text[:40]}..."


def _pg_restore(dump: Path, url: str) -> None:
    command = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction"]
    _run([*command, "--dbname", url, str(dump)], "pg_restore")


def _holds_data(engine: str, db: dict[str, Any]) -> bool:
    from_django = connections["default"]
    try:
        tables = from_django.introspection.table_names()
    except Exception:  # an SQLite file that does not exist yet, a database with nothing in it
        return False
    if "web_tender" not in tables:
        return False
    with from_django.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM web_tender")
        (count,) = cursor.fetchone()
    return bool(count)


def _shown(engine: str, db: dict[str, Any]) -> str:
    return str(db["NAME"]) if engine == "sqlite" else f"the PostgreSQL database {db['NAME']}"
