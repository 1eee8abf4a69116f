"""An uploaded pack (a zip of the pack folder, or its files) turned into the file texts a pack is built from.

Checked like any pack before anything is stored: a name that climbs out of the pack (`../`, an absolute path),
too many files, a file too big, a file that is not UTF-8 text; then scoring.pack reads and validates it. Every
problem is reported at once, as scoring.pack's own Problems.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from pathlib import PurePosixPath

from ..errors import InputError, Problem
from ..models import Tender
from ..pack import BID_SUFFIXES, SCORES_FILE, TENDER_FILE, Pack, build_pack
from .serial import ENGINE

MAX_FILES = 200
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_TOTAL_BYTES = 20 * 1024 * 1024
# What the app keeps from an upload: the panel scores in the browser, so sheets and scores.csv are its to write.
KEPT_PREFIXES = ("bids/",)
SET_ASIDE = "panel sheets and scores.csv in an upload are set aside: the panel scores in the browser"


def check_sizes(sizes: list[tuple[str, int]]) -> None:
    """Refuse an upload too large to read, before it is read: a zip up to the unpacked limit, a file up to its own."""
    problems = []
    for name, size in sizes:
        limit = MAX_TOTAL_BYTES if name.lower().endswith(".zip") else MAX_FILE_BYTES
        if size > limit:
            problems.append(Problem(name, "", f"too large: expected at most {limit} bytes, found {size}"))
    if problems:
        raise InputError(problems)


def files_of_upload(uploads: Iterable[tuple[str, bytes]]) -> dict[str, bytes]:
    """Name inside the pack -> content, from uploaded (file name, content) pairs: one zip, or loose files."""
    items = list(uploads)
    if len(items) == 1 and items[0][0].lower().endswith(".zip"):
        return _zip_members(items[0][0], items[0][1])
    if len(items) > MAX_FILES:
        raise InputError([Problem("upload", "", f"expected at most {MAX_FILES} files, found {len(items)}")])
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    for name, data in items:
        base = PurePosixPath(name.replace("\\", "/")).name
        if base.lower().endswith(".zip"):
            problems.append(Problem(base, "", "expected one zip on its own, or the pack's files without a zip"))
        elif len(data) > MAX_FILE_BYTES:
            problems.append(Problem(base, "", f"too large: expected at most {MAX_FILE_BYTES} bytes, found {len(data)}"))
        elif base in (TENDER_FILE, SCORES_FILE):
            files[base] = data
        elif base.lower().endswith(BID_SUFFIXES):
            files[f"bids/{base}"] = data
        elif base.lower().endswith((".csv", ".xlsx")):
            files[f"panel/{base}"] = data
        else:
            problems.append(Problem(base, "", "expected tender.yaml, bid files (.yaml, .yml, .json) or a zip"))
    if problems:
        raise InputError(problems)
    return files


def _zip_members(label: str, data: bytes) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError([Problem(label, "", "expected a zip file, found something else")]) from None
    infos = [info for info in archive.infolist() if not info.is_dir()]
    problems: list[Problem] = []
    if len(infos) > MAX_FILES:
        problems.append(Problem(label, "", f"expected at most {MAX_FILES} files, found {len(infos)}"))
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_BYTES:
        problems.append(
            Problem(label, "", f"too large unpacked: expected at most {MAX_TOTAL_BYTES} bytes, found {total}")
        )
    names: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
    for info in infos:
        raw = info.filename
        path = PurePosixPath(raw.replace("\\", "/"))
        if raw.startswith(("/", "\\")) or path.is_absolute() or ".." in path.parts or ":" in path.parts[0]:
            problems.append(Problem(f"{label}/{raw}", "", "refused: the path leads outside the pack"))
        elif info.file_size > MAX_FILE_BYTES:
            problems.append(
                Problem(
                    f"{label}/{raw}", "", f"too large: expected at most {MAX_FILE_BYTES} bytes, found {info.file_size}"
                )
            )
        elif not any(part.startswith((".", "__MACOSX")) for part in path.parts):
            names.append((info, path))
    if problems:
        raise InputError(problems)
    # A zip of the pack folder has the folder as every path's first part: the pack is inside it.
    tops = {path.parts[0] for _, path in names if len(path.parts) > 1}
    strip = len(tops) == 1 and all(len(path.parts) > 1 for _, path in names)
    files: dict[str, bytes] = {}
    for info, path in names:
        inner = PurePosixPath(*path.parts[1:]) if strip else path
        with archive.open(info) as member:
            # Read one byte past the limit: a zip's declared size may lie.
            content = member.read(MAX_FILE_BYTES + 1)
        if len(content) > MAX_FILE_BYTES:
            problems.append(
                Problem(f"{label}/{info.filename}", "", f"too large: expected at most {MAX_FILE_BYTES} bytes")
            )
        files[str(inner)] = content
    if problems:
        raise InputError(problems)
    return files


def pack_of_upload(files: dict[str, bytes], display: str) -> tuple[Pack, dict[str, str], list[str]]:
    """The validated pack, the texts the app keeps (tender.yaml and bids/), and the names it set aside."""
    texts: dict[str, str] = {}
    set_aside: list[str] = []
    problems: list[Problem] = []
    for name, data in sorted(files.items()):
        if name != TENDER_FILE and not name.startswith(KEPT_PREFIXES):
            set_aside.append(name)
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(f"{display}/{name}", "", f"expected UTF-8 text, found a bad byte at {exc.start}"))
            continue
        # The same newlines a pack read from disk has (scoring.yamlio.read_utf8).
        texts[name] = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        with ENGINE:
            pack = build_pack(texts, display, consensus=False)
    except InputError as exc:
        problems += exc.problems
        raise InputError(problems) from None
    if problems:
        raise InputError(problems)
    if not pack.tender.panel:
        raise InputError([Problem(f"{display}/{TENDER_FILE}", "panel", _NO_PANEL)])
    return pack, texts, set_aside


_NO_PANEL = "expected the panel that scores in the browser (panel: [{id, name, questions}]), found none"


def tender_title(tender: Tender) -> str:
    return tender.title or tender.id
