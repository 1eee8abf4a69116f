"""What every command shares: errors that know their exit code, atomic output files, common options."""

from __future__ import annotations

import functools
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from engine import EngineError
from scoring.errors import InputError, Problem, TenderscoreError

F = TypeVar("F", bound=Callable[..., Any])


def fail(lines: list[str], code: int) -> None:
    for line in lines:
        click.echo(f"Error: {line}", err=True)
    sys.exit(code)


def user_errors(func: F) -> F:
    """Report a user's mistake as `Error: file: field: ...` lines and its exit code, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except TenderscoreError as exc:
            fail(exc.lines(), exc.exit_code)
        except EngineError as exc:
            # A fact or rule the engine refused: the ruleset or the pack is at fault, and the message says where.
            fail([str(exc)], 2)

    return wrapper  # type: ignore[return-value]


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write the whole file or nothing: a temporary file in the same folder, renamed over the target.

    Text is written as UTF-8 exactly as given (no newline translation); bytes (a workbook) as they are.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Like mkstemp, but created with the usual mode (umask applies) rather than owner-only: a sheet goes to
    # colleagues, a result to a shared folder.
    tmp = path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8") if isinstance(text, str) else text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        write_atomic(output, text)
    except OSError as exc:
        # --output naming a path that cannot be written (a folder under a file, a read-only place) is the
        # user's mistake: say so, with the reason, not with a traceback.
        where = exc.filename if isinstance(exc.filename, str) else str(output)
        raise InputError([Problem(str(output), "", f"cannot be written ({where}: {exc.strerror})")]) from None


def pack_argument(func: F) -> F:
    return click.argument("pack", type=click.Path(exists=True, file_okay=False, path_type=Path))(func)


def output_option(func: F) -> F:
    return click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write to FILE (atomically: the whole file or nothing) instead of standard output.",
    )(func)


def format_option(
    choices: tuple[str, ...] | list[str], default: str, help: str = "How to print it."
) -> Callable[[F], F]:
    """The `--format/-f` option every command shares: its choices, its default shown in --help."""
    return click.option(
        "--format", "-f", "fmt", type=click.Choice(list(choices)), default=default, show_default=True, help=help
    )
