"""Explaining a bid's score: every point traced to the arithmetic and the rule firings behind it.

An explanation is built from a Scored result: a pack scored now or a decision record (scoring.audit.source
builds both), with its ordered firings and the panel's individual scores. It depends on the result alone, so
the outputs that show explanations (the HTML report, `explain`) never load the ledger or the pack reader.
The points lines it lists are the rounded lines scoring.md adds up, so they always sum to the total; each
formula is worked again (scoring.points, the code that scored it) from the recorded inputs, and a line whose
working does not round to its recorded points says so. Money in the working is for people (£1,260,000.00);
every figure beside it is the plain published string.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..engine.canonical import plain
from .errors import InputError, Problem
from .numbers import ZERO, fmt2, fmt_gbp, fmt_plain, opt2, round2
from .points import price_exact, question_exact, theme_exact
from .published import ruleset_to_dict, tender_to_dict
from .result import BidResult, CommitmentValue, QuestionScore, Result, ThemeScore

if TYPE_CHECKING:
    from ..engine import Firing
    from .evaluate import Evaluation
    from .panel.consensus import DeclaredConflict
    from .panel.reading import IndividualScore

Firings = Sequence[Mapping[str, Any]]  # each firing as a decision record keeps it (audit.record.firing_entry)
# (bid, question) -> the evaluators' scores, and the conflicted evaluators who left it blank (score None).
PanelScores = Mapping[tuple[str, str], Sequence["IndividualScore | DeclaredConflict"]]


@dataclass(frozen=True)
class Scored:
    """A result with what explains it: the firings behind it in order, the evaluators' individual scores
    behind each consensus score, and where it came from (as an explanation names its source)."""

    result: Result
    firings: Firings
    panel: PanelScores
    origin: Mapping[str, Any]

    @cached_property
    def index(self) -> _Index:
        """What every bid's explanation looks up, built once: explaining every bid (the HTML report) stays
        linear in the firings and bids rather than rescanning them for each commitment and bid."""
        return _Index(self)


class _Index:
    """Firings by the fact they fired on and by rule, and the figures every bid's working compares with."""

    def __init__(self, scored: Scored) -> None:
        result = scored.result
        self.bids = {b.bid_id: b for b in result.bids}
        self.eligible = result.eligible
        # (bid, fact id) -> firings about that fact, in order; (bid or "tender", rule) -> their seqs, in order.
        self.by_fact: dict[tuple[str | None, Any], list[Mapping[str, Any]]] = {}
        self.by_rule: dict[tuple[str | None, str], list[int]] = {}
        for f in scored.firings:
            bid = f.get("bid")
            self.by_fact.setdefault((bid, f["fact"].get("id")), []).append(f)
            self.by_rule.setdefault((bid, f["rule"]), []).append(int(f["seq"]))
            if f["session"] == "tender":
                self.by_rule.setdefault((TENDER, f["rule"]), []).append(int(f["seq"]))
        prices = [e.price_gbp for e in self.eligible]
        self.lowest = min(prices) if prices else None
        self.lowest_bids = [e.bid_id for e in self.eligible if e.price_gbp == self.lowest]
        # theme -> each eligible bid's offer -> the bids offering exactly that (the best is looked up in it).
        self.offers: dict[str, dict[Decimal, list[str]]] = {}
        for e in self.eligible:
            for theme, score in e.themes.items():
                self.offers.setdefault(theme, {}).setdefault(score.gbp, []).append(e.bid_id)


# The key the tender session's firings are indexed under (a bid id is never empty).
TENDER = ""


def firing_entry(firing: Firing) -> dict[str, Any]:
    """One firing as a record keeps it: the bid it concerns is named even when it fired in the tender session."""
    bid = firing.session[len("bid:") :] if firing.session.startswith("bid:") else firing.fact.get("bid_id")
    entry: dict[str, Any] = plain(firing)
    entry["bid"] = bid
    return entry


def scored_now(evaluation: Evaluation, origin: Mapping[str, Any] | None = None) -> Scored:
    """A pack scored in this process, with its firings and the evaluators' own scores."""
    firings = [firing_entry(f) for f in evaluation.trace.firings]
    return Scored(evaluation.result, firings, evaluation.panel, origin or {"kind": "pack"})


FOUR_PLACES = Decimal("0.0001")
# How each price method's formula reads with its figures (scoring.md); points.price_exact computes it.
PRICE_WORKING = {
    "lowest_relative": "{w} × {lowest} ({who}) / {p} {checked}",
    "linear_from_lowest": "{w} × max(0, 1 − ({p} − {lowest}) / {lowest}) {checked} ({who})",
}


def explain(scored: Scored, bid_id: str) -> dict[str, Any]:
    """The explanation of one bid, as plain JSON data (money and points as strings)."""
    bid = scored.index.bids.get(bid_id)
    if bid is None:
        known = ", ".join(b.bid_id for b in scored.result.bids)
        where = str(scored.origin["where"])
        raise InputError([Problem(where, "--bid", f"expected one of {known}, found {bid_id!r}")])
    return _Explainer(scored, bid).build(dict(scored.origin))


def _worked(exact: Decimal) -> str:
    """An unrounded figure as people check it: exact when it has two places, else to four, marked."""
    if exact == round2(exact):
        return f"= {fmt2(exact)}"
    return f"≈ {exact.quantize(FOUR_PLACES)}"


class _Explainer:
    def __init__(self, scored: Scored, bid: BidResult) -> None:
        self.panel = scored.panel
        self.result = scored.result
        self.bid = bid
        self.index = scored.index
        self.eligible = self.index.eligible

    def build(self, source: dict[str, Any]) -> dict[str, Any]:
        r, b = self.result, self.bid
        t = r.tender
        lines: list[dict[str, Any]] = []
        price = self.price()
        questions = [self.question(q) for q in b.questions.values()]
        themes = [self.theme(theme) for theme in b.themes.values()]
        if b.eligible:
            lines.append(self.line("price", "price", "", price))
            lines += [self.line(q["section"], q["id"], q["title"], q) for q in questions if q["section"] == "quality"]
            lines += [self.line("social_value", f"theme {th['theme']}", "", th) for th in themes]
            lines += [
                self.line("social_value", q["id"], q["title"], q) for q in questions if q["section"] == "social_value"
            ]
        return {
            "source": source,
            "tender": {**tender_to_dict(t), "price_method": t.price_method, "scale_max": fmt_plain(t.scale_max)},
            "ruleset": ruleset_to_dict(r.ruleset),
            "bid": {
                "bid_id": b.bid_id,
                "bidder": b.bidder,
                "file": b.file,
                "status": b.status,
                "rank": b.rank,
                "eligible_bids": len(self.eligible),
            },
            "lines": lines,
            "components": {
                "price": opt2(b.price_points),
                "quality": opt2(b.quality_points),
                "social_value": opt2(b.sv_points),
            },
            "total": opt2(b.total),
            "price": price,
            "questions": questions,
            "themes": themes,
            "uncounted_commitments": [self.commitment(c) for c in b.commitments if not c.counted],
            "sv_total_gbp": fmt2(b.sv_total_gbp),
            "flags": self.flags(),
            "exclusions": self.exclusions(),
            "policy": self.policy(),
        }

    @staticmethod
    def line(component: str, item: str, title: str, part: Mapping[str, Any]) -> dict[str, Any]:
        return {"component": component, "item": item, "title": title, **{k: part[k] for k in ("points", "working")}}

    def checked(self, exact: Decimal, recorded: Decimal | None) -> str:
        text = _worked(exact)
        if recorded is not None and round2(exact) != recorded:
            text += f" (recorded {fmt2(recorded)}: the working does not round to it)"
        return text

    def price(self) -> dict[str, Any]:
        b, t = self.bid, self.result.tender
        out: dict[str, Any] = {
            "method": t.price_method,
            "weight": fmt_plain(t.price_weight),
            "gbp": fmt2(b.price_gbp),
            "points": opt2(b.price_points),
            "lowest_gbp": None,
            "lowest_bids": [],
            "working": "not scored: the bid is excluded",
        }
        if not b.eligible:
            return out
        lowest, holders = self.index.lowest, self.index.lowest_bids
        assert lowest is not None  # this bid is eligible
        method, w, p = t.price_method, t.price_weight, b.price_gbp
        if method in PRICE_WORKING:
            working = PRICE_WORKING[method].format(
                w=fmt_plain(w),
                p=fmt_gbp(p),
                lowest=fmt_gbp(lowest),
                who=f"lowest eligible price: {', '.join(holders)}",
                checked=self.checked(price_exact(method, w, p, lowest), b.price_points),
            )
        else:
            # A record made by a version that knows more methods: its points stand, this version cannot rework them.
            working = f"method {method!r} is not one this version of tenderscore can work out"
        out.update(lowest_gbp=fmt2(lowest), lowest_bids=holders, working=working)
        return out

    def question(self, q: QuestionScore) -> dict[str, Any]:
        scale = self.result.tender.scale_max
        met = q.score >= q.min_score
        out = {
            "id": q.id,
            "title": q.title,
            "section": q.section,
            "weight": fmt_plain(q.weight),
            "score": fmt_plain(q.score),
            "scale_max": fmt_plain(scale),
            "min_score": fmt_plain(q.min_score),
            "meets_minimum": met,
            "rationale": q.rationale,
            "points": opt2(q.points),
        }
        behind = self.panel.get((self.bid.bid_id, q.id), ())
        if behind:
            out["panel_scores"] = [
                {
                    "evaluator": s.evaluator,
                    "score": None if s.score is None else fmt_plain(s.score),
                    "comment": s.comment,
                    "set_aside": s.set_aside,
                }
                for s in behind
            ]
        minimum = f"minimum {fmt_plain(q.min_score)}: {'met' if met else 'not met'}"
        if self.bid.eligible:
            exact = question_exact(q.weight, q.score, scale)
            working = f"{fmt_plain(q.weight)} × {fmt_plain(q.score)} / {fmt_plain(scale)}"
            out["working"] = f"{working} {self.checked(exact, q.points)} ({minimum})"
        else:
            out["working"] = f"scored {fmt_plain(q.score)} of {fmt_plain(scale)} ({minimum}); no points: excluded"
        return out

    def theme(self, th: ThemeScore) -> dict[str, Any]:
        commitments = [self.commitment(c) for c in self.bid.commitments if c.counted and c.theme == th.theme]
        best = th.best_gbp
        best_bids = [] if best is None else list(self.index.offers.get(th.theme, {}).get(best, []))
        out = {
            "theme": th.theme,
            "weight": fmt_plain(th.weight),
            "gbp": fmt2(th.gbp),
            "best_gbp": opt2(th.best_gbp),
            "best_bids": best_bids,
            "points": opt2(th.points),
            "commitments": commitments,
        }
        if not self.bid.eligible or th.best_gbp is None:
            out["working"] = f"{fmt_gbp(th.gbp)} offered; no points: excluded"
        elif th.best_gbp <= ZERO:
            out["working"] = f"weight {fmt_plain(th.weight)}: no eligible bid offered anything in this theme, so 0"
        else:
            exact = theme_exact(th.weight, th.gbp, th.best_gbp)
            out["working"] = (
                f"{fmt_plain(th.weight)} × {fmt_gbp(th.gbp)} / {fmt_gbp(th.best_gbp)} "
                f"(best eligible: {', '.join(best_bids)}) {self.checked(exact, th.points)}"
            )
        return out

    def commitment(self, c: CommitmentValue) -> dict[str, Any]:
        fired = [
            {"rule": f["rule"], "firing": f["seq"], "effect": f["effect"]["type"]}
            for f in self.index.by_fact.get((self.bid.bid_id, f"commitment:{c.index}"), ())
        ]
        unit = f" {c.unit}" if c.unit else ""
        if not c.counted:
            why = "; ".join(f"rule {f['rule']}, firing {f['firing']}" for f in fired) or "no rule valued it"
            working = f"commitment {c.index} {c.measure}: {fmt_plain(c.quantity)}{unit} ({why})"
        else:
            value_rule = next((f for f in fired if f["effect"] == "value"), None)
            by = f"rule {value_rule['rule']}, firing {value_rule['firing']}" if value_rule else "no firing found"
            working = (
                f"commitment {c.index} {c.measure}: {fmt_plain(c.quantity)}{unit} × {fmt_gbp(c.proxy_gbp or ZERO)} "
                f"= {fmt_gbp(c.raw_gbp or ZERO)} ({by})"
            )
            cap_rule = next((f for f in fired if f["effect"] == "cap"), None)
            if c.capped and cap_rule is not None:
                working += (
                    f", capped at {fmt_gbp(c.cap_gbp or ZERO)} (rule {cap_rule['rule']}, firing {cap_rule['firing']}): "
                    f"counts {fmt_gbp(c.value_gbp)}"
                )
        return {
            "index": c.index,
            "measure": c.measure,
            "theme": c.theme,
            "unit": c.unit,
            "quantity": fmt_plain(c.quantity),
            "proxy_gbp": opt2(c.proxy_gbp),
            "raw_gbp": opt2(c.raw_gbp),
            "cap_gbp": opt2(c.cap_gbp),
            "capped": c.capped,
            "value_gbp": fmt2(c.value_gbp),
            "counted": c.counted,
            "note": c.note,
            "rules": fired,
            "working": working,
        }

    def firing_of(self, rule: str, used: set[int], tender_session: bool = False) -> int | None:
        """The seq of the (next unclaimed) firing of `rule` about this bid; None for a check outside the rules."""
        for seq in self.index.by_rule.get((TENDER if tender_session else self.bid.bid_id, rule), ()):
            if seq not in used:
                used.add(seq)
                return seq
        return None

    def flags(self) -> list[dict[str, Any]]:
        used: set[int] = set()
        return [
            {"code": f.code, "message": f.message, "rule": f.rule, "firing": self.firing_of(f.rule, used)}
            for f in self.bid.flags
        ]

    def exclusions(self) -> list[dict[str, Any]]:
        used: set[int] = set()
        return [
            {"code": e.code, "reason": e.reason, "rule": e.rule, "firing": self.firing_of(e.rule, used)}
            for e in self.bid.excluded_reasons
        ]

    def policy(self) -> dict[str, Any]:
        p = self.result.policy
        used: set[int] = set()
        out: dict[str, Any] = {
            "status": p.status,
            "message": p.message,
            "rule": p.rule,
            "firing": self.firing_of(p.rule, used, tender_session=True),
            "social_value_weight": fmt_plain(p.social_value_weight),
            "floor": fmt_plain(p.floor),
            "target": None if p.target is None else fmt_plain(p.target),
            "notices": [
                {"code": n.code, "message": n.message, "rule": n.rule, "firing": self.firing_of(n.rule, used, True)}
                for n in p.notices
            ],
        }
        if p.exemption_reason is not None:
            out["exemption"] = {"reason": p.exemption_reason, "approved_by": p.exemption_approved_by}
        return out
