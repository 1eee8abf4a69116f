"""An output path that cannot be written is the user's mistake: a clear error and exit 2, never a traceback."""

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES, ROOT

# A path under a regular file can never be created, whoever runs the test (root included).
BLOCKER = "not-a-folder"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from scoring.cli import main; main()", *args],
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
