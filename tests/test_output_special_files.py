"""`--output` writes through a partial file only onto a regular file or a new path (issue 13, item 13): a FIFO,
a folder or a symlink to anything but a regular file is refused untouched; a symlink to a regular file keeps
being a symlink; `-o /dev/stdout` streams to standard output. (No test names the real /dev/null or
/dev/stdout: run against a build without the fix, --output would replace them.)"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import STOCKPORT_PACK, invoke


def test_a_fifo_is_refused_and_stays_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = invoke("score", STOCKPORT_PACK, "--no-ledger", "--output", fifo)
    assert result.exit_code == 2
    assert f"Error: {fifo}: cannot be written: it is a FIFO (named pipe)" in result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_a_symlink_to_a_fifo_is_refused_and_left_alone(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "result.txt"
    link.symlink_to(fifo)
    result = invoke("score", STOCKPORT_PACK, "--no-ledger", "--output", link)
    assert result.exit_code == 2
    assert "it is a FIFO (named pipe) (through the symlink to" in result.stderr
    assert link.is_symlink() and stat.S_ISFIFO(os.stat(link).st_mode)


def test_a_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "out.json"
    folder.mkdir()
    result = invoke("score", STOCKPORT_PACK, "--no-ledger", "--format", "json", "--output", folder)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert folder.is_dir()


def test_a_symlink_to_a_regular_file_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "shared" / "result.json"
    real.parent.mkdir()
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "result.json"
    link.symlink_to(real)
    result = invoke("score", STOCKPORT_PACK, "--no-ledger", "--output", link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert real.read_text(encoding="utf-8").startswith("{")


def test_standard_output_named_as_a_path_streams_to_it(tmp_path: Path) -> None:
    # A link of our own made as /dev/stdout is (to /proc/self/fd/1): a build that replaced what --output names
    # would replace this link, never the real /dev/stdout, which tests must not touch.
    stdout_link = tmp_path / "stdout"
    stdout_link.symlink_to("/proc/self/fd/1")
    run = [sys.executable, "-c", "from tenderscore.scoring.cli import main; main()", "score", str(STOCKPORT_PACK)]
    printed = subprocess.run([*run, "--no-ledger", "--format", "json"], capture_output=True, check=False)
    streamed = subprocess.run(
        [*run, "--no-ledger", "--format", "json", "--output", str(stdout_link)], capture_output=True, check=False
    )
    assert stdout_link.is_symlink()
    assert streamed.returncode == 0, streamed.stderr
    assert streamed.stdout == printed.stdout and streamed.stdout.startswith(b"{")
    # Standard output redirected to a file: the same file named again is written through standard output, once.
    target = tmp_path / "out.json"
    with target.open("wb") as handle:
        again = subprocess.run(
            [*run, "--no-ledger", "--format", "json", "--output", str(target)], stdout=handle, check=False
        )
    assert again.returncode == 0
    assert target.read_bytes() == printed.stdout


@pytest.mark.parametrize("kind", ["fifo", "link-to-fifo"])
def test_ledger_export_refuses_a_special_file_too(tmp_path: Path, kind: str) -> None:
    ledger = tmp_path / "ledger.sqlite3"
    assert invoke("score", STOCKPORT_PACK, "--ledger", ledger).exit_code == 0
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    target = fifo
    if kind == "link-to-fifo":
        target = tmp_path / "record.json"
        target.symlink_to(fifo)
    result = invoke("ledger", "export", "1", "--ledger", ledger, "--output", target)
    assert result.exit_code == 2 and "FIFO" in result.stderr
