"""What the commands that work through many packs or records share: --jobs, the progress bar, the summary
tables, the way failures are printed, and stopping cleanly on Ctrl-C."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import click
from tabulate import tabulate

from ..audit.location import LedgerLocation
from ..batch.packs import PackOutcome
from ..batch.records import RecordOutcome, check_records
from ..batch.runner import batch_exit_code
from ..errors import ExitCode
from ..numbers import plural
from .common import say

F = TypeVar("F", bound=Callable[..., Any])

# 128 + SIGINT: what a shell reports for a command stopped by Ctrl-C, distinct from every outcome's own code.
SUMMARY_HEADERS = ["Pack", "Tender", "Status", "Winner", "Total", "File"]
RECORD_HEADERS = ["Record", "Tender", "Status", "Detail"]
# Every pack status is counted on the summary line, even at 0; records count only the statuses they have.
PACK_STATUSES = ("ok", "refused", "error")


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for more than one item, only when stderr is a terminal (never in a log or pipe)."""
    if total < 2 or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True) as bar:
        yield bar.update


@contextmanager
def stop_on_ctrl_c(what: str) -> Iterator[None]:
    """Ctrl-C ends the batch with one line on stderr and ExitCode.INTERRUPTED, never a traceback.

    The workers ignore it and are ended by the batch runner; every result file and decision record is
    written whole or not at all, so what was written before the interrupt stands.
    """
    try:
        yield
    except KeyboardInterrupt:
        say(f"Interrupted: {what}", err=True)
        sys.exit(ExitCode.INTERRUPTED)


def _table(headers: list[str], rows: list[list[str]], noun: str, statuses: Iterable[str], always: Iterable[str]) -> str:
    counts = Counter(dict.fromkeys(always, 0))
    counts.update(statuses)
    line = f"{plural(len(rows), noun)}: " + ", ".join(f"{n} {status}" for status, n in counts.items())
    return tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True) + "\n\n" + line + "\n"


def summary_table(outcomes: Sequence[PackOutcome]) -> str:
    rows = [[o.name, o.tender_id, o.status, o.winner, o.total, str(o.file) if o.file else ""] for o in outcomes]
    return _table(SUMMARY_HEADERS, rows, "pack", (o.status for o in outcomes), PACK_STATUSES)


def records_table(outcomes: Sequence[RecordOutcome]) -> str:
    rows = [[o.where, o.tender_id, o.status, o.detail] for o in outcomes]
    return _table(RECORD_HEADERS, rows, "record", (o.status for o in outcomes), ())


def print_outcomes(outcomes: Sequence[PackOutcome | RecordOutcome], table: str) -> None:
    """Every failure as `Error: ...` on stderr, in order, then the summary table on stdout."""
    for outcome in outcomes:
        for line in outcome.errors:
            say(f"Error: {line}", err=True)
    say(table, nl=False)


def check_and_report(references: Sequence[str], action: str, ledger: LedgerLocation, jobs: int) -> int:
    """What `replay` and `ledger verify` do with several records: check them all with a progress bar, list
    every difference (stdout) and failure (stderr), print the summary table; returns the exit code."""
    verb = "replayed" if action == "replay" else "verified"
    label = "Replaying" if action == "replay" else "Verifying"
    with stop_on_ctrl_c(f"not every record was {verb}."), progress_bar(len(references), label) as advance:
        outcomes = check_records(references, action, ledger, jobs, advance)
    for outcome in outcomes:
        if outcome.report:
            say("\n".join(outcome.report))
    print_outcomes(outcomes, records_table(outcomes))
    return batch_exit_code(outcomes)
