"""`tenderscore ledger list | show ID | export ID | verify`: the decision ledger, and the `--ledger` option."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..audit.location import LedgerLocation
from ..audit.record import record_text
from ..audit.replay import verified
from ..audit.source import ledger_record, scored_record
from ..audit.store import open_ledger
from ..batch.records import expand_records, ledger_last_id
from ..batch.runner import default_jobs
from ..numbers import plural
from ..output import RecordRef
from ..output.html import render_scored_html
from ..output.ledger_view import render_entries, render_record
from .batching import check_and_report
from .common import chosen_format, emit, format_option, jobs_option, ledger_option, output_option, say, user_errors

SHOW_FORMATS = ("text", "json", "html")


@click.group()
def ledger() -> None:
    """The decision ledger: every `score` run appends a self-contained, hash-chained decision record.

    The ledger is a SQLite file, or the ledger tables of a PostgreSQL database (the same chain, verified alike):
    --ledger PATH or --ledger postgresql://user:password@host/db, else $TENDERSCORE_LEDGER, else
    ledger.sqlite3 in your user data directory. `verify` exits 4 naming the first record that fails.

    \b
    Examples:
      tenderscore ledger list
      tenderscore ledger show 3
      tenderscore ledger export 3 --output record-3.json
      tenderscore ledger verify --ledger audit/ledger.sqlite3
    """


@ledger.command("list")
@ledger_option
@format_option(["table", "json"], "table")
@user_errors
def list_records(ledger: LedgerLocation, fmt: str) -> None:
    """List the ledger's records: id, time, tender, ruleset, winner and hash.

    \b
    Example:
      tenderscore ledger list --format json
    """
    with open_ledger(ledger, create=False) as book:
        entries = book.entries()
    say(render_entries(entries, fmt), nl=False)


@ledger.command("show")
@click.argument("record_id", metavar="ID", type=click.IntRange(min=1))
@ledger_option
@format_option(SHOW_FORMATS, "text", "How to show it (with --output, by default the one its extension names).")
@output_option
@user_errors
def show(record_id: int, ledger: LedgerLocation, fmt: str, output: Path | None) -> None:
    """Show one record: its place in the chain, its inputs and the result it recorded (or the whole record).

    `--format html` is the evaluation report of `score --format html`, rebuilt from the record alone, with
    the record's hash and time in its footer.

    \b
    Examples:
      tenderscore ledger show 3 --format json
      tenderscore ledger show 3 --format html --output report-3.html
    """
    fmt = chosen_format(fmt, output, "text", SHOW_FORMATS)
    record = verified(*ledger_record(record_id, ledger))
    if fmt == "json":
        emit(json.dumps(record, indent=2, ensure_ascii=False, sort_keys=True, default=str) + "\n", output, fmt)
    elif fmt == "html":
        ref = RecordRef(record["hash"], record["created_at"], str(record_id))
        emit(render_scored_html(scored_record(record, {}), ref), output, fmt)
    else:
        emit(render_record(record), output, fmt)


@ledger.command("export")
@click.argument("record_id", metavar="ID", type=click.IntRange(min=1))
@ledger_option
@output_option
@user_errors
def export(record_id: int, ledger: LedgerLocation, output: Path | None) -> None:
    """Write one record as canonical JSON: what `replay` and `explain` read, with nothing else needed.

    \b
    Example:
      tenderscore ledger export 3 --output record-3.json
    """
    emit(record_text(verified(*ledger_record(record_id, ledger))) + "\n", output, "json")


@ledger.command("verify")
@click.argument("records", metavar="[RECORD...]", nargs=-1)
@jobs_option("records")
@ledger_option
@user_errors
def verify(records: tuple[str, ...], jobs: int | None, ledger: LedgerLocation) -> None:
    """Walk the whole hash chain: every record's hash, every link to the record before, no gaps.

    Exits 0 when the chain is intact, 4 naming the first record that fails and why.

    With RECORD arguments (record files from `ledger export`, ledger ids, id ranges such as 3-40, folders of
    record files), each record is verified on its own by --jobs worker processes, and each one that follows
    the one before it in the chain must name that record's hash; a summary table lists every record, and one
    that fails never stops the others (exit 4 if any fails; 1 if any could not be checked at all, its worker
    process died or an internal error).

    \b
    Examples:
      tenderscore ledger verify --ledger audit/ledger.sqlite3
      tenderscore ledger verify exported-2025/ --jobs 4
    """
    if records:
        # The ledger is named here, in this process: workers may not share this process's environment.
        references = expand_records(records, ledger_last_id(ledger))
        code = check_and_report(references, "verify", ledger, jobs or default_jobs())
        if code:
            sys.exit(code)
        return
    with open_ledger(ledger, create=False) as book:
        report = book.verify()
    head = "empty" if report.head is None else f"head {report.head}"
    say(f"Ledger {book.path}: {plural(report.count, 'record')}, chain intact, {head}")
