"""The web application under test: one Django set-up per test session, in a temporary data directory, with
users, tenders uploaded through the app itself, and the app's production WSGI server (waitress) in a thread
for the browser tests.

Django is configured once per process, so every web test shares one database; each test makes its own users
and tenders (unique names) rather than relying on an empty one.
"""

from __future__ import annotations

import io
import itertools
import os
import re
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

PANEL_PACK = FIXTURES / "stockport-panel"
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # tests only: the real one is slow on purpose
PASSWORD = "correct horse battery staple"
_names = itertools.count(1)


@pytest.fixture(scope="session")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Django set up on a fresh data directory (migrated, as `tenderscore serve` does on start)."""
    pytest.importorskip("django", reason="the web extra is not installed: pip install '.[test]'")
    data = tmp_path_factory.mktemp("web-data")
    os.environ["TENDERSCORE_DATA_DIR"] = str(data)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tenderscore.scoring.web.settings"
    os.environ["TENDERSCORE_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    os.environ["TENDERSCORE_SECURE_COOKIES"] = "0"
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    settings.PASSWORD_HASHERS = FAST_HASHER
    # On PostgreSQL (tests/test_web_postgres.py runs this suite there) the ledger is in the app's database.
    settings.LEDGER_PATH = os.environ.get("TENDERSCORE_DATABASE_URL") or data / "ledger.sqlite3"
    call_command("migrate", interactive=False, verbosity=0)
    from tenderscore.scoring.web.accounts import ensure_groups

    ensure_groups()
    yield data


def web_ledger() -> Any:
    """Where the app under test keeps its decision ledger: a file, or its PostgreSQL database's URL."""
    from django.conf import settings

    return settings.LEDGER_PATH


def unique(prefix: str) -> str:
    return f"{prefix}{next(_names)}"


def make_user(role: str, name: str | None = None) -> Any:
    from tenderscore.scoring.web.accounts import add_user

    return add_user(name or unique(role), role, PASSWORD, check=False)


def client_for(user: Any | None) -> Any:
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def pack_zip(folder: Path = PANEL_PACK, extra: dict[str, bytes] | None = None, top: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        replaced = extra or {}
        for path in sorted(folder.rglob("*")):
            name = f"{top or folder.name}/{path.relative_to(folder)}"
            if path.is_file() and name not in replaced:
                archive.writestr(name, path.read_bytes())
        for name, data in replaced.items():
            archive.writestr(name, data)
    return out.getvalue()


def upload(client: Any, data: bytes, name: str = "stockport-panel.zip") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/tenders/new/", {"pack": SimpleUploadedFile(name, data, "application/zip")})


def fixture_scores(panel_id: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(bid, question) -> (score, comment) as the fixture's evaluator wrote them on their sheet."""
    import csv

    rows = csv.DictReader(io.StringIO((PANEL_PACK / "panel" / f"{panel_id}.csv").read_text(encoding="utf-8")))
    return {
        (r["bid"], r["question"]): (r["score"], r["comment"]) for r in rows if r["bid"] not in ("declaration", "scale")
    }


PANEL = ("ahmed", "beth", "chen", "dana")
CONFLICTS = {"chen": ["peak"]}


class Panel:
    """A tender of the panel fixture with a user per role, set up through the app's own pages."""

    def __init__(self, pack: bytes | None = None) -> None:
        from tenderscore.scoring.web.models import Tender

        self._clients: dict[str, Any] = {}
        self.officer = make_user("officer")
        self.evaluators = {pid: make_user("evaluator", unique(f"{pid}-")) for pid in PANEL}
        self.moderator = make_user("moderator")
        self.auditor = make_user("auditor")
        self.outsider = make_user("evaluator")
        officer = client_for(self.officer)
        response = upload(officer, pack or pack_zip())
        assert response.status_code == 302, response.content.decode()[:3000]
        self.tender = Tender.objects.filter(created_by=self.officer).latest("pk")
        self.pk = self.tender.pk
        form = {f"evaluator_{pid}": user.pk for pid, user in self.evaluators.items()}
        form |= {"moderators": [self.moderator.pk], "auditors": [self.auditor.pk]}
        response = officer.post(f"/tenders/{self.pk}/panel/", form)
        assert response.status_code == 302, response.content.decode()[:3000]

    def client(self, role: str) -> Any:
        """A signed-in client for `role` (evaluator:<panel id> for an evaluator), made once per role."""
        if role not in self._clients:
            users = {"officer": self.officer, "moderator": self.moderator, "auditor": self.auditor}
            users |= {f"evaluator:{pid}": u for pid, u in self.evaluators.items()}
            self._clients[role] = client_for(users[role])
        return self._clients[role]

    def open(self) -> None:
        assert self.client("officer").post(f"/tenders/{self.pk}/state/open/").status_code == 302

    def evaluate(self, panel_id: str) -> None:
        """Declare, score every item as the fixture's sheet does, submit."""
        c = self.client(f"evaluator:{panel_id}")
        conflicts = CONFLICTS.get(panel_id, [])
        form: dict[str, Any] = {"full_name": panel_id.title(), "has_conflict": "yes" if conflicts else "no"}
        form |= {"confirm": "on", "conflicts": conflicts}
        assert c.post(f"/tenders/{self.pk}/declaration/", form).status_code == 302
        by_bid: dict[str, dict[str, str]] = {}
        for (bid, question), (score, comment) in fixture_scores(panel_id).items():
            if bid in conflicts:
                continue
            page = by_bid.setdefault(bid, {})
            page[f"score_{question}"], page[f"comment_{question}"], page[f"version_{question}"] = score, comment, "0"
        for bid, page in by_bid.items():
            response = c.post(f"/tenders/{self.pk}/sheet/bids/{bid}/", page)
            assert response.status_code == 302, response.content.decode()[:3000]
        assert c.post(f"/tenders/{self.pk}/sheet/submit/", {"confirm": "on"}).status_code == 302

    def moderate(self) -> None:
        c = self.client("moderator")
        rationale = "Red spread: the written safeguarding policy decides, so the panel agreed 3"
        response = c.post(
            f"/tenders/{self.pk}/moderation/tame/Q1/", {"score": "3", "rationale": rationale, "version": "0"}
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        response = c.post(f"/tenders/{self.pk}/moderation/", {"confirm": "on"})
        assert response.status_code == 302, response.content.decode()[:3000]

    def score(self) -> Any:
        response = self.client("officer").post(f"/tenders/{self.pk}/score/")
        assert response.status_code == 302, response.content.decode()[:3000]
        return response

    def run_all(self) -> None:
        self.open()
        for pid in PANEL:
            self.evaluate(pid)
        self.moderate()
        self.score()


def text_of(response: Any) -> str:
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    return body.decode("utf-8", "replace")


def visible(html: str) -> str:
    """The page's text and attribute values: what a price could hide in."""
    return re.sub(r"\s+", " ", html)


class LiveServer:
    """The app's own production server (waitress, as `tenderscore serve` runs it) on a free loopback port."""

    def __init__(self) -> None:
        import waitress
        from tenderscore.scoring.web.wsgi import application

        self.server = waitress.create_server(application, host="127.0.0.1", port=0, threads=8)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"  # type: ignore[union-attr]
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.close()
