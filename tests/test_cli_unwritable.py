"""An output path that cannot be written is the user's mistake: a clear error and exit 2, never a traceback."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES, ROOT

# A path under a regular file can never be created, whoever runs the test (root included).
BLOCKER = "not-a-folder"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from tenderscore.scoring.cli import main; main()", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_panel_sheets_into_an_unwritable_folder(tmp_path: Path) -> None:
    (tmp_path / BLOCKER).write_text("", encoding="utf-8")
    pack = tmp_path / "pack"
    shutil.copytree(FIXTURES / "stockport-panel", pack)
    target = tmp_path / BLOCKER / "sheets"
    result = run("panel", "sheets", str(pack), "--output-dir", str(target))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"Error: {target}/")
    assert "cannot be written" in result.stderr


def test_panel_moderate_when_the_proposal_path_is_a_folder(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(FIXTURES / "stockport-panel", pack)
    (pack / "consensus-proposed.csv").mkdir()
    result = run("panel", "moderate", str(pack))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert f"Error: {pack}/consensus-proposed.csv: cannot be written" in result.stderr


def test_measures_import_to_an_unwritable_path(tmp_path: Path) -> None:
    (tmp_path / BLOCKER).write_text("", encoding="utf-8")
    table = tmp_path / "table.csv"
    table.write_text("code,theme,unit,proxy_gbp\nNT1,jobs,FTE-year,15000.00\n", encoding="utf-8")
    target = tmp_path / BLOCKER / "new.yaml"
    result = run("measures", "import", str(table), "--ruleset", "stockport", "--output", str(target))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"Error: {target}: cannot be written")
    assert not target.exists() and ROOT.exists()


def test_score_to_an_unwritable_output_records_no_decision(tmp_path: Path) -> None:
    # Found in review: the record was appended before the output failed, so the ledger held a decision whose
    # result its user never received, and a re-run recorded it twice.
    (tmp_path / BLOCKER).write_text("", encoding="utf-8")
    ledger = tmp_path / "ledger.sqlite3"
    target = tmp_path / BLOCKER / "result.json"
    stockport = str(FIXTURES / "stockport-highways")
    result = run("score", stockport, "--format", "json", "--output", str(target), "--ledger", str(ledger))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"Error: {target}: cannot be written")
    assert (
        not ledger.exists() or "records are numbered" not in run("ledger", "show", "1", "--ledger", str(ledger)).stderr
    )
    listed = run("ledger", "list", "--ledger", str(ledger))
    assert "STK-2026-014" not in listed.stdout


def test_a_batch_result_that_cannot_be_written_records_no_decision(tmp_path: Path) -> None:
    packs = tmp_path / "packs"
    for name in ("a", "b"):
        shutil.copytree(FIXTURES / "stockport-highways", packs / name)
    out = tmp_path / "out"
    out.mkdir()
    (out / "b.json").mkdir()  # b's result path is taken by a folder: b cannot be written, a can
    ledger = tmp_path / "ledger.sqlite3"
    result = run(
        "score", str(packs), "--format", "json", "--output-dir", str(out), "--ledger", str(ledger), "--jobs", "1"
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert (out / "a.json").is_file()
    listed = run("ledger", "list", "--ledger", str(ledger), "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 1  # a's decision only
