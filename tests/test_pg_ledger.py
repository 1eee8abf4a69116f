"""The decision ledger in PostgreSQL: the same chain and verification as the SQLite file, through the same
commands (`--ledger postgresql://...`), appends from several processes serialised by the database."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import STOCKPORT_PACK, all_scores, basic_bid, basic_tender, invoke
from pg_support import fresh_database
from tenderscore.scoring.audit import build_record
from tenderscore.scoring.audit.errors import ChainBroken, LedgerUnavailable
from tenderscore.scoring.audit.pgledger import RECORDS, PgLedger
from tenderscore.scoring.audit.store import open_ledger
from tenderscore.scoring.evaluate import evaluate
from tenderscore.scoring.pack import load_pack

psycopg = pytest.importorskip("psycopg")


@pytest.fixture
def pg() -> Iterator[str]:
    with fresh_database() as url:
        yield url


def tamper(url: str, sql: str) -> None:
    """What someone who owns the tables could do: switch the guard off, change rows, switch it back on."""
    with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
        conn.execute(f"ALTER TABLE {RECORDS} DISABLE TRIGGER USER")
        conn.execute(sql)
        conn.execute(f"ALTER TABLE {RECORDS} ENABLE TRIGGER USER")


def append_stockport(url: str, times: int) -> None:
    pack = load_pack(STOCKPORT_PACK)
    body = build_record(pack, evaluate(pack))
    with open_ledger(url) as book:
        for _ in range(times):
            book.append(body)


def test_the_commands_score_list_verify_export_and_replay_a_postgres_ledger(pg: str, tmp_path: Path) -> None:
    for _ in range(2):
        scored = invoke("score", STOCKPORT_PACK, "--ledger", pg)
        assert scored.exit_code == 0, scored.stderr
    # The password is never printed: the URL is shown with *** in its place.
    assert "appended to ledger postgresql://" in scored.stderr and ":***@" in scored.stderr
    password = psycopg.conninfo.conninfo_to_dict(pg).get("password")
    listed = invoke("ledger", "list", "--ledger", pg, "--format", "json")
    assert listed.exit_code == 0 and [e["id"] for e in json.loads(listed.stdout)] == [1, 2]
    verified = invoke("ledger", "verify", "--ledger", pg)
    assert verified.exit_code == 0 and "2 records, chain intact" in verified.stdout
    assert not password or password not in verified.stdout + scored.stderr
    exported = invoke("ledger", "export", "2", "--ledger", pg, "--output", str(tmp_path / "r2.json"))
    assert exported.exit_code == 0
    with open_ledger(pg, create=False) as book:
        stored = book.get(2)
        assert stored.record["prev_hash"] == book.get(1).hash
    replayed = invoke("replay", "2", "--ledger", pg)
    assert replayed.exit_code == 0 and "replays identically" in replayed.stdout
    assert invoke("replay", str(tmp_path / "r2.json")).exit_code == 0


def test_a_row_changed_in_postgres_is_named_by_verify_exit_4_and_appending_after_it_is_refused(pg: str) -> None:
    append_stockport(pg, 3)
    tamper(pg, f"UPDATE {RECORDS} SET record = replace(record, 'Brennan & Shaw', 'Brennan & Shore') WHERE id = 2")
    verified = invoke("ledger", "verify", "--ledger", pg)
    assert verified.exit_code == 4
    assert "record 2:" in verified.stderr and "does not match its sha256" in verified.stderr, verified.stderr
    # The guard was switched off and on again: its catalogue marker changed, so the next append walks the chain.
    with pytest.raises(ChainBroken, match=r"record 2.*refusing to append"):
        append_stockport(pg, 1)


def test_a_changed_summary_column_and_removed_newest_records_are_found(pg: str) -> None:
    append_stockport(pg, 3)
    with open_ledger(pg, create=False) as book:
        winner = book.entries()[0].winner
    tamper(pg, f"UPDATE {RECORDS} SET winner = 'Someone Else' WHERE id = 1")
    with PgLedger(pg, create=False) as book, pytest.raises(ChainBroken) as broken:
        book.verify()
    assert "record 1" in str(broken.value) and "winner" in str(broken.value)
    tamper(pg, f"UPDATE {RECORDS} SET winner = '{winner}' WHERE id = 1")
    tamper(pg, f"DELETE FROM {RECORDS} WHERE id = 3")
    verified = invoke("ledger", "verify", "--ledger", pg)
    assert verified.exit_code == 4 and "recorded 3 records" in verified.stderr and "removed" in verified.stderr


def test_the_guards_refuse_update_delete_truncate_and_any_insert_but_the_next(pg: str) -> None:
    append_stockport(pg, 2)
    with psycopg.connect(pg, autocommit=True) as conn:
        for sql in (
            f"UPDATE {RECORDS} SET winner = 'x' WHERE id = 1",
            f"DELETE FROM {RECORDS} WHERE id = 2",
            f"TRUNCATE {RECORDS}",
            f"INSERT INTO {RECORDS} SELECT id + 5, created_at, tender, ruleset, winner, prev_hash, hash || 'x', record "
            f"FROM {RECORDS} WHERE id = 2",
        ):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute(sql)
    assert invoke("ledger", "verify", "--ledger", pg).exit_code == 0


def test_a_database_without_a_ledger_and_an_unreachable_server_are_input_errors(pg: str) -> None:
    listed = invoke("ledger", "list", "--ledger", pg)
    assert listed.exit_code == 2 and "no ledger here yet" in listed.stderr
    with pytest.raises(LedgerUnavailable, match="cannot connect"):
        PgLedger("postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2")


# An appender: scores the pack once, waits for GO to exist, appends COUNT records one transaction each (as
# COUNT web requests would), printing the id each got.
APPENDER = """
import sys, time
from pathlib import Path
from tenderscore.scoring.audit import build_record
from tenderscore.scoring.audit.store import open_ledger
from tenderscore.scoring.evaluate import evaluate
from tenderscore.scoring.pack import load_pack

url, pack_dir, count, go = sys.argv[1:]
pack = load_pack(Path(pack_dir))
body = build_record(pack, evaluate(pack))
print("ready", flush=True)
while not Path(go).exists():
    time.sleep(0.002)
with open_ledger(url) as book:
    for _ in range(int(count)):
        print(book.append(body).id, flush=True)
"""


@pytest.fixture
def small_pack(make_pack: Callable[..., Path]) -> Path:
    return make_pack(basic_tender(), {"a": basic_bid("Alpha Ltd", "90000.00")}, all_scores(["a"]))


def test_two_processes_append_200_records_at_once_into_one_chain(pg: str, small_pack: Path, tmp_path: Path) -> None:
    go = tmp_path / "go"
    # Both start on an empty database, so they also race to create the tables.
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", APPENDER, pg, str(small_pack), "100", str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        for worker in workers:
            assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
        go.touch()
        outputs = [worker.communicate(timeout=300) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.communicate()
    assert [w.returncode for w in workers] == [0, 0], [err for _, err in outputs]
    ids = [[int(line) for line in out.split()] for out, _ in outputs]
    assert [len(got) for got in ids] == [100, 100]
    # Every id once between them, 1 to 200: no append was lost or given a place another already had.
    assert sorted(ids[0] + ids[1]) == list(range(1, 201))
    with PgLedger(pg, create=False) as book:
        report = book.verify()
        assert report.count == 200 and report.head == book.get(200).hash
        for record_id in (1, 100, 200):
            stored = book.get(record_id)
            assert stored.record["seq"] == record_id


def test_award_commands_record_a_scored_pack_in_a_postgres_ledger(pg: str, tmp_path: Path) -> None:
    # `ocds` and `summaries` on a pack append its decision record first: a postgresql:// --ledger must reach the
    # database (once it opened a SQLite file named after the URL) and no message may show the password.
    out = tmp_path / "release.json"
    released = invoke("ocds", STOCKPORT_PACK, "--ledger", pg, "--output", str(out))
    assert released.exit_code == 0, released.stderr
    summaries = invoke("summaries", STOCKPORT_PACK, "--ledger", pg, "--output-dir", str(tmp_path / "summaries"))
    assert summaries.exit_code == 0, summaries.stderr
    password = psycopg.conninfo.conninfo_to_dict(pg).get("password")
    said = released.stderr + summaries.stderr + out.read_text(encoding="utf-8")
    assert "appended to ledger postgresql://" in said and (not password or password not in said)
    with open_ledger(pg) as book:
        assert [entry.id for entry in book.entries()] == [1, 2]
    assert not list(tmp_path.glob("postgresql*")) and not list(Path.cwd().glob("postgresql*"))
