"""Pages and downloads built from decision records: the result (officer, auditor), the ledger with its head
hash, each record, and `explain` for any bid (auditor). Everything shown is read back from the ledger and
verified, so the page says what the record says."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ...audit.record import input_files, record_text
from ...audit.replay import replay, verified
from ...audit.source import record_origin, scored_record
from ...audit.store import open_ledger
from ...errors import TenderscoreError
from ...explanation import explain
from ...output import RecordRef, render_scored
from ...output.explain_text import render_text
from ..access import tender_view
from ..models import AUDITOR, OFFICER, Decision, Membership, Tender
from ..packfiles import full_files, pack_zip
from ..serial import ENGINE
from ..workflow import moderation_state

CONTENT_TYPES = {"html": "text/html; charset=utf-8", "json": "application/json", "csv": "text/csv; charset=utf-8"}


def _record(decision: Decision) -> dict[str, Any]:
    with open_ledger(settings.LEDGER_PATH, create=False) as book:
        stored = book.get(decision.record_id)
    where = f"ledger {book.path}: record {stored.id}"
    if stored.hash != decision.record_hash:
        raise Http404("The ledger's record does not match the decision")
    return dict(verified(stored.record, where))


def _latest(tender: Tender) -> Decision | None:
    return tender.decisions.first()


def _decision(tender: Tender, record_id: int) -> Decision:
    found = tender.decisions.filter(record_id=record_id).first()
    if found is None:
        raise Http404("No such decision record for this tender")
    return found


@tender_view(OFFICER, AUDITOR)
def result(request: HttpRequest, tender: Tender, membership: Membership) -> HttpResponse:
    decision = _latest(tender)
    if decision is None:
        return render(request, "web/records/no_result.html", {"tender": tender})
    record = _record(decision)
    context = {"tender": tender, "decision": decision, "published": record["result"], "record": record}
    return render(request, "web/records/result.html", context)


@tender_view(OFFICER, AUDITOR)
def download(request: HttpRequest, tender: Tender, membership: Membership, fmt: str) -> HttpResponse:
    decision = _latest(tender)
    if decision is None or fmt not in CONTENT_TYPES:
        raise Http404("Nothing to download yet")
    record = _record(decision)
    where = f"ledger record {decision.record_id}"
    with ENGINE:
        scored = scored_record(record, record_origin(record, where))
    ref = RecordRef(record["hash"], record["created_at"], str(decision.record_id))
    text = render_scored(scored, fmt, ref)
    response = HttpResponse(text, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{tender.reference}.{fmt}"'
    return response


@tender_view(OFFICER, AUDITOR)
def download_pack(request: HttpRequest, tender: Tender, membership: Membership) -> HttpResponse:
    """The pack as scored (from its latest decision record), or as it stands before any scoring."""
    decision = _latest(tender)
    if decision is not None:
        files = input_files(_record(decision))
    else:
        state = moderation_state(tender)
        files = full_files(tender, state.pack, state.moderation)
    response = HttpResponse(pack_zip(files, tender.reference), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{tender.reference}.zip"'
    return response


@tender_view(AUDITOR)
def ledger(request: HttpRequest, tender: Tender, membership: Membership) -> HttpResponse:
    problem = ""
    report = None
    try:
        with open_ledger(settings.LEDGER_PATH, create=False) as book:
            report = book.verify()
    except TenderscoreError as exc:
        problem = "; ".join(exc.lines())
    context = {"tender": tender, "decisions": tender.decisions.all(), "report": report, "problem": problem}
    return render(request, "web/records/ledger.html", context)


@tender_view(AUDITOR)
def record(request: HttpRequest, tender: Tender, membership: Membership, record_id: int) -> HttpResponse:
    decision = _decision(tender, record_id)
    found = _record(decision)
    with ENGINE:
        outcome = replay(found, f"ledger record {record_id}")
    context = {
        "tender": tender,
        "decision": decision,
        "record": found,
        "published": found["result"],
        "files": sorted(input_files(found)),
        "replay": outcome,
    }
    return render(request, "web/records/record.html", context)


@tender_view(AUDITOR)
def record_json(request: HttpRequest, tender: Tender, membership: Membership, record_id: int) -> HttpResponse:
    found = _record(_decision(tender, record_id))
    response = HttpResponse(record_text(found), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="record-{record_id}.json"'
    return response


@tender_view(AUDITOR)
def explain_bid(request: HttpRequest, tender: Tender, membership: Membership, record_id: int, bid: str) -> HttpResponse:
    found = _record(_decision(tender, record_id))
    with ENGINE:
        scored = scored_record(found, record_origin(found, f"ledger record {record_id}"))
    if bid not in {b.bid_id for b in scored.result.bids}:
        raise Http404("No such bid in this record")
    explanation = explain(scored, bid)
    context = {"tender": tender, "record_id": record_id, "explanation": explanation, "text": render_text(explanation)}
    return render(request, "web/records/explain.html", context)
