"""tenderscore's rules engine: readable rules compiled to durable-rules, fired per subject, every firing traced.

It knows nothing of tenders: facts are dicts with an `id` and a `kind`, effects come from a closed vocabulary,
and what an effect means is for the caller to decide.
"""

if __name__ != "tenderscore.engine":  # `import engine` from a checkout would load a second copy of every module
    raise ImportError("this is tenderscore.engine: import it as tenderscore.engine, not as " + __name__)

from .canonical import canonical_json, plain, sha256_hex
from .conditions import OPERATORS
from .effects import EFFECTS
from .errors import ActionError, EngineError, FactError, RuleDefinitionError
from .limits import LimitError
from .ruleset import CompiledRuleset, Rule, RulesetSpec, compile_ruleset, compiled_ruleset
from .session import Session, register
from .trace import Firing, Trace

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
    "register",
    "sha256_hex",
]
