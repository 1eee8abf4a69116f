"""A decision record made on one supported Python replays byte for byte on another, both ways.

.ci/run installs tenderscore for 3.11 and 3.13 and runs this suite on each, naming the other interpreter in
TENDERSCORE_OTHER_PYTHON: so a record made on 3.11 is replayed on 3.13 and one made on 3.13 on 3.11.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import STOCKPORT_PACK, invoke

OTHER = os.environ.get("TENDERSCORE_OTHER_PYTHON")
CLI = "from tenderscore.scoring.cli import main; main()"

pytestmark = pytest.mark.skipif(
    not OTHER and not os.environ.get("CI"),
    reason="set TENDERSCORE_OTHER_PYTHON to another supported Python with tenderscore installed (.ci/run does)",
)


def other(*args: str) -> subprocess.CompletedProcess[str]:
    assert OTHER, "CI must name the other interpreter in TENDERSCORE_OTHER_PYTHON"
    return subprocess.run([OTHER, "-c", CLI, *args], capture_output=True, text=True)


def other_version() -> str:
    assert OTHER
    return subprocess.run([OTHER, "-c", "import sys; print(sys.version)"], capture_output=True, text=True).stdout


def test_the_other_interpreter_is_another_python() -> None:
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert not other_version().startswith(here + "."), (here, other_version())


def test_a_record_made_there_replays_here(tmp_path: Path) -> None:
    ledger, record = tmp_path / "there.sqlite3", tmp_path / "there.json"
    assert other("score", str(STOCKPORT_PACK), "--ledger", str(ledger)).returncode == 0
    exported = other("ledger", "export", "1", "--ledger", str(ledger), "--output", str(record))
    assert exported.returncode == 0, exported.stderr
    replayed = invoke("replay", record)
    assert replayed.exit_code == 0, replayed.output
    assert "identical" in replayed.output


def test_a_record_made_here_replays_there(tmp_path: Path) -> None:
    ledger, record = tmp_path / "here.sqlite3", tmp_path / "here.json"
    assert invoke("score", STOCKPORT_PACK, "--ledger", ledger).exit_code == 0
    assert invoke("ledger", "export", "1", "--ledger", ledger, "--output", record).exit_code == 0
    replayed = other("replay", str(record))
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "identical" in replayed.stdout
