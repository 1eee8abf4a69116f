"""The `tenderscore` command line: a thin layer over the library, one module per command."""

from __future__ import annotations

import click

from .. import __version__
from .explain import explain
from .ledger import ledger
from .measures import measures
from .panel import panel
from .replay import replay
from .rules import rules
from .score import score
from .validate import validate


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
