"""A condition every part of which is sound but that durable-rules' network refuses to register (its error 113,
found by a differential fuzz), shared by the engine's test and the commands' tests."""

from __future__ import annotations

from typing import Any

# Each part is sound, but durable-rules' network refuses this nesting of any/all with field references.
REFUSED_WHEN: dict[str, Any] = {
    "kind": "commitment",
    "b": {"not_in": [10, -1, 10]},
    "any": [
        {
            "any": [
                {"g": False},
                {"d.f": {"exists": False}, "g": {"ne": False}},
                {"d.f": {"in": ["z", "x"]}, "g": False},
            ],
            "d.f": {"exists": False},
            "a": {"eq": {"field": "b"}},
        },
        {
            "all": [
                {"a": {"lt": 1}, "d.f": {"eq": {"field": "c"}}, "b": -1},
                {"b": {"exists": False}},
                {"g": {"exists": True}, "b": {"ne": 10}},
            ],
            "d.e": -1,
            "b": {"in": [1, 10, -1]},
        },
        {"d.f": {"eq": {"field": "c"}}, "all": [{"d.f": "y", "b": -1}]},
    ],
}
