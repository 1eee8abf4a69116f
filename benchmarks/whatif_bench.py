"""What-if benchmark: re-weightings per second of the what-if path against re-running the whole scoring.

    .venv/bin/python benchmarks/whatif_bench.py            # 50 bids, 10 quality questions, five themes
    .venv/bin/python benchmarks/whatif_bench.py --seconds 1

One run builds a seeded tender (50 bids with TOMs commitments under the shipped Stockport ruleset, 10 quality
questions, five weighted themes and one qualitative social value question) as an ordinary pack folder in a
temporary directory, scores it once, then measures, in the same run on the same re-weightings:

- the what-if path: who ranks first with one weight moved (its siblings rescaled in proportion, every weight
  on the 0.01 grid), as `whatif`'s breakeven search asks it: the re-weighting, the affine bounds, and exact
  scoring (scoring.points, rounded lines) of the bids the bounds cannot rule out;
- the what-if path scoring every bid in full (all lines, the whole ranking), as the confirmations do;
- re-running the whole scoring each time: `evaluate` on the pack with the re-weighted tender (the engine fires
  for every bid again, then points and ranking), as re-running `score` per weight would, minus file reading.

Every re-scored re-weighting's first-ranked bid is checked against the what-if path's. Each what-if figure is the
best of `--repeat` parts of `--seconds`, after one untimed pass over the re-weightings. It prints a table and
the ratio; `--json FILE` writes the figures. Bounded: about `--seconds` per what-if measurement and
`--rescores` full scorings (2 cores are shared, so the load average is printed beside the figures).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)] if str(ROOT) not in sys.path else []

from tenderscore.scoring.evaluate import evaluate  # noqa: E402
from tenderscore.scoring.models import Tender  # noqa: E402
from tenderscore.scoring.models import Weights as TenderWeights  # noqa: E402
from tenderscore.scoring.pack import load_pack  # noqa: E402
from tenderscore.scoring.published import leading_bids  # noqa: E402
from tenderscore.scoring.ruleset import resolve_ruleset  # noqa: E402
from tenderscore.scoring.whatif.basis import Basis, Scorer, leaders_of  # noqa: E402
from tenderscore.scoring.whatif.sensitivity import Sensitivity  # noqa: E402
from tenderscore.scoring.whatif.weights import Layout, Weights, reweigh  # noqa: E402

THEMES = ("jobs", "growth", "social", "environment", "innovation")
PENNY = Decimal("0.01")


def write_tender(folder: Path, bids: int, questions: int, seed: int) -> Path:
    """A seeded pack: same seed and sizes, same files."""
    rng = random.Random(seed)
    ruleset = resolve_ruleset("stockport", None)
    by_theme: dict[str, list[str]] = {t: [] for t in THEMES}
    for code, measure in sorted(ruleset.measures.items()):
        if measure.unit != "gbp":
            by_theme[measure.theme].append(code)
    quality = [
        {"id": f"Q{i}", "title": f"Question {i}", "weight": w, "min_score": 0}
        for i, w in enumerate([6, 5, 5, 4, 4, 4, 3, 3, 3, 3][:questions], start=1)
    ]
    tender = {
        "id": "BENCH-WHATIF",
        "title": "What-if benchmark",
        "contract_value_gbp": "2000000.00",
        "procedure": "competitive",
        "ruleset": "stockport",
        "weights": {"price": 40, "quality": sum(q["weight"] for q in quality), "social_value": 20},
        "quality": {"scale_max": 5, "questions": quality},
        "social_value": {
            "themes": {"jobs": 5, "growth": 4, "social": 3, "environment": 2, "innovation": 1},
            "questions": [{"id": "SV1", "title": "Delivery plan", "weight": 5}],
        },
        # Re-weightings take the social value weight below the floor; an exemption lets `evaluate` score them.
        "exemption": {"reason": "benchmark: any social value weight", "approved_by": "benchmark"},
    }
    tender["weights"]["price"] = 100 - tender["weights"]["quality"] - 20
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tender.yaml").write_text(yaml.safe_dump(tender, sort_keys=False), encoding="utf-8")
    (folder / "bids").mkdir(exist_ok=True)
    lines = ["bid,question,score"]
    for n in range(1, bids + 1):
        bid_id = f"b{n:02d}"
        commitments = []
        for theme in THEMES:
            for code in rng.sample(by_theme[theme], k=min(2, len(by_theme[theme]))):
                commitments.append({"measure": code, "quantity": str(rng.randint(0, 40))})
        price = Decimal(rng.randint(1_500_000_00, 2_100_000_00)) / 100
        bid = {"bidder": f"Bidder {n:02d} Ltd", "price_gbp": f"{price:.2f}", "commitments": commitments}
        (folder / "bids" / f"{bid_id}.yaml").write_text(yaml.safe_dump(bid, sort_keys=False), encoding="utf-8")
        for q in quality + tender["social_value"]["questions"]:
            lines.append(f"{bid_id},{q['id']},{rng.randint(1, 5)}")
    (folder / "scores.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def reweightings(layout: Layout, count: int, seed: int) -> list[tuple[str, Decimal]]:
    """Seeded (weight, value) pairs: any weight with a sibling to rescale, any value on its 0.01 grid."""
    rng = random.Random(seed)
    keys = [k for k in layout.dimensions() if layout.movable(k)]
    out = []
    for _ in range(count):
        key = rng.choice(keys)
        out.append((key, Decimal(rng.randint(0, int(layout.total_of(key) * 100))) / 100))
    return out


def tender_at(tender: Tender, weights: Weights) -> Tender:
    top = TenderWeights(price=weights["price"], quality=weights["quality"], social_value=weights["social_value"])
    quality = tender.quality.model_copy(
        update={
            "questions": [
                q.model_copy(update={"weight": weights[f"question:{q.id}"]}) for q in tender.quality.questions
            ]
        }
    )
    social = tender.social_value.model_copy(
        update={
            "themes": {t: weights[f"theme:{t}"] for t in tender.social_value.themes},
            "questions": [
                q.model_copy(update={"weight": weights[f"question:{q.id}"]}) for q in tender.social_value.questions
            ],
        }
    )
    return tender.model_copy(update={"weights": top, "quality": quality, "social_value": social})


def rate(call: Any, items: list[Any], seconds: float) -> tuple[float, float]:
    """Calls per second over `items` (cycled) for about `seconds`: per second of wall time, and per second of
    this process's CPU time (on a machine shared with other work, the second is the steadier figure)."""
    done = 0
    start, cpu = time.perf_counter(), time.process_time()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for item in items[:200]:
            call(item)
        done += min(200, len(items))
        items = items[200:] + items[:200]
    return done / (time.perf_counter() - start), done / (time.process_time() - cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bids", type=int, default=50)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--seconds", type=float, default=3.0, help="about how long each what-if measurement runs")
    parser.add_argument("--rescores", type=int, default=20, help="how many times the whole scoring is re-run")
    parser.add_argument("--repeat", type=int, default=3, help="what-if measurements split into this many; best")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        pack = load_pack(write_tender(Path(tmp) / "pack", args.bids, args.questions, args.seed))
    evaluation = evaluate(pack)
    layout = Layout.of(pack.tender)
    scorer = Scorer(Basis.of(pack.tender, evaluation.result))
    sensitivity = Sensitivity(scorer, layout)
    plan = reweightings(layout, 5000, args.seed)

    start = time.perf_counter()
    tracks = {key: sensitivity.track(key) for key in sorted({k for k, _ in plan})}
    track_seconds = (time.perf_counter() - start) / len(tracks)

    # One untimed pass: each track works out, once, which bids could lead in each stretch of its range (a
    # breakeven search does that as it walks; random re-weightings would otherwise pay it inside the clock).
    start = time.perf_counter()
    for key, value in plan:
        sensitivity.leaders_at(tracks[key], value)
    warm_seconds = time.perf_counter() - start

    def best_of(call: Any, seconds: float) -> tuple[float, float]:
        runs = [rate(call, plan, seconds / args.repeat) for _ in range(args.repeat)]
        return max(r[0] for r in runs), max(r[1] for r in runs)

    fast, fast_cpu = best_of(lambda kv: sensitivity.leaders_at(tracks[kv[0]], kv[1]), args.seconds)
    full, full_cpu = best_of(lambda kv: scorer.standings(reweigh(layout, kv[0], kv[1])), args.seconds)

    rescored = plan[: args.rescores]
    start, cpu = time.perf_counter(), time.process_time()
    agree = 0
    for key, value in rescored:
        weights = reweigh(layout, key, value)
        result = evaluate(replace(pack, tender=tender_at(pack.tender, weights))).result
        first = tuple(sorted(b.bid_id for b in leading_bids(result)))
        agree += first == sensitivity.leaders_at(tracks[key], value) == leaders_of(scorer.standings(weights))
    slow = len(rescored) / (time.perf_counter() - start)
    slow_cpu = len(rescored) / (time.process_time() - cpu)
    load_end = os.getloadavg()[0]

    figures = {
        "bids": len(scorer.basis.bids),
        "eligible": len(evaluation.result.eligible),
        "lines_per_bid": len(scorer.lines[0]) if scorer.lines else 0,
        "whatif_per_second": round(fast),
        "whatif_per_cpu_second": round(fast_cpu),
        "whatif_full_ranking_per_second": round(full),
        "whatif_full_ranking_per_cpu_second": round(full_cpu),
        "rescore_per_second": round(slow, 2),
        "rescore_per_cpu_second": round(slow_cpu, 2),
        "ratio": round(fast / slow),
        "ratio_cpu": round(fast_cpu / slow_cpu),
        "ratio_full_ranking": round(full / slow),
        "track_ms_per_weight": round(track_seconds * 1000, 3),
        "warm_up_seconds": round(warm_seconds, 3),
        "rescores_agreeing": f"{agree}/{len(rescored)}",
        "load_average": [round(load_start, 2), round(load_end, 2)],
    }
    print(
        f"What-if benchmark: {figures['bids']} bids ({figures['eligible']} eligible), {args.questions} quality "
        f"questions, five themes, one SV question; {figures['lines_per_bid']} lines a bid"
    )
    print("                                                     re-weightings/s   per CPU-second")
    print(f"  what-if path (first-ranked bid at a re-weighting): {fast:>12,.0f}   {fast_cpu:>12,.0f}")
    print(f"  what-if path, every bid scored and ranked:         {full:>12,.0f}   {full_cpu:>12,.0f}")
    print(f"  re-running the whole scoring (evaluate):           {slow:>12,.2f}   {slow_cpu:>12,.2f}")
    print(
        f"  ratio: {fast / slow:,.0f}x wall, {fast_cpu / slow_cpu:,.0f}x CPU (every bid ranked: {full / slow:,.0f}x); "
        f"first-ranked bid agreed on {agree}/{len(rescored)} re-scorings"
    )
    print(f"  preparing one weight's track (once per weight, before its search): {track_seconds * 1000:.1f} ms")
    print(f"  working out the stretches' possible leaders for {len(plan):,} re-weightings: {warm_seconds:.2f} s")
    print(f"  load average {load_start:.2f} -> {load_end:.2f} (2 cores shared)")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    if agree != len(rescored):
        sys.exit("the what-if path disagreed with re-scoring")


if __name__ == "__main__":
    main()
