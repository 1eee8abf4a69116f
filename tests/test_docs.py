"""Docs that cannot drift (in the style of sqlite-utils' tests/test_docs.py): every command and subcommand is in
the README's command table with its exit codes, every `--help` has an example, every example runs, and the
README's printed example is what the command prints."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT, STOCKPORT_PACK
from readme_example import printed_block
from tenderscore.scoring.cli import COMMANDS, cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def leaf_commands(
    group: click.Group = cli, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command a user can run, as its path of names (`("ledger", "verify")`), groups included."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from leaf_commands(command, (*path, name))


ALL = dict(leaf_commands())


def table_rows() -> list[tuple[str, str]]:
    """(command cell, exit codes cell) of each row of the README's command table."""
    rows = []
    for line in README.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        if len(cells) == 3 and cells[0].startswith("`tenderscore "):
            rows.append((cells[0].replace("\\|", "|"), cells[2]))
    return rows


def test_the_lazy_command_table_lists_the_commands_it_loads() -> None:
    assert sorted(COMMANDS) == sorted(name for (name, *rest), _ in ALL.items() if not rest)
    for name, command in ALL.items():
        assert command.name == name[-1]


@pytest.mark.parametrize("path", sorted(ALL), ids=" ".join)
def test_every_command_is_in_the_readme_table_with_exit_codes(path: tuple[str, ...]) -> None:
    top, *sub = path
    rows = [
        (cell, codes)
        for cell, codes in table_rows()
        if cell.startswith(f"`tenderscore {top} ") or cell.startswith(f"`tenderscore {top}`")
    ]
    if sub:
        rows = [(cell, codes) for cell, codes in rows if re.search(rf"(?<![\w-]){re.escape(sub[-1])}(?![\w-])", cell)]
    assert rows, f"README.md's command table has no row for `tenderscore {' '.join(path)}`"
    assert all(re.search(r"\b[0-4]\b", codes) for _, codes in rows), rows


# An example line: `tenderscore ...`, or `echo '...' | tenderscore ...` (what it reads on standard input).
EXAMPLE = re.compile(r"^\s+(?:echo (?P<stdin>'[^']*') \| )?(?P<command>tenderscore .*)$")


def examples(command: click.Command) -> list[str]:
    help_text = command.help or ""
    block = re.search(r"Examples?:\n((?:\s+(?:echo '[^']*' \| )?tenderscore .*\n?)+)", help_text)
    return [line.strip() for line in block.group(1).splitlines() if line.strip()] if block else []


@pytest.mark.parametrize("path", sorted(ALL), ids=" ".join)
def test_every_help_has_a_runnable_example(path: tuple[str, ...]) -> None:
    command = ALL[path]
    found = examples(command)
    if isinstance(command, click.Group) and not found:
        return  # a group's help may point at its subcommands' examples
    assert found, f"`tenderscore {' '.join(path)} --help` has no Example block"
    assert all(EXAMPLE.match("  " + e) for e in found)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder laid out as the examples assume: the fixtures, a ledger with three records, exported records,
    a council's own measures table and ruleset, and a period's submissions."""
    root = tmp_path_factory.mktemp("examples")
    shutil.copytree(FIXTURES, root / "fixtures")
    shutil.copytree(ROOT / "rulesets", root / "rulesets", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    for n in (1, 2):
        shutil.copytree(STOCKPORT_PACK, root / "submissions" / "2026-q1" / f"pack-{n}")
    (root / "my-council.yaml").write_text((ROOT / "rulesets" / "stockport.yaml").read_text(encoding="utf-8"))
    return root


# Commands that configure Django for the process: run in a process of their own, as a user runs them.
OWN_PROCESS = ("serve", "web")


def run_example(line: str, workspace: Path, ledger: Path) -> click.testing.Result:
    parsed = EXAMPLE.match("  " + line)
    assert parsed is not None, line
    argv = shlex.split(parsed["command"])[1:]
    stdin = shlex.split(parsed["stdin"])[0] + "\n" if parsed["stdin"] else None
    env = {**os.environ, "TENDERSCORE_LEDGER": str(ledger)}
    if argv[0] in OWN_PROCESS:
        cli_code = "from tenderscore.scoring.cli import main; main()"
        done = subprocess.run(
            [sys.executable, "-c", cli_code, *argv], cwd=workspace, env=env, input=stdin, capture_output=True, text=True
        )
        return click.testing.Result(  # the shape CliRunner gives, so callers treat both alike
            runner=CliRunner(),
            stdout_bytes=done.stdout.encode(),
            stderr_bytes=done.stderr.encode(),
            output_bytes=(done.stdout + done.stderr).encode(),
            return_value=None,
            exit_code=done.returncode,
            exception=None,
        )
    old = Path.cwd()
    os.chdir(workspace)
    try:
        return CliRunner().invoke(
            cli, argv, input=stdin, env={"TENDERSCORE_LEDGER": str(ledger)}, catch_exceptions=False
        )
    finally:
        os.chdir(old)


def test_every_example_runs(workspace: Path) -> None:
    ledger = workspace / "ledger.sqlite3"
    for _ in range(3):  # records 1 to 3, which the ledger, replay and explain examples name
        assert run_example("tenderscore score fixtures/stockport-highways", workspace, ledger).exit_code == 0
    export = run_example("tenderscore ledger export 3 --output exported-2025/record-3.json", workspace, ledger)
    assert export.exit_code == 0, export.output
    (workspace / "audit").mkdir()
    shutil.copy(ledger, workspace / "audit" / "ledger.sqlite3")
    table = run_example("tenderscore measures --format csv", workspace, ledger)
    (workspace / "toms-2026.csv").write_text(table.stdout, encoding="utf-8")
    failures = []
    for path in sorted(ALL):
        for line in examples(ALL[path]):
            result = run_example(line, workspace, ledger)
            if result.exit_code != 0:
                failures.append(f"{line}: exit {result.exit_code}: {result.output[-400:]}")
    assert failures == []


def test_the_readme_example_output_is_what_score_prints() -> None:
    printed = CliRunner().invoke(cli, ["score", str(STOCKPORT_PACK), "--no-ledger"], catch_exceptions=False)
    assert printed.exit_code == 0
    assert printed.stdout == printed_block("score")


def test_the_readme_links_only_files_in_the_repository() -> None:
    # A user has the repository, not the folders beside it: every relative link must resolve inside it.
    for target in re.findall(r"\]\(((?!https?:|#)[^)#]+)", README):
        resolved = (ROOT / target).resolve()
        assert resolved.is_relative_to(ROOT), target
        assert resolved.exists(), target


def test_no_code_comment_carries_a_timing() -> None:
    # Figures go stale in comments; they belong in benchmarks/README.md.
    timing = re.compile(r"#.*\b\d+(\.\d+)?\s?(ms|µs|us|ns|seconds?|s)\b(?!\w)")
    found = []
    for folder in ("engine", "scoring"):
        for source in (ROOT / folder).rglob("*.py"):
            for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
                if timing.search(line):
                    found.append(f"{source.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []
