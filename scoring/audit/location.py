"""Where the decision ledger is, without opening it: every command's `--ledger` option resolves it at start-up.

A ledger is a file (a Path) or a table in a PostgreSQL database, named by its URL (a str `postgresql://...`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeAlias

import platformdirs

ENV_VAR = "TENDERSCORE_LEDGER"
LEDGER_FILE = "ledger.sqlite3"
URL_SCHEMES = ("postgresql://", "postgres://")

LedgerLocation: TypeAlias = Path | str


def is_database_url(location: object) -> bool:
    return isinstance(location, str) and location.startswith(URL_SCHEMES)


def location_of(text: str | Path) -> LedgerLocation:
    """A database URL stays text (a Path would fold its `//`); anything else is a file's path."""
    return text if is_database_url(text) else Path(text)


def ledger_path(explicit: LedgerLocation | None = None) -> LedgerLocation:
    """`--ledger PATH|URL`, else $TENDERSCORE_LEDGER, else ledger.sqlite3 in the user's data directory."""
    if explicit is not None:
        return location_of(explicit)
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return location_of(from_env)
    return Path(platformdirs.user_data_dir("tenderscore")) / LEDGER_FILE
