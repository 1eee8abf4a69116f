"""From a panel's sheets to consensus scores: the proposal, the rationale rule, and scoring without scores.csv.

Moderators agree a score per (bid, question) and record it in scores.csv. The panel's median, rounded half up
to the scale's step, is the proposal; a rationale is required wherever the agreed score departs from it or the
panel's spread was red, because those are the scores a challenge will ask about.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from ..errors import InputError, Problem
from ..models import ScoreRow, Tender
from ..numbers import fmt2, fmt_plain
from ..ruleset import Policy
from .reading import IndividualScore, PanelReading, has_sheets, read_panel, tender_panel_problems
from .scale import Scale
from .sheet import SHEET_DIR
from .spread import RED, ItemStatistics, Moderation, conflicted_evaluators, moderate

PROPOSAL_FILE = "consensus-proposed.csv"


class DeclaredConflict(NamedTuple):
    """A conflicted evaluator who (as the sheet asks) left an item blank: no score, but a trace that they were
    assigned it and declared the conflict. Unpacks like an IndividualScore, with no score."""

    evaluator: str
    score: None
    comment: str
    set_aside: str


@dataclass(frozen=True)
class PanelConsensus:
    reading: PanelReading
    moderation: Moderation | None  # None while the sheets have gaps


def panel_consensus(
    files: Mapping[str, str], tender: Tender, bidders: dict[str, str], policy: Policy, display: str
) -> PanelConsensus | None:
    """The panel behind a pack, or None when the pack has no sheets (or a panel too broken to read them by)."""
    if not has_sheets(files) or tender_panel_problems(tender, list(bidders)):
        return None
    reading = read_panel(files, tender, bidders, display)
    if reading.problems:
        return PanelConsensus(reading, None)
    return PanelConsensus(
        reading, moderate(reading, Scale.of(tender), policy.spread_amber_from, policy.spread_red_over)
    )


def moderate_sheets(
    files: Mapping[str, str], tender: Tender, bidders: dict[str, str], policy: Policy, display: str
) -> Moderation:
    """The moderation of a loaded pack's sheets (its files by name, tender, bidders by bid id, ruleset policy);
    raises InputError listing every gap when they are not complete."""
    if not has_sheets(files):
        message = "expected evaluator sheets (ID.xlsx or ID.csv): write them with `tenderscore panel sheets`"
        raise InputError([Problem(f"{display}/{SHEET_DIR}", "", message)])
    consensus = panel_consensus(files, tender, bidders, policy, display)
    assert consensus is not None  # the pack loaded, so its panel is well formed
    if consensus.moderation is None:
        raise InputError(list(consensus.reading.problems))
    return consensus.moderation


def proposal_csv(moderation: Moderation) -> str:
    """consensus-proposed.csv: scores.csv's own columns, so moderators copy it and write the rationales."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["bid", "question", "score", "rationale"])
    for item in moderation.items:
        # A conflict is part of the record of how the score was reached: it goes with the score when copied.
        rationale = set_aside_words(item) if item.conflicted else ""
        writer.writerow([item.bid, item.question, fmt_plain(item.proposed), rationale])
    return out.getvalue()


def spread_words(item: ItemStatistics) -> str:
    return f"{fmt_plain(item.low)} to {fmt_plain(item.high)}, {fmt2(item.spread_percent)}% of the scale, {item.rag}"


def set_aside_words(item: ItemStatistics) -> str:
    """What the record says about each conflicted evaluator of an item ("" when nobody was conflicted)."""
    scored = {s.evaluator: s for s in item.set_aside}
    words = []
    for evaluator in item.conflicted:
        if evaluator in scored:
            words.append(
                f"{scored[evaluator].set_aside}: their score {fmt_plain(scored[evaluator].score)} is set aside"
            )
        else:
            words.append(f"{evaluator} declared a conflict of interest with bid {item.bid} and did not score it")
    return "; ".join(words)


def rationale_problems(scores: dict[tuple[str, str], ScoreRow], moderation: Moderation, label: str) -> list[Problem]:
    problems: list[Problem] = []
    for (bid, question), row in scores.items():
        if row.rationale.strip():
            continue
        item = moderation.item(bid, question)
        reasons = []
        if row.score != item.proposed:
            reasons.append(
                f"the agreed score {fmt_plain(row.score)} differs from the proposed {fmt_plain(item.proposed)} "
                f"(panel median {fmt_plain(item.median)})"
            )
        if item.rag == RED:
            reasons.append(f"the panel's spread was red ({spread_words(item)})")
        if reasons:
            problems.append(
                Problem(
                    label,
                    f"line {row.line}: rationale",
                    f"required for bid {bid}, question {question}: {' and '.join(reasons)}",
                )
            )
    return problems


def proposed_scores(moderation: Moderation, label: str) -> tuple[dict[tuple[str, str], ScoreRow], list[Problem]]:
    """The proposal as consensus scores, when no item needs moderation; otherwise every item that does."""
    red = moderation.red()
    if red:
        problems = [
            Problem(
                label,
                f"bid {item.bid}, question {item.question}",
                f"missing: the panel's spread was red ({spread_words(item)}), so the panel must moderate it and "
                "record the agreed score with a rationale in scores.csv (the proposal is used only when no item "
                "is red)",
            )
            for item in red
        ]
        return {}, problems
    scores: dict[tuple[str, str], ScoreRow] = {}
    for item in moderation.items:
        rationale = (
            f"proposed consensus: median {fmt_plain(item.median)} of {len(item.scores)} panel scores "
            f"({spread_words(item)})"
        )
        if item.conflicted:
            rationale += f"; {set_aside_words(item)}"
        scores[(item.bid, item.question)] = ScoreRow(
            bid=item.bid, question=item.question, score=item.proposed, rationale=rationale
        )
    return scores, []


def individual_scores(
    panel: PanelConsensus | None,
) -> dict[tuple[str, str], list[IndividualScore | DeclaredConflict]]:
    """The individual scores behind each consensus score (a pack's `panel`), set-aside ones included with the
    reason, and each conflicted evaluator who left the item blank as a DeclaredConflict ({} without sheets).
    Each entry unpacks as (evaluator, score, comment, set_aside_reason), in the panel's order."""
    if panel is None:
        return {}
    reading = panel.reading
    out: dict[tuple[str, str], list[IndividualScore | DeclaredConflict]] = {}
    for (bid, question), found in reading.scores.items():
        scored = {s.evaluator for s in found}
        blank = {
            evaluator: DeclaredConflict(
                evaluator, None, "", f"{evaluator} declared a conflict of interest with bid {bid} and did not score it"
            )
            for evaluator in conflicted_evaluators(reading, bid, question)
            if evaluator not in scored
        }
        by_evaluator = {s.evaluator: s for s in found}
        order = [sheet.evaluator.id for sheet in reading.sheets]
        out[(bid, question)] = [by_evaluator.get(e) or blank[e] for e in order if e in by_evaluator or e in blank]
    return out
