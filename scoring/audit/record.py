"""Decision records: one self-contained canonical JSON document per scored pack.

A record holds everything needed to score the pack again with nothing else: the tool's version, the ruleset's
full text, every input file's text, every rule firing in order and the full result. Its `hash` is the sha256 of
its canonical JSON without the `hash` field; `seq` and `prev_hash` place it in a ledger's hash chain.

Each section also has its own digest inside the hashed content, so a record that fails to verify can say which
part was changed (an input file, the ruleset, a firing, the result), not only that something was.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter

from ...engine import plain, sha256_hex
from ...engine.canonical import canonical_dumps
from .. import tool_version
from ..errors import InputError, Problem
from ..explanation import firing_entry
from ..numbers import short
from ..published import result_to_dict
from ..result import Result
from ..yamlio import parse_json

if TYPE_CHECKING:
    from ..evaluate import Evaluation
    from ..pack import Pack

RECORD_FORMAT = "tenderscore-decision-record/1"
# What a replay recomputes and compares byte for byte; everything else (the time, the chain) is history.
DETERMINISTIC = ("firings", "result", "detail")
DIGESTED = ("pack", "ruleset", "firings", "result", "detail")
SEALED = ("seq", "prev_hash", "hash")
REQUIRED = ("format", "tool", "created_at", "digests", *DIGESTED, *SEALED)

# Firings as a record keeps them (firing_entry): what explanations and reports cite.
Firings = Sequence[Mapping[str, Any]]


@functools.cache
def _result_adapter() -> TypeAdapter[Result]:
    # Built when a record is first read back, not on import: it is a large share of a command's start-up.
    return TypeAdapter(Result)


def canonical_bytes(data: Any) -> bytes:
    """engine.canonical_json for data that is already plain JSON (as records are, built or parsed).

    The same bytes without engine.plain's walk, which was nine tenths of `ledger verify`'s time. A Decimal
    (only a tampered record holds one: records are parsed with fractions as Decimals, never floats) raises
    TypeError, which verification reports.
    """
    return canonical_dumps(data)


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def deterministic_parts(evaluation: Evaluation) -> dict[str, Any]:
    """The parts of a record that the same inputs must reproduce exactly, as plain JSON data."""
    return {
        "firings": [firing_entry(f) for f in evaluation.trace.firings],
        "result": result_to_dict(evaluation.result),
        "detail": result_detail(evaluation.result),
    }


def result_detail(result: Result) -> dict[str, Any]:
    """The whole Result (every valuation, rule id, question and theme figure): what `explain` reads."""
    whole = plain(result)
    # Fields added since records were first written are left out at their defaults (which reading a record
    # restores), so a record made before them replays to the same bytes: bid_facts, and each bid's notices.
    if whole.get("bid_facts") is None:
        whole.pop("bid_facts", None)
    for bid in whole["bids"]:
        if not bid.get("notices"):
            bid.pop("notices", None)
    return {
        "result": whole,
        # Canonical JSON sorts keys; this keeps the order people read them in (the tender's questions, the
        # ruleset's themes and outcomes).
        "order": {
            b.bid_id: {"questions": list(b.questions), "themes": list(b.themes), "core_outcomes": list(b.core_outcomes)}
            for b in result.bids
        },
    }


def result_of_record(record: Mapping[str, Any]) -> Result:
    """The full Result a record holds (its `detail`), with exact Decimals and the order people read again."""
    detail = record["detail"]
    result = _result_adapter().validate_python(detail["result"])
    for bid in result.bids:
        order = detail["order"][bid.bid_id]
        bid.questions = {key: bid.questions[key] for key in order["questions"]}
        bid.themes = {key: bid.themes[key] for key in order["themes"]}
        bid.core_outcomes = {key: bid.core_outcomes[key] for key in order["core_outcomes"]}
    return result


def section_digests(body: Mapping[str, Any]) -> dict[str, str]:
    return {name: sha256_hex(canonical_bytes(body[name])) for name in DIGESTED}


def build_record(pack: Pack, evaluation: Evaluation, created_at: str | None = None) -> dict[str, Any]:
    """A record's body: everything but its place in a ledger (`seq`, `prev_hash`, `hash`).

    The body is plain JSON data (picklable), so it can be built where the pack was scored and sealed where
    the ledger is: `Ledger.append(body)` seals it onto the chain.
    """
    ruleset = pack.ruleset
    body: dict[str, Any] = {
        "format": RECORD_FORMAT,
        "tool": {"name": "tenderscore", "version": tool_version()},
        "created_at": created_at or utc_now(),
        "pack": {
            "display": pack.display,
            "files": [{"name": f.name, "sha256": f.sha256, "text": f.text} for f in pack.files],
        },
        "ruleset": {
            "id": ruleset.id,
            "version": ruleset.version,
            "sha256": ruleset.sha256,
            "origin": ruleset.origin,
            "text": ruleset.text,
            "text_sha256": sha256_hex(ruleset.text.encode("utf-8")),
        },
        **deterministic_parts(evaluation),
    }
    body["digests"] = section_digests(body)
    return body


def record_hash(record: Mapping[str, Any]) -> str:
    return sha256_hex(canonical_bytes({key: value for key, value in record.items() if key != "hash"}))


def seal(body: Mapping[str, Any], seq: int, prev_hash: str | None) -> dict[str, Any]:
    """The body placed at `seq` in a chain after the record whose hash is `prev_hash` (None for the first)."""
    record = {key: value for key, value in body.items() if key not in SEALED}
    record["seq"] = seq
    record["prev_hash"] = prev_hash
    record["hash"] = record_hash(record)
    return record


def record_text(record: Mapping[str, Any]) -> str:
    """The canonical JSON of a record, the form a ledger stores and `ledger export` writes."""
    return canonical_bytes(record).decode("utf-8")


def record_problem(record: Any) -> str | None:
    """Why a record does not verify (the first reason found), or None when it does.

    The sections are checked before the record's own hash so that the reason names what was changed.
    """
    if not isinstance(record, dict):
        return "expected a decision record (a JSON object)"
    missing = [key for key in REQUIRED if key not in record]
    if missing:
        return f"not a decision record: missing {', '.join(missing)}"
    if record["format"] != RECORD_FORMAT:
        return f"expected format {RECORD_FORMAT}, found {record['format']!r}"
    try:
        for entry in record["pack"]["files"]:
            if sha256_hex(str(entry["text"]).encode("utf-8")) != entry["sha256"]:
                return f"input file {entry['name']}: its text does not match its sha256"
        if sha256_hex(str(record["ruleset"]["text"]).encode("utf-8")) != record["ruleset"]["text_sha256"]:
            return f"ruleset {record['ruleset']['id']}: its text does not match its sha256"
        digests = record["digests"]
        for name in DIGESTED:
            if sha256_hex(canonical_bytes(record[name])) != digests.get(name):
                return f"its {name} section does not match the digest recorded for it"
        computed = record_hash(record)
    except (KeyError, TypeError, AttributeError) as exc:
        return f"not a well-formed decision record ({type(exc).__name__}: {exc})"
    if computed != record["hash"]:
        return (
            f"its content does not match its hash (recorded {str(record['hash'])[:16]}…, computed {computed[:16]}…): "
            "the time, tool, place in the chain or digests were changed"
        )
    return None


def parse_record(text: str, name: str) -> dict[str, Any]:
    """A record read from JSON text (an exported file); raises InputError when it is not a decision record.

    Decimal numbers stay Decimal, so a tampered number is caught by the hash rather than rounded by a float.
    """
    data, problem = parse_json(text, name)
    if problem is not None:
        raise InputError([problem])
    if not isinstance(data, dict) or "format" not in data or "hash" not in data:
        raise InputError([Problem(name, "", "expected a decision record (JSON with format, hash, pack, result ...)")])
    return data


def input_files(record: Mapping[str, Any]) -> dict[str, str]:
    return {str(entry["name"]): str(entry["text"]) for entry in record["pack"]["files"]}


def describe(record: Mapping[str, Any]) -> str:
    where = f"decision record {record['seq']}" if record.get("seq") is not None else "decision record"
    return f"{where} (sha256 {short(str(record.get('hash', '')))}…)"
