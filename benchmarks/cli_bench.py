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

What is timed is the installation of the interpreter running this script. A user's install (the README's first
command, `pip install .`) is a regular one; a developer's `pip install -e` adds an import hook to every start,
`python -c pass` included. `--regular-install` makes a regular install of this working tree in a temporary
virtual environment first (as the README's command does, so it needs the package index or pip's cache) and times
that one. The header line says which kind was timed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
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


def install_kind(python: Path) -> str:
    """`editable` or `regular`: how tenderscore is installed for `python` (pip's direct_url.json says)."""
    # -I: not the working directory's own tenderscore.egg-info (a build leftover) in place of the installed one.
    probe = (
        "import json; from importlib.metadata import distribution; "
        "d = distribution('tenderscore').read_text('direct_url.json'); "
        "print('editable' if d and json.loads(d).get('dir_info', {}).get('editable') else 'regular')"
    )
    done = subprocess.run([str(python), "-I", "-c", probe], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{python}: tenderscore is not installed there: {done.stderr.strip()[-300:]}")
    return done.stdout.strip()


def regular_install(where: Path) -> Path:
    """A fresh virtual environment with this working tree installed as the README installs it."""
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    python = where / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(ROOT)], check=True)
    return python


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="rounds; each command keeps its best time")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--regular-install", action="store_true", help="time a fresh `pip install .` of this tree, as users have"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cli-bench-") as tmp:
        python = regular_install(Path(tmp) / "venv") if args.regular_install else Path(sys.executable)
        measure(python, args.repeat, args.json)


def measure(python: Path, repeat: int, json_path: Path | None) -> None:
    kind = install_kind(python)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    runs = commands(python)
    for argv in runs.values():  # warm-up: bytecode caches, the OS's file cache
        wall(argv, env)
    load_before = os.getloadavg()
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeat):
        for name, argv in runs.items():
            best[name] = min(best[name], wall(argv, env))
    load_after = os.getloadavg()

    floor = best["python -c pass"]
    print(
        f"Python {platform.python_version()}, {kind} install, {os.cpu_count()} cores, best of {repeat}, "
        f"load average {load_before[0]:.2f} -> {load_after[0]:.2f}"
    )
    print(f"{'command':<32}{'ms':>8}{'x python -c pass':>20}")
    for name, seconds in best.items():
        print(f"{name:<32}{seconds * 1000:>8.1f}{seconds / floor:>20.2f}")
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        figures = {
            "python": platform.python_version(),
            "install": kind,
            "load": [load_before[0], load_after[0]],
            "best_s": best,
        }
        json_path.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
