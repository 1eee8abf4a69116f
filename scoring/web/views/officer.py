"""The officer's pages: upload a pack, name the panel, open and close evaluation, reopen a sheet, score the
tender (the same evaluate pipeline and ledger as `tenderscore score`), and the downloads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ...errors import InputError, TenderscoreError
from ..access import signed_in, tender_view
from ..forms import PanelForm, UploadForm
from ..models import AUDITOR, EVALUATOR, MODERATOR, OFFICER, Membership, PackFile, Sheet, Tender
from ..packfiles import base_pack
from ..upload import SET_ASIDE, check_sizes, files_of_upload, pack_of_upload, tender_title
from ..workflow import log, score_tender
from .common import problem_errors


@login_required
def new_tender(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    if not user.groups.filter(name=OFFICER).exists():
        raise PermissionDenied("Only officers create tenders")
    form = UploadForm(request.POST or None, request.FILES or None)
    problems: list[dict[str, str]] = []
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["pack"]
        try:
            # Sizes are checked before anything is read into memory.
            check_sizes([(f.name or "", f.size or 0) for f in chosen])
            uploads = [(f.name or "", f.read()) for f in chosen]
            files = files_of_upload(uploads)
            pack, texts, set_aside = pack_of_upload(files, _display([(f.name or "", b"") for f in chosen]))
        except InputError as exc:
            problems = problem_errors(exc, "id_pack")
        else:
            with transaction.atomic():
                tender = Tender.objects.create(
                    reference=pack.tender.id, title=tender_title(pack.tender), created_by=user
                )
                PackFile.objects.bulk_create(PackFile(tender=tender, name=n, text=t) for n, t in texts.items())
                Membership.objects.create(tender=tender, user=user, role=OFFICER)
                log(tender, request.user, OFFICER, "upload", f"uploaded {len(texts)} files: {', '.join(sorted(texts))}")
            if set_aside:
                messages.info(request, f"{SET_ASIDE}: {', '.join(set_aside)}")
            messages.success(request, f"Tender {pack.tender.id} created: now name its panel")
            return redirect("panel", tender.pk)
    return render(request, "web/officer/new.html", {"form": form, "problems": problems})


def _display(uploads: list[tuple[str, bytes]]) -> str:
    if len(uploads) == 1 and uploads[0][0].lower().endswith(".zip"):
        return uploads[0][0][: -len(".zip")] or "upload"
    return "upload"


@tender_view(OFFICER)
def panel(request: HttpRequest, tender: Tender, membership: Membership) -> HttpResponse:
    pack = base_pack(tender)
    # Who scores which questions is the pack's (tender.yaml's panel); the officer names the person for each.
    members = [
        (e.id, f"{e.name or e.id} ({e.id}), scores {', '.join(e.questions) if e.questions else 'every question'}")
        for e in pack.tender.panel or []
    ]
    current = Membership.objects.filter(tender=tender)
    initial: dict[str, Any] = {f"evaluator_{m.panel_id}": m.user_id for m in current.filter(role=EVALUATOR)}
    initial["moderators"] = [m.user_id for m in current.filter(role=MODERATOR)]
    initial["auditors"] = [m.user_id for m in current.filter(role=AUDITOR)]
    form = PanelForm(members, request.POST or None, initial=initial)
    locked = tender.state != Tender.SETUP
    if request.method == "POST" and not locked and form.is_valid():
        with transaction.atomic():
            Membership.objects.filter(tender=tender, role__in=[EVALUATOR, MODERATOR, AUDITOR]).delete()
            named = []
            for panel_id, _ in members:
                user = form.cleaned_data[f"evaluator_{panel_id}"]
                Membership.objects.create(tender=tender, user=user, role=EVALUATOR, panel_id=panel_id)
                named.append(f"{panel_id}={user.get_username()}")
            for role in (MODERATOR, AUDITOR):
                for user in form.cleaned_data[f"{role}s"]:
                    Membership.objects.create(tender=tender, user=user, role=role)
                    named.append(f"{role}={user.get_username()}")
            log(tender, request.user, OFFICER, "panel", "; ".join(named))
        messages.success(request, "Panel saved")
        return redirect("status", tender.pk)
    return render(request, "web/officer/panel.html", {"tender": tender, "form": form, "locked": locked})


@tender_view(OFFICER)
def status(request: HttpRequest, tender: Tender, membership: Membership) -> HttpResponse:
    evaluators = Membership.objects.filter(tender=tender, role=EVALUATOR).select_related("user").order_by("panel_id")
    sheets = {s.panel_id: s for s in Sheet.objects.filter(tender=tender)}
    rows = [{"member": m, "sheet": sheets.get(m.panel_id)} for m in evaluators]
    submitted = [s for s in sheets.values() if s.submitted_at is not None]
    context = {
        "tender": tender,
        "rows": rows,
        "has_panel": evaluators.exists(),
        "all_in": bool(rows) and len(submitted) == len(rows),
        "decisions": tender.decisions.all(),
    }
    return render(request, "web/officer/status.html", context)


@require_POST
@tender_view(OFFICER)
def change_state(request: HttpRequest, tender: Tender, membership: Membership, to: str) -> HttpResponse:
    allowed = {Tender.OPEN: (Tender.SETUP, Tender.CLOSED), Tender.CLOSED: (Tender.OPEN,)}
    if to not in allowed or tender.state not in allowed[to]:
        messages.error(request, "That cannot be done now")
        return redirect("status", tender.pk)
    if to == Tender.OPEN and not Membership.objects.filter(tender=tender, role=EVALUATOR).exists():
        messages.error(request, "Name the panel before opening evaluation")
        return redirect("status", tender.pk)
    with transaction.atomic():
        action = {Tender.OPEN: "reopening" if tender.state == Tender.CLOSED else "open", Tender.CLOSED: "close"}[to]
        tender.state = to
        tender.moderation_complete = False
        tender.save(update_fields=["state", "moderation_complete"])
        log(tender, request.user, OFFICER, action, f"evaluation {to}")
    messages.success(request, f"Evaluation {'opened' if to == Tender.OPEN else 'closed'}")
    return redirect("status", tender.pk)


@require_POST
@tender_view(OFFICER)
def reopen_sheet(request: HttpRequest, tender: Tender, membership: Membership, panel_id: str) -> HttpResponse:
    with transaction.atomic():
        changed = Sheet.objects.filter(tender=tender, panel_id=panel_id, submitted_at__isnull=False).update(
            submitted_at=None
        )
        if changed:
            tender.moderation_complete = False
            tender.save(update_fields=["moderation_complete"])
            log(tender, request.user, OFFICER, "reopening", f"sheet of {panel_id} reopened for changes")
    messages.success(request, f"Sheet of {panel_id} reopened" if changed else "That sheet was not submitted")
    return redirect("status", tender.pk)


@tender_view(OFFICER)
def score(request: HttpRequest, tender: Tender, membership: Membership) -> HttpResponse:
    problems: list[dict[str, str]] = []
    if request.method == "POST":
        if not tender.moderation_complete:
            messages.error(request, "Moderation is not complete yet")
            return redirect("status", tender.pk)
        try:
            done = score_tender(tender, signed_in(request), OFFICER)
        except TenderscoreError as exc:
            problems = problem_errors(exc, "")
        else:
            messages.success(request, f"Scored: decision record {done.decision.record_id} appended to the ledger")
            return redirect("result", tender.pk)
    return render(request, "web/officer/score.html", {"tender": tender, "problems": problems})
