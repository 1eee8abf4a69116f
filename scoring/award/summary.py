"""An assessment summary: what a contracting authority tells each supplier that submitted an assessed tender
(Procurement Act 2023 s.50(3)-(4)), with the contents the Procurement Regulations 2024 reg. 31 lists.

One content model, built from a decision (a Scored result and the tender and bids it was scored from), which the
docx, HTML and Markdown renderers only lay out: every figure in it is the record's published string, and every
explanation comes from `scoring.explanation.explain`, which traces each point to its arithmetic and rule firing.
Competitors other than the most advantageous tender are never named: a summary goes to one supplier.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..errors import InputError, Problem
from ..explanation import Scored, explain
from ..models import Bid, Question, Tender
from ..numbers import fmt_gbp, fmt_plain
from ..panel.scale import Scale
from ..result import BidResult, Result
from ..ruleset import RulesetFile
from ..safe_text import safe_text

COMPONENTS = {"price": "Price", "quality": "Quality", "social_value": "Social value"}
# In words, each price method's formula as docs/methods.md gives it; explanation.PRICE_WORKING works it with figures.
PRICE_METHODS = {
    "lowest_relative": "{w} × the lowest eligible price ÷ the tender's price",
    "linear_from_lowest": (
        "{w} × max(0, 1 − (the tender's price − the lowest eligible price) ÷ the lowest eligible price)"
    ),
    "range": (
        "{w} × (the highest eligible price − the tender's price) ÷ "
        "(the highest eligible price − the lowest eligible price)"
    ),
}
QUALITY_METHODS = {
    "scale": "the question's weight × the score ÷ the top of the question's scale",
    "relative_to_best": "the question's weight × the score ÷ the best score any eligible tender was given for it",
}
NO_EXPLANATION = "No explanation was recorded for this score."


@dataclass(frozen=True)
class Supplier:
    """Reg. 31(2)(a)-(c): name, contact postal and email address, unique identifier (None where the bid gave none)."""

    bid_id: str
    name: str
    address: str | None
    email: str | None
    identifier: str | None

    @property
    def missing(self) -> list[str]:
        fields = [("contact postal address", self.address), ("email address", self.email)]
        fields.append(("unique identifier", self.identifier))
        return [name for name, value in fields if value is None]


@dataclass(frozen=True)
class SubCriterion:
    id: str
    title: str
    weight: str
    assessed: str

    @property
    def label(self) -> str:
        return self.title if self.id.startswith("theme ") else f"{self.id} {self.title}"


@dataclass(frozen=True)
class Criterion:
    """Reg. 31(2)(d)(i): a criterion's title, relative importance, how it was assessed and the scores available."""

    key: str
    title: str
    weight: str
    assessed: str
    available: str
    sub: tuple[SubCriterion, ...]


@dataclass(frozen=True)
class ScoreLine:
    """Reg. 31(2)(e)(i): the score for one criterion or sub-criterion, explained by reference to the tender."""

    criterion: str  # the key of the criterion it counts towards
    id: str
    title: str
    weight: str
    score: str
    points: str | None  # None where the tender was no points this far (a disqualified tender)
    explanation: tuple[str, ...]
    explained: bool = True  # False: a scored question whose consensus score has no rationale

    @property
    def label(self) -> str:
        """How a table names it: `Price`, `Q1 Delivery methodology`, `Jobs: Promote local skills...`."""
        return self.title if self.criterion == "price" or self.id.startswith("theme ") else f"{self.id} {self.title}"


@dataclass(frozen=True)
class Assessment:
    """How one tender was assessed: its lines, sub-totals and total (reg. 31(2)(e)(ii))."""

    supplier: Supplier
    status: str
    rank: int | None
    lines: tuple[ScoreLine, ...]
    subtotals: tuple[tuple[str, str | None], ...]  # (criterion title, points)
    total: str | None
    notes: tuple[str, ...]  # flags and commitments not counted, with the rule behind each


@dataclass(frozen=True)
class Summary:
    tender_id: str
    tender_title: str
    buyer: str
    contract_value: str
    ruleset: str
    record_hash: str
    record_date: str
    record_where: str
    criteria: tuple[Criterion, ...]
    gates: tuple[str, ...]
    full_criteria: str
    own: Assessment
    successful: bool
    outcome: tuple[str, ...]  # why the contract is (not) being awarded to this supplier: reg. 31(3)(c)
    winner: Assessment | None  # the most advantageous tender, for every other supplier: reg. 31(3)(d)

    @property
    def dated(self) -> str:
        """The decision's date as a letter gives it (3 December 2026); the record's own time stays exact beside it."""
        try:
            when = datetime.datetime.fromisoformat(self.record_date)
        except ValueError:
            return self.record_date
        return f"{when.day} {when:%B %Y}"


@dataclass(frozen=True)
class Decision:
    """What summaries are built from: a recorded result with its firings, and the tender and bids behind it."""

    scored: Scored
    tender: Tender
    bids: Mapping[str, Bid]  # by bid id
    ruleset: RulesetFile  # for the titles of its themes and gates

    def theme_title(self, theme: str) -> str:
        known = self.ruleset.themes.get(theme)
        return f"{theme.capitalize()}: {known.title}" if known is not None else theme

    def gate_title(self, gate: str) -> str:
        known = self.ruleset.gates.get(gate)
        return known.title if known is not None else gate


def missing_rationales(result: Result, where: str = "scores.csv") -> list[Problem]:
    """Every consensus score without a rationale: a summary must explain each score by reference to the tender."""
    return [
        Problem(
            where,
            f"{bid.bid_id},{q.id}",
            "expected a rationale explaining this consensus score (an assessment summary gives it to the "
            "supplier), found none",
        )
        for bid in result.bids
        for q in bid.questions.values()
        if not q.rationale.strip()
    ]


def most_advantageous(result: Result, where: str) -> BidResult:
    """The one first-ranked eligible tender; a summary cannot be written while there is none or a tie for it."""
    first = [b for b in result.eligible if b.rank == 1]
    if len(first) != 1:
        found = "no eligible tender" if not first else "a tie between " + ", ".join(b.bid_id for b in first)
        raise InputError([Problem(where, "rank", f"expected one most advantageous tender, found {found}")])
    return first[0]


def build_summaries(decision: Decision, allow_missing: bool = False) -> list[Summary]:
    """One summary per assessed tender, in the result's order; refuses (InputError) a score with no rationale
    unless `allow_missing`, when the summary says so in the score's place."""
    scored = decision.scored
    where = str(scored.origin.get("where", "decision"))
    if not allow_missing:
        problems = missing_rationales(scored.result)
        if problems:
            raise InputError(problems)
    winner = most_advantageous(scored.result, where)
    return _Builder(decision, winner).summaries()


class _Builder:
    def __init__(self, decision: Decision, winner: BidResult) -> None:
        self.decision = decision
        self.result = decision.scored.result
        self.tender = decision.tender
        self.winner = winner
        self.criteria = self._criteria()
        self.winner_assessment = self.assessment(winner)

    def summaries(self) -> list[Summary]:
        r, t = self.result, self.result.tender
        origin = self.decision.scored.origin
        ruleset = f"{r.ruleset.id} {r.ruleset.version} (sha256 {r.ruleset.sha256})"
        record_hash = str(origin.get("hash", ""))
        full = (
            f"The award criteria and assessment methodology are set out in full in the tender documents for "
            f"{t.id} and in the ruleset {ruleset}; both are held in the decision record "
            f"{record_hash or 'of this assessment'}, which reproduces every score in this summary."
        )
        out = []
        for bid in r.bids:
            own = self.winner_assessment if bid is self.winner else self.assessment(bid)
            successful = bid is self.winner
            out.append(
                Summary(
                    tender_id=t.id,
                    tender_title=t.title,
                    buyer=t.buyer,
                    contract_value=fmt_gbp(t.contract_value_gbp),
                    ruleset=ruleset,
                    record_hash=record_hash,
                    record_date=str(origin.get("created_at", "")),
                    record_where=str(origin.get("where", "")),
                    criteria=self.criteria,
                    gates=tuple(self.decision.gate_title(g) for g in self.tender.gates),
                    full_criteria=full,
                    own=own,
                    successful=successful,
                    outcome=self.outcome(bid),
                    winner=None if successful else self.winner_assessment,
                )
            )
        return out

    def supplier(self, bid: BidResult) -> Supplier:
        given = self.decision.bids.get(bid.bid_id)
        contact = given.contact if given is not None else None
        return Supplier(
            bid_id=bid.bid_id,
            name=bid.bidder,
            address=contact.address if contact is not None else None,
            email=contact.email if contact is not None else None,
            identifier=given.identifier if given is not None else None,
        )

    def _criteria(self) -> tuple[Criterion, ...]:
        t = self.tender
        scale = Scale.of(t)
        descriptors = "; ".join(f"{fmt_plain(point)} {words}" for point, words in scale.descriptors)
        scale_text = f"scores {scale.describe()} ({descriptors})"
        method = self.result.tender.price_method
        w = fmt_plain(t.weights.price)
        formula = PRICE_METHODS.get(method, f"method {method}").format(w=w)
        quality_method = self.result.tender.quality_method
        per_question = QUALITY_METHODS.get(quality_method, f"method {quality_method}")
        price = Criterion(
            "price",
            "Price",
            w,
            f"The tendered price, scored {formula}; rounded half up to 0.01 point.",
            f"0 to {w} points; the lowest eligible price scores {w}.",
            (),
        )
        questions = tuple(self._question_criterion(q, scale) for q in t.quality.questions)
        quality = Criterion(
            "quality",
            "Quality",
            fmt_plain(t.weights.quality),
            f"Each question is scored by the evaluation panel by consensus; its points are {per_question}, "
            "rounded half up to 0.01. A score under a question's minimum disqualifies the tender.",
            f"Each question: {scale_text}, unless given beside it.",
            questions,
        )
        themes = tuple(
            SubCriterion(f"theme {theme}", self.decision.theme_title(theme), fmt_plain(weight), "TOMs theme")
            for theme, weight in t.social_value.themes.items()
        )
        sv_questions = tuple(self._question_criterion(q, scale) for q in t.social_value.questions)
        social = Criterion(
            "social_value",
            "Social value",
            fmt_plain(t.weights.social_value),
            "Each commitment is valued in pounds by the National TOMs measure it names (quantity × the "
            f"measure's proxy value in ruleset {self.result.ruleset.id} {self.result.ruleset.version}, spend "
            "capped at the contract value; an unknown measure is not counted). Each theme's points are its "
            "weight × the tender's value in the theme ÷ the best eligible value in it; each social value "
            f"question is scored as a quality question ({per_question}).",
            f"Each theme: 0 to its weight, the best eligible offer scoring the full weight. Each question: "
            f"{scale_text}, unless given beside it.",
            themes + sv_questions,
        )
        return (price, quality, social)

    def _question_criterion(self, q: Question, tender_scale: Scale) -> SubCriterion:
        """A question marked on its own scale says so beside it: the tender's scale is not the one it was scored on."""
        assessed = f"minimum score {fmt_plain(q.min_score)}"
        own = Scale.of(self.tender, q)
        if (own.maximum, own.step) != (tender_scale.maximum, tender_scale.step):
            words = "; ".join(f"{fmt_plain(point)} {text}" for point, text in own.descriptors)
            assessed += f"; scores {own.describe()} ({words})"
        return SubCriterion(q.id, q.title, fmt_plain(q.weight), assessed)

    def assessment(self, bid: BidResult) -> Assessment:
        ex = explain(self.decision.scored, bid.bid_id)
        lines: list[ScoreLine] = [self.price_line(ex)]
        quality = [q for q in ex["questions"] if q["section"] == "quality"]
        social = [q for q in ex["questions"] if q["section"] == "social_value"]
        lines += [self.question_line("quality", q) for q in quality]
        lines += [self.theme_line(th) for th in ex["themes"]]
        lines += [self.question_line("social_value", q) for q in social]
        subtotals = tuple((COMPONENTS[key], ex["components"][key]) for key in COMPONENTS)
        notes = [f"Not counted: {c['working']}" for c in ex["uncounted_commitments"]]
        notes += [_ruled(f"{f['message']}", f) for f in ex["flags"]]
        return Assessment(
            supplier=self.supplier(bid),
            status=bid.status,
            rank=bid.rank,
            lines=tuple(lines),
            subtotals=subtotals,
            total=ex["total"],
            notes=tuple(notes),
        )

    def price_line(self, ex: Mapping[str, Any]) -> ScoreLine:
        p = ex["price"]
        price = fmt_gbp(Decimal(p["gbp"]))
        if p["points"] is None:
            why = "The price was not scored: the tender was disqualified before price was assessed."
            return ScoreLine("price", "price", "Price", p["weight"], price, None, (why,))
        lowest = fmt_gbp(Decimal(p["lowest_gbp"]))
        figures = f"Tendered price {price}; lowest eligible price {lowest}"
        # explain's working names the lowest bidder (and, under range, gives the highest price beside it): a
        # summary names no competitor but the most advantageous tender, so that aside is left out of its working.
        aside = f"lowest eligible price: {', '.join(p['lowest_bids'])}"
        highest = self.decision.scored.index.highest
        working = str(p["working"]).replace(f" ({aside})", "")
        if highest is not None and p["method"] == "range":
            figures += f"; highest eligible price {fmt_gbp(highest)}"
            working = working.replace(f" ({aside}; highest {fmt_gbp(highest)})", "")
        formula = PRICE_METHODS.get(p["method"], f"method {p['method']}").format(w=p["weight"])
        text = f"{figures}. Points = {formula}: {working}, {p['points']} points."
        return ScoreLine("price", "price", "Price", p["weight"], price, p["points"], (text,))

    def question_line(self, criterion: str, q: Mapping[str, Any]) -> ScoreLine:
        # explain gives the scale the question was marked on and the working it was scored by (its own
        # scale_max, or the best eligible score under relative_to_best): the summary shows those, not the tender's.
        score = f"{q['score']} of {q['scale_max']}"
        rationale = str(q["rationale"]).strip()
        explained = bool(rationale)
        stop = "" if rationale.endswith(".") else "."
        reason = f"The panel's reason: {rationale}{stop}" if explained else NO_EXPLANATION
        minimum = f"minimum {q['min_score']}: {'met' if q['meets_minimum'] else 'not met'}"
        if q["points"] is None:
            working = f"Scored {score} ({minimum}); no points: the tender was disqualified."
        else:
            working = f"Points = {q['working']}."
            if f"= {q['points']} " not in q["working"]:  # worked to four places: the points are it rounded
                working += f" Rounded half up to 0.01: {q['points']} points."
        return ScoreLine(criterion, q["id"], q["title"], q["weight"], score, q["points"], (reason, working), explained)

    def theme_line(self, th: Mapping[str, Any]) -> ScoreLine:
        gbp = fmt_gbp(Decimal(th["gbp"]))
        title = self.decision.theme_title(th["theme"])
        parts: list[str] = []
        for c in th["commitments"]:
            note = f" (your tender: “{c['note']}”)" if c["note"] else ""
            parts.append(f"{c['working']}{note}")
        if th["points"] is None:
            parts.append(f"{gbp} offered; no points: the tender was disqualified.")
        elif th["best_gbp"] is None or Decimal(th["best_gbp"]) <= 0:
            parts.append(f"Weight {th['weight']}: no eligible tender offered anything in this theme, so 0 points.")
        else:
            best = fmt_gbp(Decimal(th["best_gbp"]))
            parts.append(f"Theme points = {th['weight']} × {gbp} / {best} (the best eligible offer) = {th['points']}.")
        if not th["commitments"]:
            parts.insert(0, "The tender made no counted commitment in this theme.")
        return ScoreLine(
            "social_value", f"theme {th['theme']}", title, th["weight"], f"{gbp} counted", th["points"], tuple(parts)
        )

    def outcome(self, bid: BidResult) -> tuple[str, ...]:
        eligible = len(self.result.eligible)
        w = self.winner
        if bid is w:
            return (
                f"Your tender is the most advantageous tender: it ranks first of {eligible} eligible tenders with "
                f"{w.total} points, and the contracting authority intends to award the contract to you.",
            )
        if bid.eligible and bid.total is not None and w.total is not None:
            behind = w.total - bid.total
            return (
                f"The contract is not being awarded to you: your tender ranks {bid.rank} of {eligible} eligible "
                f"tenders with {bid.total} points, {behind} points behind the most advantageous tender "
                f"({w.bidder}, {w.total} points).",
            )
        reasons = tuple(f"Your tender was disqualified: {e.reason}" for e in bid.excluded_reasons)
        return (
            "The contract is not being awarded to you: your tender was disqualified and so not ranked.",
            *reasons,
        )


def _ruled(text: str, item: Mapping[str, Any]) -> str:
    firing = f", firing {item['firing']}" if item.get("firing") is not None else ""
    return f"{text} (rule {item['rule']}{firing})"


MISSING = "missing (not given in the tender)"


def supplier_lines(supplier: Supplier) -> list[str]:
    """Reg. 31(2)(a)-(c) as lines a renderer prints; an absent detail is listed as missing, never left out."""
    return [
        f"Name: {supplier.name}",
        f"Contact postal address: {supplier.address or MISSING}",
        f"Email address: {supplier.email or MISSING}",
        f"Unique identifier: {supplier.identifier or MISSING}",
    ]


def safe_summary(summary: Summary) -> Summary:
    """`summary` with every text in it made safe to write (safe_text): names, rationales and notes come from the
    bids and the panel, and a control character in one would act on a terminal that prints a summary and cannot
    be written into a Word file at all (XML has no place for it)."""
    safe: Summary = _safe(summary)
    return safe


def _safe(value: Any) -> Any:
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, tuple):
        return tuple(_safe(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: _safe(getattr(value, f.name)) for f in dataclasses.fields(value)})
    return value
