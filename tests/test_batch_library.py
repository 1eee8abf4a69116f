"""scoring.batch: pack discovery, outcomes in pack order whatever the workers do, and failures kept to their pack.

The workers are real processes (forked, or from a forkserver when the parent runs other threads), so the
worker functions used here live at module level where a worker can import them.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import tenderscore.scoring.batch.packs as packs_module
from conftest import ROOT, STOCKPORT_PACK, all_scores, basic_bid, basic_tender, write_pack
from tenderscore.engine.errors import ExitCode
from tenderscore.scoring.audit import Ledger, StoredRecord, build_record
from tenderscore.scoring.audit.ledger import BeforeCommit
from tenderscore.scoring.batch.packs import (
    PackOutcome,
    PackTask,
    output_paths,
    run_batch,
    score_many,
    score_pack,
)
from tenderscore.scoring.batch.runner import batch_exit_code
from tenderscore.scoring.errors import InputError
from tenderscore.scoring.evaluate import evaluate
from tenderscore.scoring.pack import discover_packs, load_pack


def _two_bid_pack(folder: Path, tender_id: str = "T-1") -> Path:
    bids = {"alpha": basic_bid("Alpha Ltd", "100000.00"), "beta": basic_bid("Beta Ltd", "125000.00")}
    return write_pack(folder, basic_tender(id=tender_id), bids, all_scores(["alpha", "beta"]))


def slow_first(task: PackTask) -> PackOutcome:
    """Pack 0 finishes last: the order outcomes are delivered in must not follow the order they finish in."""
    if task.index == 0:
        time.sleep(1.0)
    return score_pack(task)


def killed_on_b(task: PackTask) -> PackOutcome:
    """A worker that dies outright on the pack named b, as a crash in durable-rules' C core would."""
    if task.folder.name == "b":
        os.kill(os.getpid(), signal.SIGKILL)
    return score_pack(task)


def test_discovery_takes_packs_as_given_and_folders_of_packs_sorted(tmp_path: Path) -> None:
    period = tmp_path / "period"
    for name in ("c", "a", "b"):
        _two_bid_pack(period / name)
    (period / "notes").mkdir()  # a folder that is not a pack is not a pack to score
    single = _two_bid_pack(tmp_path / "single")
    found = discover_packs([single, period, STOCKPORT_PACK])
    assert found == [single, period / "a", period / "b", period / "c", STOCKPORT_PACK]


def test_a_folder_with_neither_tender_nor_packs_is_taken_as_a_pack_so_loading_reports_it(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert discover_packs([empty]) == [empty]
    outcome = score_pack(PackTask(0, empty, "json"))
    assert outcome.status == "error" and outcome.exit_code == 2
    assert any("tender.yaml" in line and "missing" in line for line in outcome.errors)


def test_output_paths_use_the_pack_name_and_the_format_extension(tmp_path: Path) -> None:
    folders = [tmp_path / "a", tmp_path / "period" / "b"]
    assert output_paths(folders, tmp_path / "out", "markdown") == [tmp_path / "out" / "a.md", tmp_path / "out" / "b.md"]
    assert output_paths(folders, tmp_path / "out", "table")[0].name == "a.txt"


def test_two_packs_with_one_name_would_overwrite_each_other_and_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        output_paths([tmp_path / "x" / "pack", tmp_path / "y" / "pack"], tmp_path / "out", "json")
    assert "'pack'" in str(caught.value) and str(tmp_path / "x" / "pack") in str(caught.value)


def test_outcomes_arrive_in_pack_order_even_when_the_first_pack_finishes_last(tmp_path: Path) -> None:
    folders = [_two_bid_pack(tmp_path / f"p{n}", tender_id=f"T-{n}") for n in range(4)]
    delivered: list[PackOutcome] = []
    ticks: list[int] = []
    run_batch([PackTask(i, f, "json") for i, f in enumerate(folders)], 2, delivered.append, ticks.append, slow_first)
    assert [o.index for o in delivered] == [0, 1, 2, 3]
    assert [o.tender_id for o in delivered] == ["T-0", "T-1", "T-2", "T-3"]
    assert ticks == [1, 1, 1, 1]
    # Hand-worked (40/40/20, Q1 25, Q2 15, SV1 5 on a 0-5 scale, nobody commits social value):
    # Alpha, the lowest price: 40 + 25 × 4/5 + 15 × 4/5 + 5 × 3/5 = 40 + 20 + 12 + 3 = 75.00.
    assert {(o.status, o.winner, o.total, o.bids) for o in delivered} == {("ok", "Alpha Ltd", "75.00", 2)}


def test_a_worker_killed_by_one_pack_costs_that_pack_only(tmp_path: Path) -> None:
    folders = [_two_bid_pack(tmp_path / name, tender_id=f"T-{name}") for name in ("a", "b", "c", "d", "e")]
    delivered: list[PackOutcome] = []
    run_batch([PackTask(i, f, "json") for i, f in enumerate(folders)], 2, delivered.append, worker=killed_on_b)
    assert [o.folder.name for o in delivered] == ["a", "b", "c", "d", "e"]
    assert [o.status for o in delivered] == ["ok", "error", "ok", "ok", "ok"]
    died = delivered[1]
    assert died.exit_code == ExitCode.FAILED
    assert died.errors == [f"{folders[1]}: could not be scored: its worker process died (signal 9, SIGKILL)"]
    assert all(o.rendered and '"id": "T-' in o.rendered for o in delivered if o.status == "ok")


# Set in the test's own process: a forked worker sees it, a worker from a forkserver imports this module afresh.
_PARENT_MARK: list[str] = []


def reports_mark(task: PackTask) -> PackOutcome:
    outcome = score_pack(task)
    outcome.errors = list(_PARENT_MARK)
    return outcome


def test_workers_are_forked_unless_another_thread_could_hold_a_lock_at_the_fork(tmp_path: Path) -> None:
    tasks = [PackTask(0, _two_bid_pack(tmp_path / "p"), "json")]
    _PARENT_MARK[:] = ["set in the parent"]
    try:
        forked: list[PackOutcome] = []
        run_batch(tasks, 1, forked.append, worker=reports_mark)
        # Forked on Linux; elsewhere (macOS) always from a forkserver.
        assert forked[0].errors == (["set in the parent"] if sys.platform == "linux" else [])
        assert forked[0].status == "ok"
        release = threading.Event()
        other = threading.Thread(target=release.wait)
        other.start()
        try:
            served: list[PackOutcome] = []
            run_batch(tasks, 1, served.append, worker=reports_mark)
        finally:
            release.set()
            other.join()
        assert served[0].errors == [] and served[0].status == "ok"
        assert served[0].rendered == forked[0].rendered
    finally:
        _PARENT_MARK.clear()


def test_exit_code_is_a_crash_if_any_else_the_highest_of_the_packs() -> None:
    def outcome(code: int) -> PackOutcome:
        return PackOutcome(0, Path("p"), "ok" if code == 0 else "error", code)

    assert batch_exit_code([]) == 0
    assert batch_exit_code([outcome(0), outcome(0)]) == 0
    assert batch_exit_code([outcome(0), outcome(2)]) == 2
    # No crash: a refusal (3) outranks bad input (2).
    assert batch_exit_code([outcome(3), outcome(2), outcome(0)]) == 3
    # A crash (1) outranks both, though its number is lower: it is never hidden behind a refused pack.
    assert batch_exit_code([outcome(1), outcome(2)]) == ExitCode.FAILED == 1
    assert batch_exit_code([outcome(3), outcome(0), outcome(1), outcome(2)]) == 1


def unlistable(monkeypatch: pytest.MonkeyPatch, *folders: Path) -> None:
    """Listing these folders fails as it does without read permission (the tests may run as root, who reads all)."""
    listdir = Path.iterdir

    def iterdir(self: Path) -> Iterator[Path]:
        if self in folders:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return listdir(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)


def test_folders_that_cannot_be_listed_are_input_errors_naming_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    period, locked = tmp_path / "period", tmp_path / "locked"
    _two_bid_pack(period / "a")
    locked.mkdir()
    unlistable(monkeypatch, period, locked)
    with pytest.raises(InputError) as caught:
        discover_packs([period, STOCKPORT_PACK, locked])
    assert caught.value.lines() == [
        f"{period}: cannot be read: Permission denied",
        f"{locked}: cannot be read: Permission denied",
    ]


def test_a_bids_folder_that_cannot_be_listed_is_an_input_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = _two_bid_pack(tmp_path / "pack")
    unlistable(monkeypatch, pack / "bids")
    with pytest.raises(InputError) as caught:
        load_pack(pack)
    assert caught.value.lines() == [f"{pack}/bids: cannot be read: Permission denied"]


class CountingLedger(Ledger):
    """A ledger that notes how many records each transaction appended."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.groups: list[int] = []

    def append_many(
        self, bodies: Sequence[Mapping[str, Any]], before_commit: BeforeCommit | None = None
    ) -> list[StoredRecord]:
        self.groups.append(len(bodies))
        return super().append_many(bodies, before_commit)


def test_records_ready_together_are_appended_in_one_transaction_in_pack_order(tmp_path: Path) -> None:
    # Packs 1-3 are scored while pack 0 sleeps, so all four are ready at once when it ends: one commit (one
    # sync of the ledger) for the lot, the chain still in pack order, each file written after its record.
    folders = [_two_bid_pack(tmp_path / f"p{n}", tender_id=f"T-{n}") for n in range(4)]
    with CountingLedger(tmp_path / "ledger.sqlite3") as book:
        outcomes = score_many(folders, "json", tmp_path / "out", 2, ledger=book, worker=slow_first)
        assert sum(book.groups) == 4 and max(book.groups) > 1, book.groups
        assert [e.tender for e in book.entries()] == ["T-0", "T-1", "T-2", "T-3"]
        assert book.verify().count == 4
    assert [(o.status, o.record_id, o.file) for o in outcomes] == [
        ("ok", n + 1, tmp_path / "out" / f"p{n}.json") for n in range(4)
    ]


def test_a_group_of_records_is_appended_whole_or_not_at_all(tmp_path: Path) -> None:
    loaded = load_pack(STOCKPORT_PACK)
    body = build_record(loaded, evaluate(loaded))
    broken = {**body, "detail": {"total": Decimal("1.50")}}  # a Decimal is no JSON: sealing it fails
    with Ledger(tmp_path / "ledger.sqlite3") as book:
        book.append(body)
        with pytest.raises(TypeError):
            book.append_many([body, broken])
        assert [e.id for e in book.entries()] == [1]
        assert [s.id for s in book.append_many([body, body])] == [2, 3]
        assert book.verify().count == 3


def test_a_report_that_fails_to_render_costs_its_own_file_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # HTML reports cite their records, so they are rendered inside the group's transaction, before it commits:
    # one that fails (here, a stand-in bug) is reported as its pack's failure and keeps no record (issue 13,
    # item 20: no record for a result never delivered); the rest of the group is appended and written.
    folders = [_two_bid_pack(tmp_path / f"p{n}", tender_id=f"T-{n}") for n in range(3)]
    real = packs_module.render_scored

    def broken_for_t1(scored: Any, fmt: str, ref: Any = None) -> str:
        if scored.result.tender.id == "T-1":
            raise RuntimeError("stand-in bug")
        return real(scored, fmt, ref)

    monkeypatch.setattr(packs_module, "render_scored", broken_for_t1)
    with CountingLedger(tmp_path / "ledger.sqlite3") as book:
        outcomes = score_many(folders, "html", tmp_path / "out", 2, ledger=book, worker=slow_first)
        assert max(book.groups) > 1, book.groups
    assert [(o.status, o.record_id) for o in outcomes] == [("ok", 1), ("error", None), ("ok", 2)]
    assert outcomes[1].errors == [f"{folders[1]}: could not be scored: RuntimeError: stand-in bug"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["p0.html", "p2.html"]


BIG_OUTCOMES = """
import signal, sys
from tenderscore.scoring.batch.runner import run_in_order

class Task:
    def __init__(self, index):
        self.index = index

    def died(self, why):
        return why

def big(task):
    return "x" * 200_000_000  # a worker takes a while to send this through the result pipe

if __name__ == "__main__":
    signal.signal(signal.SIGALRM, lambda *_: signal.raise_signal(signal.SIGINT))
    signal.setitimer(signal.ITIMER_REAL, float(sys.argv[1]))  # one Ctrl-C, never a second
    try:
        run_in_order([Task(i) for i in range(6)], 2, big, lambda ready: None)
    except KeyboardInterrupt:
        print("interrupted")
"""


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked from this script only on Linux")
@pytest.mark.parametrize("delay", [0.5, 0.9])
def test_one_ctrl_c_ends_a_batch_whose_workers_are_sending_large_outcomes(tmp_path: Path, delay: float) -> None:
    # Ended part-way through sending, a worker used to leave the pool's reader waiting for the rest of its
    # outcome for ever: the command hung until a second Ctrl-C (found in review). 200 MB outcomes make the
    # sending long enough for the Ctrl-C to land in it.
    script = tmp_path / "big.py"
    script.write_text(BIG_OUTCOMES, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), str(delay)], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "interrupted\n", "")
