"""Command start-up benchmark (issue 12, item 5): what a user waits for, against Python doing nothing, in one run.

    .venv/bin/python benchmarks/cli_bench.py                 # best of 15 of each, the shipped pack
    .venv/bin/python benchmarks/cli_bench.py --repeat 30 --json benchmarks/results/cli.json

Times, as whole processes started the way a user starts them (the installed `tenderscore` script):

- `python -c pass`: the interpreter alone, the floor every command pays;
- `tenderscore --help`;
- `tenderscore validate fixtures/stockport-highways`;
- `tenderscore score fixtures/stockport-highways --no-ledger` (the README's main job, keeping no record).

Each command runs once first so that Python's bytecode cache exists, as it does for an installed package (pip
compiles it at install); PYTHONDONTWRITEBYTECODE is removed from the commands' environment for that reason.
The commands then take turns, --repeat rounds, and each keeps its best wall time (the run least disturbed by
other processes). The load average before and after is printed: figures from a loaded machine are not
comparable with a quiet one. The targets (issue 12) are --help under 150 ms and score under 250 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACK = "fixtures/stockport-highways"


def commands(python: Path) -> dict[str, list[str]]:
    script = python.parent / "tenderscore"
    return {
        "python -c pass": [str(python), "-c", "pass"],
        "tenderscore --help": [str(script), "--help"],
        "tenderscore validate": [str(script), "validate", PACK],
        "tenderscore score --no-ledger": [str(script), "score", PACK, "--no-ledger"],
    }


def wall(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="rounds; each command keeps its best time")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    python = Path(sys.executable)
    runs = commands(python)
    for argv in runs.values():  # warm-up: bytecode caches, the OS's file cache
        wall(argv, env)
    load_before = os.getloadavg()
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(args.repeat):
        for name, argv in runs.items():
            best[name] = min(best[name], wall(argv, env))
    load_after = os.getloadavg()

    floor = best["python -c pass"]
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} cores, best of {args.repeat}, "
        f"load average {load_before[0]:.2f} -> {load_after[0]:.2f}"
    )
    print(f"{'command':<32}{'ms':>8}{'x python -c pass':>20}")
    for name, seconds in best.items():
        print(f"{name:<32}{seconds * 1000:>8.1f}{seconds / floor:>20.2f}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        figures = {"python": platform.python_version(), "load": [load_before[0], load_after[0]], "best_s": best}
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
