"""The ledger: tamper evidence (any changed byte, a removed record), append-only guards, list/show/export."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import invoke
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tenderscore.engine import canonical_json
from tenderscore.scoring.audit import ChainBroken, Ledger, StoredRecord, build_record
from tenderscore.scoring.audit.record import record_problem, seal, section_digests
from tenderscore.scoring.evaluate import evaluate
from tenderscore.scoring.pack import load_pack

Change = Callable[[dict[str, Any]], None]


def fill(path: Path, pack: Path, count: int) -> list[StoredRecord]:
    loaded = load_pack(pack)
    evaluation = evaluate(loaded)
    with Ledger(path) as book:
        return [book.append(build_record(loaded, evaluation)) for _ in range(count)]


def raw(path: Path) -> sqlite3.Connection:
    """The file as an attacker sees it: plain SQLite, with the append-only triggers dropped."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS records_append_only_update")
    conn.execute("DROP TRIGGER IF EXISTS records_append_only_delete")
    return conn


def stored_record(path: Path, record_id: int) -> Any:
    conn = raw(path)
    try:
        return json.loads(conn.execute("SELECT record FROM records WHERE id = ?", (record_id,)).fetchone()[0])
    finally:
        conn.close()  # Python 3.13 warns of a connection left to the garbage collector


def tamper(path: Path, record_id: int, change: Change) -> None:
    conn = raw(path)
    (text,) = conn.execute("SELECT record FROM records WHERE id = ?", (record_id,)).fetchone()
    record = json.loads(text)
    change(record)
    # Written back canonically, so the only difference is the change itself.
    conn.execute("UPDATE records SET record = ? WHERE id = ?", (canonical_json(record).decode("utf-8"), record_id))
    conn.close()


def verify_fails(path: Path) -> str:
    result = invoke("ledger", "verify", "--ledger", path)
    assert result.exit_code == 4, result.output
    assert "Traceback" not in result.output
    return str(result.stderr)


def _edit_file(record: dict[str, Any]) -> None:
    bid = next(f for f in record["pack"]["files"] if f["name"] == "bids/a.yaml")
    bid["text"] = bid["text"].replace("90000.00", "80000.00")


def _edit_file_and_its_sha(record: dict[str, Any]) -> None:
    _edit_file(record)
    bid = next(f for f in record["pack"]["files"] if f["name"] == "bids/a.yaml")
    bid["sha256"] = hashlib.sha256(bid["text"].encode("utf-8")).hexdigest()


def _edit_result(record: dict[str, Any]) -> None:
    record["result"]["bids"][0]["total"] = "99.99"


def _edit_detail(record: dict[str, Any]) -> None:
    record["detail"]["result"]["bids"][0]["commitments"][0]["value_gbp"] = "12655.00"


def _edit_firing(record: dict[str, Any]) -> None:
    record["firings"][1]["effect"]["amount"] = "1.00"


def _edit_ruleset(record: dict[str, Any]) -> None:
    record["ruleset"]["text"] = record["ruleset"]["text"].replace('proxy_gbp: "12654.00"', 'proxy_gbp: "99999.00"')


def _edit_time(record: dict[str, Any]) -> None:
    record["created_at"] = "2020-01-01T00:00:00.000000Z"


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (_edit_file, "input file bids/a.yaml: its text does not match its sha256"),
        (_edit_file_and_its_sha, "its pack section does not match the digest recorded for it"),
        (_edit_result, "its result section does not match the digest recorded for it"),
        (_edit_detail, "its detail section does not match the digest recorded for it"),
        (_edit_firing, "its firings section does not match the digest recorded for it"),
        (_edit_ruleset, "ruleset stockport: its text does not match its sha256"),
        (_edit_time, "its content does not match its hash"),
    ],
)
def test_a_changed_record_fails_verify_naming_it(tmp_path: Path, small_pack: Path, change: Change, why: str) -> None:
    path = tmp_path / "ledger.sqlite3"
    fill(path, small_pack, 3)
    assert invoke("ledger", "verify", "--ledger", path).exit_code == 0
    before = stored_record(path, 2)
    tamper(path, 2, change)
    after = stored_record(path, 2)
    assert after != before  # the edit really landed
    stderr = verify_fails(path)
    assert f"record 2: {why}" in stderr


def test_a_changed_record_still_fails_when_its_hash_is_recomputed(tmp_path: Path, small_pack: Path) -> None:
    # An attacker who re-hashes the changed record still breaks the link from the record after it.
    path = tmp_path / "ledger.sqlite3"
    fill(path, small_pack, 3)

    def reseal(record: dict[str, Any]) -> None:
        _edit_result(record)
        record["digests"] = section_digests(record)
        record.update(seal(record, record["seq"], record["prev_hash"]))

    tamper(path, 2, reseal)
    conn = raw(path)
    new_hash = json.loads(conn.execute("SELECT record FROM records WHERE id = 2").fetchone()[0])["hash"]
    conn.execute("UPDATE records SET hash = ? WHERE id = 2", (new_hash,))
    conn.close()
    assert "record 3: its prev_hash" in verify_fails(path)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(record_id=st.integers(1, 3), where=st.floats(0, 1, exclude_max=True), delta=st.integers(1, 255))
def test_any_changed_byte_fails_verify_naming_the_record(
    tmp_path_factory: pytest.TempPathFactory, small_pack: Path, record_id: int, where: float, delta: int
) -> None:
    folder = tmp_path_factory.mktemp("bytes")
    path = folder / "ledger.sqlite3"
    fill(path, small_pack, 3)
    conn = raw(path)
    (data,) = conn.execute("SELECT CAST(record AS BLOB) FROM records WHERE id = ?", (record_id,)).fetchone()
    offset = int(where * len(data))
    changed = bytearray(data)
    changed[offset] = (changed[offset] + delta) % 256
    conn.execute("UPDATE records SET record = CAST(? AS TEXT) WHERE id = ?", (bytes(changed), record_id))
    conn.close()
    with Ledger(path, create=False) as book, pytest.raises(ChainBroken) as broken:
        book.verify()
    assert broken.value.where == f"ledger {path}: record {record_id}"


@pytest.mark.parametrize(
    ("statements", "why"),
    [
        (["DELETE FROM records WHERE id = 2"], "record 3: expected record 2 next: record 2 is missing from the chain"),
        (
            ["DELETE FROM records WHERE id = 2", "UPDATE records SET id = id - 1 WHERE id > 2"],
            "record 2: the record says it is record 3",
        ),
        (["DELETE FROM records WHERE id = 1"], "record 2: expected record 1 next: record 1 is missing from the chain"),
        (
            ["DELETE FROM records WHERE id IN (2, 3)"],
            "record 4: expected record 2 next: records 2 to 3 are missing from the chain",
        ),
        (
            ["UPDATE records SET winner = 'Beta Ltd' WHERE id = 1"],
            "record 1: its listed time, tender, ruleset or winner do not match the record",
        ),
        (["UPDATE records SET prev_hash = NULL WHERE id = 2"], "record 2: its hash columns do not match the record"),
    ],
)
def test_rows_removed_or_edited_in_place_are_detected(
    tmp_path: Path, small_pack: Path, statements: list[str], why: str
) -> None:
    path = tmp_path / "ledger.sqlite3"
    fill(path, small_pack, 4)
    conn = raw(path)
    for statement in statements:
        conn.execute(statement)
    conn.close()
    assert why in verify_fails(path)


def test_triggers_refuse_update_and_delete(tmp_path: Path, small_pack: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    fill(path, small_pack, 1)
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE records SET winner = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM records")
    conn.close()


def test_score_refuses_to_append_after_a_tampered_head(tmp_path: Path, small_pack: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    fill(path, small_pack, 2)
    tamper(path, 2, _edit_result)
    out = tmp_path / "result.json"
    result = invoke("score", small_pack, "--ledger", path, "--format", "json", "--output", out)
    assert result.exit_code == 4
    assert "record 2: its result section does not match" in result.stderr
    assert "refusing to append" in result.stderr
    assert not out.exists()  # no result is published without its record


def test_a_head_tampered_between_two_appends_of_one_connection_is_refused(tmp_path: Path, small_pack: Path) -> None:
    # A batch appends through one connection, which skips re-checking a head byte for byte as it wrote it:
    # a head changed by anyone since, even with its text written canonically, is checked and refused.
    path = tmp_path / "ledger.sqlite3"
    loaded = load_pack(small_pack)
    body = build_record(loaded, evaluate(loaded))
    with Ledger(path) as book:
        book.append(body)
        book.append(body)  # the head is the first record, as this connection wrote it
        tamper(path, 2, _edit_result)
        with pytest.raises(ChainBroken, match="record 2: its result section does not match"):
            book.append(body)
    with Ledger(path, create=False) as book:
        assert [e.id for e in book.entries()] == [1, 2]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_a_null_swapped_for_a_non_json_number_fails_verify(tmp_path: Path, small_pack: Path, constant: str) -> None:
    # Python's json reads NaN and the infinities as floats, which canonical JSON cannot write back as they
    # were: read, they would re-hash as null and pass. They are refused as not JSON instead.
    path = tmp_path / "ledger.sqlite3"
    fill(path, small_pack, 1)
    conn = raw(path)
    (text,) = conn.execute("SELECT record FROM records WHERE id = 1").fetchone()
    assert '"prev_hash":null' in text
    conn.execute(
        "UPDATE records SET record = ? WHERE id = 1", (text.replace('"prev_hash":null', f'"prev_hash":{constant}'),)
    )
    conn.close()
    assert f"record 1: its stored record is not valid JSON ({constant} is not a JSON number)" in verify_fails(path)
    replayed = invoke("replay", "1", "--ledger", path)
    assert replayed.exit_code == 4 and "Traceback" not in replayed.output


def test_verify_an_intact_chain(tmp_path: Path, small_pack: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    stored = fill(path, small_pack, 3)
    result = invoke("ledger", "verify", "--ledger", path)
    assert result.exit_code == 0
    assert f"3 records, chain intact, head {stored[-1].hash}" in result.stdout
    # Each record links to the one before it.
    assert [s.record["prev_hash"] for s in stored] == [None, stored[0].hash, stored[1].hash]


def test_verify_missing_and_foreign_files(tmp_path: Path) -> None:
    missing = invoke("ledger", "verify", "--ledger", tmp_path / "none.sqlite3")
    assert missing.exit_code == 2 and "no ledger here yet" in missing.stderr
    assert not (tmp_path / "none.sqlite3").exists()
    foreign = tmp_path / "notes.txt"
    foreign.write_text("not a database\n" * 100, encoding="utf-8")
    result = invoke("ledger", "verify", "--ledger", foreign)
    assert result.exit_code == 2 and "not a tenderscore ledger" in result.stderr
    other_db = tmp_path / "other.sqlite3"
    sqlite3.connect(other_db).execute("CREATE TABLE t (x)").connection.close()
    result = invoke("ledger", "list", "--ledger", other_db)
    assert result.exit_code == 2 and "not a tenderscore ledger (it has no records table)" in result.stderr


def test_list_show_and_export(tmp_path: Path, small_pack: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    stored = fill(path, small_pack, 2)
    listed = invoke("ledger", "list", "--ledger", path)
    assert listed.exit_code == 0
    # a: 40 × 90000/90000 = 40.00 price, beats b on price and on its NT1 jobs value; a wins.
    row = next(line for line in listed.stdout.splitlines() if line.startswith("2 "))
    assert "T-1" in row and "stockport@2026.2" in row and "Alpha Ltd" in row and stored[1].hash[:16] in row
    as_json = json.loads(invoke("ledger", "list", "--ledger", path, "--format", "json").stdout)
    assert [(e["id"], e["hash"], e["winner"]) for e in as_json] == [
        (1, stored[0].hash, "Alpha Ltd"),
        (2, stored[1].hash, "Alpha Ltd"),
    ]

    shown = invoke("ledger", "show", "2", "--ledger", path)
    assert shown.exit_code == 0
    assert f"hash       {stored[1].hash}" in shown.stdout and f"previous   {stored[0].hash}" in shown.stdout
    assert "bids/a.yaml  sha256" in shown.stdout and "Alpha Ltd ranks first" in shown.stdout
    assert json.loads(invoke("ledger", "show", "2", "--ledger", path, "--format", "json").stdout) == stored[1].record

    exported = invoke("ledger", "export", "2", "--ledger", path)
    assert exported.stdout_bytes == canonical_json(stored[1].record) + b"\n"
    target = tmp_path / "record-2.json"
    assert invoke("ledger", "export", "2", "--ledger", path, "--output", target).exit_code == 0
    assert record_problem(json.loads(target.read_text(encoding="utf-8"))) is None

    unknown = invoke("ledger", "show", "9", "--ledger", path)
    assert unknown.exit_code == 2 and "no record 9 (records are numbered 1 to 2)" in unknown.stderr


def test_show_and_export_refuse_a_tampered_record(tmp_path: Path, small_pack: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    fill(path, small_pack, 1)
    tamper(path, 1, _edit_firing)
    for command in ("show", "export"):
        result = invoke("ledger", command, "1", "--ledger", path)
        assert result.exit_code == 4 and "record 1: its firings section does not match" in result.stderr
