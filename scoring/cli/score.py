"""`tenderscore score PACK`: the main job."""

from __future__ import annotations

from pathlib import Path

import click

from scoring.cli.common import emit, output_option, pack_argument, user_errors
from scoring.evaluate import evaluate
from scoring.output import FORMATS, render
from scoring.pack import load_pack


@click.command()
@pack_argument
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="How to print the result.",
)
@output_option
@user_errors
def score(pack: Path, fmt: str, output: Path | None) -> None:
    """Score a tender pack: gates, minimums, price, quality and social value, policy, ranking.

    Exit codes: 0 scored, 2 bad input (every problem listed), 3 refused by the ruleset's policy
    (for instance a social value weight under the floor with no recorded exemption).

    \b
    Examples:
      tenderscore score fixtures/stockport-highways
      tenderscore score fixtures/stockport-highways --format json --output result.json
    """
    evaluation = evaluate(load_pack(pack))
    emit(render(evaluation.result, fmt), output)
