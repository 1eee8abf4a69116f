"""`tenderscore validate PACK`."""

from __future__ import annotations

from pathlib import Path

import click

from ..numbers import plural
from ..pack import load_pack
from .common import pack_argument, say, user_errors


@click.command()
@pack_argument
@user_errors
def validate(pack: Path) -> None:
    """Check every file of a tender pack and list every problem at once.

    Exits 0 when the pack is valid, 2 when it has problems (each as FILE: FIELD: what was expected, found).
    Warnings (a commitment to a measure code the ruleset's catalogue lacks, which counts for nothing) are
    printed on stderr as `Warning: FILE: FIELD: ...` and do not change the exit code.

    \b
    Example:
      tenderscore validate fixtures/stockport-highways
    """
    loaded = load_pack(pack)
    for warning in loaded.warnings:
        say(f"Warning: {warning}", err=True)
    warned = f"; {plural(len(loaded.warnings), 'warning')} (on stderr)" if loaded.warnings else ""
    say(
        f"{loaded.display}: valid: tender {loaded.tender.id}, {len(loaded.bids)} bids, "
        f"ruleset {loaded.ruleset.id}@{loaded.ruleset.version}{warned}"
    )
