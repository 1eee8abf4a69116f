"""Replaying a decision record: the pack and ruleset rebuilt from the record alone, scored again, compared.

Nothing is read from disk: the ruleset is parsed from the text the record holds (never the file it was loaded
from, which may have changed since), the pack is built from the recorded file texts, and the canonical result
and firings are compared byte for byte with the recorded ones.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...engine import canonical_json
from ..errors import TenderscoreError
from ..evaluate import evaluate
from ..numbers import plural
from ..pack import Pack, build_pack
from ..ruleset import parse_ruleset
from .errors import RecordBroken
from .record import DETERMINISTIC, describe, deterministic_parts, input_files, record_problem

# Beyond this many differing figures the rest are counted, not listed: one changed rule can move hundreds.
MAX_LISTED = 40


@dataclass(frozen=True)
class Difference:
    where: str
    recorded: str
    now: str

    def __str__(self) -> str:
        return f"{self.where}: recorded {self.recorded}, now {self.now}"


@dataclass(frozen=True)
class Replay:
    """The outcome of one replay: identical, or what differs (or why the record no longer scores at all)."""

    record: Mapping[str, Any]
    differences: list[Difference] = field(default_factory=list)
    failure: str | None = None

    @property
    def identical(self) -> bool:
        return not self.differences and self.failure is None


def verified(record: Mapping[str, Any], where: str) -> Mapping[str, Any]:
    """The record itself, once its own hash and digests verify; raises RecordBroken (exit 4) otherwise."""
    why = record_problem(record)
    if why is not None:
        raise RecordBroken(where, why)
    return record


def rebuild_pack(record: Mapping[str, Any]) -> Pack:
    """The pack exactly as it was scored, from the record's texts alone."""
    ruleset = record["ruleset"]
    # The same text always gives the same ruleset, so records sharing one share its parse (parse_ruleset caches).
    name = f"{ruleset['id']}@{ruleset['version']} (decision record)"
    loaded = parse_ruleset(ruleset["text"], name, "decision record")
    return build_pack(input_files(record), record["pack"]["display"], ruleset=loaded)


def replay(record: Mapping[str, Any], where: str) -> Replay:
    verified(record, where)
    try:
        now = deterministic_parts(evaluate(rebuild_pack(record)))
    except TenderscoreError as exc:
        return Replay(record, failure="; ".join(exc.lines()))
    recorded = {key: record[key] for key in DETERMINISTIC}
    if canonical_json(now) == canonical_json(recorded):
        return Replay(record)
    return Replay(record, differences=differences(recorded, now))


def differences(recorded: Mapping[str, Any], now: Mapping[str, Any]) -> list[Difference]:
    """What differs, for people: the published result first (by bid and figure), then the detail, then firings.

    The detail mirrors the result, so it is listed only for what the result does not show.
    """
    found = list(_walk(recorded["result"], now["result"], ()))
    if not found:
        found = list(_walk(recorded["detail"], now["detail"], ("detail",)))
    found += _walk_firings(recorded["firings"], now["firings"])
    return found


def _walk(old: Any, new: Any, path: tuple[str, ...]) -> Iterator[Difference]:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            if key not in new:
                yield Difference(_where((*path, key)), _show(old[key]), "absent")
            elif key not in old:
                yield Difference(_where((*path, key)), "absent", _show(new[key]))
            else:
                yield from _walk(old[key], new[key], (*path, key))
    elif isinstance(old, list) and isinstance(new, list) and _keyed(old) and _keyed(new):
        base = path[:-1] if path[-1:] == ("bids",) else path
        by_id_old = {item["bid_id"]: item for item in old}
        by_id_new = {item["bid_id"]: item for item in new}
        for bid_id in list(by_id_old) + [b for b in by_id_new if b not in by_id_old]:
            where = (*base, f"bid {bid_id}")
            if bid_id not in by_id_new:
                yield Difference(_where(where), "present", "absent")
            elif bid_id not in by_id_old:
                yield Difference(_where(where), "absent", "present")
            else:
                yield from _walk(by_id_old[bid_id], by_id_new[bid_id], where)
        if [b["bid_id"] for b in old] != [b["bid_id"] for b in new] and set(by_id_old) == set(by_id_new):
            yield Difference(_where((*path, "order")), _ids(old), _ids(new))
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            yield from _walk(a, b, (*path, f"[{index}]"))
    elif canonical_json(old) != canonical_json(new):
        yield Difference(_where(path), _show(old), _show(new))


def _walk_firings(old: list[Any], new: list[Any]) -> list[Difference]:
    found: list[Difference] = []
    for a, b in zip(old, new, strict=False):
        if canonical_json(a) != canonical_json(b):
            label = f"firing {a.get('seq')}"
            found += _walk(a, b, (label,))
    if len(old) != len(new):
        found.append(Difference("firings", f"{len(old)} firings", f"{len(new)} firings"))
    return found


def _keyed(items: list[Any]) -> bool:
    return all(isinstance(item, dict) and "bid_id" in item for item in items)


def _ids(items: list[Any]) -> str:
    return ", ".join(str(item["bid_id"]) for item in items)


def _where(path: tuple[str, ...]) -> str:
    """A path as people read it: `bid castle: price.points`, `firing 12: effect.amount`, `tender.id`."""
    text = ""
    for part in path:
        if part.startswith(("bid ", "firing ")):
            text = f"{text}.{part}: " if text and not text.endswith(": ") else f"{text}{part}: "
        elif part.startswith("[") or not text or text.endswith(": "):
            text += part
        else:
            text += "." + part
    return text.removesuffix(": ") or "the whole result"


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    text = canonical_json(value).decode("utf-8")
    return text if len(text) <= 80 else text[:77] + "..."


def report_lines(outcome: Replay) -> list[str]:
    """The readable diff of a replay that did not match."""
    what = describe(outcome.record)
    if outcome.failure is not None:
        return [f"{what} no longer scores: {outcome.failure}"]
    shown = outcome.differences[:MAX_LISTED]
    lines = [f"{what} replays differently ({plural(len(outcome.differences), 'difference')}):"]
    lines += [f"  {d}" for d in shown]
    if len(outcome.differences) > len(shown):
        lines.append(f"  ... and {len(outcome.differences) - len(shown)} more")
    return lines
