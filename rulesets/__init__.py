"""The rulesets shipped with tenderscore (YAML data, read with a safe loader; no code)."""

from pathlib import Path

SHIPPED_DIR = Path(__file__).resolve().parent
