"""tenderscore's rules engine: readable rules compiled to durable-rules, fired per subject, every firing traced.

It knows nothing of tenders: facts are dicts with an `id` and a `kind`, effects come from a closed vocabulary,
and what an effect means is for the caller to decide.

Names are loaded from their modules when first used, so that importing `engine.errors` (as every command does,
for the error tree) does not load durable-rules' C core and the compiler.
"""

if __name__ != "tenderscore.engine":  # `import engine` from a checkout would load a second copy of every module
    raise ImportError("this is tenderscore.engine: import it as tenderscore.engine, not as " + __name__)

from typing import TYPE_CHECKING

from .lazy import lazy_names

if TYPE_CHECKING:
    from .canonical import canonical_json as canonical_json
    from .canonical import plain as plain
    from .canonical import sha256_hex as sha256_hex
    from .conditions import OPERATORS as OPERATORS
    from .effects import EFFECTS as EFFECTS
    from .errors import (
        ActionError as ActionError,
    )
    from .errors import (
        EngineError as EngineError,
    )
    from .errors import (
        ExitCode as ExitCode,
    )
    from .errors import (
        FactError as FactError,
    )
    from .errors import (
        RuleDefinitionError as RuleDefinitionError,
    )
    from .errors import (
        TenderscoreError as TenderscoreError,
    )
    from .limits import LimitError as LimitError
    from .ruleset import (
        CompiledRuleset as CompiledRuleset,
    )
    from .ruleset import (
        Rule as Rule,
    )
    from .ruleset import (
        RulesetSpec as RulesetSpec,
    )
    from .ruleset import (
        compile_ruleset as compile_ruleset,
    )
    from .ruleset import (
        compiled_ruleset as compiled_ruleset,
    )
    from .session import Session as Session
    from .session import register as register
    from .trace import Firing as Firing
    from .trace import Trace as Trace

_HOME = {
    "canonical_json": "canonical",
    "plain": "canonical",
    "sha256_hex": "canonical",
    "OPERATORS": "conditions",
    "EFFECTS": "effects",
    "ActionError": "errors",
    "EngineError": "errors",
    "ExitCode": "errors",
    "FactError": "errors",
    "RuleDefinitionError": "errors",
    "TenderscoreError": "errors",
    "LimitError": "limits",
    "CompiledRuleset": "ruleset",
    "Rule": "ruleset",
    "RulesetSpec": "ruleset",
    "compile_ruleset": "ruleset",
    "compiled_ruleset": "ruleset",
    "Session": "session",
    "register": "session",
    "Firing": "trace",
    "Trace": "trace",
}

__all__ = sorted(_HOME)

__getattr__ = lazy_names(__name__, _HOME, globals())
