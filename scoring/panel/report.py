"""The moderation report: a table for the panel's meeting, or JSON for other tools."""

from __future__ import annotations

import json
from typing import Any

from tabulate import tabulate

from ..numbers import fmt2, fmt_plain
from .consensus import set_aside_words, spread_words
from .spread import AMBER, GREEN, RED, ItemStatistics, Moderation

REPORT_FORMATS = ("table", "json")


def render_moderation(moderation: Moderation, fmt: str, proposal_file: str) -> str:
    if fmt == "json":
        return json.dumps(moderation_dict(moderation, proposal_file), indent=2, ensure_ascii=False) + "\n"
    return moderation_table(moderation, proposal_file)


def _evaluators(moderation: Moderation) -> list[str]:
    return [sheet.evaluator.id for sheet in moderation.reading.sheets]


def _counts(moderation: Moderation) -> dict[str, int]:
    return {rag: sum(1 for item in moderation.items if item.rag == rag) for rag in (GREEN, AMBER, RED)}


def moderation_dict(moderation: Moderation, proposal_file: str) -> dict[str, Any]:
    evaluators = []
    for sheet in moderation.reading.sheets:
        declaration = sheet.declaration
        assert declaration is not None  # a moderation exists only when every sheet is signed
        evaluators.append(
            {
                "id": sheet.evaluator.id,
                "name": sheet.evaluator.name,
                "sheet": sheet.file,
                "declaration": {
                    "name": declaration.name,
                    "date": declaration.date.isoformat(),
                    "conflicts": list(declaration.conflicts),
                    "signature": declaration.signature,
                },
            }
        )
    return {
        "scale": {"max": fmt_plain(moderation.scale.maximum), "step": fmt_plain(moderation.scale.step)},
        "thresholds": {"amber_from": fmt_plain(moderation.amber_from), "red_over": fmt_plain(moderation.red_over)},
        "evaluators": evaluators,
        "items": [_item_dict(item) for item in moderation.items],
        "summary": _counts(moderation),
        "proposal_file": proposal_file,
    }


def _item_dict(item: ItemStatistics) -> dict[str, Any]:
    return {
        "bid": item.bid,
        "question": item.question,
        "scores": [{"evaluator": s.evaluator, "score": fmt_plain(s.score), "comment": s.comment} for s in item.scores],
        "set_aside": [
            {"evaluator": s.evaluator, "score": fmt_plain(s.score), "comment": s.comment, "reason": s.set_aside}
            for s in item.set_aside
        ],
        "conflicted": list(item.conflicted),
        "mean": fmt2(item.mean),
        "median": fmt_plain(item.median),
        "min": fmt_plain(item.low),
        "max": fmt_plain(item.high),
        "spread": fmt_plain(item.spread),
        "spread_percent": fmt2(item.spread_percent),
        "rag": item.rag,
        "proposed": fmt_plain(item.proposed),
    }


def moderation_table(moderation: Moderation, proposal_file: str) -> str:
    evaluators = _evaluators(moderation)
    headers = [
        "Bid",
        "Question",
        *evaluators,
        "Mean",
        "Median",
        "Min",
        "Max",
        "Spread",
        "% of scale",
        "RAG",
        "Proposed",
    ]
    rows = []
    for item in moderation.items:
        cells = {s.evaluator: fmt_plain(s.score) for s in item.scores}
        cells |= {e: "conflict" for e in item.conflicted}
        cells |= {s.evaluator: f"({fmt_plain(s.score)}) set aside" for s in item.set_aside}
        rows.append(
            [
                item.bid,
                item.question,
                *(cells.get(e, "-") for e in evaluators),
                fmt2(item.mean),
                fmt_plain(item.median),
                fmt_plain(item.low),
                fmt_plain(item.high),
                fmt_plain(item.spread),
                fmt2(item.spread_percent),
                item.rag.upper(),
                fmt_plain(item.proposed),
            ]
        )
    counts = _counts(moderation)
    scale = moderation.scale
    lines = [
        f"Moderation: {len(moderation.items)} items, {len(evaluators)} evaluators, scores {scale.describe()}; "
        f"spread green under {fmt_plain(moderation.amber_from)}% of the scale, amber "
        f"{fmt_plain(moderation.amber_from)}-{fmt_plain(moderation.red_over)}%, red over "
        f"{fmt_plain(moderation.red_over)}%.",
        "",
        tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True),
        "",
        f"{counts[GREEN]} green, {counts[AMBER]} amber, {counts[RED]} red. '-' marks an item the evaluator was "
        "not assigned; 'conflict' one its evaluator may not score (a declared conflict of interest).",
    ]
    for sheet in moderation.reading.sheets:
        declaration = sheet.declaration
        assert declaration is not None
        conflicts = (
            f"conflict of interest declared with {', '.join(declaration.conflicts)}"
            if declaration.conflicts
            else "no conflict"
        )
        lines.append(
            f"Declaration: {sheet.evaluator.id}: signed by {declaration.signature} on "
            f"{declaration.date.isoformat()}: {conflicts}."
        )
    lines += [
        f"Conflict: bid {i.bid}, question {i.question}: {set_aside_words(i)}." for i in moderation.items if i.conflicted
    ]
    lines += [
        f"Needs moderation: bid {item.bid}, question {item.question}: spread {spread_words(item)}."
        for item in moderation.red()
    ]
    lines.append(
        f"Proposed consensus (each median rounded half up to the scale's step) written to {proposal_file}. "
        "Record the agreed scores in scores.csv; a rationale is required wherever the agreed score differs from "
        "the proposal or the spread was red."
    )
    return "\n".join(lines) + "\n"
