"""`tenderscore serve --demo`: the shipped panel fixture as a tender, evaluation open, and a demo account for
each role, with passwords made afresh on every start and printed (demo data only; loopback only)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from ..pack import read_pack_files
from .accounts import add_user, ensure_groups
from .models import AUDITOR, EVALUATOR, MODERATOR, OFFICER, Membership, PackFile, Tender
from .upload import pack_of_upload, tender_title
from .workflow import log

DEMO_PACK = Path("fixtures/stockport-panel")
PREFIX = "demo-"


@dataclass(frozen=True)
class DemoAccount:
    name: str
    role: str
    password: str
    note: str


def load_demo(folder: Path = DEMO_PACK) -> list[DemoAccount]:
    """Create (or refresh the passwords of) the demo accounts and the demo tender; returns the accounts."""
    files = {name: text.encode("utf-8") for name, text in read_pack_files(folder).items()}
    pack, texts, _ = pack_of_upload(files, folder.name)
    ensure_groups()
    wanted = [(f"{PREFIX}officer", OFFICER, "", "uploads packs, names panels, scores")]
    wanted += [(f"{PREFIX}{e.id}", EVALUATOR, e.id, f"evaluator {e.name or e.id}") for e in pack.tender.panel or []]
    wanted += [(f"{PREFIX}moderator", MODERATOR, "", "moderates"), (f"{PREFIX}auditor", AUDITOR, "", "audits")]
    model = get_user_model()
    accounts: list[DemoAccount] = []
    with transaction.atomic():
        users = {}
        for name, role, panel_id, note in wanted:
            password = secrets.token_urlsafe(9)
            found = model.objects.filter(username=name).first()
            if found is None:
                user = add_user(name, role, password, check=False)
            else:
                user = found
                user.set_password(password)
                user.save()
            users[name] = (user, role, panel_id)
            accounts.append(DemoAccount(name, role, password, note))
        officer = users[f"{PREFIX}officer"][0]
        if not Tender.objects.filter(reference=pack.tender.id, created_by=officer).exists():
            tender = Tender.objects.create(
                reference=pack.tender.id, title=tender_title(pack.tender), created_by=officer, state=Tender.OPEN
            )
            PackFile.objects.bulk_create(PackFile(tender=tender, name=n, text=t) for n, t in texts.items())
            for user, role, panel_id in users.values():
                Membership.objects.create(tender=tender, user=user, role=role, panel_id=panel_id)
            log(tender, officer, OFFICER, "upload", f"demo: loaded {folder}")
            log(tender, officer, OFFICER, "open", "demo: evaluation open")
    return accounts
