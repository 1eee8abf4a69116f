"""tenderscore's scoring layer: tender packs, rulesets, the arithmetic of scoring.md, results and records."""

if __name__ != "tenderscore.scoring":  # `import scoring` from a checkout would load a second copy of every module
    raise ImportError("this is tenderscore.scoring: import it as tenderscore.scoring, not as " + __name__)

from importlib.metadata import PackageNotFoundError, version

try:
    # Decision records name the version that made them, so it comes from the installed distribution.
    __version__ = version("tenderscore")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
