"""`tenderscore measures [--ruleset ID] [--format F]` and `tenderscore measures import TABLE.csv`."""

from __future__ import annotations

from pathlib import Path

import click

from ..files import write_atomic
from ..ruleset import resolve_ruleset
from ..rulesets_tools.catalogue import FORMATS, render_measures
from ..rulesets_tools.importer import import_table
from .common import format_option, say, user_errors


@click.group(invoke_without_command=True)
@click.option(
    "--ruleset",
    "-r",
    default="stockport",
    show_default=True,
    help="A shipped ruleset id (optionally pinned) or a ruleset file's path.",
)
@format_option(FORMATS, "table")
@click.pass_context
@user_errors
def measures(ctx: click.Context, ruleset: str, fmt: str) -> None:
    """The measure catalogue of a ruleset: code, theme, unit, proxy_gbp, source.

    JSON is a list of objects with exactly those keys; proxies are strings with two decimals (or every
    decimal a table gives), so no reader loses a penny. `measures import` builds a new ruleset version from
    a council's own TOMs table.

    \b
    Examples:
      tenderscore measures
      tenderscore measures --ruleset ppn002 --format json
    """
    if ctx.invoked_subcommand is None:
        say(render_measures(resolve_ruleset(ruleset, Path.cwd()), fmt), nl=False)


@measures.command("import")
@click.argument("table", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--ruleset", "-r", required=True, help="The base ruleset: a shipped id or a ruleset file's path.")
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the new ruleset (atomically: the whole file or nothing).",
)
@click.option("--version", "version", help="The new ruleset's version [default: BASE+import.<table sha256[:8]>].")
@user_errors
def import_measures(table: Path, ruleset: str, output: Path, version: str | None) -> None:
    """Build a new ruleset version from a council's TOMs table (CSV).

    The table has the columns code, theme, unit, proxy_gbp and optionally title and source. Every bad line
    is named at once (unknown theme, negative or non-numeric proxy, duplicate code, missing column; exit 2).
    The new ruleset keeps the base's policy, themes, core outcomes, gates and rules, has the table's
    measures, its own version and sha256, and passes `rules lint`. A pack uses it by path
    (`ruleset: ./my-council.yaml` in tender.yaml, relative to the pack).

    \b
    Example:
      tenderscore measures import toms-2026.csv --ruleset stockport --output my-council.yaml
    """
    base = resolve_ruleset(ruleset, Path.cwd())
    imported = import_table(table, base, str(output), version)
    write_atomic(output, imported.text)
    say(imported.summary(str(output)), nl=False)
