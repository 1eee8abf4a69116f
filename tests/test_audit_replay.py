"""`replay`: a record re-scored from itself alone matches byte for byte, and a difference is shown plainly."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, STOCKPORT_PACK, all_scores, basic_bid, basic_tender, invoke
from tenderscore.engine import canonical_json
from tenderscore.scoring import points
from tenderscore.scoring.audit import replay as replay_module
from tenderscore.scoring.audit.record import DETERMINISTIC, seal, section_digests

CLI = [sys.executable, "-c", "from tenderscore.scoring.cli import main; main()"]
# A fresh interpreter re-scores an exported record from its own texts and prints the sha256 of the canonical
# result and firings it computed.
RESCORE = """
import sys
from pathlib import Path
from tenderscore.engine import canonical_json, sha256_hex
from tenderscore.scoring.audit.record import deterministic_parts, parse_record
from tenderscore.scoring.audit.replay import rebuild_pack
from tenderscore.scoring.evaluate import evaluate
record = parse_record(Path(sys.argv[1]).read_text(encoding="utf-8"), sys.argv[1])
print(sha256_hex(canonical_json(deterministic_parts(evaluate(rebuild_pack(record))))))
"""


def export(record_id: int, target: Path, ledger: Path | None = None) -> dict[str, Any]:
    args = ["ledger", "export", str(record_id), "--output", str(target)]
    result = invoke(*args, *(["--ledger", str(ledger)] if ledger else []))
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    return data


def reseal(record: dict[str, Any]) -> dict[str, Any]:
    """A record as a different (say, older) tool would have sealed it: consistent hashes, other figures."""
    record["digests"] = section_digests(record)
    return seal(record, record["seq"], record["prev_hash"])


def test_replay_a_ledger_record_and_a_record_file(tmp_path: Path) -> None:
    assert invoke("score", STOCKPORT_PACK).exit_code == 0
    by_id = invoke("replay", "1")
    assert by_id.exit_code == 0, by_id.output
    assert "record 1: replays identically, byte for byte" in by_id.stdout
    # 43 firings of scoring, and 19 charter notices: castle 2, acme 3, brennan 4, evergreen 3, dale 5, fairfield 2.
    assert "6 bids, 62 firings" in by_id.stdout
    record = export(1, tmp_path / "record.json")
    by_file = invoke("replay", tmp_path / "record.json")
    assert by_file.exit_code == 0
    assert (
        f"{tmp_path / 'record.json'}: replays identically, byte for byte (sha256 {record['hash'][:16]}"
        in by_file.stdout
    )


def test_replay_uses_the_recorded_ruleset_not_the_file_on_disk(make_pack: Callable[..., Path], tmp_path: Path) -> None:
    rules = tmp_path / "my-rules.yaml"
    shutil.copy(ROOT / "rulesets" / "stockport.yaml", rules)
    pack = make_pack(
        basic_tender(ruleset=str(rules)),
        {
            "a": basic_bid("Alpha Ltd", "90000.00", [{"measure": "NT1", "quantity": 1}]),
            "b": basic_bid("Beta Ltd", "90000.00", [{"measure": "NT7", "quantity": 100}]),
        },
        all_scores(["a", "b"]),
    )
    assert invoke("score", pack).exit_code == 0
    text = rules.read_text(encoding="utf-8")
    assert text.count('proxy_gbp: "12654.00"') == 1
    rules.write_text(text.replace('proxy_gbp: "12654.00"', 'proxy_gbp: "20000.00"'), encoding="utf-8")
    assert invoke("score", pack).exit_code == 0

    first, second = (export(n, tmp_path / f"r{n}.json") for n in (1, 2))

    def jobs_points(record: dict[str, Any], bid_id: str) -> str:
        bid = next(b for b in record["result"]["bids"] if b["bid_id"] == bid_id)
        return str(bid["social_value"]["themes"]["jobs"]["points"])

    # Jobs weight 6. Before: a offers 1 × 12654.00, b 100 × 32.00 = 3200.00: b gets 6 × 3200 / 12654 = 1.517… → 1.52.
    # After the edit a offers 1 × 20000.00, so b gets 6 × 3200 / 20000 = 0.96: the file on disk matters to score.
    assert (jobs_points(first, "a"), jobs_points(first, "b")) == ("6.00", "1.52")
    assert (jobs_points(second, "a"), jobs_points(second, "b")) == ("6.00", "0.96")

    # ...but not to replay, which reads the ruleset from the record: record 1 still replays exactly, even with the
    # file gone altogether.
    rules.unlink()
    result = invoke("replay", "1")
    assert result.exit_code == 0, result.output
    assert "replays identically" in result.stdout
    assert invoke("replay", "2").exit_code == 0


def test_replay_in_fresh_processes_with_other_hash_seeds_matches_byte_for_byte(tmp_path: Path) -> None:
    ledger = tmp_path / "seeded.sqlite3"
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    scored = subprocess.run([*CLI, "score", str(STOCKPORT_PACK), "--ledger", str(ledger)], env=env, capture_output=True)
    assert scored.returncode == 0, scored.stderr
    record = export(1, tmp_path / "record.json", ledger)
    recorded = hashlib.sha256(canonical_json({key: record[key] for key in DETERMINISTIC})).hexdigest()
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        rescored = subprocess.run(
            [sys.executable, "-c", RESCORE, str(tmp_path / "record.json")], env=env, capture_output=True, text=True
        )
        assert rescored.stdout.strip() == recorded, rescored.stderr
        replayed = subprocess.run(
            [*CLI, "replay", str(tmp_path / "record.json")], env=env, capture_output=True, text=True
        )
        assert replayed.returncode == 0, replayed.stderr
        assert "replays identically, byte for byte" in replayed.stdout


def test_a_record_that_does_not_verify_is_reported_before_replaying(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke("score", STOCKPORT_PACK).exit_code == 0
    record = export(1, tmp_path / "record.json")
    record["result"]["bids"][0]["total"] = "99.99"
    (tmp_path / "record.json").write_text(json.dumps(record), encoding="utf-8")

    def must_not_score(*args: object) -> None:
        raise AssertionError("a record that does not verify must not be replayed")

    monkeypatch.setattr(replay_module, "evaluate", must_not_score)
    result = invoke("replay", tmp_path / "record.json")
    assert result.exit_code == 4
    assert "its result section does not match the digest recorded for it" in result.stderr


def test_a_different_result_is_shown_by_bid_and_figure(tmp_path: Path) -> None:
    assert invoke("score", STOCKPORT_PACK).exit_code == 0
    record = export(1, tmp_path / "record.json")
    acme = next(b for b in record["result"]["bids"] if b["bid_id"] == "acme")
    assert acme["quality"]["questions"]["Q1"]["points"] == "20.00"
    acme["quality"]["questions"]["Q1"]["points"] = "21.00"
    (tmp_path / "record.json").write_text(json.dumps(reseal(record)), encoding="utf-8")

    result = invoke("replay", tmp_path / "record.json")
    assert result.exit_code == 4
    assert "replays differently (1 difference):" in result.stdout
    assert "bid acme: quality.questions.Q1.points: recorded 21.00, now 20.00" in result.stdout
    assert "the replay does not match the record" in result.stderr


def test_a_scoring_change_since_the_record_shows_every_moved_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    assert invoke("score", STOCKPORT_PACK).exit_code == 0
    original = points.price_points

    def a_penny_more(
        method: str, weight: Decimal, price: Decimal, lowest: Decimal, highest: Decimal | None = None
    ) -> Decimal:
        return original(method, weight, price, lowest, highest) + Decimal("0.01")

    monkeypatch.setattr(points, "price_points", a_penny_more)
    result = invoke("replay", "1")
    assert result.exit_code == 4
    # castle: price 40 × 860000 / 1260000 = 27.30 → now 27.31; total 27.30 + 34.00 + 15.20 = 76.50 → now 76.51.
    assert "bid castle: price.points: recorded 27.30, now 27.31" in result.stdout
    assert "bid castle: total: recorded 76.50, now 76.51" in result.stdout
    assert "bid evergreen: price.points: recorded 40.00, now 40.01" in result.stdout
    assert "summary: recorded Castle Infrastructure Group plc ranks first with 76.50 points." in result.stdout


def test_replay_of_nothing(tmp_path: Path) -> None:
    missing = invoke("replay", "3")
    assert missing.exit_code == 2 and "no ledger here yet" in missing.stderr
    nonsense = invoke("replay", tmp_path / "nope.json")
    assert nonsense.exit_code == 2 and "expected a decision record file" in nonsense.stderr
    not_json = tmp_path / "bad.json"
    not_json.write_text("{not json", encoding="utf-8")
    bad = invoke("replay", not_json)
    assert bad.exit_code == 2 and "not valid JSON" in bad.stderr
