"""The settings mypy's Django plugin loads to learn the models: the real ones, with a throwaway key, so that
type-checking never writes a secret key into anyone's data directory."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("TENDERSCORE_SECRET_KEY", "type-checking only")
os.environ.setdefault("TENDERSCORE_DATA_DIR", tempfile.gettempdir())

from .settings import *  # noqa: F403
