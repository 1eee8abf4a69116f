"""The hash chain's rules, whatever stores it: what a stored record must be, how records link, and the head a
ledger keeps beside its records.

Nothing here knows SQLite: a store hands over rows (`Row`) and gets back the first reason a chain does not
verify, so a second store (PostgreSQL, say) checks exactly what this one checks.

A stored record verifies when
- its stored text is the canonical JSON of what it parses to (no other whitespace, no `\\u0043`-style escapes,
  no number written another way), so any changed byte is a failure even where JSON would read the same value;
- it passes `record.record_problem` (every section matches its digest, the whole matches its hash);
- the columns a store keeps beside it (id, time, tender, ruleset, winner, hashes) are the ones derived from it;
- its id is the next integer in the chain and its prev_hash the hash of the record before it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from ..published import winner_of
from ..yamlio import refuse_constant
from .errors import ChainBroken
from .record import record_problem, record_text


class Row(NamedTuple):
    """A stored record as a store returns it: the record's text and the columns derived from it."""

    id: Any  # an int when the store is intact; anything else is reported, never trusted
    created_at: Any
    tender: Any
    ruleset: Any
    winner: Any
    prev_hash: Any
    hash: Any
    record: Any  # the stored text


# What every store selects and inserts, in Row's order, so a row it reads back is Row(*row).
COLUMNS = ", ".join(Row._fields)


@dataclass(frozen=True)
class Head:
    """What a ledger records about its chain each time it appends: how many records, and the newest's hash.

    `schema` is the store's own marker of its structure (SQLite's schema_version): while it is unchanged, the
    guards that keep rows append-only are the ones the ledger made, so rows below the head were not rewritten
    through the store; a changed marker means the whole chain is walked again before anything is appended.
    """

    count: int
    hash: str | None
    schema: int


def summary_columns(record: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """The columns `ledger list` reads without parsing records: derived from the record, checked by verify."""
    result = record["result"]
    ruleset = f"{result['ruleset']['id']}@{result['ruleset']['version']}"
    return (str(record["created_at"]), str(result["tender"]["id"]), ruleset, winner_of(result))


def row_of(record: Mapping[str, Any]) -> Row:
    """The row a store keeps for a sealed record."""
    return Row(record["seq"], *summary_columns(record), record["prev_hash"], record["hash"], record_text(record))


def where(store: str, row_id: Any) -> str:
    return f"ledger {store}: record {row_id}"


def id_problem(row_id: Any, expected: int) -> str | None:
    """Why a stored id is not the `expected` next one in the chain."""
    if type(row_id) is not int:
        return f"its id is stored as {type(row_id).__name__} {row_id!r}, not the integer {expected}"
    if row_id != expected:
        missing = f"record {expected} is" if row_id == expected + 1 else f"records {expected} to {row_id - 1} are"
        if row_id < expected:
            return f"expected record {expected} next: record {row_id} appears twice or out of order"
        return f"expected record {expected} next: {missing} missing from the chain"
    return None


def parse_stored(row: Row, store: str) -> dict[str, Any]:
    """The record a row holds, refusing text that is not exactly its canonical JSON."""
    text = row.record
    try:
        if not isinstance(text, str):
            raise TypeError(f"stored as {type(text).__name__}, not text")
        data = json.loads(text, parse_float=Decimal, parse_constant=refuse_constant)
    except (ValueError, TypeError) as exc:  # not JSON, or not even text
        raise ChainBroken(where(store, row.id), f"its stored record is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ChainBroken(where(store, row.id), "its stored record is not a JSON object")
    try:
        canonical = record_text(data)
    except (TypeError, ValueError):  # a number with a fraction: a record holds money as strings
        canonical = None
    if canonical != text:
        raise ChainBroken(
            where(store, row.id),
            "its stored text is not the canonical JSON of its content (whitespace, escapes or number forms were "
            "changed)",
        )
    return data


def row_problem(row: Row, record: Mapping[str, Any]) -> str | None:
    """Disagreement between a row's columns and the (verified) record they were derived from."""
    if record["seq"] != row.id:
        return f"the record says it is record {record['seq']}"
    if row.hash != record["hash"] or row.prev_hash != record["prev_hash"]:
        return "its hash columns do not match the record"
    try:
        columns = summary_columns(record)
    except (KeyError, TypeError) as exc:
        return f"its result is not well formed ({exc})"
    if tuple(row[1:5]) != columns:
        return "its listed time, tender, ruleset or winner do not match the record"
    return None


def check_row(row: Row, store: str) -> dict[str, Any]:
    """A row's record when the row verifies on its own (content, hash, columns); raises ChainBroken otherwise."""
    record = parse_stored(row, store)
    why = record_problem(record) or row_problem(row, record)
    if why is not None:
        raise ChainBroken(where(store, row.id), why)
    return record


class ChainWalk:
    """Rows fed in id order, from the first or from a verified point; raises ChainBroken at the first failure."""

    def __init__(self, store: str, count: int = 0, head: str | None = None) -> None:
        self.store = store
        self.count = count
        self.head = head

    def feed(self, row: Row) -> dict[str, Any]:
        expected = self.count + 1
        why = id_problem(row.id, expected)
        if why is not None:
            raise ChainBroken(where(self.store, row.id), why)
        record = check_row(row, self.store)
        if record["prev_hash"] != self.head:
            raise ChainBroken(
                where(self.store, row.id),
                f"its prev_hash ({str(record['prev_hash'])[:16]}…) is not the hash of record {expected - 1} "
                f"({str(self.head)[:16]}…)"
                if self.head is not None
                else "it is the first record but names a previous one",
            )
        self.count, self.head = expected, str(record["hash"])
        return record


def head_problem(head: Head, newest: Row | None, at_count: Any) -> str | None:
    """Why the chain's newest row is not an extension of the head recorded at the last append (`at_count` is
    the hash stored at record `head.count` now), or None when the rows after the head may be walked from it."""
    newest_id = 0 if newest is None else newest.id
    if type(newest_id) is not int:
        return f"its newest record's id is stored as {type(newest_id).__name__} {newest_id!r}"
    if newest_id < head.count:
        return (
            f"the ledger recorded {head.count} records at its last append (head {str(head.hash)[:16]}…) but holds "
            f"{newest_id}: records were removed"
        )
    if head.count and at_count != head.hash:
        return (
            f"record {head.count} is not the head recorded at the last append (hash {str(head.hash)[:16]}…): "
            "it was replaced"
        )
    return None


def walk_on_from_head(
    store: str,
    head: Head,
    newest: Row | None,
    at_count: Any,
    rows_after: Callable[[int], Iterable[Row]],
    written: tuple[Any, ...] | None,
) -> ChainWalk:
    """The chain walked on from the head its store recorded at the last append, in constant work while nothing
    was appended since: `newest` is the store's newest row, `at_count` the hash it holds at record `head.count`,
    `rows_after(n)` its rows after id n in order, `written` the row this connection itself last appended."""
    why = head_problem(head, newest, at_count)
    if why is not None:
        raise ChainBroken(f"ledger {store}", why)
    walk = ChainWalk(store, head.count, head.hash)
    if newest is not None and newest.id > head.count:
        for row in rows_after(head.count):
            walk.feed(row)
    elif newest is not None and tuple(newest) != written:
        # A head byte for byte as this connection wrote it was sealed here; a batch appends hundreds, and
        # parsing each back to check it was two thirds of an append.
        check_row(newest, store)
    return walk


def refusing_to_append(broken: ChainBroken) -> ChainBroken:
    """Chaining onto a chain that does not verify would bless whatever was done to it."""
    return ChainBroken(broken.where, f"{broken.why}; refusing to append after it (run `tenderscore ledger verify`)")
