"""What every signed-in user sees: their tenders, a tender's overview for their role, and the audit trail."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ...errors import InputError, TenderscoreError
from ..access import roles_of, signed_in, tender_view
from ..models import AUDITOR, OFFICER, ROLES, Membership, Sheet, Tender
from ..packfiles import trail_rows


def problem_errors(exc: TenderscoreError, field_id: str) -> list[dict[str, str]]:
    """The error summary's entries: one per problem, in the pack's own words, each linking to the field."""
    lines = [str(p) for p in exc.problems] if isinstance(exc, InputError) else exc.lines()
    return [{"text": line, "href": f"#{field_id}" if field_id else ""} for line in lines]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    memberships = Membership.objects.filter(user=user).select_related("tender").order_by("-tender__created_at")
    tenders: dict[int, dict[str, object]] = {}
    for m in memberships:
        entry = tenders.setdefault(m.tender.pk, {"tender": m.tender, "roles": []})
        entry["roles"].append(m.role)  # type: ignore[attr-defined]
    can_create = user.groups.filter(name=OFFICER).exists()
    return render(request, "web/home.html", {"tenders": list(tenders.values()), "can_create": can_create})


@tender_view(*ROLES)
def overview(request: HttpRequest, tender: Tender, membership: Membership) -> HttpResponse:
    held = roles_of(request.user, tender)
    sheet = None
    if "evaluator" in held:
        sheet = Sheet.objects.filter(tender=tender, panel_id=held["evaluator"].panel_id).first()
    context = {"tender": tender, "roles": sorted(held), "sheet": sheet}
    return render(request, "web/tender.html", context)


@tender_view(OFFICER, AUDITOR)
def trail(request: HttpRequest, tender: Tender, membership: Membership) -> HttpResponse:
    rows = trail_rows(tender.actions.all())
    return render(request, "web/trail.html", {"tender": tender, "rows": rows})
