"""Load benchmark of the web app: N simulated evaluators (default 50) against `tenderscore serve` on loopback.

    .venv/bin/python benchmarks/web_load.py                        # 50 evaluators, 60 s, SQLite and PostgreSQL
    .venv/bin/python benchmarks/web_load.py --evaluators 10 --seconds 10 --engines sqlite

Each evaluator signs in (the production password hasher; sign-ins spread over the first --ramp seconds), opens
their sheet, then until the time is up opens one of their bids and saves its scores (every question of the bid,
as the browser's form does), pausing a think time between pages (default 2 s ± 50%: people read before they
click; --think 0 hammers the server).
Prints requests/s and p50/p95/p99 latency, overall and per kind of request, and errors, for SQLite and for
PostgreSQL (a fresh database on the server $TENDERSCORE_BENCH_POSTGRES or $TENDERSCORE_TEST_POSTGRES names,
dropped afterwards). Then it reads the database itself: every acknowledged save (answered 302) must be there
exactly once: each item's version equals the number of saves acknowledged for it, its text is the last one
acknowledged, and the audit trail holds one draft entry per save.

Bounded: traffic only to 127.0.0.1, --seconds of load (at most 600), at most --max-requests requests per
evaluator, one server with --threads worker threads. Figures from a loaded machine are not comparable with a
quiet one: the load average is printed at the start and the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web_harness import (
    PASSWORD,
    Browser,
    Evaluator,
    Server,
    bid_path,
    draft_counts,
    prepare,
    score_rows,
    server_env,
)


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    started: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # when each was sent
    signed_in_by: float = 0.0  # when the last sign-in was answered
    errors: list[str] = field(default_factory=list)
    # (tender, panel id, bid, question) -> the comments acknowledged for it, in order
    acked: dict[tuple[int, str, str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    saves_acked: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, kind: str, call: object) -> tuple[int, str]:
        started = time.perf_counter()
        try:
            status, body = call()
        except Exception as exc:  # a timeout or a reset: counted, never fatal to the run
            with self.lock:
                self.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
            return 0, ""
        with self.lock:
            self.latencies[kind].append((time.perf_counter() - started) * 1000)
            self.started[kind].append(started)
            if kind == "sign in":
                self.signed_in_by = max(self.signed_in_by, time.perf_counter())
        return status, body


def evaluator_run(
    base: str,
    evaluator: Evaluator,
    tally: Tally,
    deadline: float,
    think: float,
    ramp: float,
    max_requests: int,
    seed: int,
) -> None:
    rng = random.Random(seed)
    browser = Browser(base)
    pause = lambda: time.sleep(think * rng.uniform(0.5, 1.5)) if think else None  # noqa: E731
    bids: dict[str, list[str]] = defaultdict(list)
    for bid, question in evaluator.items:
        bids[bid].append(question)
    time.sleep(rng.uniform(0, ramp))  # a panel does not all sign in in the same second
    status, _ = tally.timed("sign-in page", lambda: browser.request("/sign-in/"))
    status, _ = tally.timed(
        "sign in", lambda: browser.request("/sign-in/", {"username": evaluator.username, "password": PASSWORD})
    )
    if status != 302:
        tally.errors.append(f"sign in {evaluator.username}: HTTP {status}")
        return
    requests, n = 2, 0
    order = sorted(bids)
    while time.monotonic() < deadline and requests < max_requests:
        pause()
        status, _ = tally.timed("sheet", lambda: browser.request(f"/tenders/{evaluator.tender}/sheet/"))
        bid = order[n % len(order)]
        status, body = tally.timed("open bid", lambda bid=bid: browser.request(bid_path(evaluator, bid)))
        requests += 2
        if status != 200:
            tally.errors.append(f"open {evaluator.username} {bid}: HTTP {status}")
            continue
        versions = browser.versions(body)
        pause()
        if time.monotonic() >= deadline:
            break
        n += 1
        form: dict[str, str] = {}
        comments = {}
        for question in bids[bid]:
            comments[question] = f"{evaluator.username} save {n} {question}"
            form |= {
                f"score_{question}": str(n % 5),
                f"comment_{question}": comments[question],
                f"version_{question}": str(versions.get(question, 0)),
            }
        status, body = tally.timed("save", lambda bid=bid, form=form: browser.request(bid_path(evaluator, bid), form))
        requests += 1
        if status == 302:
            with tally.lock:
                tally.saves_acked += 1
                for question, comment in comments.items():
                    tally.acked[(evaluator.tender, evaluator.panel_id, bid, question)].append(comment)
        else:
            conflict = "changed in another window" in body
            tally.errors.append(f"save {evaluator.username} {bid}: HTTP {status}{' (conflict)' if conflict else ''}")


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a live process has used so far, from Linux's /proc (0.0 where there is none)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def check_saves(env: dict[str, str], tally: Tally) -> dict[str, int]:
    """Every acknowledged save in the database exactly once: version = saves, text = the last, one trail entry."""
    rows = score_rows(env)
    trail = draft_counts(env)
    lost = duplicated = wrong_text = 0
    for key, comments in tally.acked.items():
        tender, panel_id, bid, question = key
        row = rows.get(key)
        version = 0 if row is None else row[2]
        if version < len(comments):
            lost += 1
        elif version > len(comments):
            duplicated += 1
        if row is None or row[1] != comments[-1]:
            wrong_text += 1
        if trail.get((tender, f"{panel_id}: bid {bid}, {question}"), 0) != len(comments):
            duplicated += 1
    saves = sum(len(c) for c in tally.acked.values())
    return {"items": len(tally.acked), "item_saves": saves, "lost": lost, "duplicated": duplicated, "wrong": wrong_text}


@contextlib.contextmanager
def database(engine: str, admin: str | None) -> Iterator[str | None]:
    if engine == "sqlite":
        yield None
        return
    if not admin:
        raise SystemExit("PostgreSQL: set $TENDERSCORE_BENCH_POSTGRES (or $TENDERSCORE_TEST_POSTGRES) or --postgres")
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    name = f"ts_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"'.encode())
    try:
        yield urlunsplit(urlsplit(admin)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())


def run_engine(engine: str, args: argparse.Namespace) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="ts-web-load-") as tmp, database(engine, args.postgres) as url:
        env = server_env(Path(tmp) / "data", url)
        evaluators = prepare(env, math.ceil(args.evaluators / 4))[: args.evaluators]
        server = Server(env, threads=args.threads)
        tally = Tally()
        try:
            server_cpu, own_cpu = process_cpu(server.process.pid), time.process_time()
            started = time.monotonic()
            deadline = started + args.seconds
            threads = [
                threading.Thread(
                    target=evaluator_run,
                    args=(server.url, e, tally, deadline, args.think, args.ramp, args.max_requests, args.seed + i),
                )
                for i, e in enumerate(evaluators)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(args.seconds + 120)
            elapsed = time.monotonic() - started
            server_cpu = process_cpu(server.process.pid) - server_cpu
            own_cpu = time.process_time() - own_cpu
        finally:
            server.stop()
        saves = check_saves(env, tally)
    every = [ms for values in tally.latencies.values() for ms in values]
    # Once every evaluator has signed in: the pages of a panel at work, without the sign-in storm's hashing.
    after = [
        ms
        for kind, values in tally.latencies.items()
        for ms, sent in zip(values, tally.started[kind], strict=True)
        if sent > tally.signed_in_by
    ]
    result: dict[str, object] = {
        "engine": engine,
        "evaluators": len(evaluators),
        "seconds": round(elapsed, 1),
        "requests": len(every),
        "requests_per_s": round(len(every) / elapsed, 1),
        "p50_ms": round(percentile(every, 50), 1),
        "p95_ms": round(percentile(every, 95), 1),
        "p99_ms": round(percentile(every, 99), 1),
        "errors": len(tally.errors),
        # Where the machine's CPU went: the server, and this process simulating the evaluators' browsers (it
        # shares the cores with the server; real browsers would not).
        "cpu_s": {"server": round(server_cpu, 1), "load_generator": round(own_cpu, 1), "cores": os.cpu_count()},
        "after_sign_ins": {
            "requests": len(after),
            "p50_ms": round(percentile(after, 50), 1),
            "p95_ms": round(percentile(after, 95), 1),
            "p99_ms": round(percentile(after, 99), 1),
        },
        "acknowledged_saves": tally.saves_acked,
        "by_kind": {
            kind: {
                "n": len(v),
                "p50_ms": round(percentile(v, 50), 1),
                "p95_ms": round(percentile(v, 95), 1),
                "p99_ms": round(percentile(v, 99), 1),
                "mean_ms": round(statistics.fmean(v), 1),
            }
            for kind, v in sorted(tally.latencies.items())
        },
        "database_check": saves,
        "first_errors": tally.errors[:5],
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--evaluators", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds between an evaluator's pages")
    parser.add_argument("--ramp", type=float, default=20.0, help="sign-ins are spread over the first RAMP seconds")
    parser.add_argument("--threads", type=int, default=4, help="the server's worker threads (serve's default)")
    parser.add_argument("--max-requests", type=int, default=2000, help="per evaluator")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TENDERSCORE_BENCH_POSTGRES") or os.environ.get("TENDERSCORE_TEST_POSTGRES"),
        help="a PostgreSQL URL whose role may create databases",
    )
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if not 0 < args.seconds <= 600 or not 0 < args.evaluators <= 200:
        raise SystemExit("bounded: --seconds in (0, 600], --evaluators in (0, 200]")
    print(f"load average at start: {os.getloadavg()}")
    results = []
    for engine in args.engines.split(","):
        result = run_engine(engine.strip(), args)
        results.append(result)
        check = result["database_check"]
        print(
            f"{engine:<10} {result['evaluators']} evaluators, {result['seconds']} s: {result['requests']} requests, "
            f"{result['requests_per_s']} req/s, p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
            f"p99 {result['p99_ms']} ms, {result['errors']} errors"
        )
        cpu = result["cpu_s"]
        print(
            f"    CPU: server {cpu['server']} s, load generator {cpu['load_generator']} s, of "
            f"{cpu['cores']} cores x {result['seconds']} s"
        )
        later = result["after_sign_ins"]
        print(
            f"    once all had signed in: {later['requests']} requests, p50 {later['p50_ms']} ms, "
            f"p95 {later['p95_ms']} ms, p99 {later['p99_ms']} ms"
        )
        for kind, figures in result["by_kind"].items():
            print(
                f"    {kind:<13} n={figures['n']:<6} p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
                f"p99 {figures['p99_ms']} ms"
            )
        print(
            f"    database: {result['acknowledged_saves']} saves acknowledged ({check['item_saves']} item saves on "
            f"{check['items']} items): {check['lost']} lost, {check['duplicated']} duplicated, "
            f"{check['wrong']} with other text"
        )
        for error in result["first_errors"]:
            print(f"    error: {error}")
    print(f"load average at end: {os.getloadavg()}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    bad = any(r["errors"] or any(r["database_check"][k] for k in ("lost", "duplicated", "wrong")) for r in results)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
