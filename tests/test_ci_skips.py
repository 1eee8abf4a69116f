"""Under CI=true a skipped test fails the run (conftest.py): a missing service or extra never passes as green."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def _run(tmp_path: Path, ci: str) -> subprocess.CompletedProcess[str]:
    test = tmp_path / "test_needs_something.py"
    test.write_text('import pytest\n\ndef test_it():\n    pytest.importorskip("no_such_module_for_ci")\n')
    env = dict(os.environ, CI=ci, PYTHONPATH=str(ROOT / "tests"))
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "conftest", str(test)]
    return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_a_skip_fails_under_ci(tmp_path: Path) -> None:
    run = _run(tmp_path, "true")
    assert run.returncode == 1, run.stdout
    assert "skipped under CI=true, where every test must run" in run.stdout
    assert "no_such_module_for_ci" in run.stdout


def test_a_skip_stays_a_skip_on_a_developers_machine(tmp_path: Path) -> None:
    run = _run(tmp_path, "")
    assert run.returncode == 0, run.stdout
    assert "1 skipped" in run.stdout
