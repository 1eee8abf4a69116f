"""Scoring many packs (and checking many decision records): worker processes, outcomes in the order given.

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
import re
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TypeVar

import click
from tabulate import tabulate

from engine import EngineError
from scoring.audit import Ledger, RecordBroken, build_record
from scoring.audit.record import short
from scoring.audit.replay import replay as replay_record
from scoring.audit.replay import report_lines, verified
from scoring.audit.source import load_record
from scoring.errors import EXIT_DIFFERS, EXIT_INPUT, EXIT_OK, InputError, PolicyRefused, Problem, TenderscoreError
from scoring.evaluate import Evaluation, evaluate
from scoring.files import write_atomic
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
T = TypeVar("T")
R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., object])


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
    # without inheriting the parent's state, as fork would: the executor's own threads (fork with threads can
    # deadlock), an open SQLite ledger, a durable-rules Host. Measured (2 workers, 80 packs): start-up 0.06 s
    # with fork, 0.27 s forkserver, 0.50 s spawn; the same throughput once running.
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([__name__])
        return ctx
    return multiprocessing.get_context("spawn")


def _run_and_send(worker: Callable[[T], R], died: Callable[[T, str], R], task: T, conn: Connection) -> None:
    try:
        conn.send(worker(task))
    except Exception as exc:  # the worker raised, or its outcome would not pickle
        conn.send(died(task, f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _alone(task: T, worker: Callable[[T], R], died: Callable[[T, str], R]) -> R:
    """Run one task in a process of its own: the way to tell which of the tasks in flight killed a worker."""
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_run_and_send, args=(worker, died, task, send))  # type: ignore[attr-defined]
    process.start()
    send.close()
    try:
        outcome: R = receive.recv()
        return outcome
    except EOFError:  # it died before sending anything
        pass
    finally:
        receive.close()
        process.join()
    code = process.exitcode or 0
    why = f"signal {-code}, {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
    return died(task, f"its worker process died ({why})")


def run_in_order(
    tasks: Sequence[T],
    jobs: int,
    worker: Callable[[T], R],
    died: Callable[[T, str], R],
    deliver: Callable[[R], None],
    progress: Callable[[int], None] | None = None,
) -> None:
    """Run `worker` over `tasks` in `jobs` processes; `deliver` gets every outcome in task order, in this process.

    `worker` and `died` (the outcome of a task whose worker died, or whose outcome could not come back) must be
    module-level functions, so a worker process can import them. `progress` is told of each task as it
    finishes, in whatever order the workers finish them.
    """
    jobs = max(1, min(jobs, len(tasks)))
    ahead = jobs * _AHEAD_PER_WORKER
    waiting = list(range(len(tasks)))[::-1]  # a stack: pop() gives the lowest index
    finished: dict[int, R] = {}
    running: dict[Future[R], int] = {}
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
                    finished[index] = died(tasks[index], f"{type(exc).__name__}: {exc}")
                if progress is not None:
                    progress(1)
            if broken:
                # Every task still in flight fails with the pool; each is re-run alone to find the culprit.
                suspects = sorted(broken + list(running.values()))
                running.clear()
                executor.shutdown(wait=True, cancel_futures=True)
                for index in suspects:
                    finished[index] = _alone(tasks[index], worker, died)
                    if progress is not None:
                        progress(1)
                executor = ProcessPoolExecutor(max_workers=jobs, mp_context=_context())
            while next_out in finished:
                deliver(finished.pop(next_out))
                next_out += 1
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def run_batch(
    tasks: Sequence[PackTask],
    jobs: int,
    deliver: Callable[[PackOutcome], None],
    progress: Callable[[int], None] | None = None,
    worker: Worker = score_pack,
) -> None:
    """Score `tasks` in `jobs` worker processes, delivering every pack's outcome in pack order."""
    run_in_order(tasks, jobs, worker, _died, deliver, progress)


def batch_exit_code(outcomes: Iterable[PackOutcome | RecordOutcome]) -> int:
    """The highest exit code of any pack or record: for packs, 3 if any was refused, else 2 if any had bad input."""
    return max((o.exit_code for o in outcomes), default=EXIT_OK)


def print_outcomes(outcomes: Sequence[PackOutcome | RecordOutcome], table: str) -> None:
    """Every failure as `Error: ...` on stderr, in order, then the summary table on stdout."""
    for outcome in outcomes:
        for line in outcome.errors:
            click.echo(f"Error: {line}", err=True)
    click.echo(table, nl=False)


def jobs_option(what: str) -> Callable[[F], F]:
    """`--jobs N`, for a command that works through several packs or records."""
    return click.option(
        "--jobs",
        "-j",
        metavar="N",
        type=click.IntRange(min=1),
        default=None,
        help=f"Worker processes for several {what}.  [default: one per core]",
    )


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for more than one item, only when stderr is a terminal (never in a log or pipe)."""
    if total < 2 or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True) as bar:
        yield bar.update


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
            except InputError as exc:
                outcome.fail(exc)
        outcomes.append(outcome.slim())

    run_batch(tasks, jobs, deliver, progress, worker)
    return outcomes


# --- Many decision records: replay them, or verify them, the same way ---------------------------------------

RECORD_HEADERS = ["Record", "Tender", "Status", "Detail"]
_RANGE = re.compile(r"^(\d+)-(\d+)$")


def expand_records(references: Iterable[str]) -> list[str]:
    """Record references from the command line: a record file, a ledger id, an id range `3-40`, or a folder of
    record files (its `*.json`, sorted by name), in the order given."""
    found: list[str] = []
    for reference in references:
        folder, span = Path(reference), _RANGE.match(reference)
        if folder.is_dir():
            found += [str(path) for path in sorted(folder.glob("*.json"))]
        elif span is not None and not folder.exists():
            first, last = int(span[1]), int(span[2])
            found += [str(n) for n in range(first, last + 1)] if first <= last else [reference]
        else:
            found.append(reference)
    return found


@dataclass(frozen=True)
class RecordTask:
    index: int
    reference: str  # a record file, or a record id in `ledger`
    ledger: Path | None
    action: str  # "replay" or "verify"


@dataclass
class RecordOutcome:
    index: int
    reference: str
    status: str  # replay: identical | differs | broken | error; verify: intact | broken | error
    exit_code: int
    where: str = ""
    tender_id: str = ""
    detail: str = ""
    seq: int | None = None
    hash: str = ""
    prev_hash: str | None = None
    report: list[str] = field(default_factory=list)  # a replay's readable differences
    errors: list[str] = field(default_factory=list)


def check_record(task: RecordTask) -> RecordOutcome:
    """Replay or verify one record; every failure becomes the outcome's errors, never an exception."""
    outcome = RecordOutcome(task.index, task.reference, "error", EXIT_INPUT, where=task.reference)
    try:
        record, outcome.where = load_record(task.reference, task.ledger)
        outcome.tender_id = str(record.get("result", {}).get("tender", {}).get("id", ""))
        outcome.seq, outcome.hash, outcome.prev_hash = record.get("seq"), str(record["hash"]), record.get("prev_hash")
        if task.action == "verify":
            verified(record, outcome.where)
            outcome.status, outcome.exit_code = "intact", EXIT_OK
            outcome.detail = f"sha256 {short(outcome.hash)}…"
            return outcome
        replayed = replay_record(record, outcome.where)
    except RecordBroken as exc:
        outcome.status, outcome.exit_code, outcome.errors = "broken", exc.exit_code, exc.lines()
        outcome.detail = exc.why
        return outcome
    except TenderscoreError as exc:
        outcome.exit_code, outcome.errors = exc.exit_code, exc.lines()
        return outcome
    except Exception as exc:  # one unreadable record must not stop an audit of the others
        outcome.exit_code = EXIT_FAILED
        outcome.errors = [f"{task.reference}: could not be checked: {type(exc).__name__}: {exc}"]
        return outcome
    if replayed.identical:
        outcome.status, outcome.exit_code = "identical", EXIT_OK
        outcome.detail = f"{len(record['result']['bids'])} bids, {len(record['firings'])} firings"
    else:
        outcome.status, outcome.exit_code = "differs", EXIT_DIFFERS
        outcome.report = report_lines(replayed)
        outcome.detail = outcome.report[0]
        outcome.errors = [f"{outcome.where}: the replay does not match the record"]
    return outcome


def _record_died(task: RecordTask, why: str) -> RecordOutcome:
    return RecordOutcome(
        task.index, task.reference, "error", EXIT_FAILED, errors=[f"{task.reference}: could not be checked: {why}"]
    )


def check_records(
    references: Sequence[str],
    action: str,
    ledger: Path | None,
    jobs: int,
    progress: Callable[[int], None] | None = None,
) -> list[RecordOutcome]:
    """Replay or verify every record in worker processes; outcomes in the order given.

    Verifying also checks the links between records given in chain order: a record that follows its
    predecessor by `seq` must name that predecessor's hash as its `prev_hash`.
    """
    tasks = [RecordTask(index, reference, ledger, action) for index, reference in enumerate(references)]
    outcomes: list[RecordOutcome] = []

    def deliver(outcome: RecordOutcome) -> None:
        before = outcomes[-1] if outcomes else None
        if (
            action == "verify"
            and outcome.status == "intact"
            and before is not None
            and before.seq is not None
            and outcome.seq == before.seq + 1
            and outcome.prev_hash != before.hash
        ):
            why = f"its prev_hash is not the hash of record {before.seq} ({short(before.hash)}…)"
            outcome.status, outcome.exit_code, outcome.detail = "broken", EXIT_DIFFERS, why
            outcome.errors = [f"{outcome.where}: {why}"]
        outcomes.append(outcome)

    run_in_order(tasks, jobs, check_record, _record_died, deliver, progress)
    return outcomes


def records_table(outcomes: Sequence[RecordOutcome]) -> str:
    rows = [[o.where, o.tender_id, o.status, o.detail] for o in outcomes]
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    line = f"{len(outcomes)} records: " + ", ".join(f"{n} {status}" for status, n in counts.items())
    return tabulate(rows, headers=RECORD_HEADERS, tablefmt="simple", disable_numparse=True) + "\n\n" + line + "\n"


def check_and_report(references: Sequence[str], action: str, ledger: Path, jobs: int) -> int:
    """What `replay` and `ledger verify` do with several records: check them all with a progress bar, list
    every difference (stdout) and failure (stderr), print the summary table; returns the exit code."""
    with progress_bar(len(references), "Replaying" if action == "replay" else "Verifying") as advance:
        outcomes = check_records(references, action, ledger, jobs, advance)
    for outcome in outcomes:
        if outcome.report:
            click.echo("\n".join(outcome.report))
    print_outcomes(outcomes, records_table(outcomes))
    return batch_exit_code(outcomes)
