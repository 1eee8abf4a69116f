"""tenderscore's rules engine: readable rules compiled to durable-rules, fired per subject, every firing traced.

It knows nothing of tenders: facts are dicts with an `id` and a `kind`, effects come from a closed vocabulary,
and what an effect means is for the caller to decide.
"""

from engine.canonical import canonical_json, plain, sha256_hex
from engine.conditions import OPERATORS
from engine.effects import EFFECTS
from engine.errors import ActionError, EngineError, FactError, RuleDefinitionError
from engine.limits import LimitError
from engine.ruleset import CompiledRuleset, Rule, RulesetSpec, compile_ruleset, compiled_ruleset
from engine.session import Session
from engine.trace import Firing, Trace

__all__ = [
    "EFFECTS",
    "OPERATORS",
    "ActionError",
    "CompiledRuleset",
    "EngineError",
    "FactError",
    "Firing",
    "LimitError",
    "Rule",
    "RuleDefinitionError",
    "RulesetSpec",
    "Session",
    "Trace",
    "canonical_json",
    "compile_ruleset",
    "compiled_ruleset",
    "plain",
    "sha256_hex",
]
