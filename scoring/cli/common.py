"""What every command shares: errors that know their exit code, atomic output files, common options."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource

from ..audit.location import ledger_path
from ..errors import TenderscoreError
from ..files import write_atomic
from ..safe_text import safe_text

if TYPE_CHECKING:
    from ..audit.ledger import StoredRecord

F = TypeVar("F", bound=Callable[..., Any])


def say(text: str, nl: bool = True, err: bool = False) -> None:
    """Print text for people (stdout, or stderr with err): every command's output leaves through here or
    `emit`, with no control character a terminal would act on (a bidder's name may hold escape sequences)."""
    click.echo(safe_text(text), nl=nl, err=err)


def fail(lines: list[str], code: int) -> None:
    for line in lines:
        say(f"Error: {line}", err=True)
    sys.exit(code)


def user_errors(func: F) -> F:
    """Report a user's mistake as `Error: file: field: ...` lines and its exit code, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except TenderscoreError as exc:  # engine errors too: the ruleset or the pack is at fault
            fail(exc.lines(), exc.exit_code)

    return wrapper  # type: ignore[return-value]


def appended_message(stored: StoredRecord, path: Path | str) -> str:
    """What a command says on stderr (stdout is the result's) when it appended a decision record."""
    return f"Decision record {stored.id} (sha256 {stored.hash}) appended to ledger {path}"


def emit(text: str, output: Path | None, fmt: str | None = None) -> None:
    """Print `text`, or write it whole to `output` (a path that cannot be written is an input error) and say
    so on stderr."""
    if output is None:
        say(text, nl=False)
    else:
        write_atomic(output, safe_text(text))
        wrote(output, fmt)


def wrote(output: Path, fmt: str | None) -> None:
    """What a command says on stderr once it has written its output to a file."""
    what = f"{fmt} " if fmt else ""
    say(f"Wrote {what}output to {output}", err=True)


# The extensions a format is inferred from; `.txt` is the command's own text format.
EXTENSIONS = {".html": "html", ".htm": "html", ".json": "json", ".csv": "csv", ".md": "markdown", ".txt": "text"}


def chosen_format(fmt: str, output: Path | None, text: str, choices: tuple[str, ...] | list[str]) -> str:
    """The format to write: --format when typed, else the one `--output`'s extension names (`report.html` is
    HTML), else the default. A typed --format that contradicts a known extension is refused."""
    named = EXTENSIONS.get(output.suffix.lower()) if output is not None else None
    if named == "text":
        named = text
    if named is not None and named not in choices:
        named = None
    if given("fmt"):
        if named is not None and named != fmt:
            raise click.UsageError(
                f"--format {fmt} contradicts --output {output}, whose extension means {named}: give one, or "
                "make them agree."
            )
        return fmt
    return named or fmt


class PackFolder(click.Path):
    """A pack folder argument: a file given instead is named as such, not as click's "Directory ... is a file"."""

    def __init__(self) -> None:
        super().__init__(exists=True, file_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            is_file = Path(value).is_file()
        except (OSError, ValueError):  # a name too long for the system is left to click's own check
            is_file = False
        if is_file:
            self.fail(f"expected a pack folder (holding tender.yaml), found a file: {value}", param, ctx)
        return super().convert(value, param, ctx)


def pack_argument(func: F) -> F:
    return click.argument("pack", type=PackFolder())(func)


def output_option(func: F) -> F:
    return click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write to FILE (atomically: the whole file or nothing; a regular file or a new path only) instead "
        "of standard output.",
    )(func)


def ledger_option(func: F) -> F:
    """`--ledger FILE` for every command that reads or appends decision records: the command receives the
    ledger's path already resolved (the option, else $TENDERSCORE_LEDGER, else the user data directory)."""
    return click.option(
        "--ledger",
        "ledger",
        metavar="FILE|URL",
        default=None,
        callback=lambda _ctx, _param, value: ledger_path(value),
        help="The ledger file, or a PostgreSQL database's URL postgresql://... (default: $TENDERSCORE_LEDGER, else "
        "ledger.sqlite3 in your user data directory).",
    )(func)


def given(option: str) -> bool:
    """Whether the user typed `option` (its parameter name) on the command line, not left it to a default."""
    return click.get_current_context().get_parameter_source(option) is ParameterSource.COMMANDLINE


def format_option(
    choices: tuple[str, ...] | list[str], default: str, help: str = "How to print it."
) -> Callable[[F], F]:
    """The `--format/-f` option every command shares: its choices, its default shown in --help."""
    return click.option(
        "--format", "-f", "fmt", type=click.Choice(list(choices)), default=default, show_default=True, help=help
    )


def jobs_option(what: str) -> Callable[[F], F]:
    """`--jobs N`, for a command that works through several packs or records."""
    return click.option(
        "--jobs",
        "-j",
        metavar="N",
        type=click.IntRange(min=1),
        default=None,
        help=f"Worker processes for several {what}.  [default: one per core]",
    )
