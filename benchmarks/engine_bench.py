"""Engine benchmark (issue 2, item 9): the same bids' facts through three evaluators, in one run.

    .venv/bin/python benchmarks/engine_bench.py                     # 1,000 bids of 20 commitments, best of 3
    .venv/bin/python benchmarks/engine_bench.py --bids 500 --json benchmarks/results/engine.json

Seeded bids of ~20 commitments each are turned into exactly the facts scoring.evaluate asserts for a bid
(scoring.facts: the bid, its gate answers, its consensus scores, one fact per commitment, its SV total) under
the shipped Stockport ruleset, then evaluated four ways:

- tenderscore: engine.Session, one session per bid, every firing computing its effect into the trace;
- bare durable-rules: the same compiled conditions registered on a plain durable Host (dispatcher threads off),
  the same facts already converted, actions that only count, one session per bid, deleted after;
- the durable-rules C core alone, driven directly as engine.Session drives it, doing nothing per firing
  (benchmarks/baselines.py has both);
- plain Python: engine.predicate.matches for every rule against every fact, no engine at all; and the same
  with the rules indexed by the `kind` they pin (python_by_kind), as a hand-written evaluator would do it.

All of them must count the same firings, or the run stops. They take turns, --repeat rounds, and each keeps
its best time (the run least disturbed by other processes); the load average before and after is printed and
saved, because figures from a loaded machine are not comparable with a quiet one.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)] if str(ROOT) not in sys.path else []

from tenderscore.engine import Session, Trace  # noqa: E402
from tenderscore.engine.predicate import matches  # noqa: E402
from tenderscore.engine.ruleset import compiled_ruleset  # noqa: E402
from tenderscore.scoring import facts  # noqa: E402
from tenderscore.scoring.models import Bid  # noqa: E402
from tenderscore.scoring.pack import Pack, load_pack  # noqa: E402

from benchmarks.baselines import bare_durable, core_durable, engine_sessions  # noqa: E402

PACK = ROOT / "fixtures" / "stockport-highways"
Fact = dict[str, Any]


def make_bids(pack: Pack, count: int, commitments: int, seed: int) -> list[Bid]:
    """Bids like the shipped ones: mostly catalogued measures, some spend above the contract value (capped),
    a few uncatalogued codes (flagged), one in twelve failing a gate."""
    rng = random.Random(seed)
    catalogue = sorted(pack.ruleset.measures.values(), key=lambda m: m.code)
    bids = []
    for number in range(count):
        lines = []
        for _ in range(commitments):
            if rng.random() < 0.03:
                lines.append({"measure": "NT99", "quantity": rng.randint(1, 50)})
                continue
            measure = rng.choice(catalogue)
            if measure.unit == "gbp":
                pence = rng.randint(100_000, 150_000_000) if rng.random() < 0.9 else rng.randint(10**8, 2 * 10**8)
                quantity = str(Decimal(pence).scaleb(-2))
            else:
                quantity = str(Decimal(rng.randint(1, 4000)).scaleb(-rng.choice((0, 0, 1))))
            lines.append({"measure": measure.code, "quantity": quantity})
        bids.append(
            Bid.model_validate(
                {
                    "bidder": f"Bidder {number}",
                    "price_gbp": str(Decimal(rng.randint(80_000_000, 130_000_000)).scaleb(-2)),
                    "gates": {"ethical_standards": "pass", "modern_slavery": "fail" if number % 12 == 0 else "pass"},
                    "commitments": lines,
                }
            )
        )
    return bids


def bid_facts(pack: Pack, bid_id: str, bid: Bid, rng: random.Random) -> list[Fact]:
    """The facts scoring.evaluate asserts for one bid, in its order."""
    tender, ruleset = pack.tender, pack.ruleset
    scores = {q.id: Decimal(rng.randint(0, 5)) for q in tender.all_questions()}
    out = [facts.bid_fact(bid_id, bid), *facts.gate_facts(tender, ruleset, bid), *facts.score_facts(tender, scores)]
    total = Decimal(0)
    for index, commitment in enumerate(bid.commitments, start=1):
        out.append(facts.commitment_fact(index, commitment, tender, ruleset))
        measure = ruleset.measures.get(commitment.measure)
        if measure is not None:
            value = (commitment.quantity * measure.proxy_gbp).quantize(Decimal("0.01"))
            total += min(value, tender.contract_value_gbp) if measure.unit == "gbp" else value
    out.append(facts.sv_total_fact(total, tender, ruleset))
    return out


def with_tenderscore(pack: Pack, workload: list[list[Fact]]) -> int:
    firings = 0
    for number, bid in enumerate(workload):
        trace = Trace()
        with Session(pack.ruleset.spec, f"bid:{number}", trace) as session:
            for fact in bid:
                session.assert_fact(fact)
        firings += len(trace.firings)
    return firings


def plain_python(pack: Pack, workload: list[list[Fact]]) -> int:
    rules, params = pack.ruleset.spec.rules, pack.ruleset.spec.params
    return sum(1 for bid in workload for fact in bid for rule in rules if matches(rule.when, fact, params))


def plain_python_by_kind(pack: Pack, workload: list[list[Fact]]) -> int:
    """The same, with the rules indexed by the kind they pin: only the rules about a fact's kind are tried."""
    params = pack.ruleset.spec.params
    by_kind: dict[str, list[Any]] = {}
    for rule in pack.ruleset.spec.rules:
        by_kind.setdefault(rule.when["kind"], []).append(rule.when)
    return sum(
        1 for bid in workload for fact in bid for when in by_kind.get(fact["kind"], ()) if matches(when, fact, params)
    )


def best_times(runners: dict[str, Callable[[], int]], repeat: int) -> dict[str, tuple[float, int]]:
    """Each runner's fastest (seconds, firings), the runners taking turns so a burst of load hits them all."""
    timings: dict[str, list[tuple[float, int]]] = {label: [] for label in runners}
    for _ in range(repeat):
        for label, run in runners.items():
            start = time.perf_counter()
            firings = run()
            timings[label].append((time.perf_counter() - start, firings))
    return {label: min(runs) for label, runs in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bids", type=int, default=1000, help="bids per timed run (default 1000)")
    parser.add_argument("--commitments", type=int, default=20, help="commitments per bid (default 20)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per evaluator; the best counts")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    load_before = os.getloadavg()
    pack = load_pack(PACK)
    rng = random.Random(args.seed)
    bids = make_bids(pack, args.bids, args.commitments, args.seed)
    workload = [bid_facts(pack, f"b{number}", bid, rng) for number, bid in enumerate(bids)]
    asserted = sum(len(bid) for bid in workload)

    compiled = compiled_ruleset(pack.ruleset.spec)
    runners: dict[str, Callable[[], int]] = {
        "tenderscore": lambda: with_tenderscore(pack, workload),
        "bare_durable": bare_durable(compiled, engine_sessions(compiled, workload, "bare")),
        "core_durable": core_durable(compiled, engine_sessions(compiled, workload, "core")),
        "plain_python": lambda: plain_python(pack, workload),
        "python_by_kind": lambda: plain_python_by_kind(pack, workload),
    }
    with_tenderscore(pack, workload[:50])  # registers the ruleset and warms the caches, untimed
    results: dict[str, dict[str, float]] = {}
    for label, (seconds, firings) in best_times(runners, args.repeat).items():
        results[label] = {
            "seconds": seconds,
            "firings": firings,
            "firings_per_s": firings / seconds,
            "bids_per_s": args.bids / seconds,
        }
    counts = {label: figures["firings"] for label, figures in results.items()}
    if len(set(counts.values())) != 1:
        raise SystemExit(f"the evaluators disagree on the firings: {counts}")

    load_after = os.getloadavg()
    print(
        f"{args.bids} bids x {args.commitments} commitments, {asserted} facts, {counts['tenderscore']} firings; "
        f"best of {args.repeat}; {os.cpu_count()} cores, load {load_before[0]:.2f} before, {load_after[0]:.2f} after"
    )
    print(f"{'':14} {'seconds':>9} {'firings/s':>11} {'bids/s':>9}")
    for label, figures in results.items():
        print(f"{label:14} {figures['seconds']:9.3f} {figures['firings_per_s']:11,.0f} {figures['bids_per_s']:9,.0f}")
    ratios = {
        "tenderscore_vs_bare_durable": results["tenderscore"]["seconds"] / results["bare_durable"]["seconds"],
        "tenderscore_vs_plain_python": results["tenderscore"]["seconds"] / results["plain_python"]["seconds"],
        "bare_durable_vs_plain_python": results["bare_durable"]["seconds"] / results["plain_python"]["seconds"],
        "tenderscore_vs_core_durable": results["tenderscore"]["seconds"] / results["core_durable"]["seconds"],
        "bare_durable_vs_core_durable": results["bare_durable"]["seconds"] / results["core_durable"]["seconds"],
        "tenderscore_vs_python_by_kind": results["tenderscore"]["seconds"] / results["python_by_kind"]["seconds"],
    }
    for name, ratio in ratios.items():
        slower, faster = name.split("_vs_")
        print(f"{slower} takes {ratio:.2f}x the time of {faster}")

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        figures_out = {
            "bids": args.bids,
            "commitments": args.commitments,
            "facts": asserted,
            "repeat": args.repeat,
            "seed": args.seed,
            "results": results,
            "ratios": ratios,
            "load_average_before": load_before,
            "load_average_after": load_after,
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "durable_rules": version("durable-rules"),
        }
        args.json.write_text(json.dumps(figures_out, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
