"""`tenderscore web backup DIR` and `tenderscore web restore DIR` (scoring/web/backup.py does the work)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from .common import user_errors

_DATA_HELP = (
    "The data directory `tenderscore serve` uses (default: $TENDERSCORE_DATA_DIR, else your user data directory)."
)


def _django(data: Path | None) -> None:
    from .serve import require_web

    require_web()
    if data is not None:
        os.environ["TENDERSCORE_DATA_DIR"] = str(data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenderscore.scoring.web.settings")
    import django

    django.setup()


def _say(verb: str, outcome: object) -> None:
    from ..web.backup import Outcome

    assert isinstance(outcome, Outcome)
    head = (
        "no ledger records"
        if outcome.ledger_head is None
        else f"ledger {outcome.ledger_records} records, chain intact, head {outcome.ledger_head}"
    )
    click.echo(f"{verb} {outcome.engine} database ({', '.join(sorted(outcome.files))}) {outcome.folder}: {head}")


@click.command()
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), help=_DATA_HELP)
@user_errors
def backup(folder: Path, data: Path | None) -> None:
    """Copy the app's database and decision ledger, consistently, into DIR (new or empty), while it serves.

    SQLite files are copied with SQLite's online backup API; a PostgreSQL database (TENDERSCORE_DATABASE_URL),
    with its ledger tables, with pg_dump. DIR/manifest.json lists every file's sha256 and the ledger's verified
    head. Exit codes: 0 copied, 2 DIR not empty or a tool missing, 4 the ledger's chain does not verify.

    \b
    Example:
      tenderscore web backup backup-2026-12-03 --data web-data
    """
    _django(data)
    from django.core.management import call_command

    from ..web.backup import backup as make_backup

    call_command("migrate", interactive=False, verbosity=0)
    _say("Backed up the", make_backup(folder))


@click.command()
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds tenders.")
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), help=_DATA_HELP)
@user_errors
def restore(folder: Path, force: bool, data: Path | None) -> None:
    """Put a backup from `tenderscore web backup` back: stop every server first, then start them again.

    Checks every file against the manifest before touching anything, restores into the database the settings
    name (TENDERSCORE_DATABASE_URL, else SQLite in the data directory), then verifies the ledger's chain.
    Exit codes: 0 restored, 2 not a backup, another engine's backup or a database holding tenders (without
    --force), 4 a file changed since the backup or the restored chain does not verify.

    \b
    Example:
      tenderscore web restore backup-2026-12-03 --force --data web-restored
    """
    _django(data)
    from django.core.management import call_command

    from ..web.backup import restore as put_back

    outcome = put_back(folder, force)
    call_command("migrate", interactive=False, verbosity=0)
    _say("Restored the", outcome)
