"""What a deployment chooses through its environment: the database, where the ledger lives, and the logs.

TENDERSCORE_DATABASE_URL  postgresql://user:password@host:port/name (psycopg 3); unset: SQLite in the data
                          directory, the embedded default
TENDERSCORE_LEDGER        the decision ledger: a file, or a postgresql:// URL; unset: the ledger tables of the
                          PostgreSQL database when TENDERSCORE_DATABASE_URL names one, else DATA_DIR/ledger.sqlite3
TENDERSCORE_LOG_FORMAT    "json" (the default: one JSON object a line, for a log collector) or "text"
TENDERSCORE_LOG_LEVEL     the level of the app's own request log (default INFO: one line per request)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

from ..audit.location import LedgerLocation, is_database_url, location_of

# Kept open between requests (one per server thread); checked before reuse, so a restarted database server
# costs a reconnect, not an error page. SQLite's too, or every request opens the file and sets its journal
# mode again.
CONN_MAX_AGE_S = 300


def database(data_dir: Path) -> dict[str, Any]:
    url = os.environ.get("TENDERSCORE_DATABASE_URL", "").strip()
    if url:
        return dict(dj_database_url.parse(url, conn_max_age=CONN_MAX_AGE_S, conn_health_checks=True))
    data_dir.mkdir(parents=True, exist_ok=True)  # SQLite creates the file, not its folder
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": data_dir / "web.sqlite3",
        "CONN_MAX_AGE": CONN_MAX_AGE_S,
        "CONN_HEALTH_CHECKS": True,
        # Writers queue on SQLite's lock rather than fail at once when two people save together; WAL lets pages
        # be read while someone saves, and FULL sync makes an acknowledged save survive a power cut or kill -9.
        "OPTIONS": {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
        },
    }


def ledger_location(data_dir: Path, ledger_file: str) -> LedgerLocation:
    explicit = os.environ.get("TENDERSCORE_LEDGER", "").strip()
    if explicit:
        return location_of(explicit)
    url = os.environ.get("TENDERSCORE_DATABASE_URL", "").strip()
    if is_database_url(url):
        return url
    return data_dir / ledger_file


def logging_config() -> dict[str, Any]:
    json_logs = os.environ.get("TENDERSCORE_LOG_FORMAT", "json").strip().lower() != "text"
    formatter: dict[str, Any] = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
        if json_logs
        else {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "main"}},
        "loggers": {
            "django": {"handlers": ["console"], "level": "WARNING"},
            # A 403 or 404 is the access checks working, not a fault: only errors are logged.
            "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
            "axes": {"level": "WARNING"},
            "tenderscore.web": {
                "handlers": ["console"],
                "level": os.environ.get("TENDERSCORE_LOG_LEVEL", "INFO").upper(),
                "propagate": False,
            },
        },
    }
