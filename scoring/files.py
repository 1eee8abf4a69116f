"""Where an output file is written: whole or not at all, only ever onto a regular file (or a new path), and a
path that cannot be written is the user's error.

A result is written to a partial file beside its target, `NAME.<hex>.tenderscore-partial`, synced, then
renamed over the target. A run killed between the two (SIGKILL, a power cut) can leave that partial file
behind: it is never a result, its name says what it is, and it may be deleted.
"""

from __future__ import annotations

import os
import secrets
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from .errors import InputError, Problem

PARTIAL_SUFFIX = ".tenderscore-partial"

# What each kind of file that is not a regular one is, in words, for the refusal.
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _unwritable(path: Path, exc: OSError) -> InputError:
    where = exc.filename if isinstance(exc.filename, str) else str(path)
    return InputError([Problem(str(path), "", f"cannot be written ({where}: {exc.strerror})")])


def _is_standard_output(path: Path) -> bool:
    """Whether `path` is this process's standard output (`/dev/stdout`, or the file stdout is redirected to)."""
    try:
        return os.path.samestat(os.stat(path), os.fstat(sys.stdout.fileno()))
    except (OSError, ValueError, AttributeError):  # no such path, or stdout is not a real file (a test's capture)
        return str(path) in ("/dev/stdout", "/proc/self/fd/1")


def _target(path: Path) -> Path | None:
    """The regular file (or new path) an output replaces: a symlink's target, so the link stays a link.
    None when `path` is standard output; InputError for anything else (a device, a FIFO, a folder...)."""
    if _is_standard_output(path):
        return None
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise _unwritable(path, exc) from None
    if stat.S_ISREG(mode):
        return target
    kind = next((words for test, words in _KINDS if test(mode)), "not a regular file")
    via = f" (through the symlink to {target})" if target != path else ""
    raise InputError(
        [
            Problem(
                str(path),
                "",
                f"cannot be written: it is {kind}{via}, and --output only creates or replaces a regular file "
                "(write to standard output and redirect it instead)",
            )
        ]
    )


class PendingFile:
    """An output file claimed before the work it reports on: a partial file beside it now, written and synced
    by `write`, put in place by `publish`, removed if never published.

    Claiming first means a path that cannot be written (a folder under a file, a read-only place, a device)
    fails before anything else happens, such as a decision record being appended for a result nobody
    received; writing (and syncing) before the record is committed means a full disk fails it too. When the
    path is standard output itself (`-o /dev/stdout`), the text is written there at `publish`.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._published = False
        self._fd: int | None = None
        self._data: bytes | None = None
        target = _target(self.path)
        self.streams = target is None
        self.target = self.path if target is None else target
        self._tmp = self.target.parent / f"{self.target.name}.{secrets.token_hex(4)}{PARTIAL_SUFFIX}"
        if self.streams:
            return
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            # Like mkstemp, but created with the usual mode (umask applies) rather than owner-only: a sheet goes
            # to colleagues, a result to a shared folder.
            self._fd = os.open(self._tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except OSError as exc:
            raise _unwritable(self.path, exc) from None

    def write(self, data: str | bytes) -> None:
        """Write `data` (text as UTF-8 exactly as given, bytes as they are) whole and synced, not yet in place."""
        encoded = data.encode("utf-8") if isinstance(data, str) else data
        if self.streams:
            self._data = encoded
            return
        assert self._fd is not None, "a pending file is written once"
        fd, self._fd = self._fd, None
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(encoded)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            self._tmp.unlink(missing_ok=True)
            raise _unwritable(self.path, exc) from None
        self._data = b""

    @property
    def written(self) -> bool:
        return self._data is not None

    def rewind(self) -> None:
        """Make a written (not yet published) file writable again, empty: its content is to be written anew."""
        if self.streams or self._data is None:
            self._data = None
            return
        try:
            self._fd = os.open(self._tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        except OSError as exc:
            raise _unwritable(self.path, exc) from None
        self._data = None

    def publish(self) -> None:
        """Put the written file in place (a rename in one folder: it does not need more space)."""
        assert self._data is not None, "a pending file is written before it is published"
        if self.streams:
            buffer = getattr(sys.stdout, "buffer", None)
            sys.stdout.flush()
            if buffer is not None:
                buffer.write(self._data)
                buffer.flush()
            else:
                sys.stdout.write(self._data.decode("utf-8"))
                sys.stdout.flush()
            self._published = True
            return
        try:
            os.replace(self._tmp, self.target)
            self._published = True
        except OSError as exc:
            raise _unwritable(self.path, exc) from None
        finally:
            if not self._published:
                self._tmp.unlink(missing_ok=True)

    def commit(self, data: str | bytes) -> None:
        """Write `data` and put it in place."""
        self.write(data)
        self.publish()

    def discard(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if not self._published and not self.streams:
            self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> PendingFile:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.discard()


@contextmanager
def claim_output(path: Path | None) -> Iterator[PendingFile | None]:
    """A PendingFile for `path`, or None when the result goes to standard output."""
    if path is None:
        yield None
        return
    with PendingFile(path) as pending:
        yield pending


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write the whole file or nothing; a path that cannot be written raises InputError naming it and why."""
    with PendingFile(path) as pending:
        pending.commit(data)
