"""tenderscore's scoring layer: tender packs, rulesets, the arithmetic of scoring.md, results and records."""

if __name__ != "tenderscore.scoring":  # `import scoring` from a checkout would load a second copy of every module
    raise ImportError("this is tenderscore.scoring: import it as tenderscore.scoring, not as " + __name__)

import functools


@functools.cache
def tool_version() -> str:
    """The installed distribution's version, which decision records name as the tool that made them.

    Looked up when first needed, not on import: importlib.metadata is a large share of a command's start-up.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tenderscore")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+unknown"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return tool_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
