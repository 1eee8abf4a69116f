"""PostgreSQL for the tests: a fresh database per use on the server $TENDERSCORE_TEST_POSTGRES names (a role
that may create databases; .ci/run starts one). Without it these tests skip on a developer's machine and
fail under CI=true, where a missing server must never pass as green."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest

ENV = "TENDERSCORE_TEST_POSTGRES"


def admin_url() -> str:
    url = os.environ.get(ENV, "").strip()
    if url:
        return url
    why = f"PostgreSQL tests need ${ENV}=postgresql://user:password@host/db (a role with CREATEDB)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{why}; CI must provide it (.ci/run starts the server)")
    pytest.skip(why)


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@contextmanager
def fresh_database() -> Iterator[str]:
    """The URL of a new, empty database, dropped afterwards (with anything still connected to it)."""
    psycopg = pytest.importorskip("psycopg")
    admin = admin_url()
    name = f"ts_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(admin, name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
