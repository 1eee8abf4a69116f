"""Reading YAML, JSON and CSV inputs exactly and safely.

YAML is read with a subclass of yaml.SafeLoader (so no tag can construct a Python object or run code) whose
only change is that floats become Decimals from their written text: `price_gbp: 1150000.10` stays exactly that.
With libyaml, the usual case (mappings, lists, text, numbers, booleans, nulls) is built by a lean walk over the
node tree libyaml composes; anything else, and every problem, goes through that loader as before.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem


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
    text = str(loader.construct_scalar(node)).replace("_", "")  # type: ignore[arg-type]
    _no_sexagesimal(text, node)
    if text.lower() in (".inf", "+.inf", "-.inf", ".nan"):
        raise yaml.constructor.ConstructorError(None, None, f"{text} is not a finite number", node.start_mark)
    try:
        return Decimal(text)
    except InvalidOperation:
        raise yaml.constructor.ConstructorError(None, None, f"{text} is not a number", node.start_mark) from None


def _refusal(node: yaml.Node, expected: str, text: str) -> yaml.constructor.ConstructorError:
    # A value thousands of characters long (a 5,000-digit number) is named by its start, not echoed whole.
    shown = repr(text) if len(text) <= 40 else f"{text[:20]!r}... ({len(text)} characters)"
    return yaml.constructor.ConstructorError(None, None, f"expected {expected}, found {shown}", node.start_mark)


def _int(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    _no_sexagesimal(text, node)
    try:
        if text.isascii() and text.isdigit() and text[0] != "0":
            return int(text)  # what construct_yaml_int gives plain digits (a leading 0 is octal), for a fifth the cost
        return int(loader.construct_yaml_int(node))  # type: ignore[arg-type]
    except (ValueError, IndexError):
        # PyYAML's int() fails on what its pattern lets through (0x_) or an explicit tag forces (!!int abc).
        raise _refusal(node, "a whole number", text) from None


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


def _walk(node: yaml.Node, loader: Any, collections: set[int] | None) -> Any:
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
    if collections is not None:
        if id(node) in collections:
            raise _Unsupported("an alias of a list or mapping")  # the constructor shares or nests it: left to it
        collections.add(id(node))
    if tag == _SEQ and type(node) is yaml.SequenceNode:
        return [
            child.value if child.tag == _STR and type(child) is _ScalarNode else _walk(child, loader, collections)
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
            mapping[key] = _walk(value_node, loader, collections)
    return mapping


def _lean_load(text: str) -> Any:
    loader = _LeanComposer(text)
    try:
        node = loader.get_single_node()
        # Only a text with an anchor (&name) can reach a node twice: without one, nothing needs tracking.
        return None if node is None else _walk(node, loader, set() if "&" in text else None)
    finally:
        loader.dispose()


def parse_yaml(text: str, name: str) -> tuple[Any, Problem | None]:
    if _FAST_LOADER is not None:
        try:
            return _lean_load(text), None
        except Exception:
            # Whatever the lean walk cannot build, or stops on, the full loaders below build or refuse as before.
            pass
        try:
            return yaml.load(text, Loader=_FAST_LOADER), None
        except yaml.YAMLError:
            pass
    try:
        return yaml.load(text, Loader=DecimalSafeLoader), None
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


def parse_json(text: str, name: str) -> tuple[Any, Problem | None]:
    try:
        return json.loads(
            text, parse_float=Decimal, parse_constant=refuse_constant, object_pairs_hook=_unique_object
        ), None
    except json.JSONDecodeError as exc:
        return None, Problem(name, f"line {exc.lineno}, column {exc.colno}", f"not valid JSON: {exc.msg}")
    except _DuplicateKey as exc:
        return None, Problem(name, str(exc), "found this key twice in one object (JSON would keep only the last)")
    except NotJSONNumber as exc:
        return None, Problem(name, "", f"not valid JSON: {exc}")
    except ValueError:
        # Python refuses to read an integer of more than 4300 digits (int_max_str_digits): a problem, not a crash.
        return None, Problem(name, "", "not valid JSON: a number has more digits than can be read (at most 4300)")


def read_utf8(path: Path) -> str:
    """What path.read_text(encoding="utf-8") returns, and raises, from one unbuffered read.

    Without read_text's buffered reader and incremental decoder, reading a pack's files is cheaper (figures in
    benchmarks/README.md). A bad byte's offset is the same: read_text decodes the whole file at once too.
    """
    with open(path, "rb", buffering=0) as file:
        text = file.read().decode("utf-8")
    # Text mode's universal newlines: \r\n and a lone \r both become \n.
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def read_text(path: Path, name: str) -> tuple[str | None, Problem | None]:
    try:
        return read_utf8(path), None
    except UnicodeDecodeError as exc:
        return None, Problem(name, "", f"expected UTF-8 text, found an undecodable byte at offset {exc.start}")
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
