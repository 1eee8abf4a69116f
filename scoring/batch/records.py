"""Many decision records: replay them, or verify them, the same way, in worker processes."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..audit import RecordBroken
from ..audit.errors import LedgerUnavailable
from ..audit.location import LedgerLocation
from ..audit.replay import replay as replay_record
from ..audit.replay import report_lines, verified
from ..audit.source import load_record
from ..audit.store import open_ledger
from ..errors import ExitCode, TenderscoreError
from ..numbers import short
from .runner import crash, run_in_order

_RANGE = re.compile(r"^(\d+)-(\d+)$")


def expand_records(references: Iterable[str], last_id: int | None) -> list[str]:
    """Record references from the command line: a record file, a ledger id, an id range `3-40`, or a folder of
    record files (its `*.json`, sorted by name), in the order given.

    A range stops at the ledger's last record (`last_id`; None when there is no ledger or it is empty):
    `replay 1-100000000` must not build a hundred million references for records that do not exist. A range
    with no record in it stays one reference, which then fails as "no such record".
    """
    found: list[str] = []
    for reference in references:
        folder, span = Path(reference), _RANGE.match(reference)
        if folder.is_dir():
            found += [str(path) for path in sorted(folder.glob("*.json"))]
        elif span is not None and not folder.exists():
            first, last = int(span[1]), min(int(span[2]), last_id or 0)
            found += [str(n) for n in range(first, last + 1)] if first <= last else [reference]
        else:
            found.append(reference)
    return found


def ledger_last_id(path: LedgerLocation) -> int | None:
    """The ledger's newest record id, or None where there is no ledger (yet) or it has no records."""
    try:
        with open_ledger(path, create=False) as book:
            return book.last_id()
    except LedgerUnavailable:
        return None


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

    def crashed(self, why: str) -> RecordOutcome:
        """The record could not be checked for a reason that is not its own (a bug, a dead worker)."""
        self.status, self.exit_code = "error", ExitCode.FAILED
        self.errors = [f"{self.reference}: could not be checked: {why}"]
        return self


@dataclass(frozen=True)
class RecordTask:
    index: int
    reference: str  # a record file, or a record id in `ledger`
    ledger: LedgerLocation | None
    action: str  # "replay" or "verify"

    def outcome(self) -> RecordOutcome:
        return RecordOutcome(self.index, self.reference, "error", ExitCode.INPUT, where=self.reference)

    def died(self, why: str) -> RecordOutcome:
        return self.outcome().crashed(why)


def check_record(task: RecordTask) -> RecordOutcome:
    """Replay or verify one record; every failure becomes the outcome's errors, never an exception."""
    outcome = task.outcome()
    try:
        record, outcome.where = load_record(task.reference, task.ledger)
        outcome.tender_id = str(record.get("result", {}).get("tender", {}).get("id", ""))
        outcome.seq, outcome.hash, outcome.prev_hash = record.get("seq"), str(record["hash"]), record.get("prev_hash")
        if task.action == "verify":
            verified(record, outcome.where)
            outcome.status, outcome.exit_code = "intact", ExitCode.OK
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
        return outcome.crashed(crash(exc))
    if replayed.identical:
        outcome.status, outcome.exit_code = "identical", ExitCode.OK
        outcome.detail = f"{len(record['result']['bids'])} bids, {len(record['firings'])} firings"
    else:
        outcome.status, outcome.exit_code = "differs", ExitCode.DIFFERS
        outcome.report = report_lines(replayed)
        outcome.detail = outcome.report[0]
        outcome.errors = [f"{outcome.where}: the replay does not match the record"]
    return outcome


def check_records(
    references: Sequence[str],
    action: str,
    ledger: LedgerLocation | None,
    jobs: int,
    progress: Callable[[int], None] | None = None,
) -> list[RecordOutcome]:
    """Replay or verify every record in worker processes; outcomes in the order given.

    Verifying also checks the links between records given in chain order: a record that follows its
    predecessor by `seq` must name that predecessor's hash as its `prev_hash`.
    """
    tasks = [RecordTask(index, reference, ledger, action) for index, reference in enumerate(references)]
    outcomes: list[RecordOutcome] = []

    def deliver(ready: list[RecordOutcome]) -> None:
        for outcome in ready:
            link(outcome)

    def link(outcome: RecordOutcome) -> None:
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
            outcome.status, outcome.exit_code, outcome.detail = "broken", ExitCode.DIFFERS, why
            outcome.errors = [f"{outcome.where}: {why}"]
        outcomes.append(outcome)

    run_in_order(tasks, jobs, check_record, deliver, progress)
    return outcomes
