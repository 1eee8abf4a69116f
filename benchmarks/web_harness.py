"""The web app as evaluators meet it, for benchmarks/web_load.py and tests/test_web_crash.py: data prepared in
a child process (tenders of the panel fixture, declared evaluators), `tenderscore serve` as a real server
process on loopback, and an evaluator's browser as plain HTTP (sign in, open the sheet, open a bid, save).

Traffic goes only to 127.0.0.1. Passwords are hashed once with the production hasher and the hash given to every
account, so preparing 50 evaluators takes a second while each sign-in still costs what it costs in service.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a long load-test pass phrase 42"
SECRET = "web-harness secret key, loopback only"

# Run in a child process with the server's environment: migrate, then `tenders` tenders of the panel fixture,
# open, each evaluator signed up, declared (no conflict) and given their items. Prints the evaluators as JSON.
_SETUP = """
import json, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from tenderscore.scoring.pack import read_pack_files
from tenderscore.scoring.panel.sheet import assigned_items
from tenderscore.scoring.web.accounts import ensure_groups
from tenderscore.scoring.web.models import EVALUATOR, OFFICER, Membership, PackFile, Sheet, Tender
from tenderscore.scoring.web.upload import pack_of_upload

tenders, prefix, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
files = {n: t.encode() for n, t in read_pack_files(__import__("pathlib").Path("fixtures/stockport-panel")).items()}
pack, texts, _ = pack_of_upload(files, "stockport-panel")
ensure_groups()
hashed = make_password(password)
out = []
with transaction.atomic():
    for t in range(tenders):
        officer = User.objects.create(username=f"{prefix}{t}-officer", password=hashed)
        tender = Tender.objects.create(
            reference=pack.tender.id, title=f"load {t}", created_by=officer, state=Tender.OPEN
        )
        PackFile.objects.bulk_create(PackFile(tender=tender, name=n, text=x) for n, x in texts.items())
        Membership.objects.create(tender=tender, user=officer, role=OFFICER)
        for e in pack.tender.panel or []:
            user = User.objects.create(username=f"{prefix}{t}-{e.id}", password=hashed)
            Membership.objects.create(tender=tender, user=user, role=EVALUATOR, panel_id=e.id)
            Sheet.objects.create(tender=tender, panel_id=e.id, user=user, declared_name=e.id, signature=e.id,
                                 declared_on=timezone.localdate())
            items = [[i.bid, i.question] for i in assigned_items(pack.tender, pack.bidders(), e)]
            out.append({"username": user.username, "tender": tender.pk, "panel_id": e.id, "items": items})
print(json.dumps(out))
"""


def server_env(data: Path, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TENDERSCORE_", "DJANGO_"))}
    env |= {
        "TENDERSCORE_DATA_DIR": str(data),
        "TENDERSCORE_SECRET_KEY": SECRET,
        "TENDERSCORE_SECURE_COOKIES": "0",
        "DJANGO_SETTINGS_MODULE": "tenderscore.scoring.web.settings",
        "TENDERSCORE_LOG_LEVEL": "WARNING",  # a line per request would cost the benchmark's figures
    }
    if database_url:
        env["TENDERSCORE_DATABASE_URL"] = database_url
    else:
        env["TENDERSCORE_LEDGER"] = str(data / "ledger.sqlite3")
    return env


@dataclass
class Evaluator:
    username: str
    tender: int
    panel_id: str
    items: list[list[str]]


def prepare(env: dict[str, str], tenders: int, prefix: str = "ev") -> list[Evaluator]:
    run = subprocess.run(
        [sys.executable, "-c", _SETUP, str(tenders), prefix, PASSWORD],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if run.returncode != 0:
        raise RuntimeError(f"preparing the data failed: {run.stderr[-3000:]}")
    return [Evaluator(**e) for e in json.loads(run.stdout.strip().splitlines()[-1])]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`tenderscore serve` in its own process on 127.0.0.1, up when /health/ answers 200."""

    def __init__(self, env: dict[str, str], port: int | None = None, threads: int = 4) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-c", "from tenderscore.scoring.cli import main; main()"]
        command += ["serve", "--host", "127.0.0.1", "--port", str(self.port), "--threads", str(threads)]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped: {self.stop()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/health/", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.kill()
        raise RuntimeError("the server did not answer /health/ within 60 s")

    def kill(self) -> None:
        """SIGKILL: no chance to finish anything (what a crash or the OOM killer does)."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(30)
        if self.process.stderr:
            self.process.stderr.close()

    def stop(self) -> str:
        """SIGTERM, and what the server wrote on stderr (its logs)."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            _, err = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate(timeout=30)
        return err or ""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 302 is the answer itself: "saved", "signed in"


_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_VERSION = re.compile(r'name="version_([^"]+)" value="(\d+)"')


@dataclass
class Browser:
    """One evaluator's browser: cookies, and the CSRF token of the last form it was shown."""

    base: str
    timeout: float = 30.0
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)
        self.token = ""

    def request(self, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form | {"csrfmiddlewaretoken": self.token}).encode()
        req = urllib.request.Request(self.base + path, data=data)
        if form is not None:
            req.add_header("Referer", self.base + path)
        try:
            with self.opener.open(req, timeout=self.timeout) as answer:
                status, body = answer.status, answer.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as answer:
            status, body = answer.code, answer.read().decode("utf-8", "replace")
        found = _TOKEN.search(body)
        if found:
            self.token = found.group(1)
        return status, body

    def sign_in(self, username: str, password: str = PASSWORD) -> int:
        self.request("/sign-in/")
        status, _ = self.request("/sign-in/", {"username": username, "password": password})
        return status

    def versions(self, body: str) -> dict[str, int]:
        return {q: int(v) for q, v in _VERSION.findall(body)}


def bid_path(evaluator: Evaluator, bid: str) -> str:
    return f"/tenders/{evaluator.tender}/sheet/bids/{bid}/"


def save_form(question: str, score: str, comment: str, version: int) -> dict[str, str]:
    return {f"score_{question}": score, f"comment_{question}": comment, f"version_{question}": str(version)}


def score_rows(env: dict[str, str]) -> dict[tuple[int, str, str, str], tuple[str, str, int]]:
    """(tender, panel id, bid, question) -> (score, comment, version), read from the database itself."""
    sql = (
        "SELECT sh.tender_id, sh.panel_id, s.bid, s.question, s.score, s.comment, s.version "
        "FROM web_score s JOIN web_sheet sh ON sh.id = s.sheet_id"
    )
    return {(r[0], r[1], r[2], r[3]): (r[4], r[5], r[6]) for r in query(env, sql)}


def draft_counts(env: dict[str, str]) -> dict[tuple[int, str], int]:
    """(tender, the action's detail up to the score) -> how many draft actions the trail holds for it."""
    rows = query(env, "SELECT tender_id, detail FROM web_action WHERE action = 'draft'")
    counts: dict[tuple[int, str], int] = {}
    for tender, detail in rows:
        key = (tender, detail.rsplit(": score ", 1)[0])
        counts[key] = counts.get(key, 0) + 1
    return counts


def query(env: dict[str, str], sql: str) -> list[tuple[Any, ...]]:
    url = env.get("TENDERSCORE_DATABASE_URL")
    if url:
        import psycopg

        with psycopg.connect(url) as conn:
            return [tuple(r) for r in conn.execute(sql)]
    with closing(sqlite3.connect(Path(env["TENDERSCORE_DATA_DIR"]) / "web.sqlite3")) as conn:
        return list(conn.execute(sql))
