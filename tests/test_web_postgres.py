"""The web application's end-to-end, permission, browser, upload and concurrency tests again, on PostgreSQL:
the same test files, run in a child pytest whose Django is configured with TENDERSCORE_DATABASE_URL (Django is
set up once per process, so a second database means a second process). Then the ledger the app wrote in that
database must verify through `ledger verify --ledger postgresql://...`."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import ROOT, invoke
from pg_support import fresh_database

SUITES = [
    "tests/test_web_flow.py",
    "tests/test_web_permissions.py",
    "tests/test_web_browser.py",
    "tests/test_web_uploads.py",
]


def test_the_web_suites_pass_on_postgres_and_its_ledger_verifies() -> None:
    pytest.importorskip("django")
    with fresh_database() as url:
        env = dict(os.environ, TENDERSCORE_DATABASE_URL=url)
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SUITES],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
        assert " passed" in run.stdout and " failed" not in run.stdout
        verified = invoke("ledger", "verify", "--ledger", url)
        assert verified.exit_code == 0, verified.stderr
        # The end-to-end and permission tests each score at least one tender through the app.
        count = int(verified.stdout.split(": ", 1)[1].split(" record")[0])
        assert count >= 2 and "chain intact" in verified.stdout
