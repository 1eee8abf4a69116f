"""Explaining a bid's score: every point traced to the arithmetic and the rule firings behind it.

An explanation is built from a Result and the ordered firings, which come either from scoring a pack now or
from a decision record (its `detail` is the whole Result as plain data). The points lines it lists are the
rounded lines scoring.md adds up, so they always sum to the total; each formula is worked again from the
recorded inputs, and a line whose working does not round to its recorded points says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter

from scoring.audit.record import describe, firing_entry, input_files, public_result, short
from scoring.audit.replay import rebuild_pack
from scoring.errors import InputError, Problem
from scoring.evaluate import Evaluation
from scoring.numbers import ZERO, div, fmt2, fmt_plain, mul, round2
from scoring.panel import IndividualScore, individual_scores
from scoring.result import BidResult, CommitmentValue, QuestionScore, Result, ThemeScore

_RESULT = TypeAdapter(Result)
FOUR_PLACES = Decimal("0.0001")
Firings = Sequence[Mapping[str, Any]]
PanelScores = Mapping[tuple[str, str], Sequence[IndividualScore]]  # (bid, question) -> the evaluators' scores


def result_of_record(record: Mapping[str, Any]) -> Result:
    """The full Result a record holds (its `detail`), with exact Decimals and the order people read again."""
    detail = record["detail"]
    result = _RESULT.validate_python(detail["result"])
    for bid in result.bids:
        order = detail["order"][bid.bid_id]
        bid.questions = {key: bid.questions[key] for key in order["questions"]}
        bid.themes = {key: bid.themes[key] for key in order["themes"]}
        bid.core_outcomes = {key: bid.core_outcomes[key] for key in order["core_outcomes"]}
    return result


def source_of_record(record: Mapping[str, Any], where: str) -> dict[str, Any]:
    return {
        "kind": "record",
        "where": where,
        "record": describe(record),
        "hash": record["hash"],
        "seq": record.get("seq"),
        "created_at": record["created_at"],
        "tool_version": record["tool"]["version"],
    }


def source_of_pack(display: str) -> dict[str, Any]:
    return {"kind": "pack", "where": display}


def explain_evaluation(
    evaluation: Evaluation, bid_id: str, source: Mapping[str, Any], panel: PanelScores | None = None
) -> dict[str, Any]:
    firings = [firing_entry(f) for f in evaluation.trace.firings]
    return explain(evaluation.result, firings, bid_id, source, panel)


def explain_record(record: Mapping[str, Any], bid_id: str, where: str) -> dict[str, Any]:
    source = source_of_record(record, where)
    return explain(result_of_record(record), record["firings"], bid_id, source, panel_of_record(record))


def panel_of_record(record: Mapping[str, Any]) -> PanelScores:
    """The individual scores behind a record's consensus scores, read again from the panel sheets it holds."""
    if not any(name.startswith("panel/") for name in input_files(record)):
        return {}
    return individual_scores(rebuild_pack(record))


def explain(
    result: Result, firings: Firings, bid_id: str, source: Mapping[str, Any], panel: PanelScores | None = None
) -> dict[str, Any]:
    """The explanation of one bid, as plain JSON data (money and points as strings)."""
    bid = result.bid(bid_id)
    if bid is None:
        known = ", ".join(b.bid_id for b in result.bids)
        raise InputError([Problem(str(source["where"]), "--bid", f"expected one of {known}, found {bid_id!r}")])
    return _Explainer(result, bid, firings, panel).build(dict(source))


def _money(value: Decimal | None) -> str | None:
    return None if value is None else fmt2(value)


def _worked(exact: Decimal) -> str:
    """An unrounded figure as people check it: exact when it has two places, else to four, marked."""
    if exact == round2(exact):
        return f"= {fmt2(exact)}"
    return f"≈ {exact.quantize(FOUR_PLACES)}"


class _Explainer:
    def __init__(self, result: Result, bid: BidResult, firings: Firings, panel: PanelScores | None = None) -> None:
        self.panel = panel or {}
        self.result = result
        self.bid = bid
        self.firings = list(firings)
        self.eligible = result.eligible

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
        public = public_result(r)
        return {
            "source": source,
            "tender": {**public["tender"], "price_method": t.price_method, "scale_max": fmt_plain(t.scale_max)},
            "ruleset": public["ruleset"],
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
                "price": _money(b.price_points),
                "quality": _money(b.quality_points),
                "social_value": _money(b.sv_points),
            },
            "total": _money(b.total),
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
            "points": _money(b.price_points),
            "lowest_gbp": None,
            "lowest_bids": [],
            "working": "not scored: the bid is excluded",
        }
        if not b.eligible:
            return out
        lowest = min(e.price_gbp for e in self.eligible)
        holders = [e.bid_id for e in self.eligible if e.price_gbp == lowest]
        w, p = t.price_weight, b.price_gbp
        who = f"lowest eligible price: {', '.join(holders)}"
        if t.price_method == "linear_from_lowest":
            exact = mul(w, max(ZERO, Decimal(1) - div(p - lowest, lowest)))
            working = f"{fmt_plain(w)} × max(0, 1 − (£{fmt2(p)} − £{fmt2(lowest)}) / £{fmt2(lowest)})"
            working = f"{working} {self.checked(exact, b.price_points)} ({who})"
        else:
            exact = div(mul(w, lowest), p)
            working = f"{fmt_plain(w)} × £{fmt2(lowest)} ({who}) / £{fmt2(p)} {self.checked(exact, b.price_points)}"
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
            "points": _money(q.points),
        }
        behind = self.panel.get((self.bid.bid_id, q.id), ())
        if behind:
            out["panel_scores"] = [
                {"evaluator": s.evaluator, "score": fmt_plain(s.score), "comment": s.comment, "set_aside": s.set_aside}
                for s in behind
            ]
        minimum = f"minimum {fmt_plain(q.min_score)}: {'met' if met else 'not met'}"
        if self.bid.eligible:
            exact = div(mul(q.weight, q.score), scale)
            working = f"{fmt_plain(q.weight)} × {fmt_plain(q.score)} / {fmt_plain(scale)}"
            out["working"] = f"{working} {self.checked(exact, q.points)} ({minimum})"
        else:
            out["working"] = f"scored {fmt_plain(q.score)} of {fmt_plain(scale)} ({minimum}); no points: excluded"
        return out

    def theme(self, th: ThemeScore) -> dict[str, Any]:
        commitments = [self.commitment(c) for c in self.bid.commitments if c.counted and c.theme == th.theme]
        best = th.best_gbp
        best_bids = [e.bid_id for e in self.eligible if best is not None and e.themes[th.theme].gbp == best]
        out = {
            "theme": th.theme,
            "weight": fmt_plain(th.weight),
            "gbp": fmt2(th.gbp),
            "best_gbp": _money(th.best_gbp),
            "best_bids": best_bids,
            "points": _money(th.points),
            "commitments": commitments,
        }
        if not self.bid.eligible or th.best_gbp is None:
            out["working"] = f"£{fmt2(th.gbp)} offered; no points: excluded"
        elif th.best_gbp <= ZERO:
            out["working"] = f"weight {fmt_plain(th.weight)}: no eligible bid offered anything in this theme, so 0"
        else:
            exact = div(mul(th.weight, th.gbp), th.best_gbp)
            out["working"] = (
                f"{fmt_plain(th.weight)} × £{fmt2(th.gbp)} / £{fmt2(th.best_gbp)} "
                f"(best eligible: {', '.join(best_bids)}) {self.checked(exact, th.points)}"
            )
        return out

    def commitment(self, c: CommitmentValue) -> dict[str, Any]:
        fired = [
            {"rule": f["rule"], "firing": f["seq"], "effect": f["effect"]["type"]}
            for f in self.firings
            if f.get("bid") == self.bid.bid_id and f["fact"].get("id") == f"commitment:{c.index}"
        ]
        unit = f" {c.unit}" if c.unit else ""
        if not c.counted:
            why = "; ".join(f"rule {f['rule']}, firing {f['firing']}" for f in fired) or "no rule valued it"
            working = f"commitment {c.index} {c.measure}: {fmt_plain(c.quantity)}{unit} ({why})"
        else:
            value_rule = next((f for f in fired if f["effect"] == "value"), None)
            by = f"rule {value_rule['rule']}, firing {value_rule['firing']}" if value_rule else "no firing found"
            working = (
                f"commitment {c.index} {c.measure}: {fmt_plain(c.quantity)}{unit} × £{fmt2(c.proxy_gbp or ZERO)} "
                f"= £{fmt2(c.raw_gbp or ZERO)} ({by})"
            )
            cap_rule = next((f for f in fired if f["effect"] == "cap"), None)
            if c.capped and cap_rule is not None:
                working += (
                    f", capped at £{fmt2(c.cap_gbp or ZERO)} (rule {cap_rule['rule']}, firing {cap_rule['firing']}): "
                    f"counts £{fmt2(c.value_gbp)}"
                )
        return {
            "index": c.index,
            "measure": c.measure,
            "theme": c.theme,
            "unit": c.unit,
            "quantity": fmt_plain(c.quantity),
            "proxy_gbp": _money(c.proxy_gbp),
            "raw_gbp": _money(c.raw_gbp),
            "cap_gbp": _money(c.cap_gbp),
            "capped": c.capped,
            "value_gbp": fmt2(c.value_gbp),
            "counted": c.counted,
            "note": c.note,
            "rules": fired,
            "working": working,
        }

    def firing_of(self, rule: str, used: set[int], tender_session: bool = False) -> int | None:
        """The seq of the (next unclaimed) firing of `rule` about this bid; None for a check outside the rules."""
        for f in self.firings:
            about = f["session"] == "tender" if tender_session else f.get("bid") == self.bid.bid_id
            if about and f["rule"] == rule and f["seq"] not in used:
                used.add(f["seq"])
                return int(f["seq"])
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


def _by(rule: str, firing: int | None) -> str:
    return f"rule {rule}, firing {firing}" if firing is not None else f"check {rule}"


def _points_line(points: str | None, text: str) -> str:
    # Lines that add up to the total start with their points; every other line is indented past them.
    return f"{points:>8}  {text}" if points is not None else f"{'-':>8}  {text}"


def render_text(ex: Mapping[str, Any]) -> str:
    """The explanation for people: the points lines first under each component, then flags and policy."""
    t, b, src = ex["tender"], ex["bid"], ex["source"]
    weights = t["weights"]
    made = (
        f"{src['record']}, made {src['created_at']} by tenderscore {src['tool_version']}"
        if src["kind"] == "record"
        else f"pack {src['where']}, scored now"
    )
    out = [
        f"Bid {b['bid_id']} ({b['bidder']}) in tender {t['id']} {t['title']}",
        f"From: {made}",
        f"Ruleset: {ex['ruleset']['id']}@{ex['ruleset']['version']} (sha256 {short(ex['ruleset']['sha256'])}…)",
        f"Status: {b['status']}, rank {b['rank']} of {b['eligible_bids']} eligible bids"
        if b["status"] == "eligible"
        else f"Status: {b['status']}: no points and no rank (see Exclusions)",
        "",
    ]
    comps = ex["components"]
    price = ex["price"]
    out.append(
        f"Price: {comps['price'] or 'none'} of {weights['price']} points (£{price['gbp']}, method {price['method']})"
    )
    out.append(_points_line(price["points"], price["working"]))
    out.append("")
    out.append(
        f"Quality: {comps['quality'] or 'none'} of {weights['quality']} points (weight × score / {t['scale_max']})"
    )
    for q in ex["questions"]:
        if q["section"] == "quality":
            out += _question_lines(q)
    out.append("")
    out.append(
        f"Social value: {comps['social_value'] or 'none'} of {weights['social_value']} points "
        f"(£{ex['sv_total_gbp']} offered; theme weight × value / best eligible value)"
    )
    for th in ex["themes"]:
        out.append(_points_line(th["points"], f"theme {th['theme']}: {th['working']}"))
        out += [f"{'':10}  {c['working']}" for c in th["commitments"]]
        if th["commitments"]:
            out.append(f"{'':10}  theme total £{th['gbp']}")
    out += [f"{'':10}  not counted: {c['working']}" for c in ex["uncounted_commitments"]]
    for q in ex["questions"]:
        if q["section"] == "social_value":
            out += _question_lines(q)
    out.append("")
    if ex["total"] is None:
        out.append("Total: none (the bid is excluded)")
    else:
        out.append(
            f"Total: {ex['total']} points = price {comps['price']} + quality {comps['quality']} "
            f"+ social value {comps['social_value']}"
        )
    out.append("")
    out.append("Flags:" if ex["flags"] else "Flags: none")
    out += [f"  {f['code']}: {f['message']} ({_by(f['rule'], f['firing'])})" for f in ex["flags"]]
    out.append("Exclusions:" if ex["exclusions"] else "Exclusions: none")
    out += [f"  {e['code']}: {e['reason']} ({_by(e['rule'], e['firing'])})" for e in ex["exclusions"]]
    p = ex["policy"]
    target = f"target {p['target']}%" if p["target"] is not None else "no target"
    out.append(
        f"Policy: {p['status']} (social value weight {p['social_value_weight']}%, floor {p['floor']}%, {target}): "
        f"{p['message']} ({_by(p['rule'], p['firing'])})"
    )
    if "exemption" in p:
        out.append(f"  exemption approved by {p['exemption']['approved_by']}: {p['exemption']['reason']}")
    out += [f"  notice {n['code']}: {n['message']} ({_by(n['rule'], n['firing'])})" for n in p["notices"]]
    return "\n".join(out) + "\n"


def _question_lines(q: Mapping[str, Any]) -> list[str]:
    lines = [_points_line(q["points"], f"{q['id']} {q['title']}: {q['working']}")]
    if q["rationale"]:
        lines.append(f"{'':10}  rationale: {q['rationale']}")
    for s in q.get("panel_scores", []):
        aside = f", set aside: {s['set_aside']}" if s["set_aside"] else ""
        comment = f": {s['comment']}" if s["comment"] else ""
        lines.append(f"{'':10}  panel: {s['evaluator']} scored {s['score']}{aside}{comment}")
    return lines
