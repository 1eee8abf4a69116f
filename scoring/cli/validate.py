"""`tenderscore validate PACK`."""

from __future__ import annotations

from pathlib import Path

import click

from ..pack import load_pack
from .common import pack_argument, say, user_errors


@click.command()
@pack_argument
@user_errors
def validate(pack: Path) -> None:
    """Check every file of a tender pack and list every problem at once.

    Exits 0 when the pack is valid, 2 when it has problems (each as FILE: FIELD: what was expected, found).

    \b
    Example:
      tenderscore validate fixtures/stockport-highways
    """
    loaded = load_pack(pack)
    say(
        f"{pack}: valid: tender {loaded.tender.id}, {len(loaded.bids)} bids, "
        f"ruleset {loaded.ruleset.id}@{loaded.ruleset.version}"
    )
