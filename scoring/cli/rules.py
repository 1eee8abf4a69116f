"""`tenderscore rules list | show | lint | test`: rulesets as a product."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError, Problem
from ..ruleset import resolve_ruleset, shipped_ids, shipped_path
from ..rulesets_tools.cases import CasesFailed, cases_path_for, load_cases, render_results, run_cases
from ..rulesets_tools.lint import lint_file
from ..rulesets_tools.listing import SHOW_FORMATS, render_list, render_show
from .common import format_option, say, user_errors


@click.group()
def rules() -> None:
    """Rulesets: list the shipped ones, show one, lint a file, run a ruleset's test cases.

    A ruleset is named by its shipped id (stockport, ppn002), a pinned id (stockport@2026.1) or a file path.
    The format is documented in docs/rulesets.md.

    \b
    Example:
      tenderscore rules list
      tenderscore rules lint my-council.yaml
    """


@rules.command("list")
@user_errors
def list_rulesets() -> None:
    """List the shipped rulesets: id, version, title and sha256.

    \b
    Example:
      tenderscore rules list
    """
    say(render_list(), nl=False)


@rules.command()
@click.argument("ruleset")
@format_option(SHOW_FORMATS, "text")
@user_errors
def show(ruleset: str, fmt: str) -> None:
    """Show everything a ruleset says: policy, themes, core outcomes, gates, measures and rules.

    RULESET is a shipped id (optionally pinned, stockport@2026.1) or a ruleset file's path. JSON gives every
    number as an exact string.

    \b
    Examples:
      tenderscore rules show stockport
      tenderscore rules show ppn002 --format json
    """
    say(render_show(resolve_ruleset(ruleset, Path.cwd()), fmt), nl=False)


@rules.command()
@click.argument("file")
@user_errors
def lint(file: str) -> None:
    """Check a ruleset file for every problem at once, each marked error or warning.

    Errors (exit 2) are what the loader or durable-rules would refuse, or what would make a score wrong:
    duplicate rule or measure ids, unknown themes, operators or effects, policy values out of range, rules
    with the same conditions and the same kind of effect, and conditions past durable-rules' limits. Warnings
    (exit 0) still score correctly but are probably not meant: a measure whose theme feeds no core outcome,
    rules with the same conditions and different effects. FILE may also be a shipped id.

    \b
    Example:
      tenderscore rules lint my-council.yaml
    """
    path = Path(file)
    if not path.exists() and file in shipped_ids():
        path = shipped_path(file)
    report = lint_file(path, file)
    for finding in report.findings:
        say(str(finding))
    say(report.summary())
    if report.errors:
        raise InputError([Problem(file, "", f"{report.counts()} (listed above)")])


@rules.command()
@click.argument("file")
@user_errors
def test(file: str) -> None:
    """Run a ruleset's test cases through the real engine and report each as PASS or FAIL.

    FILE is a case file (NAME.tests.yaml), or a ruleset (shipped id or path) whose case file sits beside it.
    A failing case shows the expected and actual firings as a diff. Exit codes: 0 every case passed, 2 a case
    file or ruleset is not valid, 4 a case failed (named on stderr).

    \b
    Examples:
      tenderscore rules test stockport
      tenderscore rules test rulesets/ppn002.tests.yaml
    """
    loaded = load_cases(cases_path_for(file, Path.cwd()))
    results = run_cases(loaded)
    say(render_results(loaded, results), nl=False)
    failed = [r.name for r in results if not r.passed]
    if failed:
        raise CasesFailed(loaded.name, failed)
