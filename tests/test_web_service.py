"""The app in service: the health endpoint, one JSON log line per request, and backup and restore of the
database with its ledger on SQLite and on PostgreSQL (`tenderscore web backup|restore`)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT
from pg_support import fresh_database

sys.path.insert(0, str(ROOT / "benchmarks"))
from web_harness import Server, free_port, server_env

PACK = ROOT / "fixtures" / "stockport-panel"


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from tenderscore.scoring.cli import main; main()", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Iterator[str | None]:
    pytest.importorskip("django")
    if request.param == "sqlite":
        yield None
        return
    with fresh_database() as url:
        yield url


def test_health_answers_without_sign_in_and_logs_are_json_lines(tmp_path: Path, engine: str | None) -> None:
    env = server_env(tmp_path / "data", engine) | {"TENDERSCORE_LOG_LEVEL": "INFO"}
    server = Server(env, threads=2)
    try:
        with urllib.request.urlopen(server.url + "/health/", timeout=10) as answer:
            assert answer.status == 200 and answer.headers["Content-Type"] == "application/json"
            report = json.loads(answer.read())
    finally:
        logs = server.stop()
    assert report == {"status": "ok", "database": (engine and "postgresql") or "sqlite", "ledger_records": 0}
    lines = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    health = [line for line in lines if line.get("path") == "/health/"]
    assert health, logs[-2000:]
    assert {"time", "level", "logger", "message", "method", "status", "ms", "user"} <= set(health[-1])
    assert (health[-1]["status"], health[-1]["logger"], health[-1]["level"]) == (200, "tenderscore.web", "INFO")


def test_health_is_503_naming_the_ledger_when_it_cannot_be_opened(tmp_path: Path) -> None:
    pytest.importorskip("django")
    (tmp_path / "not-a-ledger").mkdir()
    env = server_env(tmp_path / "data") | {"TENDERSCORE_LEDGER": str(tmp_path / "not-a-ledger")}
    port = free_port()
    command = [sys.executable, "-c", "from tenderscore.scoring.cli import main; main()", "serve", "--port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        answer = None
        deadline = time.monotonic() + 60
        while answer is None and time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2)
                break
            except urllib.error.HTTPError as error:
                answer = error
            except OSError:
                time.sleep(0.1)  # not listening yet
        assert answer is not None and answer.code == 503
        report = json.loads(answer.read())
        assert report["status"] == "unavailable" and "not-a-ledger" in report["ledger_error"]
    finally:
        process.terminate()
        process.wait(30)


def test_backup_and_restore_keep_the_database_and_a_ledger_that_verifies(tmp_path: Path, engine: str | None) -> None:
    env = server_env(tmp_path / "data", engine)
    del env["TENDERSCORE_SECRET_KEY"]  # the key file in the data directory is part of the backup
    ledger = engine or str(tmp_path / "data" / "ledger.sqlite3")
    assert cli(env, "serve", "--demo", "--check").returncode == 0
    for _ in range(2):  # two decisions in the app's ledger
        assert cli(env, "score", str(PACK), "--ledger", ledger).returncode == 0
    backed = cli(env, "web", "backup", str(tmp_path / "backup"))
    assert backed.returncode == 0, backed.stderr
    assert "ledger 2 records, chain intact" in backed.stdout
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["ledger_records"] == 2
    assert oct((tmp_path / "backup" / "secret-key").stat().st_mode & 0o777) == "0o600"
    assert cli(env, "web", "backup", str(tmp_path / "backup")).returncode == 2  # never over another backup

    with fresh_database_or_none(engine) as other:
        target = server_env(tmp_path / "restored", other)
        del target["TENDERSCORE_SECRET_KEY"]
        restored = cli(target, "web", "restore", str(tmp_path / "backup"))
        assert restored.returncode == 0, restored.stderr
        assert f"ledger 2 records, chain intact, head {manifest['ledger_head']}" in restored.stdout
        restored_ledger = other or str(tmp_path / "restored" / "ledger.sqlite3")
        verified = cli(target, "ledger", "verify", "--ledger", restored_ledger)
        assert verified.returncode == 0 and "2 records, chain intact" in verified.stdout
        assert (tmp_path / "restored" / "secret-key").read_text() == (tmp_path / "data" / "secret-key").read_text()
        users = cli(target, "web", "users")
        assert "demo-ahmed" in users.stdout and "demo-officer" in users.stdout
        # A database holding tenders is replaced only on purpose.
        again = cli(target, "web", "restore", str(tmp_path / "backup"))
        assert again.returncode == 2 and "--force" in again.stderr
        # A backup file changed since it was made is refused before anything is touched.
        dump = next(p for p in (tmp_path / "backup").iterdir() if p.name in ("web.sqlite3", "database.dump"))
        data = bytearray(dump.read_bytes())
        data[len(data) // 2] ^= 0xFF
        dump.write_bytes(bytes(data))
        changed = cli(target, "web", "restore", "--force", str(tmp_path / "backup"))
        assert changed.returncode == 4 and dump.name in changed.stderr


class fresh_database_or_none:
    """A second PostgreSQL database to restore into, or None for SQLite (the restored data directory's file)."""

    def __init__(self, engine: str | None) -> None:
        self.engine = engine
        self.context = fresh_database() if engine else None

    def __enter__(self) -> str | None:
        return self.context.__enter__() if self.context else None

    def __exit__(self, *exc: object) -> None:
        if self.context:
            self.context.__exit__(*exc)
