"""Codes in words, for the outputs people read (the table, the HTML report, `explain`): JSON and CSV keep the
codes themselves, which tools match on.

A ruleset may raise a flag of its own: its code reads with spaces for underscores.
"""

from __future__ import annotations

# The flags and exclusions scoring.md and the shipped rulesets raise.
WORDS = {
    "abnormally_low_price": "abnormally low price",
    "capped": "capped",
    "measure_not_accepted": "measure not accepted",
    "sv_implausible": "implausible social value",
    "tie": "tied rank",
    "unknown_measure": "unknown measure",
    "gate_not_passed": "gate not passed",
    "below_minimum": "below the minimum score",
}


def in_words(code: str) -> str:
    """A flag's or exclusion's code as people read it: `sv_implausible` is "implausible social value"."""
    return WORDS.get(code) or code.replace("_", " ")
