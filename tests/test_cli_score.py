"""`tenderscore score`: output files written whole or not at all, user mistakes without tracebacks, same bytes
in any process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, STOCKPORT_PACK, invoke
from scoring_support import _private_ledger  # noqa: F401  (autouse fixture)
from tenderscore.scoring.cli import cli


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".tenderscore-partial")))


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_output_file_holds_exactly_what_would_be_printed(tmp_path: Path, fmt: str) -> None:
    printed = invoke("score", STOCKPORT_PACK, "--format", fmt)
    assert printed.exit_code == 0, printed.stderr
    target = tmp_path / "out" / f"result.{fmt}"
    written = invoke("score", STOCKPORT_PACK, "--format", fmt, "--output", target)
    assert written.exit_code == 0, written.stderr
    assert written.stdout == ""
    assert target.read_text(encoding="utf-8") == printed.stdout
    assert leftovers(target.parent) == []


def test_output_replaces_an_existing_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "result.json"
    target.write_text("an older result\n", encoding="utf-8")
    run = invoke("score", STOCKPORT_PACK, "--format", "json", "--output", target)
    assert run.exit_code == 0, run.stderr
    assert target.read_text(encoding="utf-8").startswith("{\n")
    assert leftovers(tmp_path) == []


def test_a_failing_renderer_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(result: object) -> str:
        raise RuntimeError("renderer failed half way")

    monkeypatch.setitem(sys.modules["tenderscore.scoring.output"].RENDERERS, "json", broken)
    target = tmp_path / "result.json"
    target.write_text("the previous result\n", encoding="utf-8")
    run = CliRunner().invoke(cli, ["score", str(STOCKPORT_PACK), "--format", "json", "--output", str(target)])
    assert isinstance(run.exception, RuntimeError)
    assert target.read_text(encoding="utf-8") == "the previous result\n"
    assert leftovers(tmp_path) == []


def test_a_failing_write_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device", dst)

    monkeypatch.setattr("tenderscore.scoring.files.os.replace", refuse)
    target = tmp_path / "result.json"
    target.write_text("the previous result\n", encoding="utf-8")
    run = invoke("score", STOCKPORT_PACK, "--format", "json", "--output", target)
    assert run.exit_code == 2
    assert "Traceback" not in run.stderr
    assert f"Error: {target}: cannot be written ({target}: No space left on device)" in run.stderr
    assert target.read_text(encoding="utf-8") == "the previous result\n"
    assert leftovers(tmp_path) == []


def test_an_output_path_under_a_file_is_a_user_error(tmp_path: Path) -> None:
    blocker = tmp_path / "report"
    blocker.write_text("", encoding="utf-8")
    run = invoke("score", STOCKPORT_PACK, "--output", blocker / "result.txt")
    assert run.exit_code == 2
    assert "Traceback" not in run.stderr
    assert f"Error: {blocker / 'result.txt'}: cannot be written" in run.stderr


def test_help_shows_an_example() -> None:
    run = invoke("score", "--help")
    assert run.exit_code == 0
    assert "Example" in run.stdout and "tenderscore score fixtures/stockport-highways" in run.stdout


def test_same_pack_gives_the_same_json_bytes_in_fresh_processes(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "4242"):
        env = dict(os.environ, PYTHONHASHSEED=seed, TENDERSCORE_LEDGER=str(tmp_path / "ledger.sqlite"))
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "from tenderscore.scoring.cli import main; main()",
                "score",
                str(STOCKPORT_PACK),
                "--format",
                "json",
                "--no-ledger",
            ],
            capture_output=True,
            cwd=ROOT,
            env=env,
            check=False,
        )
        assert done.returncode == 0, done.stderr.decode()
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert b'"total": "76.50"' in outputs[0]
