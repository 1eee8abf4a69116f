"""`whatif --format table`: the what-if for people at a terminal, from its published data (scoring.whatif)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tabulate import tabulate

POLICY_WORDS = {
    "meets_target": "meets the target",
    "below_target": "below the target (warning)",
    "below_floor_exempt": "below the floor, scored only under an exemption",
    "not_applicable": "does not apply",
    "refused": "refused: below the floor without an exemption",
}


def render_whatif_text(data: Mapping[str, Any]) -> str:
    t = data["tender"]
    out = [f"What-if for {t['id']} {t['title']}".rstrip(), ""]
    first = ", ".join(data["first"]) or "nobody (no bid is eligible)"
    out.append(f"Ranked first now: {first}")
    out += ["", tabulate(_ranking_rows(data["ranking"]), headers=_RANKING_HEADERS, disable_numparse=True), ""]
    out.append(
        "Weight sensitivity: the smallest change of one weight (the others beside it rescaled in proportion) at "
        "which the first-ranked bid changes, confirmed by scoring in full there and 0.01 short of it"
    )
    rows = []
    for s in data["sensitivity"]:
        if s["breakeven"] is None:
            reach = "up" if s["direction"] == "increase" else "down"
            where, who, policy = f"none {reach} to {s['searched_to']}", "-", ""
        else:
            where = f"{s['breakeven']} ({'+' if s['direction'] == 'increase' else '-'}{s['change']})"
            who = ", ".join(s["first_there"])
            policy = _policy_words(s)
        check = "yes" if s["confirmed"] else "NO"
        rows.append([s["name"], s["current"], s["direction"], where, who, check, policy])
    headers = ["weight", "now", "way", "breakeven", "first there", "confirmed", "policy there"]
    out += [tabulate(rows, headers=headers, disable_numparse=True), ""]
    if data["unmovable"]:
        out += [f"Not moved (nothing beside them to rescale): {', '.join(data['unmovable'])}", ""]
    out.append("Rank reversal (each bid not ranked first taken out, the others scored again)")
    if not data["rank_reversal"]:
        out.append("  no bid below first to take out")
    for r in data["rank_reversal"]:
        if not r["changed"]:
            out.append(f"  without {r['removed']}: the others keep their order")
            continue
        what = "THE FIRST-RANKED BID CHANGES" if r["winner_changed"] else "the order of the others changes"
        out.append(f"  without {r['removed']}: {what}: {_order(r['before'])}  ->  {_order(r['after'])}")
    out += ["", "Method comparison (the ranking under each method, the tender's own marked *)"]
    for m in data["methods"]:
        mark = "*" if m["current"] else " "
        out.append(f"  {mark} {m['kind']} {m['method']}: {_order(m['ranking'], totals=True)}")
    return "\n".join(out) + "\n"


_RANKING_HEADERS = ["rank", "bid", "price", "quality", "social value", "total"]


def _ranking_rows(ranking: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
    return [[r["rank"], r["bid_id"], r["price"], r["quality"], r["social_value"], r["total"]] for r in ranking]


def _order(standings: Sequence[Mapping[str, Any]], totals: bool = False) -> str:
    parts = []
    for s in standings:
        text = f"{s['rank']}. {s['bid_id']}"
        parts.append(f"{text} {s['total']}" if totals else text)
    return ", ".join(parts)


def _policy_words(s: Mapping[str, Any]) -> str:
    status = s["policy_status"]
    if status is None:
        return ""
    sv = s["weights_at"]["social_value"]
    words = POLICY_WORDS.get(status, status)
    return f"social value {sv}: {words}" + (" (changes)" if s["crosses_policy"] else "")
