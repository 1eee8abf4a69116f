"""Errors raised by the rules engine.

Every error carries the ruleset id and, where there is one, the rule id and the fact, because durable-rules
reports failures as bare error codes and a swallowed exception would otherwise surface as a silently wrong score.
"""

from __future__ import annotations

from typing import Any


class EngineError(Exception):
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


class RuleDefinitionError(Exception):
    """A rule is not well formed: unknown operator or effect, bad operand, missing discriminator.

    Raised while a ruleset is compiled, before any fact is asserted; `problems` lists every one found.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class ActionError(EngineError):
    """A rule's effect failed while the rule fired (durable-rules would have swallowed it)."""


class FactError(EngineError):
    """A fact cannot be given to durable-rules as it is (it would fail to match, or crash the C core)."""
