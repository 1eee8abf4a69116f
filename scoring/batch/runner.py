"""Worker processes for a batch: tasks run in parallel, outcomes delivered in the order the tasks were given.

durable-rules holds the GIL in its C core and is unsafe across threads, so parallelism is processes; the engine
keys its Host by pid, so each worker registers a ruleset once and keeps it. Whatever the number of workers,
outcomes reach the caller in task order, which keeps a batch's files, summary and ledger chain identical for
`--jobs 1` and `--jobs 8`.

A worker that dies outright (the C core can take a process down) breaks the pool; the tasks that were in
flight are then re-run one at a time in a fresh process to find the one that killed it, and the batch carries
on. Workers ignore Ctrl-C: the parent alone stops the batch, and takes its workers down with it.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from multiprocessing import forkserver, resource_tracker
from multiprocessing.connection import Connection
from types import FrameType
from typing import Any, Protocol, TypeVar

from ..errors import ExitCode

# A task that could not be done for a reason that is not its input's: its worker died, or a bug. It outranks
# every other exit code of a batch (batch_exit_code), so a crash is never hidden behind a refusal or bad input.
# How far past the oldest undelivered task submission may run, per worker: enough to keep every worker busy,
# bounded so a slow task never lets finished outcomes (and their traces) pile up in memory.
_AHEAD_PER_WORKER = 4
# What the workers run, imported once in the forkserver rather than in every worker. (Preloading the worker's
# own module instead, when it is a script's __main__, made 2 workers measurably slower in batch_bench.)
_PRELOAD = (f"{__package__}.packs", f"{__package__}.records")

# Allocations (net of frees) between young-generation collections in a worker; the default is 700.
_GC_YOUNG = 10_000

R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class Task(Protocol[R_co]):
    """What the runner needs of a task besides the worker: the outcome to report if its worker dies."""

    def died(self, why: str) -> R_co: ...


T = TypeVar("T", bound=Task[Any])


class Outcome(Protocol):
    @property
    def exit_code(self) -> int: ...


def default_jobs() -> int:
    """The cores this process may run on (not the machine's count, which ignores CPU affinity)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def crash(exc: BaseException) -> str:
    """How an unexpected exception reads in a task's outcome: its type and message, never a traceback."""
    return f"{type(exc).__name__}: {exc}"


def batch_exit_code(outcomes: Iterable[Outcome]) -> int:
    """ExitCode.FAILED if any task crashed; otherwise the highest exit code (3 refused over 2 bad input, ...)."""
    codes = {o.exit_code for o in outcomes}
    return ExitCode.FAILED if ExitCode.FAILED in codes else max(codes, default=ExitCode.OK)


def _context() -> multiprocessing.context.BaseContext:
    # fork where it is safe: a forked worker is ready at once, where a forkserver first starts Python and
    # imports the scoring code (a batch's first outcome arrives several times sooner).
    # What a forked worker inherits does no harm here: it ends with os._exit, so it never closes (or otherwise
    # touches) the parent's SQLite ledger; the engine keys its durable-rules Host by pid, so a worker builds
    # its own; and a ProcessPoolExecutor forks every worker before it starts its own threads. What would harm
    # it is a thread of the caller's holding a lock at the fork (a deadlock in the worker), so a parent that
    # runs other threads gets a forkserver, whose workers inherit nothing; so does macOS, where system
    # libraries are not safe to use in a forked child.
    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    # forkserver: workers are forked from a clean server that imported the scoring code once; it starts
    # faster than spawn, and throughput once running is the same for all three.
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(list(_PRELOAD))
        _start_forkserver()
        return ctx
    return multiprocessing.get_context("spawn")


def _start_forkserver() -> None:
    # The server, and every worker forked from it, inherits this thread's signal mask: with SIGINT blocked they
    # never see Ctrl-C, not even while the server is still importing (no initializer has run yet then). A
    # Ctrl-C that arrives meanwhile stays pending here and is raised as soon as the mask is restored: CPython's
    # resource tracker is started the same way, and first, as starting it unblocks SIGINT when it is done.
    resource_tracker.ensure_running()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class _Interrupts:
    """Ctrl-C during one run: held back inside `held()` and acted on after it, acted on at once elsewhere.

    Held while worker processes start (a process interrupted half-way through starting can be left running
    unseen, looking for queues the interrupted parent has already torn down: it would die with a traceback of
    its own) and while outcomes are delivered (outcomes delivered together have their records appended in one
    transaction, then their files written: interrupted in between, the ledger would hold decisions whose
    results were never written). One handler for the whole run: swapping handlers around every delivery cost
    the parent a fifth of its time.
    """

    def __init__(self) -> None:
        self.depth = 0
        self.pending = False
        self.previous: Any = None

    def __enter__(self) -> _Interrupts:
        # Only the main thread handles signals; a handler installed outside Python could not be put back.
        if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is not None:
            self.previous = signal.signal(signal.SIGINT, self._on_interrupt)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
            self.previous = None

    def _on_interrupt(self, signum: int, frame: FrameType | None) -> None:
        if self.depth:
            self.pending = True
        else:
            self._act(signum, frame)

    def _act(self, signum: int, frame: FrameType | None) -> None:
        """What the replaced handler does: Python's raises KeyboardInterrupt."""
        previous = self.previous
        if callable(previous):
            previous(signum, frame)
        elif previous == signal.SIG_DFL:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.raise_signal(signal.SIGINT)

    @contextmanager
    def held(self) -> Iterator[None]:
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
            if not self.depth and self.pending:
                self.pending = False
                self._act(signal.SIGINT, None)


def _ignore_interrupts() -> None:
    # Ctrl-C reaches every process of the terminal's foreground group; only the parent should act on it (a
    # worker's KeyboardInterrupt would print a traceback per worker), and the parent ends the workers itself.
    # Needed where workers are spawned (no forkserver); harmless where SIGINT is already blocked.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _start_worker() -> None:
    _ignore_interrupts()
    # What a worker holds before its first task (the imported code, and with fork the parent's objects) lives
    # as long as the worker: frozen, the collector no longer walks it at each full collection, which had been
    # a noticeable share of a worker's time.
    gc.freeze()
    # A pack's objects die with it by reference counting: at the default threshold (700) the collector ran
    # 1,403 times over 300 workload packs and freed nothing. Cyclic garbage, should any appear, is still
    # collected, once 10,000 containers have piled up instead of 700.
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(_GC_YOUNG, older, oldest)


def _run_and_send(worker: Callable[[T], Any], task: T, conn: Connection) -> None:
    _start_worker()
    try:
        conn.send(worker(task))
    except Exception as exc:  # the worker raised, or its outcome would not pickle
        conn.send(task.died(crash(exc)))
    finally:
        conn.close()


def _alone(task: Task[R], worker: Callable[[Any], R], interrupts: _Interrupts) -> R:
    """Run one task in a process of its own: the way to tell which of the tasks in flight killed a worker."""
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_run_and_send, args=(worker, task, send))  # type: ignore[attr-defined]
    try:
        with interrupts.held():
            process.start()
        send.close()
        outcome: R = receive.recv()
        return outcome
    except EOFError:  # it died before sending anything
        pass
    except BaseException:  # Ctrl-C: the task's outcome is no longer wanted
        if process.pid is not None:
            process.terminate()
        raise
    finally:
        send.close()
        receive.close()
        if process.pid is not None:
            process.join()
    code = process.exitcode or 0
    why = f"signal {-code}, {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
    return task.died(f"its worker process died ({why})")


def _pool(jobs: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=jobs, mp_context=_context(), initializer=_start_worker)


def _stop(executor: ProcessPoolExecutor) -> None:
    """End the workers now: what they were doing has no effect outside them (the parent writes every file)."""
    # ProcessPoolExecutor has no public way to end its workers before Python 3.14 (terminate_workers).
    for process in list((executor._processes or {}).values()):
        process.terminate()
    # A worker ended part-way through sending its outcome leaves the executor's reader thread waiting for the
    # rest for ever, and shutdown waiting on that thread (a Ctrl-C that hung until a second one). With the
    # parent's copy of the pipe's write end closed too, the read ends (EOF) once the workers are gone.
    if executor._result_queue is not None:
        executor._result_queue._writer.close()  # type: ignore[attr-defined]  # private, as above


def run_in_order(
    tasks: Sequence[T],
    jobs: int,
    worker: Callable[[T], R],
    deliver: Callable[[list[R]], None],
    progress: Callable[[int], None] | None = None,
) -> None:
    """Run `worker` over `tasks` in `jobs` processes; `deliver` gets every outcome in task order, in this process,
    each time with all those ready next (so a caller can write them in one go: the ledger's group commit).

    `worker` must be a module-level function, so a worker process can import it; a task whose worker dies, or
    whose outcome cannot come back, is delivered as `task.died(why)`. `progress` is told of each task as it
    finishes, in whatever order the workers finish them. An exception here (Ctrl-C) ends the workers at once
    and leaves nothing running.
    """
    jobs = max(1, min(jobs, len(tasks)))
    with _Interrupts() as interrupts:
        _run(tasks, jobs, worker, deliver, progress, interrupts)


def _run(
    tasks: Sequence[T],
    jobs: int,
    worker: Callable[[T], R],
    deliver: Callable[[list[R]], None],
    progress: Callable[[int], None] | None,
    interrupts: _Interrupts,
) -> None:
    ahead = jobs * _AHEAD_PER_WORKER
    waiting = list(range(len(tasks)))[::-1]  # a stack: pop() gives the lowest index
    finished: dict[int, R] = {}
    running: dict[Future[R], int] = {}
    next_out = 0
    executor = _pool(jobs)
    try:
        while waiting or running:
            with interrupts.held():  # a submission may start a worker
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
                    finished[index] = tasks[index].died(crash(exc))
                if progress is not None:
                    progress(1)
            if broken:
                # Every task still in flight fails with the pool; each is re-run alone to find the culprit.
                suspects = sorted(broken + list(running.values()))
                running.clear()
                executor.shutdown(wait=True, cancel_futures=True)
                for index in suspects:
                    finished[index] = _alone(tasks[index], worker, interrupts)
                    if progress is not None:
                        progress(1)
                executor = _pool(jobs)
            ready: list[R] = []
            while next_out in finished:
                ready.append(finished.pop(next_out))
                next_out += 1
            if ready:
                # Delivered whole: Ctrl-C never leaves a group's records appended without their files.
                with interrupts.held():
                    deliver(ready)
    except BaseException:
        _stop(executor)
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
