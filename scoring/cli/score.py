"""`tenderscore score PACK...`: the main job, for one pack or for a period's packs at once."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import InputError, Problem
from ..output import FORMATS
from .common import (
    PackFolder,
    appended_message,
    chosen_format,
    format_option,
    given,
    jobs_option,
    ledger_option,
    output_option,
    say,
    user_errors,
    wrote,
)

if TYPE_CHECKING:
    from ..audit.ledger import StoredRecord
    from ..audit.location import LedgerLocation


@click.command()
@click.argument("packs", metavar="PACK...", nargs=-1, required=True, type=PackFolder())
@format_option(
    FORMATS,
    "table",
    "How to print the result (with --output, by default the one its extension names: .html .json .csv .md .txt).",
)
@output_option
@click.option(
    "--output-dir",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="With several packs: write each pack's result to DIR/<pack name>.<ext> (txt, json, csv, md, html).",
)
@jobs_option("packs")
@ledger_option
@click.option("--no-ledger", is_flag=True, help="Keep no decision record of this run.")
@user_errors
def score(
    packs: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    output_dir: Path | None,
    jobs: int | None,
    ledger: LedgerLocation,
    no_ledger: bool,
) -> None:
    """Score tender packs: gates, minimums, price, quality and social value, policy, ranking.

    PACK is a pack folder, or a folder of packs (one with no tender.yaml whose subfolders have one).

    Exit codes: 0 scored, 2 bad input (every problem listed), 3 refused by the ruleset's policy
    (for instance a social value weight under the floor with no recorded exemption).

    Each run appends a decision record to the ledger (see `tenderscore ledger`) and prints the ledger's path
    on stderr; --no-ledger keeps none. An --output file is written in full before the record is kept, so a
    result that cannot be written (a full disk) is never recorded. Without --format, --output's extension
    (.html .json .csv .md .txt) names the format; a --format that contradicts it is refused (exit 2).
    --output creates or replaces a regular file only (a symlink's target, when that is one); /dev/stdout
    streams to standard output; a device, FIFO or folder is refused.

    Several packs are scored independently by --jobs worker processes, each into its own result file in
    --output-dir, each with its own decision record (appended in pack order). A pack that fails is listed
    with its error and the others are scored all the same; a summary table ends the run. The exit code is
    1 if any pack could not be scored at all (its worker process died, or an internal error), else the
    highest of any pack (3 if one was refused, else 2 if one had bad input). A progress bar shows on stderr
    when it is a terminal. Ctrl-C stops the batch (exit 130): the result files and decision records already
    written are complete, and no file is left half-written.

    \b
    Examples:
      tenderscore score fixtures/stockport-highways
      tenderscore score fixtures/stockport-highways --format json --output result.json
      tenderscore score fixtures/stockport-highways --format html --output report.html
      tenderscore score submissions/2026-q1 --format json --output-dir results/2026-q1 --jobs 4
    """
    # The library is imported here, by what this run needs: `--help` and the other commands load none of it.

    from ..evaluate import evaluate
    from ..explanation import scored_now
    from ..files import claim_output
    from ..output import RecordRef, render_scored
    from ..pack import discover_packs, load_pack

    if no_ledger and given("ledger"):
        raise click.UsageError("--ledger and --no-ledger contradict each other: give one.")
    folders = discover_packs(packs)
    if list(packs) != folders or output_dir is not None:
        _score_many(folders, fmt, output, output_dir, jobs, None if no_ledger else ledger)
        return
    (pack,) = packs
    fmt = chosen_format(fmt, output, "table", FORMATS)
    loaded = load_pack(pack)
    evaluation = evaluate(loaded)
    rendered: list[str] = []
    # The output file is claimed before the record is appended, and written in full (synced) inside the
    # record's transaction before it commits: a path that cannot be written, or a full disk, fails with nothing
    # recorded, so the ledger never holds a decision whose result its user did not receive.
    with claim_output(output) as pending:

        def deliver(stored: list[StoredRecord]) -> None:
            record = (
                None if not stored else RecordRef(stored[0].hash, stored[0].record["created_at"], str(stored[0].id))
            )
            rendered.append(render_scored(scored_now(evaluation), fmt, record))
            if pending is not None:
                pending.write(rendered[-1])

        if no_ledger:
            deliver([])
        else:
            from ..audit import record_decision
            from ..audit.store import open_ledger

            with open_ledger(ledger) as book:
                say(appended_message(record_decision(loaded, evaluation, book, deliver), book.path), err=True)
        if pending is None:
            say(rendered[-1], nl=False)
        else:
            pending.publish()
            if not pending.streams:
                wrote(pending.path, fmt)
    # Said last, where a terminal shows it: a probable mistake that scores as the spec says is never silent.
    for warning in loaded.warnings:
        say(f"Warning: {warning}", err=True)


# Every result file and decision record is written whole or not at all, so what was written before Ctrl-C stands.
INTERRUPTED = "not every pack was scored; the results and decision records already written are whole."


def _score_many(
    folders: list[Path],
    fmt: str,
    output: Path | None,
    output_dir: Path | None,
    jobs: int | None,
    ledger: LedgerLocation | None,
) -> None:
    from ..audit.store import open_ledger
    from ..batch.packs import score_many
    from ..batch.runner import batch_exit_code, default_jobs
    from .batching import print_outcomes, progress_bar, stop_on_ctrl_c, summary_table

    if output is not None:
        raise InputError([Problem("--output", "", "expected --output-dir DIR with several packs, found --output")])
    if output_dir is None:
        raise InputError(
            [
                Problem(
                    "--output-dir",
                    "",
                    f"expected a folder for the results of {len(folders)} packs (each written to "
                    "DIR/<pack name>.<ext>), found none",
                )
            ]
        )
    book = None if ledger is None else open_ledger(ledger)
    try:
        with stop_on_ctrl_c(INTERRUPTED), progress_bar(len(folders), "Scoring") as advance:
            outcomes = score_many(folders, fmt, output_dir, jobs or default_jobs(), book, advance)
    finally:
        if book is not None:
            book.close()
    print_outcomes(outcomes, summary_table(outcomes))
    # As for one pack: said last, where a terminal shows it. Each names its pack's file.
    for outcome in outcomes:
        for warning in outcome.warnings:
            say(f"Warning: {warning}", err=True)
    records = [o.record_id for o in outcomes if o.record_id is not None]
    if book is not None and records:
        which = f"record {records[0]}" if len(records) == 1 else f"records {records[0]} to {records[-1]}"
        say(f"Decision {which} appended to ledger {book.path}", err=True)
    code = batch_exit_code(outcomes)
    if code:
        sys.exit(code)
