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


class InputError(TenderscoreError):
    """Bad input: every problem found, listed at once."""

    exit_code = ExitCode.INPUT

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(map(str, problems)))

    def lines(self) -> list[str]:
        return [str(problem) for problem in self.problems]


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
