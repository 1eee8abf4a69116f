"""Where the decision ledger is, without opening it: every command's `--ledger` option resolves it at start-up."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ENV_VAR = "TENDERSCORE_LEDGER"
LEDGER_FILE = "ledger.sqlite3"


def ledger_path(explicit: Path | None = None) -> Path:
    """`--ledger PATH`, else $TENDERSCORE_LEDGER, else ledger.sqlite3 in the user's data directory."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return Path(from_env)
    return Path(platformdirs.user_data_dir("tenderscore")) / LEDGER_FILE
