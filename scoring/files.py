"""Where an output file is written: whole or not at all, and a path that cannot be written is the user's error."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from scoring.errors import InputError, Problem


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write the whole file or nothing: a temporary file in the same folder, renamed over the target.

    Text is written as UTF-8 exactly as given (no newline translation); bytes (a workbook) as they are.
    A path that cannot be written (a folder under a file, a read-only place, a full disk) raises InputError
    naming it and the reason, and leaves any existing file as it was.
    """
    path = Path(path)
    tmp = path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Like mkstemp, but created with the usual mode (umask applies) rather than owner-only: a sheet goes to
        # colleagues, a result to a shared folder.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data.encode("utf-8") if isinstance(data, str) else data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        where = exc.filename if isinstance(exc.filename, str) else str(path)
        raise InputError([Problem(str(path), "", f"cannot be written ({where}: {exc.strerror})")]) from None
