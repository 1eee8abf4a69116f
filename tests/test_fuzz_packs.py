"""Issue 13, "Done when": the shipped packs, mutated thousands of ways, never crash, hang or blame nothing.

Each example takes one of the shipped packs (fixtures/stockport-highways, fixtures/stockport-panel), applies one to
three mutations to its files (a field deleted, retyped, duplicated, made huge or negative; bytes that are not UTF-8;
a file replaced by binary, emptied, cut short or removed), and scores it in-process. Whatever the mutation, the
command exits 0, 2 or 3, never with a traceback, within a few seconds, and a refusal (2) names a file of the pack.

The examples are derandomized: every run tries the same 2,000 packs, so a failure here is reproducible as is.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tenderscore.scoring.cli import cli

EXAMPLES = 2000
# A pack scores in about 15 ms here; a few seconds leaves room for a loaded machine, none for a hang.
SECONDS = 5


def _files(pack: Path) -> dict[str, bytes]:
    return {str(p.relative_to(pack)): p.read_bytes() for p in sorted(pack.rglob("*")) if p.is_file()}


PACKS = {name: _files(FIXTURES / name) for name in ("stockport-highways", "stockport-panel")}


class _NoAliases(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    # A value duplicated by a mutation is written out twice, not as an alias (which is refused outright).
    def ignore_aliases(self, data: Any) -> bool:
        return True


# Values a field may be retyped to: every YAML type, the edges of numbers, text that looks like a number.
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["", "0", "-1", "4.5", "1e-999999999", "1,150,000", "£5", "01150000", "NaN", "\x1b[2J", "2.5"]),
    st.lists(st.integers(min_value=-5, max_value=5), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(min_value=-5, max_value=5), max_size=3),
)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a parsed file a mutation can reach: mapping keys and list items, nested."""
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        yield (*prefix, key)
        yield from _paths(value, (*prefix, key))


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        data = data[key]
    return data


def _huge(draw: st.DrawFn) -> Any:
    return draw(
        st.sampled_from(
            [
                "x" * 20_000,
                "9" * 5000,
                10**400,
                "1" + "0" * 40,
                list(range(300)),  # past the 200 facts a bid may have
                {f"k{i}": i for i in range(300)},
            ]
        )
    )


def _negative(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return -1
    if isinstance(value, (int, float)):
        return -value if value else -1
    if isinstance(value, str):
        return "-" + value
    return -1


def _mutate_data(draw: st.DrawFn, data: Any) -> Any:
    paths = list(_paths(data))
    if not paths:
        return draw(VALUES)
    path = draw(st.sampled_from(paths))
    parent, key = _parent(data, path), path[-1]
    kind = draw(st.sampled_from(["delete", "retype", "duplicate", "huge", "negative"]))
    if kind == "delete":
        del parent[key]
    elif kind == "retype":
        parent[key] = draw(VALUES)
    elif kind == "duplicate":
        if isinstance(parent, list):
            parent.insert(key, parent[key])
        else:
            parent[f"{key}"] = parent[key]  # a key as text beside the key as written (1 and "1")
            parent[draw(st.sampled_from([f"{key}_copy", f"{key}".upper(), f" {key}"]))] = parent[key]
    elif kind == "huge":
        parent[key] = _huge(draw)
    else:
        parent[key] = _negative(parent[key])
    return data


def _mutate_csv(draw: st.DrawFn, text: str) -> str:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return str(draw(VALUES))
    row = draw(st.integers(min_value=0, max_value=len(rows) - 1))
    kind = draw(st.sampled_from(["delete row", "duplicate row", "delete column", "cell", "huge", "negative"]))
    if kind == "delete row":
        del rows[row]
    elif kind == "duplicate row":
        rows.insert(row, list(rows[row]))
    elif rows[row]:
        column = draw(st.integers(min_value=0, max_value=len(rows[row]) - 1))
        if kind == "delete column":
            for each in rows:
                if column < len(each):
                    del each[column]
        elif kind == "cell":
            rows[row][column] = str(draw(VALUES))
        elif kind == "huge":
            rows[row][column] = str(_huge(draw))[:200_000]
        else:
            rows[row][column] = str(_negative(rows[row][column]))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _mutate_text(draw: st.DrawFn, name: str, content: bytes) -> bytes:
    text = content.decode("utf-8")
    if name.endswith(".csv"):
        return _mutate_csv(draw, text).encode("utf-8")
    data = yaml.load(text, Loader=_LOADER)
    data = _mutate_data(draw, data)
    if name.endswith(".json"):
        return json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
    return yaml.dump(data, Dumper=_NoAliases, allow_unicode=True, sort_keys=False).encode("utf-8")


def _mutate_bytes(draw: st.DrawFn, content: bytes) -> bytes | None:
    kind = draw(st.sampled_from(["not utf-8", "binary", "empty", "cut short", "remove"]))
    at = draw(st.integers(min_value=0, max_value=len(content)))
    if kind == "not utf-8":
        return content[:at] + draw(st.sampled_from([b"\xa3", b"\xff\xfe", b"\x81", b"\xc3"])) + content[at:]
    if kind == "binary":
        return draw(st.binary(max_size=256))
    if kind == "empty":
        return b""
    if kind == "cut short":
        return content[:at]
    return None


@st.composite
def mutated_packs(draw: st.DrawFn) -> tuple[str, dict[str, bytes]]:
    pack = draw(st.sampled_from(sorted(PACKS)))
    files = dict(PACKS[pack])
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        name = draw(st.sampled_from(sorted(files)))
        content = files[name]
        try:
            structured = draw(st.booleans()) and content.decode("utf-8") is not None
            mutated: bytes | None = _mutate_text(draw, name, content) if structured else _mutate_bytes(draw, content)
        except (UnicodeDecodeError, yaml.YAMLError, csv.Error):
            mutated = _mutate_bytes(draw, content)  # already mangled past reading: mangle its bytes instead
        if mutated is None:
            del files[name]
            if not files:
                break
        else:
            files[name] = mutated
    return pack, files


@pytest.fixture(scope="module")
def folders() -> Iterator[dict[str, Path]]:
    """Each shipped pack copied once; an example changes only the files it mutates, and puts them back after."""
    with tempfile.TemporaryDirectory() as tmp:
        yield {name: Path(shutil.copytree(FIXTURES / name, Path(tmp) / name)) for name in PACKS}


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,  # timed below, by the run itself, without hypothesis's own overhead
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
@given(mutated=mutated_packs(), command=st.sampled_from([["score", "--no-ledger", "--format", "json"], ["validate"]]))
def test_a_mutated_pack_is_scored_or_refused_never_crashed(
    folders: dict[str, Path], mutated: tuple[str, dict[str, bytes]], command: list[str]
) -> None:
    pack, files = mutated
    folder, original = folders[pack], PACKS[pack]
    changed = {name for name in original.keys() | files.keys() if files.get(name) != original.get(name)}
    try:
        for name in changed:
            if name in files:
                (folder / name).write_bytes(files[name])
            else:
                (folder / name).unlink()
        started = time.monotonic()
        result = CliRunner().invoke(cli, [*command, str(folder)])
        elapsed = time.monotonic() - started
    finally:
        for name in changed:
            (folder / name).write_bytes(original[name])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 2, 3), result.output
    assert elapsed < SECONDS, f"{elapsed:.1f} s"
    if result.exit_code == 2:
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
        assert errors, result.stderr
        assert any(line.startswith((f"Error: {folder}/", f"Error: {folder}:")) for line in errors), result.stderr
