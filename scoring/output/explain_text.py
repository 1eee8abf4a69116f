"""An explanation (scoring.explanation) as text for people: the points lines that add up to the total first,
then flags, exclusions and the policy, each naming the rule firing behind it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..numbers import fmt_gbp, short
from .words import in_words


def _gbp(published: str) -> str:
    """An explanation's plain money string (1260000.00) as people read it (£1,260,000.00)."""
    return fmt_gbp(Decimal(published))


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
        f"Price: {comps['price'] or 'none'} of {weights['price']} points "
        f"({_gbp(price['gbp'])}, method {price['method']})"
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
        f"({_gbp(ex['sv_total_gbp'])} offered; theme weight × value / best eligible value)"
    )
    for th in ex["themes"]:
        out.append(_points_line(th["points"], f"theme {th['theme']}: {th['working']}"))
        out += [f"{'':10}  {c['working']}" for c in th["commitments"]]
        if th["commitments"]:
            out.append(f"{'':10}  theme total {_gbp(th['gbp'])}")
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
    out += [f"  {in_words(f['code'])}: {f['message']} ({_by(f['rule'], f['firing'])})" for f in ex["flags"]]
    out.append("Exclusions:" if ex["exclusions"] else "Exclusions: none")
    out += [f"  {in_words(e['code'])}: {e['reason']} ({_by(e['rule'], e['firing'])})" for e in ex["exclusions"]]
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
        if s["score"] is None:  # a declared conflict, the item left blank as the sheet asks
            lines.append(f"{'':10}  panel: {s['set_aside']}")
            continue
        aside = f", set aside: {s['set_aside']}" if s["set_aside"] else ""
        comment = f": {s['comment']}" if s["comment"] else ""
        lines.append(f"{'':10}  panel: {s['evaluator']} scored {s['score']}{aside}{comment}")
    return lines
