"""Decision records: self-contained, canonical, hashed as formats.md says; `score` keeps one per run."""

from __future__ import annotations

import ast
import hashlib
import json
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import platformdirs
import pytest
from conftest import STOCKPORT_PACK, all_scores, basic_bid, basic_tender, invoke
from tenderscore import scoring
from tenderscore.engine import canonical_json
from tenderscore.scoring.audit import ledger_path
from tenderscore.scoring.audit.record import record_problem

ROOT = Path(__file__).resolve().parent.parent


def independent_hash(record: dict[str, object]) -> str:
    """sha256 of the canonical JSON without `hash`, written out here rather than taken from the library."""
    body = {key: value for key, value in record.items() if key != "hash"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stored_rows(path: Path) -> list[tuple[int, str]]:
    # closing(): a connection's own `with` ends a transaction, not the connection (3.13 warns of the leak).
    with closing(sqlite3.connect(path)) as conn:
        return list(conn.execute("SELECT id, record FROM records ORDER BY id"))


def test_score_keeps_a_self_contained_record_of_the_shipped_pack(_private_ledger: Path) -> None:
    scored = invoke("score", STOCKPORT_PACK, "--format", "json")
    assert scored.exit_code == 0, scored.output
    ((record_id, text),) = stored_rows(_private_ledger)
    record = json.loads(text)
    assert record_id == 1 and record["seq"] == 1 and record["prev_hash"] is None
    # Canonical: the stored text is exactly sorted keys, no insignificant whitespace, UTF-8 as written.
    assert text == json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert text.encode("utf-8") == canonical_json(record)  # the engine's one canonical form, byte for byte
    assert record["hash"] == independent_hash(record)
    assert record["tool"] == {"name": "tenderscore", "version": scoring.__version__}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", record["created_at"])

    ruleset_text = (ROOT / "rulesets" / "stockport.yaml").read_text(encoding="utf-8")
    assert record["ruleset"]["text"] == ruleset_text
    assert record["ruleset"]["text_sha256"] == hashlib.sha256(ruleset_text.encode("utf-8")).hexdigest()
    assert (record["ruleset"]["id"], record["ruleset"]["version"]) == ("stockport", "2026.2")

    on_disk = {
        path.relative_to(STOCKPORT_PACK).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(STOCKPORT_PACK.rglob("*"))
        if path.is_file()
    }
    files = {f["name"]: f for f in record["pack"]["files"]}
    assert set(files) == set(on_disk)
    for name, text_on_disk in on_disk.items():
        assert files[name]["text"] == text_on_disk
        assert files[name]["sha256"] == hashlib.sha256(text_on_disk.encode("utf-8")).hexdigest()

    # The full result in the formats.md shape is exactly what `score --format json` printed.
    assert record["result"] == json.loads(scored.stdout)
    firings = record["firings"]
    assert [f["seq"] for f in firings] == list(range(1, len(firings) + 1))
    # The tender's policy fires first; every firing names its rule, the fact it matched and its effect.
    assert firings[0]["rule"] == "policy.meets_target" and firings[0]["bid"] is None
    assert firings[0]["fact"]["kind"] == "tender" and firings[0]["effect"]["value"] == "meets_target"
    castle_nt1 = next(f for f in firings if f["bid"] == "castle" and f["rule"] == "value.NT1")
    # castle commits 10 FTE-years of NT1 at £12,654.00: 10 × 12654.00 = 126540.00.
    assert castle_nt1["effect"] == {"type": "value", "quantity": "10", "rate": "12654.00", "amount": "126540.00"}
    assert record_problem(record) is None


def test_score_reports_the_ledger_path_on_stderr_only(_private_ledger: Path) -> None:
    scored = invoke("score", STOCKPORT_PACK, "--format", "json")
    assert json.loads(scored.stdout)["bids"][0]["bid_id"] == "castle"
    text = stored_rows(_private_ledger)[0][1]
    record_hash = json.loads(text)["hash"]
    assert f"Decision record 1 (sha256 {record_hash}) appended to ledger {_private_ledger}" in scored.stderr


def test_no_ledger_keeps_no_record(_private_ledger: Path) -> None:
    scored = invoke("score", STOCKPORT_PACK, "--no-ledger")
    assert scored.exit_code == 0
    assert not _private_ledger.exists()
    assert "ledger" not in scored.stderr


def test_ledger_and_no_ledger_together_is_a_usage_error(tmp_path: Path) -> None:
    scored = invoke("score", STOCKPORT_PACK, "--ledger", tmp_path / "x.sqlite3", "--no-ledger")
    assert scored.exit_code == 2
    assert "contradict" in scored.stderr
    assert not (tmp_path / "x.sqlite3").exists()


def test_ledger_option_beats_the_environment(tmp_path: Path, _private_ledger: Path) -> None:
    chosen = tmp_path / "elsewhere" / "audit.sqlite3"
    assert invoke("score", STOCKPORT_PACK, "--ledger", chosen).exit_code == 0
    assert len(stored_rows(chosen)) == 1
    assert not _private_ledger.exists()


def test_default_ledger_is_in_the_user_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TENDERSCORE_LEDGER")
    assert ledger_path() == Path(platformdirs.user_data_dir("tenderscore")) / "ledger.sqlite3"
    assert ledger_path(tmp_path / "given.sqlite3") == tmp_path / "given.sqlite3"


def test_a_refused_or_invalid_pack_leaves_no_record(make_pack: Callable[..., Path], _private_ledger: Path) -> None:
    # 12% social value on a competitive £100k tender is under Stockport's 15% floor with no exemption: refused.
    refused = make_pack(
        basic_tender(
            weights={"price": 48, "quality": 40, "social_value": 12},
            social_value={
                "themes": {"jobs": 7, "growth": 0, "social": 0, "environment": 0, "innovation": 0},
                "questions": [{"id": "SV1", "title": "SV plan", "weight": 5, "min_score": 1}],
            },
        ),
        {"a": basic_bid("A Ltd", "1000.00")},
        all_scores(["a"]),
    )
    assert invoke("score", refused).exit_code == 3
    broken = make_pack(basic_tender(), {"a": basic_bid("A Ltd", "-5")}, all_scores(["a"]))
    assert invoke("score", broken).exit_code == 2
    assert not _private_ledger.exists()


def test_auditing_never_imports_the_renderers() -> None:
    # Outputs sit above audit (engine <- scoring <- outputs/audit <- CLI): audit importing a renderer would tie
    # the two together. A fresh interpreter shows what importing audit really pulls in.
    code = (
        "import sys, tenderscore.scoring.audit, tenderscore.scoring.audit.source;"
        "print(sorted(m for m in sys.modules if m.startswith('tenderscore.scoring.output')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert loaded.stdout.strip() == "[]"


def test_no_import_hides_inside_a_function_in_audit_output_or_published() -> None:
    # A function-local import is how a cycle gets worked around rather than removed.
    sources = sorted((ROOT / "scoring" / "audit").glob("*.py")) + sorted((ROOT / "scoring" / "output").glob("*.py"))
    hidden = []
    for path in [*sources, ROOT / "scoring" / "published.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                hidden += [
                    f"{path.name}:{n.lineno}" for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom)
                ]
    assert hidden == []
