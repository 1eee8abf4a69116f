"""Errors a user can act on, each knowing its exit code (formats.md)."""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_INPUT = 2
EXIT_POLICY = 3
EXIT_DIFFERS = 4


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: the file, the field, and what was expected and found."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}" if self.field else f"{self.file}: {self.message}"


class TenderscoreError(Exception):
    exit_code = EXIT_INPUT

    def lines(self) -> list[str]:
        return [str(self)]


class InputError(TenderscoreError):
    """Bad input: every problem found, listed at once."""

    exit_code = EXIT_INPUT

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(map(str, problems)))

    def lines(self) -> list[str]:
        return [str(problem) for problem in self.problems]


class PolicyRefused(TenderscoreError):
    """The ruleset's policy refuses to score this tender as it stands."""

    exit_code = EXIT_POLICY

    def __init__(self, file: str, message: str) -> None:
        self.file = file
        super().__init__(f"{file}: weights.social_value: {message}")


class RulesetError(TenderscoreError):
    """A ruleset cannot be loaded or does not decide what it must (an input error in the ruleset file)."""

    exit_code = EXIT_INPUT


class RecordMismatch(TenderscoreError):
    exit_code = EXIT_DIFFERS
