"""Rendering a large result: the HTML report and `explain` against JSON, measured in the same run.

One seeded pack (`workload.py`) whose bids hold COMMITMENTS commitments in all is loaded and scored once; then
`score PACK --format json` and `--format html` are timed end to end in this process (read and validate, score,
render: the JSON run is the baseline), then rendering alone: JSON (the published shape, which lists no
commitments), the HTML report (every bid's breakdown, each commitment citing the firings that valued it) and
`explain` text for every bid. A renderer that rescans every firing for each commitment grows with the square
of the commitments; the target (issue 13) is HTML within 3× of JSON, end to end, at 10,000 commitments. The
template's one-time compilation is done before timing; it exits 1 if HTML misses the target.

    .venv/bin/python benchmarks/render_bench.py                       # 10,000 commitments over 10 bids
    .venv/bin/python benchmarks/render_bench.py --commitments 1000 --bids 4
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)] if str(ROOT) not in sys.path else []

from tenderscore.scoring.evaluate import evaluate  # noqa: E402
from tenderscore.scoring.explanation import Scored, explain, scored_now  # noqa: E402
from tenderscore.scoring.output import render_scored  # noqa: E402
from tenderscore.scoring.output.explain_text import render_text  # noqa: E402
from tenderscore.scoring.pack import load_pack  # noqa: E402

from benchmarks.workload import WorkloadSpec, generate  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "workloads"


def best_of(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def explain_all(scored: Scored) -> str:
    return "".join(render_text(explain(scored, bid.bid_id)) for bid in scored.result.bids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commitments", type=int, default=10_000, help="commitments in all (default 10,000)")
    parser.add_argument("--bids", type=int, default=10, help="bids sharing them (default 10)")
    parser.add_argument("--repeat", type=int, default=3, help="best of N (default 3)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    spec = WorkloadSpec(packs=1, bids=args.bids, commitments=args.commitments // args.bids, seed=args.seed)
    (folder,) = generate(RESULTS, spec)
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    origin = {"kind": "pack", "where": str(folder)}
    scored = scored_now(evaluate(load_pack(folder)), origin)
    render_scored(scored, "html")  # the template compiles once per process: not part of any figure
    print(
        f"{spec.bids} bids × {spec.commitments} commitments = {spec.bids * spec.commitments:,} commitments, "
        f"{len(scored.firings):,} firings"
    )

    def end_to_end(fmt: str) -> Callable[[], object]:
        # What `score PACK --format FMT` does, after start-up: read and validate, score, render.
        return lambda: render_scored(scored_now(evaluate(load_pack(folder)), origin), fmt)

    rows = [
        ("JSON, end to end (baseline)", best_of(args.repeat, end_to_end("json"))),
        ("HTML report, end to end", best_of(args.repeat, end_to_end("html"))),
        ("JSON, rendering alone", best_of(args.repeat, lambda: render_scored(scored, "json"))),
        ("HTML report, rendering alone", best_of(args.repeat, lambda: render_scored(scored, "html"))),
        ("explain, every bid, rendering alone", best_of(args.repeat, lambda: explain_all(scored))),
    ]
    baseline = rows[0][1]
    print(f"| what | seconds (best of {args.repeat}) | × JSON end to end |")
    print("|---|---:|---:|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.3f} | {seconds / baseline:.2f} |")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if rows[1][1] > 3 * baseline:
        print("HTML end to end is more than 3× JSON end to end", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
