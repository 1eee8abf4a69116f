"""A broken ruleset file made whole enough to check: each part the schema refuses is set aside or stood in for.

Lint reports the schema's problems, then goes on checking the rest against these stand-ins, so a council sees
every problem in one run instead of one batch per fix.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from ...errors import Problem
from ...ruleset import THEMES, RulesetFile
from ...validation import pydantic_problems

# Values a policy section needs only to stand in while a broken one's rules are still checked.
_STAND_IN_POLICY: dict[str, Any] = {
    "applies_over_gbp": 0,
    "floor": 0,
    "target": 0,
    "portal_over_gbp": 0,
    "alt_fraction": 0,
    "alt_min_others": 1,
    "plausibility_ratio": 1,
    "spread_amber_from": 0,
    "spread_red_over": 0,
    "procedures": [],
}
_STAND_IN_SECTION: dict[str, Any] = {
    "id": "lint",
    "version": "lint",
    "title": "lint",
    "source": "",
    # Measures and outcomes name themes: with the section broken, every TOMs theme stands in, so only names
    # that could never be right are reported again.
    "themes": {theme: {"number": n, "title": theme} for n, theme in enumerate(THEMES, start=1)},
    "core_outcomes": {},
    "gates": {},
    "measures": [],
    "rules": [],
}
_STAND_IN_MEASURE = {"unit": "?", "proxy_gbp": "0", "title": "", "source": ""}


@dataclass(frozen=True)
class Salvaged:
    """What could be kept of a file: the model (None when even the stand-ins fail the schema), the policy
    fields stood in for ("*" for the whole section), and the schema's problems with the file as written."""

    model: RulesetFile | None
    stand_ins: frozenset[str]
    problems: tuple[Problem, ...]


def salvage(data: dict[str, Any], name: str) -> Salvaged:
    """The file as a model, each part the schema refuses reported and set aside (or stood in for)."""
    try:
        return Salvaged(RulesetFile.model_validate(data), frozenset(), ())
    except ValidationError as exc:
        errors = exc.errors()
        problems = tuple(pydantic_problems(exc, name))
    kept = copy.deepcopy(data)
    stand_ins: set[str] = set()
    dropped: dict[str, set[Any]] = defaultdict(set)
    for error in errors:
        loc = error["loc"]
        section = str(loc[0]) if loc else ""
        if section == "policy":
            stand_ins.add(str(loc[1]) if len(loc) > 1 else "*")
        elif len(loc) == 1:
            kept[section] = copy.deepcopy(_STAND_IN_SECTION.get(section))
            if kept[section] is None:
                kept.pop(section)  # an unknown section
        elif section in ("measures", "rules") and len(loc) == 3 and error["type"] == "extra_forbidden":
            del kept[section][loc[1]][loc[2]]  # reported; the rest of the item is still checked
        elif section == "measures" and len(loc) > 2 and loc[2] in _STAND_IN_MEASURE:
            # A measure with a bad proxy or unit is kept, so its code and theme are still checked.
            kept[section][loc[1]][loc[2]] = _STAND_IN_MEASURE[str(loc[2])]
        elif section == "themes":
            # Measures name themes: a malformed theme stays known, so its measures are not reported twice.
            kept[section][loc[1]] = {"number": 0, "title": str(loc[1])}
        else:
            dropped[section].add(loc[1])
    for section, bad in dropped.items():
        if isinstance(kept.get(section), list):
            kept[section] = [item for index, item in enumerate(kept[section]) if index not in bad]
        elif isinstance(kept.get(section), dict):
            kept[section] = {k: v for k, v in kept[section].items() if k not in bad}
    if stand_ins:
        given = data.get("policy")
        raw: dict[str, Any] = given if isinstance(given, dict) and "*" not in stand_ins else {}
        kept["policy"] = {
            key: raw[key] if key in raw and key not in stand_ins else value for key, value in _STAND_IN_POLICY.items()
        }
        stand_ins |= {key for key in _STAND_IN_POLICY if key not in raw}
    try:
        model: RulesetFile | None = RulesetFile.model_validate(kept)
    except ValidationError:
        model = None  # nothing more can be checked than the schema problems
    return Salvaged(model, frozenset(stand_ins), problems)


def written_params(policy: Any) -> dict[str, Any]:
    """A broken policy's parameters as written, numbers read exactly, so its rules can still be checked."""
    if not isinstance(policy, Mapping):
        return {}
    out: dict[str, Any] = {}
    for key, value in policy.items():
        if isinstance(value, str):
            try:
                out[str(key)] = Decimal(value)
            except InvalidOperation:
                out[str(key)] = value
        elif isinstance(value, (int, Decimal, bool)):
            out[str(key)] = value
    return out
