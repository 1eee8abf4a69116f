"""Writing ruleset data back as YAML that reads in exactly as it was.

Rulesets are read with Decimal floats (scoring.yamlio), so a number such as `0.5` in a condition must be written
as a YAML float with that very text, never as a binary float and never as a string (a string would compare as
text). This is yaml.SafeDumper with one representer added: it emits nothing a safe loader cannot read.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml


class _ExactDumper(yaml.SafeDumper):
    pass


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    text = f"{value:f}"
    # Without a point the loader would read an integer back: the same number, so the same rule.
    return dumper.represent_scalar("tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int", text)


_ExactDumper.add_representer(Decimal, _decimal)


def dump_yaml(data: Any, flow: bool = False) -> str:
    """`data` as YAML (block style, keys in their given order; `flow` for one-line fragments)."""
    return yaml.dump(
        data,
        Dumper=_ExactDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=flow,
        width=10_000 if flow else 120,
    )
