"""The rulesets shipped with tenderscore (YAML data, read with a safe loader; no code)."""

if __name__ != "tenderscore.rulesets":  # `import rulesets` from a checkout would load a second copy of every module
    raise ImportError("this is tenderscore.rulesets: import it as tenderscore.rulesets, not as " + __name__)

from pathlib import Path

SHIPPED_DIR = Path(__file__).resolve().parent
