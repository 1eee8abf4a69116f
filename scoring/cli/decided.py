"""The decision an award document is built from: a decision record (a file, or an id in the ledger), or a pack,
which is scored now and its decision record appended to the ledger first, so that every summary and OCDS
release names a recorded decision that `replay` reproduces."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

from ..audit.ledger import StoredRecord
from ..audit.location import LedgerLocation
from ..audit.replay import rebuild_pack, verified
from ..audit.source import load_record, record_origin, scored_record
from ..audit.store import open_ledger, record_decision
from ..award.summary import Decision
from ..evaluate import evaluate
from ..pack import Pack, load_pack
from .common import appended_message


def open_decision(
    reference: str, ledger: LedgerLocation, deliver: Callable[[Decision], None] | None = None
) -> Decision:
    """The decision `reference` names. `deliver(decision)` makes what the command gives for it (its documents,
    in memory): for a pack it runs inside the new record's transaction, so what it raises (a refusal, a failed
    renderer) appends nothing and no record is kept for a decision whose documents were never made."""
    if not Path(reference).is_dir():
        loaded, where = load_record(reference, ledger)
        record = verified(loaded, where)
        decision = _decision(rebuild_pack(record), record, where)
        if deliver is not None:
            deliver(decision)
        return decision
    pack = load_pack(Path(reference))
    made: list[Decision] = []
    # Named by the ledger's own path: a PostgreSQL URL's password never reaches a message or a document.
    with open_ledger(ledger) as book:

        def before_commit(stored: list[StoredRecord]) -> None:
            made.append(_decision(pack, stored[0].record, f"ledger {book.path}: record {stored[0].id}"))
            if deliver is not None:
                deliver(made[0])

        stored = record_decision(pack, evaluate(pack), book, before_commit)
    click.echo(appended_message(stored, book.path), err=True)
    return made[0]


def _decision(pack: Pack, record: Mapping[str, Any], where: str) -> Decision:
    scored = scored_record(record, record_origin(record, where))
    bids = {entry.bid_id: entry.bid for entry in pack.bids}
    return Decision(scored, pack.tender, bids, pack.ruleset.model)
