"""Batch scoring benchmark: tenderscore against bare durable-rules and plain Python on the same facts.

    .venv/bin/python benchmarks/batch_bench.py              # 500 packs x 10 bids x 20 commitments
    .venv/bin/python benchmarks/batch_bench.py --small      # 40 packs: a quick check
    .venv/bin/python benchmarks/batch_bench.py --memory     # peak memory from 10,000 to 100,000 bids

One run generates (or reuses) a seeded workload of ordinary pack folders, then measures, on the same machine
in the same run:

- tenderscore end to end, as `tenderscore score DIR --output-dir OUT --format json` does it (the same library
  call): read and validate every file, fire the rules, rank, render and write each result, with 1 worker
  process and with N (default: every core), checking that both wrote byte-identical files;
- tenderscore in one process, split into load (read + validate), evaluate (facts, rules, points, ranking) and
  output (render + write), so the cost of each stage is visible;
- bare durable-rules asserting exactly the facts tenderscore asserted (captured from a scoring run), in the
  same sessions, with actions that only count, through durable-rules' documented Python API (a Host): the
  baseline of issue 7's target. It is given the facts as tenderscore's engine sends them (converted before
  the clock starts, with only the fields some rule reads), which only makes it faster;
- durable-rules' C core driven directly on the same facts, as tenderscore's engine drives it, doing nothing
  per firing: the floor for anything built on durable-rules;
- plain Python evaluating the same conditions (engine.predicate) and effects (engine.effects) over the same
  facts, without durable-rules.

It prints a table and writes every figure to JSON (`--json`, default benchmarks/results/batch_bench.json;
the folder is gitignored). The machine's load average is recorded at the start and the end: on a shared
machine, figures from a loaded run are not comparable with a quiet one.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)] if str(ROOT) not in sys.path else []

import tenderscore.engine.session as engine_session  # noqa: E402
from tenderscore.engine.effects import compute_effect  # noqa: E402
from tenderscore.engine.predicate import matches  # noqa: E402
from tenderscore.engine.ruleset import CompiledRuleset, compiled_ruleset  # noqa: E402
from tenderscore.scoring.audit import Ledger  # noqa: E402
from tenderscore.scoring.batch.packs import PackOutcome, PackTask, run_batch, score_many, score_pack  # noqa: E402
from tenderscore.scoring.batch.runner import default_jobs  # noqa: E402
from tenderscore.scoring.errors import TenderscoreError  # noqa: E402
from tenderscore.scoring.evaluate import evaluate  # noqa: E402
from tenderscore.scoring.files import write_atomic  # noqa: E402
from tenderscore.scoring.output import render  # noqa: E402
from tenderscore.scoring.pack import Pack, load_pack  # noqa: E402

from benchmarks.baselines import Sessions, bare_durable, core_durable, engine_sessions  # noqa: E402
from benchmarks.workload import WorkloadSpec, generate  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
MEMORY_MARKS = (10_000, 100_000)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measured_score_pack(task: PackTask) -> PackOutcome:
    """score_pack, plus the worker's pid and memory, so the parent can report the workers' footprint."""
    outcome = score_pack(task)
    outcome.worker_pid = os.getpid()  # type: ignore[attr-defined]
    outcome.worker_peak_mb = peak_rss_mb()  # type: ignore[attr-defined]
    outcome.worker_rss_mb = current_rss_mb()  # type: ignore[attr-defined]
    return outcome


def best_of(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    """The fastest of `repeat` runs (the least disturbed by other processes on a shared machine)."""
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = run()
        best = min(best, time.perf_counter() - start)
    return best, value


# --- tenderscore through the batch library, as the CLI runs it ------------------------------------------------


def batch_run(folders: list[Path], jobs: int, out_dir: Path, repeat: int, records: bool) -> dict[str, Any]:
    """`tenderscore score DIR --output-dir OUT --format json --jobs N` (with `--no-ledger` unless `records`),
    best of `repeat` runs, each into an empty `out_dir` and, with records, a new ledger beside it."""
    seconds = float("inf")
    for attempt in range(repeat):
        shutil.rmtree(out_dir, ignore_errors=True)
        out_dir.mkdir(parents=True)
        ledger = out_dir.with_name(f"{out_dir.name}.{attempt}.ledger.sqlite3")
        start = time.perf_counter()
        if records:
            with Ledger(ledger) as book:
                outcomes = score_many(folders, "json", out_dir, jobs, ledger=book, worker=measured_score_pack)
        else:
            outcomes = score_many(folders, "json", out_dir, jobs, worker=measured_score_pack)
        seconds = min(seconds, time.perf_counter() - start)
    bad = [o for o in outcomes if o.status != "ok"]
    if bad:
        raise SystemExit(f"{len(bad)} packs failed, e.g. {bad[0].errors}")
    bids = sum(o.bids for o in outcomes)
    firings = sum(o.firings for o in outcomes)
    workers = {getattr(o, "worker_pid", 0): getattr(o, "worker_peak_mb", 0.0) for o in outcomes}
    return {
        "jobs": jobs,
        "decision_records": records,
        "seconds": seconds,
        "bids": bids,
        "firings": firings,
        "bids_per_s": bids / seconds,
        "firings_per_s": firings / seconds,
        "workers": len(workers),
        "worker_peak_rss_mb": max(workers.values()),
        "parent_peak_rss_mb": peak_rss_mb(),
    }


def same_files(a: Path, b: Path) -> bool:
    names = sorted(p.name for p in a.iterdir())
    return names == sorted(p.name for p in b.iterdir()) and all(
        (a / n).read_bytes() == (b / n).read_bytes() for n in names
    )


# --- tenderscore in one process, stage by stage ---------------------------------------------------------------


def in_process(folders: list[Path], out_dir: Path, repeat: int) -> dict[str, Any]:
    """Each pack loaded, evaluated, rendered and written in turn (as a worker does), each stage timed apart."""

    def run() -> tuple[float, float, float, int, int]:
        load_s = eval_s = output_s = 0.0
        bids = firings = 0
        for folder in folders:
            t0 = time.perf_counter()
            pack = load_pack(folder)
            t1 = time.perf_counter()
            evaluation = evaluate(pack)
            t2 = time.perf_counter()
            (out_dir / f"{folder.name}.json").write_text(render(evaluation.result, "json"), encoding="utf-8")
            t3 = time.perf_counter()
            load_s, eval_s, output_s = load_s + t1 - t0, eval_s + t2 - t1, output_s + t3 - t2
            bids, firings = bids + len(pack.bids), firings + len(evaluation.trace.firings)
        return load_s, eval_s, output_s, bids, firings

    runs = [run() for _ in range(repeat)]
    load_s, eval_s, output_s, bids, firings = min(runs, key=lambda r: r[0] + r[1] + r[2])
    total = load_s + eval_s + output_s
    return {
        "load_s": load_s,
        "evaluate_s": eval_s,
        "output_s": output_s,
        "seconds": total,
        "bids": bids,
        "firings": firings,
        "bids_per_s": bids / total,
        "evaluate_bids_per_s": bids / eval_s,
        "firings_per_s": firings / total,
    }


def capture_facts(packs: list[Pack]) -> list[list[tuple[str, dict[str, Any]]]]:
    """Every fact tenderscore asserts, with the session it was asserted in, pack by pack, in order."""
    captured: list[list[tuple[str, dict[str, Any]]]] = []
    original = engine_session.Session.assert_fact

    def recording(self: engine_session.Session, fact: Any) -> Any:
        captured[-1].append((self._sid, dict(fact)))
        return original(self, fact)

    engine_session.Session.assert_fact = recording  # type: ignore[method-assign]
    try:
        for pack in packs:
            captured.append([])
            with contextlib.suppress(TenderscoreError):  # a refused tender asserted its facts all the same
                evaluate(pack)
    finally:
        engine_session.Session.assert_fact = original  # type: ignore[method-assign]
    return captured


# --- durable-rules baselines (benchmarks/baselines.py) -------------------------------------------------------


def _session_groups(captured: list[list[tuple[str, dict[str, Any]]]]) -> list[list[dict[str, Any]]]:
    """The captured facts, a group per run of facts asserted in one session."""
    groups: list[list[dict[str, Any]]] = []
    for facts in captured:
        last = None
        for sid, fact in facts:
            if sid != last:
                groups.append([])
                last = sid
            groups[-1].append(fact)
    return groups


def durable_baseline(
    make: Callable[[CompiledRuleset, Sessions], Callable[[], int]],
    pack: Pack,
    captured: list[list[tuple[str, dict[str, Any]]]],
    repeat: int,
) -> dict[str, Any]:
    compiled = compiled_ruleset(pack.ruleset.spec)
    sessions = engine_sessions(compiled, _session_groups(captured), make.__name__)
    seconds, firings = best_of(repeat, make(compiled, sessions))
    asserts = sum(len(facts) for facts in sessions)
    return {"seconds": seconds, "asserts": asserts, "firings": firings, "firings_per_s": firings / seconds}


# --- plain Python ---------------------------------------------------------------------------------------------


def plain_python(pack: Pack, captured: list[list[tuple[str, dict[str, Any]]]], repeat: int) -> dict[str, Any]:
    spec = pack.ruleset.spec
    by_kind: dict[str, list[Any]] = {}
    for rule in spec.rules:
        by_kind.setdefault(str(rule.when["kind"]), []).append(rule)
    facts = [fact for pack_facts in captured for _, fact in pack_facts]

    def run() -> int:
        firings = 0
        for fact in facts:
            for rule in by_kind.get(fact["kind"], ()):
                if matches(rule.when, fact, spec.params):
                    compute_effect(rule.then, fact, spec.params)
                    firings += 1
        return firings

    seconds, firings = best_of(repeat, run)
    return {"seconds": seconds, "facts": len(facts), "firings": firings, "firings_per_s": firings / seconds}


def _stockport_conditions(params: Mapping[str, Any]) -> dict[str, Callable[[Mapping[str, Any]], bool]]:
    """The shipped Stockport rules' conditions written out by hand: the fastest Python can decide them."""
    applies, floor, target = params["applies_over_gbp"], params["floor"], params["target"]

    def competitive_over(f: Mapping[str, Any]) -> bool:
        return bool(f["procedure"] == "competitive" and f["contract_value_gbp"] > applies)

    return {
        "policy.not_applicable": lambda f: f["procedure"] != "competitive" or f["contract_value_gbp"] <= applies,
        "policy.below_floor_refused": lambda f: (
            competitive_over(f) and f["social_value_weight"] < floor and not f["exempt"]
        ),
        "policy.below_floor_exempt": lambda f: competitive_over(f) and f["social_value_weight"] < floor and f["exempt"],
        "policy.below_target": lambda f: competitive_over(f) and floor <= f["social_value_weight"] < target,
        "policy.meets_target": lambda f: competitive_over(f) and f["social_value_weight"] >= target,
        "policy.portal_required": lambda f: f["contract_value_gbp"] > params["portal_over_gbp"],
        "gate.not_passed": lambda f: f["answer"] != "pass",
        "question.below_minimum": lambda f: f["score"] < f["min_score"],
        "measure.unknown": lambda f: f["catalogued"] is False,
        "measure.not_accepted": lambda f: f["catalogued"] is True and f["accepted"] is False,
        "cap.spend_at_contract_value": lambda f: f["accepted"] is True and f.get("unit") == "gbp",
        "sv.implausible": lambda f: f["sv_total_gbp"] > f["plausibility_limit_gbp"],
        "price.abnormally_low": lambda f: (
            f["others_count"] >= params["alt_min_others"]
            and "alt_threshold_gbp" in f
            and f["price_gbp"] < f["alt_threshold_gbp"]
        ),
    }


def plain_python_by_hand(pack: Pack, captured: list[list[tuple[str, dict[str, Any]]]], repeat: int) -> dict[str, Any]:
    """Hand-written conditions for the Stockport rules, the same effects (engine.effects) for what matches."""
    spec = pack.ruleset.spec
    conditions = _stockport_conditions(spec.params)
    by_kind: dict[str, list[tuple[Any, Callable[[Mapping[str, Any]], bool]]]] = {}
    valuations: dict[str, Any] = {}
    for rule in spec.rules:
        if rule.id.startswith("value."):
            valuations[str(rule.when["measure"])] = rule
        elif rule.id in conditions:
            by_kind.setdefault(str(rule.when["kind"]), []).append((rule, conditions[rule.id]))
        else:
            raise SystemExit(f"the hand-written baseline does not know rule {rule.id}: update _stockport_conditions")
    facts = [fact for pack_facts in captured for _, fact in pack_facts]

    def run() -> int:
        firings = 0
        for fact in facts:
            if fact["kind"] == "commitment" and fact["accepted"] is True:
                rule = valuations[fact["measure"]]
                compute_effect(rule.then, fact, spec.params)
                firings += 1
            for rule, holds in by_kind.get(fact["kind"], ()):
                if holds(fact):
                    compute_effect(rule.then, fact, spec.params)
                    firings += 1
        return firings

    seconds, firings = best_of(repeat, run)
    return {"seconds": seconds, "facts": len(facts), "firings": firings, "firings_per_s": firings / seconds}


# --- memory growth ---------------------------------------------------------------------------------------------


def memory_run(folders: list[Path], jobs: int, bids_target: int, out_dir: Path) -> dict[str, Any]:
    """Score packs (cycling through the workload) until `bids_target` bids, sampling memory at the marks."""
    per_pack = max(1, len(load_pack(folders[0]).bids))
    count = -(-bids_target // per_pack)
    tasks = [PackTask(index, folders[index % len(folders)], "json") for index in range(count)]
    scored = [0]
    kept: list[PackOutcome] = []
    workers: dict[int, dict[str, float]] = {}
    samples: dict[int, dict[str, float]] = {}
    marks = [m for m in MEMORY_MARKS if m <= bids_target] or [bids_target]

    def sample(outcome: PackOutcome) -> None:
        # What score_many does with an outcome (minus the pack-name check: packs repeat here), keeping the slim
        # outcome for the summary table as it does, so the parent's figures are the command's.
        if outcome.rendered is None:
            raise SystemExit(f"pack {outcome.folder} failed: {outcome.errors}")
        write_atomic(out_dir / f"{outcome.index:06d}.json", outcome.rendered)
        outcome = outcome.slim()
        kept.append(outcome)
        scored[0] += outcome.bids
        pid = getattr(outcome, "worker_pid", 0)
        workers[pid] = {"peak": getattr(outcome, "worker_peak_mb", 0.0), "rss": getattr(outcome, "worker_rss_mb", 0.0)}
        for mark in marks:
            if mark not in samples and scored[0] >= mark:
                samples[mark] = {
                    "bids": scored[0],
                    "parent_rss_mb": current_rss_mb(),
                    "parent_peak_mb": peak_rss_mb(),
                    "worker_peak_mb_max": max(w["peak"] for w in workers.values()),
                    "worker_rss_mb_max": max(w["rss"] for w in workers.values()),
                    "workers_peak_mb_sum": sum(w["peak"] for w in workers.values()),
                }

    start = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    run_batch(tasks, jobs, sample, worker=measured_score_pack)
    seconds = time.perf_counter() - start
    first, last = samples[marks[0]], samples[marks[-1]]
    total_first = first["parent_peak_mb"] + first["workers_peak_mb_sum"]
    total_last = last["parent_peak_mb"] + last["workers_peak_mb_sum"]
    return {
        "jobs": jobs,
        "distinct_packs": len(folders),
        "packs_scored": count,
        "bids_scored": scored[0],
        "seconds": seconds,
        "bids_per_s": scored[0] / seconds,
        "samples": {str(k): v for k, v in samples.items()},
        "growth_mb": {
            "parent_peak": last["parent_peak_mb"] - first["parent_peak_mb"],
            "worker_peak_max": last["worker_peak_mb_max"] - first["worker_peak_mb_max"],
            "total_peak": total_last - total_first,
        },
    }


# --- the run ----------------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "durable_rules": version("durable-rules"),
        "cpus": os.cpu_count(),
        "usable_cpus": default_jobs(),
        "platform": platform.platform(),
    }


def ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def print_report(report: dict[str, Any]) -> None:
    w = report["workload"]
    print(
        f"workload: {w['packs']} packs x {w['bids']} bids x {w['commitments']} commitments, seed {w['seed']} "
        f"({w['packs'] * w['bids']} bids); load average {report['load_average_start']} -> {report['load_average_end']}"
    )
    if "memory" in report:
        m = report["memory"]
        print(
            f"memory: {m['bids_scored']} bids ({m['packs_scored']} packs, {m['distinct_packs']} distinct) with "
            f"{m['jobs']} workers in {m['seconds']:.1f} s ({m['bids_per_s']:.0f} bids/s)"
        )
        for mark, s in m["samples"].items():
            print(
                f"  at {mark:>7} bids: parent peak {s['parent_peak_mb']:.1f} MB, largest worker peak "
                f"{s['worker_peak_mb_max']:.1f} MB, all workers' peaks {s['workers_peak_mb_sum']:.1f} MB"
            )
        g = m["growth_mb"]
        print(
            f"  growth: parent {g['parent_peak']:+.1f} MB, largest worker {g['worker_peak_max']:+.1f} MB, "
            f"total {g['total_peak']:+.1f} MB (target < 50 MB)"
        )
        return
    rows = [
        ("tenderscore, 1 worker (end to end)", report["tenderscore_1"]),
        (f"tenderscore, {report['tenderscore_n']['jobs']} workers (end to end)", report["tenderscore_n"]),
        ("  the same, 1 worker, with decision records", report["tenderscore_1_records"]),
        (
            f"  the same, {report['tenderscore_n']['jobs']} workers, with decision records",
            report["tenderscore_n_records"],
        ),
        ("tenderscore in one process (end to end)", report["in_process"]),
        ("bare durable-rules (Host API), same facts", report["bare_durable"]),
        ("durable-rules C core alone, same facts", report["core_durable"]),
        ("plain Python, engine.predicate conditions", report["plain_python"]),
        ("plain Python, hand-written conditions", report["plain_python_by_hand"]),
    ]
    print(f"{'':44} {'seconds':>8} {'bids/s':>9} {'firings/s':>10}")
    bids = report["in_process"]["bids"]
    for label, fig in rows:
        print(f"{label:44} {fig['seconds']:8.2f} {bids / fig['seconds']:9.0f} {fig['firings'] / fig['seconds']:10.0f}")
    ip = report["in_process"]
    print(
        f"in one process: load {ip['load_s']:.2f} s, evaluate {ip['evaluate_s']:.2f} s, output {ip['output_s']:.2f} s"
    )
    r = report["ratios"]
    print(
        f"tenderscore / bare durable-rules: end to end (1 worker) {r['end_to_end_1_worker_vs_bare']:.2f}x, "
        f"in one process {r['in_process_vs_bare']:.2f}x, evaluate only {r['evaluate_vs_bare']:.2f}x (target <= 1.5x); "
        f"with decision records (the command's default) {r['end_to_end_1_worker_records_vs_bare']:.2f}x"
    )
    print(
        f"tenderscore / durable-rules C core alone: end to end (1 worker) {r['end_to_end_1_worker_vs_core']:.2f}x, "
        f"in one process {r['in_process_vs_core']:.2f}x, evaluate only {r['evaluate_vs_core']:.2f}x; "
        f"bare durable-rules / C core {r['bare_vs_core']:.2f}x"
    )
    print(
        f"tenderscore / plain Python (engine.predicate): end to end {r['end_to_end_1_worker_vs_plain']:.1f}x, "
        f"evaluate only {r['evaluate_vs_plain']:.1f}x; bare durable-rules / plain Python {r['bare_vs_plain']:.2f}x"
    )
    print(
        f"tenderscore / plain Python (by hand): end to end {r['end_to_end_1_worker_vs_plain_by_hand']:.1f}x, "
        f"evaluate only {r['evaluate_vs_plain_by_hand']:.1f}x; bare durable-rules / plain Python "
        f"{r['bare_vs_plain_by_hand']:.1f}x"
    )
    print(
        f"speed-up from 1 to {report['tenderscore_n']['jobs']} workers: {r['speedup_n_vs_1']:.2f}x "
        f"(target >= 1.8x on 2 cores), {r['speedup_n_vs_1_records']:.2f}x with decision records; "
        f"outputs identical: {report['outputs_identical']}"
    )
    print(
        f"peak RSS: parent {report['tenderscore_n']['parent_peak_rss_mb']:.1f} MB, "
        f"largest worker {report['tenderscore_n']['worker_peak_rss_mb']:.1f} MB"
    )
    f = report["firings"]
    print(
        f"firings: tenderscore {f['tenderscore']}, bare durable-rules {f['bare_durable']}, C core {f['core_durable']}, "
        f"plain Python {f['plain_python']} (by hand {f['plain_python_by_hand']})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packs", type=int, help="packs in the workload (default 500; 40 with --small)")
    parser.add_argument("--bids", type=int, default=10, help="bids per pack")
    parser.add_argument("--commitments", type=int, default=20, help="commitments per bid")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--small", action="store_true", help="a quick run: 40 packs")
    parser.add_argument("--jobs", type=int, default=None, help="workers for the parallel run (default: every core)")
    parser.add_argument("--repeat", type=int, default=3, help="every timed run: the best of this many")
    parser.add_argument("--memory", action="store_true", help="measure memory growth from 10,000 to --memory-bids")
    parser.add_argument("--memory-bids", type=int, default=MEMORY_MARKS[-1])
    parser.add_argument("--workloads", type=Path, default=RESULTS / "workloads", help="where workloads are kept")
    parser.add_argument("--json", type=Path, default=None, help="where to write the figures")
    args = parser.parse_args(argv)

    packs = args.packs or (40 if args.small else 500)
    spec = WorkloadSpec(packs=packs, bids=args.bids, commitments=args.commitments, seed=args.seed)
    jobs = args.jobs or default_jobs()
    load_start = os.getloadavg()
    folders = generate(args.workloads, spec)
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "workload": asdict(spec),
        "load_average_start": [round(x, 2) for x in load_start],
    }
    scratch = Path(tempfile.mkdtemp(prefix="batch_bench."))
    try:
        if args.memory:
            report["memory"] = memory_run(folders, jobs, args.memory_bids, scratch / "memory")
        else:
            run_benchmark(report, folders, jobs, args.repeat, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    print_report(report)
    out = args.json or RESULTS / ("batch_bench_memory.json" if args.memory else "batch_bench.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=_jsonable) + "\n", encoding="utf-8")
    print(f"figures written to {out}")
    return 0


def run_benchmark(report: dict[str, Any], folders: list[Path], jobs: int, repeat: int, scratch: Path) -> None:
    # The pooled runs come first, so the parent's peak memory is that of a batch, not of this benchmark's
    # in-process stages (which hold every pack and trace at once).
    one, many, single = scratch / "jobs1", scratch / f"jobs{jobs}", scratch / "in_process"
    one_kept, many_kept = scratch / "jobs1_records", scratch / f"jobs{jobs}_records"
    single.mkdir()
    report["tenderscore_1"] = batch_run(folders, 1, one, repeat, records=False)
    report["tenderscore_n"] = batch_run(folders, jobs, many, repeat, records=False)
    report["tenderscore_1_records"] = batch_run(folders, 1, one_kept, repeat, records=True)
    report["tenderscore_n_records"] = batch_run(folders, jobs, many_kept, repeat, records=True)
    report["in_process"] = in_process(folders, single, repeat)
    report["outputs_identical"] = all(same_files(one, other) for other in (many, one_kept, many_kept, single))
    packs = [load_pack(f) for f in folders]
    captured = capture_facts(packs)
    report["bare_durable"] = durable_baseline(bare_durable, packs[0], captured, repeat)
    report["core_durable"] = durable_baseline(core_durable, packs[0], captured, repeat)
    report["plain_python"] = plain_python(packs[0], captured, repeat)
    report["plain_python_by_hand"] = plain_python_by_hand(packs[0], captured, repeat)
    bare, plain = report["bare_durable"]["seconds"], report["plain_python"]["seconds"]
    core = report["core_durable"]["seconds"]
    by_hand = report["plain_python_by_hand"]["seconds"]
    ip, t1, tn = report["in_process"], report["tenderscore_1"], report["tenderscore_n"]
    report["firings"] = {
        "tenderscore": ip["firings"],
        "bare_durable": report["bare_durable"]["firings"],
        "core_durable": report["core_durable"]["firings"],
        "plain_python": report["plain_python"]["firings"],
        "plain_python_by_hand": report["plain_python_by_hand"]["firings"],
    }
    if len(set(report["firings"].values())) != 1:
        # Evaluators that fire differently are not doing the same work: their times are not comparable.
        raise SystemExit(f"the evaluators disagree on the number of firings: {report['firings']}")
    report["ratios"] = {
        "end_to_end_1_worker_vs_bare": ratio(t1["seconds"], bare),
        "end_to_end_1_worker_records_vs_bare": ratio(report["tenderscore_1_records"]["seconds"], bare),
        "in_process_vs_bare": ratio(ip["seconds"], bare),
        "evaluate_vs_bare": ratio(ip["evaluate_s"], bare),
        "end_to_end_1_worker_vs_core": ratio(t1["seconds"], core),
        "in_process_vs_core": ratio(ip["seconds"], core),
        "evaluate_vs_core": ratio(ip["evaluate_s"], core),
        "bare_vs_core": ratio(bare, core),
        "end_to_end_1_worker_vs_plain": ratio(t1["seconds"], plain),
        "evaluate_vs_plain": ratio(ip["evaluate_s"], plain),
        "bare_vs_plain": ratio(bare, plain),
        "end_to_end_1_worker_vs_plain_by_hand": ratio(t1["seconds"], by_hand),
        "evaluate_vs_plain_by_hand": ratio(ip["evaluate_s"], by_hand),
        "bare_vs_plain_by_hand": ratio(bare, by_hand),
        "speedup_n_vs_1": ratio(t1["seconds"], tn["seconds"]),
        "speedup_n_vs_1_records": ratio(
            report["tenderscore_1_records"]["seconds"], report["tenderscore_n_records"]["seconds"]
        ),
    }
    report["peak_rss_mb"] = {"parent": tn["parent_peak_rss_mb"], "largest_worker": tn["worker_peak_rss_mb"]}


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON data")


if __name__ == "__main__":
    sys.exit(main())
