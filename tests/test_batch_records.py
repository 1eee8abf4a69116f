"""`replay` and `ledger verify` over many records: ids, ranges, folders and --all, failures kept to their record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import all_scores, basic_bid, basic_tender, invoke, write_pack
from tenderscore.scoring.audit.record import seal, section_digests
from tenderscore.scoring.batch.records import expand_records


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    """A ledger holding the records of three small packs, scored in one batch (records 1, 2, 3)."""
    for number in (1, 2, 3):
        bids = {"alpha": basic_bid("Alpha Ltd", "100000.00"), "beta": basic_bid("Beta Ltd", f"1{number}0000.00")}
        write_pack(tmp_path / "period" / f"p{number}", basic_tender(id=f"T-{number}"), bids, all_scores(list(bids)))
    path = tmp_path / "ledger.sqlite3"
    result = invoke("score", tmp_path / "period", "--output-dir", tmp_path / "out", "--ledger", path)
    assert result.exit_code == 0, result.output
    return path


def _export(ledger: Path, record_id: int, folder: Path) -> dict[str, Any]:
    folder.mkdir(exist_ok=True)
    target = folder / f"record-{record_id}.json"
    assert invoke("ledger", "export", str(record_id), "--ledger", ledger, "--output", target).exit_code == 0
    data: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    return data


def _resealed(record: dict[str, Any], prev_hash: str | None = None) -> dict[str, Any]:
    """A record whose own hash verifies again after a change (as a forger with the format in hand could make)."""
    record["digests"] = section_digests(record)
    return seal(record, record["seq"], record["prev_hash"] if prev_hash is None else prev_hash)


def test_record_references_expand_in_the_order_given(tmp_path: Path) -> None:
    folder = tmp_path / "exported"
    folder.mkdir()
    for name in ("b.json", "a.json", "notes.txt"):
        (folder / name).write_text("{}", encoding="utf-8")
    assert expand_records(["7", "2-4", str(folder), "x.json"], last_id=10) == [
        "7",
        "2",
        "3",
        "4",
        str(folder / "a.json"),
        str(folder / "b.json"),
        "x.json",
    ]


def test_an_id_range_stops_at_the_ledgers_last_record() -> None:
    # Found in review: `replay 1-100000000` built a hundred million references and ran out of memory.
    assert expand_records(["2-100000000"], last_id=4) == ["2", "3", "4"]
    assert expand_records(["9-12"], last_id=4) == ["9-12"]  # nothing there: one reference, "no such record"
    assert expand_records(["1-3"], last_id=None) == ["1-3"]  # no ledger at all


def test_replay_all_replays_every_record_and_sums_up(ledger: Path) -> None:
    result = invoke("replay", "--all", "--jobs", "2", "--ledger", ledger)
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()[2:5]
    # Each pack has 2 bids with no commitments, every gate passed and no minimum missed, and with one other
    # eligible price there is no abnormally low check: the only firings are the tender's policy status
    # (meets_target, 20%) and its portal notice (£100,000 > £50,000), and for each bid, which states no charter
    # facts, the two "not stated" notices (Real Living Wage, Good Employment Charter): 2 + 2 × 2 = 6 per pack.
    expected = [[f"T-{n}", "identical", "2", "bids,", "6", "firings"] for n in (1, 2, 3)]
    assert [row.split()[-6:] for row in rows] == expected
    assert result.stdout.endswith("3 records: 3 identical\n")


def test_one_record_that_differs_is_listed_and_never_stops_the_others(ledger: Path, tmp_path: Path) -> None:
    exported = tmp_path / "exported"
    for record_id in (1, 2, 3):
        _export(ledger, record_id, exported)
    forged = json.loads((exported / "record-2.json").read_text(encoding="utf-8"))
    forged["result"]["bids"][0]["total"] = "99.99"
    (exported / "record-2.json").write_text(json.dumps(_resealed(forged)), encoding="utf-8")
    result = invoke("replay", exported, "--jobs", "2")
    assert result.exit_code == 4
    assert f"{exported / 'record-2.json'}: the replay does not match the record" in result.stderr
    # The published total of Alpha (rank 1: 40 + 32 + 3 = 75.00) was forged to 99.99; the replay says so.
    assert "recorded 99.99, now 75.00" in result.stdout
    statuses = [line.split()[2] for line in result.stdout.splitlines() if line.startswith(str(exported))]
    assert statuses == ["identical", "differs", "identical"]


def test_verify_many_records_checks_each_hash_and_each_link(ledger: Path, tmp_path: Path) -> None:
    exported = tmp_path / "exported"
    for record_id in (1, 2, 3):
        _export(ledger, record_id, exported)
    clean = invoke("ledger", "verify", exported)
    assert clean.exit_code == 0, clean.output
    assert clean.stdout.endswith("3 records: 3 intact\n")
    # Record 3 re-sealed onto a made-up predecessor: its own hash verifies, its link to record 2 does not.
    relinked = json.loads((exported / "record-3.json").read_text(encoding="utf-8"))
    (exported / "record-3.json").write_text(json.dumps(_resealed(relinked, "0" * 64)), encoding="utf-8")
    # Record 1 changed without re-sealing: its own hash fails.
    tampered = json.loads((exported / "record-1.json").read_text(encoding="utf-8"))
    tampered["pack"]["files"][0]["text"] += " "
    (exported / "record-1.json").write_text(json.dumps(tampered), encoding="utf-8")
    result = invoke("ledger", "verify", exported, "--jobs", "2")
    assert result.exit_code == 4
    statuses = [line.split()[2] for line in result.stdout.splitlines() if line.startswith(str(exported))]
    assert statuses == ["broken", "intact", "broken"]
    errors = result.stderr.splitlines()
    assert errors[0].startswith(f"Error: {exported / 'record-1.json'}: ")
    assert errors[1].startswith(f"Error: {exported / 'record-3.json'}: its prev_hash is not the hash of record 2")


def test_ids_and_ranges_of_the_ledger_verify_and_a_missing_one_is_an_input_error(ledger: Path) -> None:
    result = invoke("ledger", "verify", "1-3", "9", "--ledger", ledger)
    assert result.exit_code == 2
    statuses = [[word for word in line.split() if word in ("intact", "error")] for line in result.stdout.splitlines()]
    assert statuses[2:6] == [["intact"], ["intact"], ["intact"], ["error"]]
    assert "no record 9 (records are numbered 1 to 3)" in result.stderr


def test_a_single_record_replays_exactly_as_before(ledger: Path) -> None:
    result = invoke("replay", "2", "--ledger", ledger)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"ledger {ledger}: record 2: replays identically, byte for byte")
