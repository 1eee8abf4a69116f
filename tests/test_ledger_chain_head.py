"""`score` refuses to append onto a broken chain, at a cost that does not grow with the chain (issue 13, item 6)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import fill_ledger, invoke
from tenderscore.engine import canonical_json
from tenderscore.scoring.audit import ChainBroken, Ledger, chain

TRIGGERS = ("records_append_only_update", "records_append_only_delete")


def tamper_quietly(path: Path, record_id: int) -> None:
    """Change an old record's result and put the append-only triggers back as they were, as an attacker would."""
    conn = sqlite3.connect(path, isolation_level=None)
    saved = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall())
    for name in TRIGGERS:
        conn.execute(f"DROP TRIGGER {name}")
    (text,) = conn.execute("SELECT record FROM records WHERE id = ?", (record_id,)).fetchone()
    record = json.loads(text)
    record["result"]["bids"][0]["total"] = "99.99"
    conn.execute("UPDATE records SET record = ? WHERE id = ?", (canonical_json(record).decode(), record_id))
    for name in TRIGGERS:
        conn.execute(saved[name])
    conn.close()


def test_score_refuses_to_append_onto_a_chain_broken_at_record_10_of_36(tmp_path: Path, small_pack: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    fill_ledger(path, small_pack, 36)
    tamper_quietly(path, 10)
    out = tmp_path / "result.json"
    result = invoke("score", small_pack, "--ledger", path, "--format", "json", "--output", out)
    assert result.exit_code == 4, result.output
    assert "record 10: its result section does not match" in result.stderr
    assert "refusing to append" in result.stderr
    assert not out.exists()
    with Ledger(path, create=False) as book:
        assert book.last_id() == 36


def test_an_append_onto_an_intact_chain_reads_only_its_head(
    tmp_path: Path, small_pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Constant work per append: with 36 records in place, appending walks none of them and checks one (the head,
    # when another connection wrote it), however long the chain.
    path = tmp_path / "ledger.sqlite3"
    fill_ledger(path, small_pack, 36)
    fed: list[Any] = []
    checked: list[Any] = []
    feed, check = chain.ChainWalk.feed, chain.check_row
    monkeypatch.setattr(chain.ChainWalk, "feed", lambda self, row: fed.append(row.id) or feed(self, row))
    monkeypatch.setattr(chain, "check_row", lambda row, store: checked.append(row.id) or check(row, store))
    fill_ledger(path, small_pack, 1)
    assert fed == [] and checked == [36]


def test_insert_or_replace_cannot_swap_an_old_record(tmp_path: Path, small_pack: Path) -> None:
    # REPLACE deletes the row it replaces without firing delete triggers: the insert guard refuses it.
    path = tmp_path / "ledger.sqlite3"
    fill_ledger(path, small_pack, 3)
    conn = sqlite3.connect(path, isolation_level=None)
    row = conn.execute("SELECT * FROM records WHERE id = 2").fetchone()
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)
    conn.close()


def test_newest_records_removed_with_the_head_left_are_found(tmp_path: Path, small_pack: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    fill_ledger(path, small_pack, 4)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER records_append_only_delete")
    conn.execute("DELETE FROM records WHERE id > 2")
    conn.close()
    result = invoke("ledger", "verify", "--ledger", path)
    assert result.exit_code == 4
    assert "recorded 4 records at its last append" in result.stderr and "newer records were removed" in result.stderr
    scored = invoke("score", small_pack, "--ledger", path, "--format", "json")
    assert scored.exit_code == 4 and "records were removed" in scored.stderr


def test_a_ledger_of_an_older_version_is_walked_once_then_kept_with_a_head(tmp_path: Path, small_pack: Path) -> None:
    # An older ledger has no recorded head, no insert guard and no application id: its first append walks the
    # whole chain (and refuses a broken one); after that it has a head like any other.
    path = tmp_path / "ledger.sqlite3"
    fill_ledger(path, small_pack, 3)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TABLE chain_head")
    conn.execute("DROP TRIGGER records_append_only_insert")
    conn.execute("PRAGMA application_id = 0")
    conn.close()
    tamper_quietly(path, 1)
    with pytest.raises(ChainBroken, match="record 1: its result section"):
        fill_ledger(path, small_pack, 1)
    fresh = tmp_path / "fresh.sqlite3"
    fill_ledger(fresh, small_pack, 2)
    conn = sqlite3.connect(fresh, isolation_level=None)
    conn.execute("DROP TABLE chain_head")
    conn.execute("PRAGMA application_id = 0")
    conn.close()
    fill_ledger(fresh, small_pack, 1)
    conn = sqlite3.connect(fresh, isolation_level=None)
    assert conn.execute("SELECT count FROM chain_head").fetchone() == (3,)
    conn.close()
