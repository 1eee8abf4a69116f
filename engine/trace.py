"""The ordered record of rule firings: what fired, on which fact, with what effect."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Firing:
    seq: int
    session: str
    rule: str
    fact: dict[str, Any]
    effect: dict[str, Any]


@dataclass
class Trace:
    """Firings across every session of one evaluation, numbered in the order they happened."""

    firings: list[Firing] = field(default_factory=list)

    def record(self, session: str, rule: str, fact: dict[str, Any], effect: dict[str, Any]) -> Firing:
        firing = Firing(len(self.firings) + 1, session, rule, fact, effect)
        self.firings.append(firing)
        return firing
