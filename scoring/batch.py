"""Scoring many packs: worker processes (one durable-rules Host each), results delivered in pack order.

durable-rules holds the GIL in its C core and is unsafe across threads, so parallelism is processes; the engine
keys its Host by pid, so each worker registers the ruleset once and keeps it. Whatever the number of workers,
outcomes reach the caller in the order the packs were given, which keeps result files, the summary and the
decision ledger's hash chain identical for `--jobs 1` and `--jobs 8`.

A pack that fails never stops the others: its error is part of its outcome. A worker that dies outright (the C
core can take a process down) breaks the pool; the packs that were in flight are then re-run one at a time in
a fresh worker to find the one that killed it, and the batch carries on.
"""

from __future__ import annotations

import copy
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from tabulate import tabulate

from engine import EngineError
from scoring.audit import Ledger, build_record
from scoring.errors import EXIT_INPUT, EXIT_OK, InputError, PolicyRefused, Problem, TenderscoreError
from scoring.evaluate import Evaluation, evaluate
from scoring.numbers import fmt2
from scoring.output import render_evaluation
from scoring.output.html import RecordRef
from scoring.pack import TENDER_FILE, load_pack

# A pack that could not be scored for a reason that is not its input's (its worker process died).
EXIT_FAILED = 1
EXTENSIONS = {"table": "txt", "json": "json", "csv": "csv", "markdown": "md", "html": "html"}
SUMMARY_HEADERS = ["Pack", "Tender", "Status", "Winner", "Total", "File"]
# How far past the oldest undelivered pack submission may run, per worker: enough to keep every worker busy,
# bounded so a slow pack never lets finished outcomes (and their traces) pile up in memory.
_AHEAD_PER_WORKER = 4


def default_jobs() -> int:
    """The cores this process may run on (not the machine's count, which ignores CPU affinity)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def discover_packs(paths: Iterable[Path]) -> list[Path]:
    """Pack folders from the command line: a pack (it has a tender.yaml) or a folder of packs, in given order.

    A folder with no tender.yaml of its own but with pack subfolders stands for those subfolders, sorted by name;
    any other folder is taken as a pack, so a broken pack is reported by loading it like any other.
    """
    found: list[Path] = []
    for path in paths:
        if (path / TENDER_FILE).is_file() or not path.is_dir():
            found.append(path)
            continue
        children = sorted(p for p in path.iterdir() if p.is_dir() and (p / TENDER_FILE).is_file())
        found += children or [path]
    return found


def pack_name(folder: Path) -> str:
    # abspath, not resolve: `.` and `pack/` have the folder's own name, and a symlinked pack keeps its link's.
    return Path(os.path.abspath(folder)).name


def output_paths(folders: Sequence[Path], output_dir: Path, fmt: str) -> list[Path]:
    """`DIR/<pack name>.<ext>` for each pack; two packs with the same name would overwrite each other: refused."""
    ext = EXTENSIONS.get(fmt, fmt)
    seen: dict[str, Path] = {}
    problems: list[Problem] = []
    for folder in folders:
        name = pack_name(folder)
        if name in seen:
            problems.append(
                Problem(
                    str(folder),
                    "",
                    f"expected pack names unique within --output-dir, found {name!r} also at {seen[name]}",
                )
            )
        seen.setdefault(name, folder)
    if problems:
        raise InputError(problems)
    return [output_dir / f"{pack_name(folder)}.{ext}" for folder in folders]


@dataclass(frozen=True)
class PackTask:
    index: int
    folder: Path
    fmt: str
    # Whether to build the pack's decision record (its body: the parent seals it onto the ledger's chain).
    record: bool = False


@dataclass
class PackOutcome:
    """What scoring one pack produced: its result text or its errors, and the figures for the summary."""

    index: int
    folder: Path
    status: str  # ok | refused | error
    exit_code: int
    tender_id: str = ""
    winner: str = ""
    total: str = ""
    bids: int = 0
    firings: int = 0
    errors: list[str] = field(default_factory=list)
    rendered: str | None = None
    record: dict[str, object] | None = None
    # Only for an HTML report with a decision record: the report cites the record, sealed in the parent.
    evaluation: Evaluation | None = None
    record_id: int | None = None
    file: Path | None = None

    @property
    def name(self) -> str:
        return pack_name(self.folder)

    def fail(self, error: TenderscoreError) -> None:
        self.status, self.exit_code, self.errors = "error", error.exit_code, error.lines()
        self.rendered = self.record = self.evaluation = None

    def slim(self) -> PackOutcome:
        """The outcome without its result text and record: what a summary of thousands of packs keeps."""
        kept = copy.copy(self)
        kept.rendered = kept.record = kept.evaluation = None
        return kept


def _winner(evaluation: Evaluation) -> tuple[str, str]:
    leaders = [b for b in evaluation.result.eligible if b.rank == 1]
    if not leaders:
        return "no eligible bid", ""
    total = fmt2(leaders[0].total) if leaders[0].total is not None else ""
    if len(leaders) > 1:
        return "tie: " + ", ".join(b.bidder for b in leaders), total
    return leaders[0].bidder, total


def score_pack(task: PackTask) -> PackOutcome:
    """Load, score and render one pack; every failure becomes the outcome's errors, never an exception."""
    outcome = PackOutcome(task.index, task.folder, "error", EXIT_INPUT)
    try:
        pack = load_pack(task.folder)
        outcome.tender_id = pack.tender.id
        outcome.bids = len(pack.bids)
        evaluation = evaluate(pack)
        record = build_record(pack, evaluation) if task.record else None
        # An HTML report cites its decision record, which only the parent can seal: it is rendered there.
        rendered = None if record is not None and task.fmt == "html" else render_evaluation(evaluation, task.fmt)
    except PolicyRefused as exc:
        outcome.status, outcome.exit_code, outcome.errors = "refused", exc.exit_code, exc.lines()
        return outcome
    except TenderscoreError as exc:
        outcome.exit_code, outcome.errors = exc.exit_code, exc.lines()
        return outcome
    except EngineError as exc:
        # As for one pack (scoring.cli.common.user_errors): the ruleset or the pack is at fault.
        outcome.errors = [str(exc)]
        return outcome
    except Exception as exc:  # a bug must not take the other packs down with it; it is reported, by pack
        outcome.exit_code = EXIT_FAILED
        outcome.errors = [f"{task.folder}: could not be scored: {type(exc).__name__}: {exc}"]
        return outcome
    outcome.status, outcome.exit_code = "ok", EXIT_OK
    outcome.record, outcome.rendered = record, rendered
    outcome.evaluation = evaluation if rendered is None else None
    outcome.winner, outcome.total = _winner(evaluation)
    outcome.firings = len(evaluation.trace.firings)
    return outcome


Worker = Callable[[PackTask], PackOutcome]


def _died(task: PackTask, why: str) -> PackOutcome:
    return PackOutcome(
        task.index,
        task.folder,
        "error",
        EXIT_FAILED,
        errors=[f"{task.folder}: could not be scored: {why}"],
    )


def _context() -> multiprocessing.context.BaseContext:
    # forkserver: workers are forked from a clean server that imported tenderscore once, so they start fast
    # without inheriting the parent's state (a durable-rules Host, open files, threads), as fork would.
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([__name__])
        return ctx
    return multiprocessing.get_context("spawn")


def _run_and_send(worker: Worker, task: PackTask, conn: Connection) -> None:
    try:
        conn.send(worker(task))
    except Exception as exc:  # the worker raised, or its outcome would not pickle
        conn.send(_died(task, f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _alone(task: PackTask, worker: Worker) -> PackOutcome:
    """Run one pack in a process of its own: the way to tell which of the packs in flight killed a worker."""
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_run_and_send, args=(worker, task, send))  # type: ignore[attr-defined]
    process.start()
    send.close()
    try:
        outcome: PackOutcome | None = receive.recv()
    except EOFError:  # it died before sending anything
        outcome = None
    finally:
        receive.close()
        process.join()
    if outcome is not None:
        return outcome
    code = process.exitcode or 0
    why = f"signal {-code}, {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
    return _died(task, f"its worker process died while scoring it ({why})")


def run_batch(
    tasks: Sequence[PackTask],
    jobs: int,
    deliver: Callable[[PackOutcome], None],
    progress: Callable[[int], None] | None = None,
    worker: Worker = score_pack,
) -> None:
    """Score `tasks` in `jobs` worker processes; `deliver` gets every outcome in task order, in this process.

    `progress` is told of each pack as it finishes (in whatever order the workers finish them).
    """
    jobs = max(1, min(jobs, len(tasks)))
    ahead = jobs * _AHEAD_PER_WORKER
    waiting = list(range(len(tasks)))[::-1]  # a stack: pop() gives the lowest index
    finished: dict[int, PackOutcome] = {}
    running: dict[Future[PackOutcome], int] = {}
    next_out = 0
    executor = ProcessPoolExecutor(max_workers=jobs, mp_context=_context())
    try:
        while waiting or running:
            while waiting and len(running) < ahead and waiting[-1] < next_out + ahead:
                index = waiting.pop()
                running[executor.submit(worker, tasks[index])] = index
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            broken: list[int] = []
            for future in done:
                index = running.pop(future)
                try:
                    finished[index] = future.result()
                except BrokenProcessPool:
                    broken.append(index)
                    continue
                except Exception as exc:  # the outcome could not come back (e.g. it would not pickle)
                    finished[index] = _died(tasks[index], f"{type(exc).__name__}: {exc}")
                if progress is not None:
                    progress(1)
            if broken:
                # Every pack still in flight fails with the pool; each is re-run alone to find the culprit.
                suspects = sorted(broken + list(running.values()))
                running.clear()
                executor.shutdown(wait=True, cancel_futures=True)
                for index in suspects:
                    finished[index] = _alone(tasks[index], worker)
                    if progress is not None:
                        progress(1)
                executor = ProcessPoolExecutor(max_workers=jobs, mp_context=_context())
            while next_out in finished:
                deliver(finished.pop(next_out))
                next_out += 1
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def batch_exit_code(outcomes: Iterable[PackOutcome]) -> int:
    """The highest exit code of any pack: 3 if any was refused by policy, else 2 if any had bad input."""
    return max((o.exit_code for o in outcomes), default=EXIT_OK)


def summary_table(outcomes: Sequence[PackOutcome]) -> str:
    rows = [[o.name, o.tender_id, o.status, o.winner, o.total, str(o.file) if o.file else ""] for o in outcomes]
    counts = {status: sum(1 for o in outcomes if o.status == status) for status in ("ok", "refused", "error")}
    line = f"{len(outcomes)} packs: {counts['ok']} ok, {counts['refused']} refused, {counts['error']} error"
    return tabulate(rows, headers=SUMMARY_HEADERS, tablefmt="simple", disable_numparse=True) + "\n\n" + line + "\n"


def score_many(
    folders: Sequence[Path],
    fmt: str,
    output_dir: Path,
    jobs: int,
    ledger: Ledger | None = None,
    progress: Callable[[int], None] | None = None,
    worker: Worker = score_pack,
) -> list[PackOutcome]:
    """Score every pack into `output_dir/<pack name>.<ext>`, each with its decision record when `ledger` is given.

    Records are appended here, in pack order, before the pack's result file is written (as for one pack), so
    the ledger's chain is the same whatever `jobs` is. Returns the slim outcomes, in pack order.
    """
    # Imported here: the scoring.cli package imports the score command, which imports this module.
    from scoring.cli.common import write_atomic

    targets = output_paths(folders, output_dir, fmt)
    tasks = [PackTask(index, folder, fmt, record=ledger is not None) for index, folder in enumerate(folders)]
    outcomes: list[PackOutcome] = []

    def deliver(outcome: PackOutcome) -> None:
        if ledger is not None and outcome.record is not None:
            try:
                stored = ledger.append(outcome.record)
            except TenderscoreError as exc:
                outcome.fail(exc)
            else:
                outcome.record_id = stored.id
                if outcome.evaluation is not None:
                    ref = RecordRef(stored.hash, str(stored.record["created_at"]), str(stored.id))
                    outcome.rendered = render_evaluation(outcome.evaluation, fmt, ref)
        if outcome.rendered is not None:
            target = targets[outcome.index]
            try:
                write_atomic(target, outcome.rendered)
                outcome.file = target
            except OSError as exc:
                outcome.fail(InputError([Problem(str(target), "", f"cannot be written ({exc.strerror})")]))
        outcomes.append(outcome.slim())

    run_batch(tasks, jobs, deliver, progress, worker)
    return outcomes
