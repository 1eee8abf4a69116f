"""Where an output file is written: whole or not at all, and a path that cannot be written is the user's error."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from .errors import InputError, Problem


def _unwritable(path: Path, exc: OSError) -> InputError:
    where = exc.filename if isinstance(exc.filename, str) else str(path)
    return InputError([Problem(str(path), "", f"cannot be written ({where}: {exc.strerror})")])


class PendingFile:
    """An output file claimed before the work it reports on: a hidden temporary file beside it now, put in
    place whole by `commit`, removed if never committed.

    Claiming first means a path that cannot be written (a folder under a file, a read-only place) fails before
    anything else happens, such as a decision record being appended for a result nobody received.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._tmp = self.path.parent / f".{self.path.name}.{secrets.token_hex(8)}.tmp"
        self._done = False
        self._fd: int | None = None
        if self.path.is_dir():
            # The rename at commit would fail; say so now, before anything depends on the file being written.
            raise InputError([Problem(str(self.path), "", "cannot be written (a folder is in the way)")])
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Like mkstemp, but created with the usual mode (umask applies) rather than owner-only: a sheet goes
            # to colleagues, a result to a shared folder.
            self._fd = os.open(self._tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except OSError as exc:
            raise _unwritable(self.path, exc) from None

    def commit(self, data: str | bytes) -> None:
        """Write `data` (text as UTF-8 exactly as given, bytes as they are) and rename it over the target."""
        assert self._fd is not None, "a pending file is committed once"
        fd, self._fd = self._fd, None
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data.encode("utf-8") if isinstance(data, str) else data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(self._tmp, self.path)
            self._done = True
        except OSError as exc:
            raise _unwritable(self.path, exc) from None
        finally:
            if not self._done:
                self._tmp.unlink(missing_ok=True)

    def discard(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if not self._done:
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
