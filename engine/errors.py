"""tenderscore's one error tree, and the errors raised by the rules engine.

`TenderscoreError` is the root of every error tenderscore raises for a user's mistake, and `ExitCode` is the one
place exit codes are defined: like click's `ClickException`, each error knows the code the command line exits
with. The root lives here, in the lowest layer, so that the engine's own errors descend from it too (a ruleset
durable-rules refuses is the user's ruleset at fault, exit 2), and the scoring layer extends it (scoring/errors.py).

Every engine error carries the ruleset id and, where there is one, the rule id and the fact, because durable-rules
reports failures as bare error codes and a swallowed exception would otherwise surface as a silently wrong score.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any


class ExitCode(IntEnum):
    """What a tenderscore command's exit status means (the README's command table)."""

    OK = 0
    FAILED = 1  # not the user's doing: an internal error, or a batch worker that died
    INPUT = 2  # bad input: a pack, ruleset, record or option the user can fix
    POLICY = 3  # the ruleset's policy refuses to score the tender as it stands
    DIFFERS = 4  # a record or ledger does not verify, a replay differs, a ruleset test case failed
    INTERRUPTED = 130  # stopped by Ctrl-C


class TenderscoreError(Exception):
    """A mistake the user can act on: the message says where, and `exit_code` what the command exits with."""

    exit_code: int = ExitCode.INPUT

    def lines(self) -> list[str]:
        """The error as the lines printed after `Error: ` (one per problem where there are several)."""
        return [str(self)]


class EngineError(TenderscoreError):
    """The engine could not do what it was asked; the message says which ruleset, rule and fact."""

    def __init__(
        self,
        message: str,
        *,
        ruleset_id: str,
        rule_id: str | None = None,
        fact: dict[str, Any] | None = None,
    ) -> None:
        self.ruleset_id = ruleset_id
        self.rule_id = rule_id
        self.fact = fact
        where = f"ruleset {ruleset_id}"
        if rule_id is not None:
            where += f", rule {rule_id}"
        if fact is not None and "id" in fact:
            where += f", fact {fact['id']}"
        super().__init__(f"{where}: {message}")
        self.detail = message


class RuleDefinitionError(TenderscoreError):
    """A rule is not well formed: unknown operator or effect, bad operand, missing discriminator, or a ruleset
    durable-rules refuses to register.

    Raised while a ruleset is compiled or registered, before any fact is asserted; `problems` lists every one found.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))

    def lines(self) -> list[str]:
        return list(self.problems)


class ActionError(EngineError):
    """A rule's effect failed while the rule fired (durable-rules would have swallowed it)."""


class FactError(EngineError):
    """A fact cannot be given to durable-rules as it is (it would fail to match, or crash the C core)."""
