"""The decision an award document is built from: a decision record (a file, or an id in the ledger), or a pack,
which is scored now and its decision record appended to the ledger first, so that every summary and OCDS
release names a recorded decision that `replay` reproduces."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from ..audit.ledger import record_decision
from ..audit.location import LedgerLocation
from ..audit.replay import rebuild_pack, verified
from ..audit.source import load_record, record_origin, scored_record
from ..audit.store import open_ledger
from ..award.summary import Decision
from ..evaluate import evaluate
from ..pack import load_pack
from .common import appended_message


def open_decision(reference: str, ledger: LedgerLocation) -> Decision:
    record: Mapping[str, Any]
    if Path(reference).is_dir():
        pack = load_pack(Path(reference))
        # Named by the ledger's own path: a PostgreSQL URL's password never reaches a message or a document.
        with open_ledger(ledger) as book:
            stored = record_decision(pack, evaluate(pack), book)
        click.echo(appended_message(stored, book.path), err=True)
        record, where = stored.record, f"ledger {book.path}: record {stored.id}"
    else:
        loaded, where = load_record(reference, ledger)
        record = verified(loaded, where)
        pack = rebuild_pack(record)
    scored = scored_record(record, record_origin(record, where))
    bids = {entry.bid_id: entry.bid for entry in pack.bids}
    return Decision(scored, pack.tender, bids, pack.ruleset.model)
