"""`tenderscore serve`: the browser application for evaluation panels, on a production WSGI server (waitress)."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import click

from ..errors import ExitCode, TenderscoreError
from .common import user_errors

MAX_BODY = 25 * 1024 * 1024  # the largest upload (scoring/web/upload.py's MAX_TOTAL_BYTES) and the form around it


class ServeRefused(TenderscoreError):
    """A way of serving that tenderscore refuses (the demo's published passwords off the loopback)."""

    exit_code = ExitCode.POLICY


class WebNotInstalled(TenderscoreError):
    exit_code = ExitCode.INPUT


def require_web() -> None:
    """A clear message, not a traceback, where the web extra is missing."""
    try:
        import django  # noqa: F401
        import waitress  # noqa: F401
    except ImportError as exc:
        missing = f"the web application needs the web extra ({exc.name} is missing): pip install '.[web]'"
        raise WebNotInstalled(missing) from None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def configure(data: Path | None, host: str, demo: bool) -> None:
    """The environment the Django settings read, set before Django loads them."""
    if data is not None:
        os.environ["TENDERSCORE_DATA_DIR"] = str(data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenderscore.scoring.web.settings")
    if demo:
        os.environ["TENDERSCORE_DEMO"] = "1"
    if is_loopback(host):
        # Plain HTTP that never leaves this machine: a Secure cookie would never be sent back over it.
        os.environ.setdefault("TENDERSCORE_SECURE_COOKIES", "0")
    elif "TENDERSCORE_ALLOWED_HOSTS" not in os.environ and host not in ("0.0.0.0", "::"):
        os.environ["TENDERSCORE_ALLOWED_HOSTS"] = host


# Waitress's own default. The threads share one interpreter lock, and each database answer has to win it back:
# more threads than that lock can serve only queue for it (benchmarks/README.md measures 2, 4 and 8). More cores
# want more instances (README: In service), not more threads.
DEFAULT_THREADS = 4


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="The port.")
@click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    help="The data directory: database, ledger, secret key (default: $TENDERSCORE_DATA_DIR, else your user "
    "data directory).",
)
@click.option("--demo", is_flag=True, help="Load the shipped panel fixture with demo accounts (loopback only).")
@click.option(
    "--threads", default=DEFAULT_THREADS, show_default=True, type=click.IntRange(1, 64), help="Worker threads."
)
@click.option("--check", is_flag=True, help="Prepare everything (database, key, demo) and exit without serving.")
@user_errors
def serve(host: str, port: int, data: Path | None, demo: bool, threads: int, check: bool) -> None:
    """Serve the web application for evaluation panels: officers, evaluators, moderators and auditors.

    Creates or migrates the database on start, generates the secret key into the data directory (owner-only)
    on first start, prints the address and serves until Ctrl-C (`tenderscore serve --demo` is the quickest
    look). Off the loopback, put it behind a TLS-terminating proxy (TENDERSCORE_BEHIND_PROXY=1): its cookies
    are Secure. --demo loads fixtures/stockport-panel (run it from the repository's root) as a tender with a
    demo account for each role, printed on start; it is refused unless the host is a loopback address.
    --check does all of that and exits (a deployment's migration step). Exit codes: 0 stopped or checked,
    2 bad input, 3 --demo off the loopback.

    \b
    Examples:
      tenderscore serve --demo --check --data demo-data
      tenderscore serve --check --host 127.0.0.1 --port 8080 --data web-data
    """
    if demo and not is_loopback(host):
        raise ServeRefused(f"--demo prints its accounts' passwords, so it serves only on loopback, not on {host}")
    require_web()
    configure(data, host, demo)
    import django
    import waitress
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    from ..web.accounts import ensure_groups
    from ..web.wsgi import application

    ensure_groups()
    if demo:
        from ..web.demo import DEMO_PACK, load_demo

        if not DEMO_PACK.is_dir():
            raise ServeRefused(f"--demo loads {DEMO_PACK}: run it from the root of the tenderscore repository")
        click.echo("DEMO: sample data and demo accounts, for trying tenderscore out; never for real evaluations.")
        for account in load_demo():
            click.echo(f"  {account.name:<18} password {account.password:<14} {account.role}: {account.note}")
    click.echo(f"Data directory: {settings.DATA_DIR}")
    if check:
        click.echo("Database migrated and secret key in place: ready to serve.")
        return
    click.echo(f"tenderscore is serving at http://{_url_host(host)}:{port}/ (Ctrl-C stops it)", nl=True)
    # A request body over the largest pack upload is refused by the server before Django reads it.
    waitress.serve(
        application, host=host, port=port, threads=threads, ident="tenderscore", max_request_body_size=MAX_BODY
    )


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
