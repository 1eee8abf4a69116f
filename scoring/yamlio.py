"""Reading YAML, JSON and CSV inputs exactly and safely.

YAML is read with a subclass of yaml.SafeLoader (so no tag can construct a Python object or run code) whose
only change is that floats become Decimals from their written text: `price_gbp: 1150000.10` stays exactly that.
With libyaml, the usual case (mappings, lists, text, numbers, booleans, nulls) is built by a lean walk over the
node tree libyaml composes; anything else, and every problem, goes through that loader as before.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import stat
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem
from .numbers import bounded, read_decimal, shown


class _UniqueKeys:
    """A mapping that names a key twice is refused: YAML would keep the last value and silently drop the first."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        # A tag such as !!map or !!set on a scalar or a list is left to PyYAML, which refuses it with its position.
        for key_node, _ in node.value if isinstance(node, yaml.MappingNode) else ():
            key = self.construct_object(key_node, deep=True)  # type: ignore[attr-defined]
            # Only these are compared; a list as a key is left to PyYAML's "found unhashable key".
            if isinstance(key, (str, int, Decimal, bool)):
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping", node.start_mark, f"found the key {key!r} twice", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep)  # type: ignore[misc, no-any-return]


class DecimalSafeLoader(_UniqueKeys, yaml.SafeLoader):
    pass


def _no_sexagesimal(text: str, node: yaml.Node) -> None:
    # YAML 1.1 reads 1:30 as 90 (base 60): a time or ratio typed by a person must not become a number unasked.
    if ":" in text:
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"{text} would be read as a base-60 number: write the number itself, or quote it",
            node.start_mark,
        )


def _decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    _no_sexagesimal(text, node)
    if text.lower() in (".inf", "+.inf", "-.inf", ".nan"):
        raise yaml.constructor.ConstructorError(None, None, f"{text} is not a finite number", node.start_mark)
    if "_" in text:
        # YAML 1.1 drops underscores (1_000.5 is 1000.5): a figure is read as written or not at all.
        raise yaml.constructor.ConstructorError(
            None, None, f"{text}: write the number without _ (as in 1000.5), or quote it", node.start_mark
        )
    try:
        return read_decimal(text)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(None, None, str(exc), node.start_mark) from None


def _refusal(node: yaml.Node, expected: str, text: str) -> yaml.constructor.ConstructorError:
    return yaml.constructor.ConstructorError(None, None, f"expected {expected}, found {shown(text)}", node.start_mark)


def _int(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    _no_sexagesimal(text, node)
    digits = text[1:] if text[:1] in "+-" else text
    if digits.isascii() and digits.isdigit() and (digits[0] != "0" or len(digits) == 1):
        try:
            return int(text)
        except ValueError:  # more digits than Python reads (int_max_str_digits)
            raise _refusal(node, "a whole number", text) from None
    if _YAML11_INT.fullmatch(text):
        # YAML 1.1 reads 01150000 as octal (315,392), 0x10 as 16, 0b11 as 3 and 1_000 as 1000: a figure typed with
        # one of those is refused, never silently converted.
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"expected a whole number in plain decimal digits, found {shown(text)} (YAML 1.1 would read a leading "
            "0 as octal, 0x as hexadecimal, 0b as binary, and drop _): write it without them, or quote it",
            node.start_mark,
        )
    raise _refusal(node, "a whole number", text)  # what an explicit tag forces (!!int abc)


# What YAML 1.1 resolves as an int besides plain decimals (PyYAML's pattern, less base 60: refused above).
_YAML11_INT = re.compile(r"[-+]?(?:0b[0-1_]*|0x[0-9a-fA-F_]*|0[0-7_]*|[0-9][0-9_]*)", re.ASCII)


def _bool(loader: yaml.SafeLoader, node: yaml.Node) -> bool:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    try:
        return loader.bool_values[text.lower()]
    except KeyError:  # only reachable through an explicit !!bool tag
        raise _refusal(node, "true or false", text) from None


def _timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    try:
        return loader.construct_yaml_timestamp(node)  # type: ignore[arg-type]
    except (ValueError, AttributeError):
        # 2026-13-45 matches YAML's date pattern but is no date; !!timestamp abc matches nothing.
        raise _refusal(node, "a real date (YYYY-MM-DD, or with a time)", text) from None


# Each refusal is a ConstructorError with the node's position: a bad value is a problem to report, never a crash.
_CONSTRUCTORS = {
    "tag:yaml.org,2002:float": _decimal,
    "tag:yaml.org,2002:int": _int,
    "tag:yaml.org,2002:bool": _bool,
    "tag:yaml.org,2002:timestamp": _timestamp,
}
for _tag, _constructor in _CONSTRUCTORS.items():
    DecimalSafeLoader.add_constructor(_tag, _constructor)


_ScalarNode = yaml.ScalarNode  # looked up per node by the lean composer and walk below


# libyaml's C parser under the same safe constructor and Decimal floats: about 8 times faster on bid files.
# It only reads: when it finds a problem, DecimalSafeLoader reads the text again, so what a user is told (the
# problem and its line) does not depend on it. PyYAML built without libyaml simply goes without.
_FAST_LOADER: type[yaml.CSafeLoader] | None = None
if getattr(yaml, "__with_libyaml__", False):

    class _FastDecimalSafeLoader(_UniqueKeys, yaml.CSafeLoader):
        pass

    for _tag, _constructor in _CONSTRUCTORS.items():
        _FastDecimalSafeLoader.add_constructor(_tag, _constructor)
    _FAST_LOADER = _FastDecimalSafeLoader

    # The C composer calls back into Python for every node (resolve, descend_resolver, ascend_resolver): in
    # PyYAML's general form those callbacks were a third of the compose time. These give the same tags (nothing
    # registers a path resolver; the implicit ones are tried in the same order) at a fraction of the cost.
    _IMPLICIT = {
        first: tuple(resolvers + _FastDecimalSafeLoader.yaml_implicit_resolvers.get(None, []))
        for first, resolvers in _FastDecimalSafeLoader.yaml_implicit_resolvers.items()
    }
    _NO_FIRST = tuple(_FastDecimalSafeLoader.yaml_implicit_resolvers.get(None, []))
    _DEFAULT_TAGS = {
        yaml.ScalarNode: yaml.resolver.Resolver.DEFAULT_SCALAR_TAG,
        yaml.SequenceNode: yaml.resolver.Resolver.DEFAULT_SEQUENCE_TAG,
        yaml.MappingNode: yaml.resolver.Resolver.DEFAULT_MAPPING_TAG,
    }

    class _LeanComposer(_FastDecimalSafeLoader):
        def resolve(self, kind: type[yaml.Node], value: str | None, implicit: Any) -> str:
            if kind is _ScalarNode and implicit[0]:
                for tag, regexp in _IMPLICIT.get(value[:1], _NO_FIRST):  # type: ignore[index]
                    if regexp.match(value):
                        return tag  # type: ignore[no-any-return]
            return _DEFAULT_TAGS[kind]

        def descend_resolver(self, current_node: yaml.Node | None, current_index: Any) -> None:
            pass

        def ascend_resolver(self) -> None:
            pass


class _Unsupported(Exception):
    """A node the lean walk leaves to the full constructor (aliases, merge keys, other tags, repeated keys)."""


_STR, _NULL, _BOOL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool"
_SEQ, _MAP = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
# The scalar tags the walk types itself, each exactly as DecimalSafeLoader's constructor for that tag does.
_SCALARS: dict[str, Any] = {
    "tag:yaml.org,2002:int": _int,
    "tag:yaml.org,2002:float": _decimal,
    _BOOL: _bool,
    _NULL: lambda loader, node: None,
}
_CHECKED_KEYS = (str, int, Decimal, bool)


class _TooDeep(RecursionError):
    """Lists and mappings nested more than MAX_DEPTH deep, found while walking them."""


def _walk(node: yaml.Node, loader: Any, collections: set[int] | None, depth: int = 0) -> Any:
    """The data of a node tree composed by libyaml, built the way DecimalSafeLoader builds it.

    PyYAML's constructor costs about 3 times the C parse (a generator and several method calls per node); this
    walk is one call per node, and none for a plain text value. Anything outside the plain subset raises
    _Unsupported, for the full constructor to build or refuse.
    """
    tag = node.tag
    if type(node) is _ScalarNode:
        if tag == _STR:
            return node.value
        scalar = _SCALARS.get(tag)
        if scalar is None:
            raise _Unsupported(tag)
        return scalar(loader, node)
    if depth >= MAX_DEPTH:
        raise _TooDeep
    if collections is not None:
        if id(node) in collections:
            raise _Unsupported("an alias of a list or mapping")  # the constructor shares or nests it: left to it
        collections.add(id(node))
    if tag == _SEQ and type(node) is yaml.SequenceNode:
        return [
            child.value
            if child.tag == _STR and type(child) is _ScalarNode
            else _walk(child, loader, collections, depth + 1)
            for child in node.value
        ]
    if tag != _MAP or type(node) is not yaml.MappingNode:
        raise _Unsupported(tag)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        if type(key_node) is not _ScalarNode:
            raise _Unsupported("a list or mapping as a key")
        # Merge (<<) and value (=) keys have tags of their own, so they are handed over here too.
        key = key_node.value if key_node.tag == _STR else _walk(key_node, loader, collections)
        if key in mapping and isinstance(key, _CHECKED_KEYS):
            raise _Unsupported("a repeated key")  # _UniqueKeys words the refusal
        if value_node.tag == _STR and type(value_node) is _ScalarNode:
            mapping[key] = value_node.value
        else:
            mapping[key] = _walk(value_node, loader, collections, depth + 1)
    return mapping


def _lean_load(text: str) -> Any:
    loader = _LeanComposer(text)
    try:
        node = loader.get_single_node()
        # Only a text with an anchor (&name) can reach a node twice: without one, nothing needs tracking.
        return None if node is None else _walk(node, loader, set() if "&" in text else None)
    finally:
        loader.dispose()


# The deepest nesting of lists and mappings any input may have. Nothing a pack or ruleset holds comes near it (a
# rule's condition is a few levels deep); far deeper data crashed the readers (RecursionError at about 500).
MAX_DEPTH = 64


def too_deep(data: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether `data` nests lists and mappings more than `limit` deep (without recursing itself)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        if items is None:
            continue
        if depth >= limit:
            return True
        stack += [(item, depth + 1) for item in items if isinstance(item, (dict, list))]
    return False


def _depth_problem(name: str) -> Problem:
    return Problem(name, "", f"expected lists and mappings nested at most {MAX_DEPTH} deep, found deeper ones")


def _bounded(data: Any, name: str) -> tuple[Any, Problem | None]:
    return (None, _depth_problem(name)) if too_deep(data) else (data, None)


def _alias_problem(text: str, name: str) -> Problem | None:
    """An alias (*name) makes one YAML node stand for another, so a few hundred bytes can expand to billions of
    values (an alias bomb): no input needs one, so the first is refused with its position."""
    loader = _FAST_LOADER or DecimalSafeLoader
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                return Problem(
                    name,
                    "YAML" if mark is None else f"line {mark.line + 1}, column {mark.column + 1}",
                    f"a YAML alias (*{event.anchor}) is not accepted: write the value out in full",
                )
    except yaml.YAMLError:
        return None  # reported with its position by the loaders below
    return None


def parse_yaml(text: str, name: str) -> tuple[Any, Problem | None]:
    # Only a text with a * can hold an alias: the common case costs one search.
    if "*" in text:
        alias = _alias_problem(text, name)
        if alias is not None:
            return None, alias
    try:
        return _parse_yaml(text, name)
    except RecursionError:  # _TooDeep from the lean walk, or the full loaders' own recursion
        return None, _depth_problem(name)


def _parse_yaml(text: str, name: str) -> tuple[Any, Problem | None]:
    if _FAST_LOADER is not None:
        try:
            return _lean_load(text), None  # its walk bounds the depth as it goes
        except RecursionError:
            raise
        except Exception:
            # Whatever the lean walk cannot build, or stops on, the full loaders below build or refuse as before.
            pass
        try:
            return _bounded(yaml.load(text, Loader=_FAST_LOADER), name)
        except yaml.YAMLError:
            pass
    try:
        return _bounded(yaml.load(text, Loader=DecimalSafeLoader), name)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "YAML"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, Problem(name, where, f"not valid YAML: {problem}")


class _DuplicateKey(ValueError):
    pass


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


class NotJSONNumber(ValueError):
    """NaN, Infinity or -Infinity: Python's json reads them (as floats), but they are not JSON."""


def refuse_constant(name: str) -> Any:
    """json.loads' parse_constant: refuse NaN and the infinities rather than let floats into exact data (a
    record holding one would not hash as written: canonical JSON has no way to write them)."""
    raise NotJSONNumber(f"{name} is not a JSON number")


def _json_decimal(text: str) -> Decimal:
    try:
        return bounded(Decimal(text))
    except ValueError as exc:
        raise NotJSONNumber(str(exc)) from None


def parse_json(text: str, name: str) -> tuple[Any, Problem | None]:
    try:
        data = json.loads(
            text, parse_float=_json_decimal, parse_constant=refuse_constant, object_pairs_hook=_unique_object
        )
    except json.JSONDecodeError as exc:
        return None, Problem(name, f"line {exc.lineno}, column {exc.colno}", f"not valid JSON: {exc.msg}")
    except _DuplicateKey as exc:
        return None, Problem(name, str(exc), "found this key twice in one object (JSON would keep only the last)")
    except NotJSONNumber as exc:
        return None, Problem(name, "", f"not valid JSON: {exc}")
    except RecursionError:
        return None, _depth_problem(name)
    except ValueError:
        # Python refuses to read an integer of more than 4300 digits (int_max_str_digits): a problem, not a crash.
        return None, Problem(name, "", "not valid JSON: a number has more digits than can be read (at most 4300)")
    if too_deep(data):
        return None, _depth_problem(name)
    return data, None


# The largest file tenderscore reads (a pack's file, a ruleset, a case file): far above any real one (a
# 40-bid pack's files are under 1 MB together), and it stops a device such as /dev/zero, or a runaway export,
# from being read until memory runs out.
MAX_FILE_BYTES = 64 * 1024 * 1024


class NotRegularFile(OSError):
    """A path that is not a regular file (a device, a FIFO, a folder) or is larger than MAX_FILE_BYTES."""


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; NotRegularFile (an OSError) otherwise."""
    # O_NONBLOCK: opening a FIFO would otherwise wait for a writer before the check below could refuse it.
    with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb", buffering=0) as file:
        mode = os.fstat(file.fileno()).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(mode):
            raise NotRegularFile(errno.EINVAL, "not a regular file (a device, pipe or folder is never read)")
        data = file.read(limit + 1)
    if len(data) > limit:
        raise NotRegularFile(errno.EFBIG, f"larger than the {limit // (1024 * 1024)} MB a file may be")
    return data


def read_utf8(path: Path) -> str:
    """What path.read_text(encoding="utf-8") returns, and raises, from one unbuffered read.

    Without read_text's buffered reader and incremental decoder, reading a pack's files is cheaper (figures in
    benchmarks/README.md). A bad byte's offset is the same: read_text decodes the whole file at once too.
    """
    text = read_bytes(path).decode("utf-8")
    # Text mode's universal newlines: \r\n and a lone \r both become \n.
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def undecodable(data: bytes, start: int) -> str:
    """Where a byte that is not UTF-8 is, as a person finds it, and how to fix the file.

    A file Excel saved as "CSV" (not "CSV UTF-8") is Windows-1252: a £ there is the byte 0xA3. Such a file is
    refused rather than guessed at: the same bytes read as Latin-1 or Windows-1252 give different text, and a
    decision record must hold what the author meant, so the author saves it again as UTF-8.
    """
    line_start = data.rfind(b"\n", 0, start) + 1
    line = data.count(b"\n", 0, start) + 1
    column = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
    byte = data[start : start + 1]
    try:
        seen = f" (in Windows-1252, {byte.decode('cp1252')!r})"
    except UnicodeDecodeError:
        seen = ""
    return (
        f"line {line}, column {column}: expected UTF-8 text, found the byte 0x{byte.hex().upper()}{seen}: "
        'save the file as UTF-8 (in Excel: File > Save As > "CSV UTF-8")'
    )


def read_text(path: Path, name: str) -> tuple[str | None, Problem | None]:
    try:
        return read_utf8(path), None
    except UnicodeDecodeError as exc:
        return None, Problem(name, "", undecodable(exc.object, exc.start))
    except OSError as exc:
        return None, Problem(name, "", f"cannot be read: {exc.strerror}")


def load_mapping_text(text: str, name: str, suffix: str) -> tuple[dict[str, Any] | None, Problem | None]:
    """A YAML or JSON text that must hold a mapping; returns (data, problem)."""
    data, problem = parse_json(text, name) if suffix == ".json" else parse_yaml(text, name)
    if problem is not None:
        return None, problem
    if not isinstance(data, dict):
        found = "an empty file" if data is None else f"a {type(data).__name__}"
        return None, Problem(name, "", f"expected a mapping of fields, found {found}")
    return data, None


def parse_csv(
    text: str, name: str, required: list[str], optional: list[str]
) -> tuple[list[dict[str, str]], list[Problem]]:
    """Rows of a CSV with a header; each row carries its line number under the key '_line'."""
    problems: list[Problem] = []
    # Excel saves "CSV UTF-8" with a byte order mark, which would otherwise become part of the first column name.
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [col for col in required if col not in header]
    unknown = [col for col in header if col not in required + optional]
    if missing or unknown:
        expected = ",".join(required + [f"[{col}]" for col in optional])
        found = ",".join(header) if header else "no header"
        return [], [Problem(name, "line 1", f"expected the columns {expected}, found {found}")]
    rows: list[dict[str, str]] = []
    try:
        for row in reader:
            if None in row:
                problems.append(Problem(name, f"line {reader.line_num}", "more values than columns"))
                continue
            cleaned = {str(k).strip(): (v or "").strip() for k, v in row.items()}
            if not any(cleaned.values()):
                continue
            cleaned["_line"] = str(reader.line_num)
            rows.append(cleaned)
    except csv.Error as exc:
        problems.append(Problem(name, f"line {reader.line_num}", f"not valid CSV: {exc}"))
    return rows, problems
