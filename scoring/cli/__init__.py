"""The `tenderscore` command line: a thin layer over the library, one module per command."""

from __future__ import annotations

import click

from scoring import __version__
from scoring.cli.explain import explain
from scoring.cli.ledger import ledger
from scoring.cli.measures import measures
from scoring.cli.panel import panel
from scoring.cli.replay import replay
from scoring.cli.rules import rules
from scoring.cli.score import score
from scoring.cli.validate import validate


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="tenderscore")
def cli() -> None:
    """Score public-sector tender bids with social value counted the way UK councils count it.

    A tender pack is a folder: tender.yaml, bids/*.yaml, scores.csv. Rulesets (policy, TOMs measures and
    rules) are data files; `stockport` and `ppn002` ship with tenderscore.

    \b
    Example:
      tenderscore score fixtures/stockport-highways
    """


for command in (validate, score, explain, replay, ledger, panel, rules, measures):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="tenderscore")
