"""`tenderscore web ...`: the web application's accounts, managed from the command line."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from tabulate import tabulate

from .common import user_errors
from .web_backup import backup, restore

ROLE_NAMES = ("officer", "evaluator", "moderator", "auditor")


def _data_option(func: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--data",
        type=click.Path(file_okay=False, path_type=Path),
        help="The data directory `tenderscore serve` uses (default: $TENDERSCORE_DATA_DIR, else your user data "
        "directory).",
    )(func)


def _setup(data: Path | None) -> None:
    from .serve import require_web

    require_web()
    if data is not None:
        os.environ["TENDERSCORE_DATA_DIR"] = str(data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenderscore.scoring.web.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@click.group()
def web() -> None:
    """The web application's user accounts (see `tenderscore serve`).

    \b
    Example:
      echo 'a long pass phrase 42' | tenderscore web adduser alice --role officer --password-stdin --data web-data
      tenderscore web users --data web-data
    """


@web.command()
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLE_NAMES), help="The kind of role the user holds.")
@click.option("--full-name", default="", help="The person's full name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (else prompted).")
@_data_option
@user_errors
def adduser(name: str, role: str, full_name: str, password_stdin: bool, data: Path | None) -> None:
    """Create a user who can hold ROLE on tenders (an officer then gives them the role on each tender).

    The password must pass Django's checks (12 characters at least, not common, not all digits, not like
    the name); every reason is listed at once. Exit codes: 0 created, 2 bad input (a taken name, a weak
    password).

    \b
    Example:
      echo 'a long pass phrase 42' | tenderscore web adduser bob --role officer --password-stdin --data web-data
    """
    _setup(data)
    from ..web.accounts import add_user

    add_user(name, role, _password(password_stdin), full_name)
    click.echo(f"Created {role} {name}")


@web.command()
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (else prompted).")
@_data_option
@user_errors
def passwd(name: str, password_stdin: bool, data: Path | None) -> None:
    """Set a user's password. Exit codes: 0 changed, 2 no such user or a weak password.

    \b
    Example:
      echo 'another long phrase 7' | tenderscore web passwd bob --password-stdin --data web-data
    """
    _setup(data)
    from ..web.accounts import set_password

    set_password(name, _password(password_stdin))
    click.echo(f"Password of {name} changed")


@web.command()
@click.argument("name")
@click.option("--reactivate", is_flag=True, help="Let a deactivated user sign in again.")
@_data_option
@user_errors
def deactivate(name: str, reactivate: bool, data: Path | None) -> None:
    """Stop a user signing in (a leaver); kept, not deleted, because the audit trail names them.

    Exit codes: 0 done, 2 no such user.

    \b
    Example:
      tenderscore web deactivate alice --data web-data
    """
    _setup(data)
    from ..web.accounts import set_active

    set_active(name, reactivate)
    click.echo(f"{name} {'reactivated' if reactivate else 'deactivated'}")


@web.command()
@_data_option
@user_errors
def users(data: Path | None) -> None:
    """List the users: name, full name, role, active. Exit code: 0.

    \b
    Example:
      tenderscore web users --data web-data
    """
    _setup(data)
    from ..web.accounts import user_rows

    click.echo(tabulate(user_rows(), headers=["user", "full name", "role", "active"]))


# Backups live in their own module (scoring/cli/web_backup.py); they are commands of this group.
web.add_command(backup)
web.add_command(restore)
