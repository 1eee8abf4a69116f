"""No decision record for a result never delivered (issue 13, item 20): the output is written in full before
the record commits, so a full disk records nothing; a killed run's partial file is named for what it is."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, STOCKPORT_PACK, invoke
from tenderscore.scoring import files


def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, "fsync", no_space)


@pytest.mark.parametrize("fmt", ["json", "html"])
def test_a_full_disk_records_no_decision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    ledger = tmp_path / "ledger.sqlite3"
    assert invoke("score", STOCKPORT_PACK, "--ledger", ledger, "--format", "json").exit_code == 0
    full_disk(monkeypatch)
    target = tmp_path / f"result.{fmt}"
    result = invoke("score", STOCKPORT_PACK, "--ledger", ledger, "--output", target)
    assert result.exit_code == 2
    assert f"Error: {target}: cannot be written" in result.stderr and "No space left" in result.stderr
    assert "appended" not in result.stderr
    assert not target.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["ledger.sqlite3"]
    monkeypatch.undo()
    listed = invoke("ledger", "list", "--ledger", ledger, "--format", "json")
    assert [entry["id"] for entry in json.loads(listed.stdout)] == [1]


def test_a_full_disk_in_a_batch_records_no_decision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    packs = tmp_path / "packs"
    for name in ("a", "b"):
        shutil.copytree(FIXTURES / "stockport-highways", packs / name)
    ledger = tmp_path / "ledger.sqlite3"
    full_disk(monkeypatch)
    result = invoke("score", packs, "--output-dir", tmp_path / "out", "--ledger", ledger, "--jobs", "1")
    assert result.exit_code == 2, result.output
    monkeypatch.undo()
    listed = invoke("ledger", "list", "--ledger", ledger, "--format", "json")
    assert listed.exit_code in (0, 2) and "STK-2026-014" not in listed.stdout


KILLED = """
import os, sys
from pathlib import Path
from tenderscore.scoring.files import PendingFile
pending = PendingFile(Path(sys.argv[1]))
pending.write("half a result")
os._exit(9)  # killed between writing and putting the file in place
"""


def test_a_killed_run_leaves_a_findable_partial_file_not_a_hidden_one(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    subprocess.run([sys.executable, "-c", KILLED, str(target)], check=False)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert len(left) == 1 and not left[0].startswith(".")
    assert left[0].startswith("report.html.") and left[0].endswith(".tenderscore-partial")
    assert not target.exists()
