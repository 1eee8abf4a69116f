"""Scoring many packs: which folders are packs, where each result goes, and each pack's outcome.

A pack that fails never stops the others: its error is part of its outcome. Decision records are sealed onto
the ledger here, in the parent, in pack order, so the chain is the same whatever the number of workers.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from ..audit import Ledger, StoredRecord, build_record
from ..audit.source import scored_now
from ..errors import ExitCode, InputError, PolicyRefused, Problem, TenderscoreError
from ..evaluate import Evaluation, evaluate
from ..files import PendingFile
from ..numbers import fmt2
from ..output import RecordRef, render_scored
from ..pack import load_pack
from .runner import crash, run_in_order

EXTENSIONS = {"table": "txt", "json": "json", "csv": "csv", "markdown": "md", "html": "html"}


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
    # Probable mistakes that score as the spec says (an unknown measure code): said, never silent.
    warnings: list[str] = field(default_factory=list)
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

    def crashed(self, why: str) -> PackOutcome:
        """The pack could not be scored for a reason that is not its input's (a bug, a dead worker)."""
        self.status, self.exit_code = "error", ExitCode.FAILED
        self.errors = [f"{self.folder}: could not be scored: {why}"]
        return self

    def slim(self) -> PackOutcome:
        """The outcome without its result text and record: what a summary of thousands of packs keeps."""
        kept = copy.copy(self)
        kept.rendered = kept.record = kept.evaluation = None
        return kept


@dataclass(frozen=True)
class PackTask:
    index: int
    folder: Path
    fmt: str
    # Whether to build the pack's decision record (its body: the parent seals it onto the ledger's chain).
    record: bool = False

    def outcome(self) -> PackOutcome:
        return PackOutcome(self.index, self.folder, "error", ExitCode.INPUT)

    def died(self, why: str) -> PackOutcome:
        return self.outcome().crashed(why)


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
    outcome = task.outcome()
    try:
        pack = load_pack(task.folder)
        outcome.tender_id = pack.tender.id
        outcome.bids = len(pack.bids)
        outcome.warnings = [str(warning) for warning in pack.warnings]
        evaluation = evaluate(pack)
        record = build_record(pack, evaluation) if task.record else None
        # An HTML report cites its decision record, which only the parent can seal: it is rendered there.
        rendered = (
            None if record is not None and task.fmt == "html" else render_scored(scored_now(evaluation), task.fmt)
        )
    except PolicyRefused as exc:
        outcome.status, outcome.exit_code, outcome.errors = "refused", exc.exit_code, exc.lines()
        return outcome
    except TenderscoreError as exc:
        outcome.exit_code, outcome.errors = exc.exit_code, exc.lines()
        return outcome
    except Exception as exc:  # a bug must not take the other packs down with it; it is reported, by pack
        return outcome.crashed(crash(exc))
    outcome.status, outcome.exit_code = "ok", ExitCode.OK
    outcome.record, outcome.rendered = record, rendered
    outcome.evaluation = evaluation if rendered is None else None
    outcome.winner, outcome.total = _winner(evaluation)
    outcome.firings = len(evaluation.trace.firings)
    return outcome


Worker = Callable[[PackTask], PackOutcome]


def run_batch(
    tasks: Sequence[PackTask],
    jobs: int,
    deliver: Callable[[PackOutcome], None],
    progress: Callable[[int], None] | None = None,
    worker: Worker = score_pack,
) -> None:
    """Score `tasks` in `jobs` worker processes, delivering every pack's outcome in pack order."""

    def each(ready: list[PackOutcome]) -> None:
        for outcome in ready:
            deliver(outcome)

    run_in_order(tasks, jobs, worker, each, progress)


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

    def deliver(ready: list[PackOutcome]) -> None:
        with ExitStack() as claims:  # a claimed file not published (a failure, Ctrl-C) leaves nothing behind
            # Claimed before the records are appended, as for one pack: an unwritable result records nothing.
            claimed: list[tuple[PackOutcome, PendingFile]] = []
            for outcome in ready:
                # A scored pack arrives rendered, or (an HTML report, which cites its record) with its evaluation.
                if outcome.rendered is None and outcome.evaluation is None:
                    continue
                try:
                    claimed.append((outcome, claims.enter_context(PendingFile(targets[outcome.index]))))
                except TenderscoreError as exc:
                    outcome.fail(exc)
            # A result that does not cite its record is written (and synced) before the records are appended.
            claimed = [(outcome, pending) for outcome, pending in claimed if _write(outcome, pending)]
            if ledger is not None:
                claimed = _record(claimed, ledger, fmt)
            for outcome, pending in claimed:
                try:
                    if outcome.rendered is not None and not pending.written:
                        pending.write(outcome.rendered)
                    pending.publish()
                    outcome.file = targets[outcome.index]
                except TenderscoreError as exc:
                    outcome.fail(exc)
        outcomes.extend(outcome.slim() for outcome in ready)

    run_in_order(tasks, jobs, worker, deliver, progress)
    return outcomes


def _write(outcome: PackOutcome, pending: PendingFile) -> bool:
    """Write an outcome's rendered result, if it has one yet; False (the outcome failed) when it cannot be."""
    if outcome.rendered is None:
        return True
    try:
        pending.write(outcome.rendered)
    except TenderscoreError as exc:
        outcome.fail(exc)
        return False
    return True


class _Unwritten(Exception):
    """Some reports could not be written inside the records' transaction: it is rolled back and retried without
    their packs."""


def _record(
    claimed: list[tuple[PackOutcome, PendingFile]], ledger: Ledger, fmt: str
) -> list[tuple[PackOutcome, PendingFile]]:
    """Append the claimed outcomes' records in one transaction (one sync for all, in pack order); returns the
    outcomes whose files may now be put in place: all of them, or none if the ledger refused.

    A report that cites its record (HTML) is rendered and written inside the transaction, before it commits;
    a pack whose report cannot be written (a full disk) loses its place and the others are appended without it.
    """
    while True:
        recorded = [(outcome, pending) for outcome, pending in claimed if outcome.record is not None]
        failed: list[PackOutcome] = []

        def write_reports(
            stored: list[StoredRecord],
            recorded: list[tuple[PackOutcome, PendingFile]] = recorded,
            failed: list[PackOutcome] = failed,
        ) -> None:
            for (outcome, pending), kept in zip(recorded, stored, strict=True):
                if outcome.evaluation is None:
                    continue
                ref = RecordRef(kept.hash, str(kept.record["created_at"]), str(kept.id))
                try:
                    outcome.rendered = render_scored(scored_now(outcome.evaluation), fmt, ref)
                    pending.write(outcome.rendered)
                except TenderscoreError as exc:
                    outcome.fail(exc)
                    failed.append(outcome)
                except Exception as exc:  # a bug in one report must not cost the others theirs
                    outcome.crashed(crash(exc))
                    failed.append(outcome)
            if failed:
                raise _Unwritten

        try:
            stored = ledger.append_many(
                [outcome.record for outcome, _ in recorded if outcome.record is not None], write_reports
            )
        except _Unwritten:
            claimed = [(outcome, pending) for outcome, pending in claimed if outcome not in failed]
            for outcome, pending in claimed:
                if outcome.evaluation is not None:
                    pending.rewind()
            continue
        except TenderscoreError as exc:
            for outcome, _ in claimed:
                outcome.fail(exc)
            return []
        for (outcome, _), kept in zip(recorded, stored, strict=True):
            outcome.record_id = kept.id
        return [(outcome, pending) for outcome, pending in claimed if outcome.status == "ok"]
