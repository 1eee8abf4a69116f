"""The decision ledger for people: its list of records, and one record's provenance above the table it holds."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from tabulate import tabulate

from ..audit.ledger import Entry
from ..audit.record import result_of_record
from ..numbers import short
from .table import render_table

ENTRY_HEADERS = ["Id", "Time (UTC)", "Tender", "Ruleset", "Winner", "Hash"]


def render_entries(entries: Sequence[Entry], fmt: str) -> str:
    """`ledger list`: a table (hashes shortened), or every column in full as JSON."""
    if fmt == "json":
        return json.dumps([vars(e) for e in entries], indent=2, ensure_ascii=False) + "\n"
    rows = [[e.id, e.created_at, e.tender, e.ruleset, e.winner, f"{short(e.hash)}…"] for e in entries]
    return tabulate(rows, headers=ENTRY_HEADERS, tablefmt="simple", disable_numparse=True) + "\n"


def render_record(record: Mapping[str, Any]) -> str:
    """`ledger show`: where the record sits in the chain, what it was made from, then the result it holds."""
    ruleset = record["ruleset"]
    lines = [
        f"Decision record {record['seq']}",
        f"  hash       {record['hash']}",
        f"  previous   {record['prev_hash'] or 'none (first record)'}",
        f"  made       {record['created_at']} by tenderscore {record['tool']['version']}",
        f"  pack       {record['pack']['display']}",
        f"  ruleset    {ruleset['id']}@{ruleset['version']} (sha256 {ruleset['sha256']}, from {ruleset['origin']})",
        f"  firings    {len(record['firings'])}",
        "  inputs:",
    ]
    for entry in record["pack"]["files"]:
        lines.append(f"    {entry['name']}  sha256 {entry['sha256']}  {len(entry['text'].encode('utf-8'))} bytes")
    return "\n".join(lines) + "\n\n" + render_table(result_of_record(record))
