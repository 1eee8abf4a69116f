"""durable-rules' C core, imported so that it loads on every Python tenderscore supports.

durable-rules 2.0.28 is the last release. Its C extension calls `PyEval_CallObject`, which Python 3.13 removed,
so on 3.13 the extension builds but the dynamic linker refuses to load it ("undefined symbol"). The only calls
to that function sit in durable-rules' store, delete, queue and idle-state callbacks, which are invoked only
once a program registers them; tenderscore drives the C core directly and never does (`session.py` calls
create_ruleset, assert_fact, start_action_for_state, complete_and_start_action, abandon_action and delete_state,
none of which reaches them). So where the plain import fails on exactly that symbol, the extension is loaded
with lazy binding: the linker resolves a function when it is first called, and that function is never called.
If a system forces immediate binding (LD_BIND_NOW, or a toolchain linking with `-z now`) the second load fails
too, and the error says how to rebuild durable-rules with the upstream fix instead.
"""

from __future__ import annotations

import os
import sys
from typing import Any

_REMOVED_SYMBOL = "PyEval_CallObject"
_REBUILD = (
    'CPPFLAGS="-DPyEval_CallObject=PyObject_CallObject" pip install --force-reinstall --no-binary durable-rules '
    "--no-cache-dir durable-rules==2.0.28"
)


def _load() -> Any:  # durable-rules ships no type information
    try:
        import durable_rules_engine
    except ImportError as exc:
        if _REMOVED_SYMBOL not in str(exc):
            raise
        flags = sys.getdlopenflags()
        sys.setdlopenflags(os.RTLD_LAZY | (flags & ~os.RTLD_NOW))
        try:
            import durable_rules_engine
        except ImportError as again:
            raise ImportError(
                f"durable-rules' C extension needs {_REMOVED_SYMBOL}, which Python "
                f"{sys.version_info.major}.{sys.version_info.minor} no longer has, and this system will not load "
                f"it lazily ({again}). Rebuild durable-rules with the upstream fix: {_REBUILD}"
            ) from exc
        finally:
            sys.setdlopenflags(flags)
    return durable_rules_engine


core = _load()
