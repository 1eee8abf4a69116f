"""The scoring layer's errors a user can act on: branches of the one tree rooted in engine/errors.py."""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.errors import ExitCode, TenderscoreError

__all__ = ["ExitCode", "InputError", "PolicyRefused", "Problem", "RecordMismatch", "RulesetError", "TenderscoreError"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: the file, the field, and what was expected and found."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}" if self.field else f"{self.file}: {self.message}"


# The most problems printed for one input: a file of a million repeated rows must not print a million lines.
# Everything past them is counted, so the user knows the list goes on.
MAX_LISTED = 100


class InputError(TenderscoreError):
    """Bad input: every problem found, listed at once (the first MAX_LISTED, and how many more)."""

    exit_code = ExitCode.INPUT

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(self.lines()))

    def lines(self) -> list[str]:
        shown = [str(problem) for problem in self.problems[:MAX_LISTED]]
        more = len(self.problems) - len(shown)
        if more:
            shown.append(f"and {more} more {'problem' if more == 1 else 'problems'} not listed")
        return shown


class PolicyRefused(TenderscoreError):
    """The ruleset's policy refuses to score this tender as it stands."""

    exit_code = ExitCode.POLICY

    def __init__(self, file: str, message: str) -> None:
        self.file = file
        super().__init__(f"{file}: weights.social_value: {message}")


class RulesetError(TenderscoreError):
    """A ruleset cannot be loaded or does not decide what it must (an input error in the ruleset file)."""

    exit_code = ExitCode.INPUT


class RecordMismatch(TenderscoreError):
    exit_code = ExitCode.DIFFERS
