"""The ledger under real processes: concurrent appenders, and an appender killed with SIGKILL mid-append."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import STOCKPORT_PACK, all_scores, basic_bid, basic_tender
from tenderscore.scoring.audit import Ledger, LedgerUnavailable

# An appender: scores the pack once under the display name LABEL, waits for GO to exist, then appends COUNT
# records (COUNT < 0: until killed), opening the ledger afresh for each as separate `score` runs would.
# With PAUSE_AT = n it stops inside the n-th append's transaction, after the INSERT and before COMMIT,
# says so on stdout and sleeps, so the parent can kill it at exactly that point.
APPENDER = """
import sys, time
from pathlib import Path
from tenderscore.scoring.audit import Ledger, build_record
from tenderscore.scoring.audit.ledger import Ledger as LedgerClass
from tenderscore.scoring.evaluate import evaluate
from tenderscore.scoring.pack import build_pack, read_pack_files

ledger, pack_dir, label, count, go, pause_at = sys.argv[1:]
pack = build_pack(read_pack_files(Path(pack_dir)), label, base_dir=Path(pack_dir))
evaluation = evaluate(pack)
if int(pause_at):
    insert = LedgerClass._insert
    def paused(self, record):
        insert(self, record)
        if record["seq"] == int(pause_at):
            print("inserted, not committed", flush=True)
            time.sleep(600)
    LedgerClass._insert = paused
print("ready", flush=True)
while not Path(go).exists():
    time.sleep(0.002)
done = 0
while int(count) < 0 or done < int(count):
    with Ledger(Path(ledger)) as book:
        book.append(build_record(pack, evaluation))
    done += 1
"""


Appender = Callable[..., subprocess.Popen[str]]


@pytest.fixture
def appender() -> Iterator[Appender]:
    """Starts appenders; any still running when the test ends (it failed) are killed and reaped."""
    started: list[subprocess.Popen[str]] = []

    def start(ledger: Path, pack: Path, label: str, count: int, go: Path, pause_at: int = 0) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, "-c", APPENDER, str(ledger), str(pack), label, str(count), str(go), str(pause_at)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate()


def wait_for_line(process: subprocess.Popen[str], expected: str) -> None:
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    assert line == expected, f"{line!r}; stderr: {process.stderr.read() if process.stderr else ''}"


def displays(path: Path) -> Counter[str]:
    with Ledger(path, create=False) as book:
        return Counter(book.get(e.id).record["pack"]["display"] for e in book.entries())


@pytest.fixture
def small_pack(make_pack: Callable[..., Path]) -> Path:
    return make_pack(basic_tender(), {"a": basic_bid("Alpha Ltd", "90000.00")}, all_scores(["a"]))


def test_two_processes_appending_at_once_leave_a_valid_chain(
    tmp_path: Path, small_pack: Path, appender: Appender
) -> None:
    ledger, go = tmp_path / "ledger.sqlite3", tmp_path / "go"
    # Both start on an empty path, so they also race to create the file and its schema.
    workers = [appender(ledger, small_pack, label, 20, go) for label in ("A", "B")]
    for worker in workers:
        wait_for_line(worker, "ready")
    go.touch()
    for worker in workers:
        _, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
    with Ledger(ledger, create=False) as book:
        report = book.verify()
    assert report.count == 40
    assert displays(ledger) == Counter({"A": 20, "B": 20})


def test_a_process_killed_mid_transaction_leaves_the_record_absent(
    tmp_path: Path, small_pack: Path, appender: Appender
) -> None:
    ledger, go = tmp_path / "ledger.sqlite3", tmp_path / "go"
    go.touch()
    worker = appender(ledger, small_pack, "K", -1, go, pause_at=4)
    wait_for_line(worker, "ready")
    wait_for_line(worker, "inserted, not committed")
    worker.send_signal(signal.SIGKILL)
    worker.communicate(timeout=60)  # reaps it and closes its pipes
    assert worker.returncode == -signal.SIGKILL
    with Ledger(ledger, create=False) as book:
        report = book.verify()
        # Records 1 to 3 committed; the 4th was inserted but never committed, so it is wholly absent.
        assert report.count == 3
        assert [e.id for e in book.entries()] == [1, 2, 3]
        # The next append (say the next `score` run) continues the chain where it really ends.
        assert book.append(book.get(3).record).id == 4
        assert book.verify().count == 4


@pytest.mark.parametrize("delay", [0.0, 0.007, 0.031])
def test_a_process_killed_while_appending_leaves_the_ledger_valid(
    tmp_path: Path, delay: float, appender: Appender
) -> None:
    ledger, go = tmp_path / "ledger.sqlite3", tmp_path / "go"
    go.touch()
    # The shipped pack makes records of about 60 kB: each append writes and fsyncs several pages.
    worker = appender(ledger, STOCKPORT_PACK, "S", -1, go)
    wait_for_line(worker, "ready")
    deadline = time.monotonic() + 120
    while not ledger.exists() or _count(ledger) < 3:
        assert time.monotonic() < deadline, "the appender made no progress"
        time.sleep(0.01)
    time.sleep(delay)
    os.kill(worker.pid, signal.SIGKILL)
    worker.communicate(timeout=60)  # reaps it and closes its pipes
    with Ledger(ledger, create=False) as book:
        report = book.verify()
        entries = book.entries()
        # Every record there is whole (verify has just re-hashed each) and numbered without a gap.
        assert report.count == len(entries) >= 3
        assert [e.id for e in entries] == list(range(1, report.count + 1))


def _count(ledger: Path) -> int:
    try:
        with Ledger(ledger, create=False) as book:
            return len(book.entries())
    except LedgerUnavailable:  # its schema is not committed yet
        return 0
