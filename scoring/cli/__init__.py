"""The `tenderscore` command line: a thin layer over the library, one module per command.

Commands are imported when they run, not when the program starts: `tenderscore --help` lists them from the
table below without loading pydantic, the engine or the renderers (click's documented lazy-group pattern).
"""

from __future__ import annotations

import importlib

import click

# name -> (module under scoring.cli, the click command in it, the one line `tenderscore --help` shows for it)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "validate": ("validate", "validate", "Check every file of a tender pack; list every problem."),
    "score": ("score", "score", "Score tender packs and print or write the ranked result."),
    "explain": ("explain", "explain", "Trace every point of one bid to its arithmetic and rules."),
    "replay": ("replay", "replay", "Re-score decision records and compare byte for byte."),
    "ledger": ("ledger", "ledger", "The decision ledger: list, show, export, verify."),
    "whatif": ("whatif", "whatif", "How far weights can move before the winner changes; rank reversal."),
    "panel": ("panel", "panel", "Evaluation panels: blank sheets, then moderation."),
    "rules": ("rules", "rules", "Rulesets: list, show, lint, test."),
    "measures": ("measures", "measures", "A ruleset's TOMs measure catalogue; import a new one."),
    "summaries": ("summaries", "summaries", "Assessment summaries for every assessed tender (reg. 31)."),
    "ocds": ("ocds", "ocds", "Publish the award, its bids and their statistics as OCDS."),
    "serve": ("serve", "serve", "Serve the web application for evaluation panels (the web extra)."),
    "web": ("web", "web", "The web application's user accounts: adduser, passwd, deactivate, users."),
}


class LazyGroup(click.Group):
    """A group whose commands are imported only when one is run (or its own help is asked for)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module, attribute, _ = entry
        command = getattr(importlib.import_module(f".{module}", __package__), attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, short) for name, (_, _, short) in COMMANDS.items()])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="tenderscore", prog_name="tenderscore")
def cli() -> None:
    """Score public-sector tender bids with social value counted the way UK councils count it.

    A tender pack is a folder: tender.yaml, bids/*.yaml, scores.csv. Rulesets (policy, TOMs measures and
    rules) are data files; `stockport` and `ppn002` ship with tenderscore. `tenderscore COMMAND --help`
    explains each command, with an example.

    \b
    Example:
      tenderscore score fixtures/stockport-highways
    """


def main() -> None:
    cli(prog_name="tenderscore")
