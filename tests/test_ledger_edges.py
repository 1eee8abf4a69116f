"""Ledger edges from the adversarial pass (issue 13, item 21): non-canonical bytes, a damaged file, another
program's database, an id stored as text."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import all_scores, basic_bid, basic_tender, fill_ledger, invoke


@pytest.fixture
def small_pack(make_pack: Callable[..., Path]) -> Path:
    return make_pack(basic_tender(), {"a": basic_bid("Alpha Ltd", "90000.00")}, all_scores(["a"]))


def rewrite(path: Path, record_id: int, change: Callable[[str], str]) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER records_append_only_update")
    (text,) = conn.execute("SELECT record FROM records WHERE id = ?", (record_id,)).fetchone()
    changed = change(text)
    assert changed != text
    conn.execute("UPDATE records SET record = ? WHERE id = ?", (changed, record_id))
    conn.close()


@pytest.mark.parametrize(
    "change",
    [
        lambda text: text.replace('","', '", "', 1),  # whitespace JSON ignores
        lambda text: text.replace('"created_at":"', '"created_at" :"'),
        lambda text: text.replace("Alpha", "\\u0041lpha", 1),  # the same string, escaped
        lambda text: text + "\n",
    ],
    ids=["space-after-comma", "space-before-colon", "u-escape", "trailing-newline"],
)
def test_a_record_rewritten_with_the_same_content_in_other_bytes_fails_verify(
    tmp_path: Path, small_pack: Path, change: Callable[[str], str]
) -> None:
    path = tmp_path / "ledger.sqlite3"
    fill_ledger(path, small_pack, 2)
    rewrite(path, 2, change)
    result = invoke("ledger", "verify", "--ledger", path)
    assert result.exit_code == 4, result.output
    assert "record 2: its stored text is not the canonical JSON" in result.stderr
    shown = invoke("ledger", "show", "2", "--ledger", path)
    assert shown.exit_code == 4 and "not the canonical JSON" in shown.stderr


def test_a_truncated_ledger_is_broken_not_foreign(tmp_path: Path, small_pack: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    fill_ledger(path, small_pack, 6)
    data = path.read_bytes()
    assert len(data) > 8192
    path.write_bytes(data[: len(data) // 2])
    for args in (["ledger", "verify"], ["ledger", "list"], ["score", str(small_pack), "--format", "json"]):
        result = invoke(*args, "--ledger", path)
        assert result.exit_code == 4, (args, result.output)
        assert "damaged" in result.stderr and "not a tenderscore ledger" not in result.stderr
        assert "Traceback" not in result.output
    header_only = tmp_path / "header.sqlite3"
    header_only.write_bytes(data[:60])  # the start of an SQLite header, cut short
    result = invoke("ledger", "verify", "--ledger", header_only)
    assert result.exit_code == 4 and "damaged" in result.stderr


def test_another_programs_database_is_refused_untouched(tmp_path: Path, small_pack: Path) -> None:
    other = tmp_path / "app.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE customers (name TEXT)")
    conn.execute("INSERT INTO customers VALUES ('Ada')")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    result = invoke("score", small_pack, "--ledger", other)
    assert result.exit_code == 2
    assert "not a tenderscore ledger" in result.stderr and "another program, holding customers" in result.stderr
    assert other.read_bytes() == before  # no records table, no WAL mode, not a byte changed
    assert not Path(f"{other}-wal").exists()
    conn = sqlite3.connect(other)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["customers"]
    conn.close()


def test_an_id_stored_as_text_is_named_not_a_traceback(tmp_path: Path, small_pack: Path) -> None:
    # INTEGER PRIMARY KEY cannot hold text, so the attacker rebuilds the table with a text id.
    path = tmp_path / "ledger.sqlite3"
    fill_ledger(path, small_pack, 3)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("ALTER TABLE records RENAME TO old")
    conn.execute(
        "CREATE TABLE records (id TEXT, created_at TEXT, tender TEXT, ruleset TEXT, winner TEXT, prev_hash TEXT, "
        "hash TEXT, record TEXT)"
    )
    conn.execute(
        "INSERT INTO records SELECT CASE WHEN id = 2 THEN 'two' ELSE id END, created_at, tender, "
        "ruleset, winner, prev_hash, hash, record FROM old"
    )
    conn.execute("DROP TABLE old")
    conn.close()
    for args in (["ledger", "verify"], ["ledger", "list"], ["score", str(small_pack), "--format", "json"]):
        result = invoke(*args, "--ledger", path)
        assert result.exit_code == 4, (args, result.output)
        assert "Traceback" not in result.output
        assert "stored as str '1'" in result.stderr or "stored as str '3'" in result.stderr, result.stderr
    assert (
        "record 1: its id is stored as str '1', not the integer 1"
        in invoke("ledger", "verify", "--ledger", path).stderr
    )
