"""The moderator's pages: each item's scores, mean, median, range, RAG spread and proposal, exactly as the panel
code computes them (scoring.panel.spread), and the agreed score with its rationale."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from ...errors import InputError
from ...numbers import fmt2, fmt_plain
from ...panel.consensus import set_aside_words, spread_words
from ...panel.scale import Scale
from ...panel.spread import RED, ItemStatistics
from ..access import signed_in, tender_view
from ..forms import ConfirmForm, ModerationForm
from ..models import MODERATOR, Consensus, Membership, Sheet, Tender
from ..workflow import ModerationState, log, moderation_state, scoring_pack
from .common import problem_errors


def _ready(tender: Tender) -> bool:
    """Moderation starts once every sheet is in, or the officer has closed evaluation."""
    if tender.state == Tender.CLOSED:
        return True
    panel = tender.members.filter(role="evaluator").count()
    return panel > 0 and Sheet.objects.filter(tender=tender, submitted_at__isnull=False).count() == panel


def _row(item: ItemStatistics, agreed: Consensus | None, bidders: dict[str, str]) -> dict[str, Any]:
    return {
        "item": item,
        "bidder": bidders[item.bid],
        "scores": ", ".join(f"{s.evaluator} {fmt_plain(s.score)}" for s in item.scores),
        "mean": fmt2(item.mean),
        "median": fmt_plain(item.median),
        "range": f"{fmt_plain(item.low)} to {fmt_plain(item.high)}",
        "spread_percent": fmt2(item.spread_percent),
        "proposed": fmt_plain(item.proposed),
        "set_aside": set_aside_words(item),
        "spread": spread_words(item),
        "red": item.rag == RED,
        "agreed": agreed,
    }


def _state_or_wait(request: HttpRequest, tender: Tender) -> ModerationState | HttpResponse:
    if not _ready(tender):
        return render(request, "web/moderator/waiting.html", {"tender": tender})
    state = moderation_state(tender)
    if state.moderation is None:
        problems = problem_errors(InputError(state.problems), "")
        return render(request, "web/moderator/gaps.html", {"tender": tender, "problems": problems})
    return state


@tender_view(MODERATOR)
def moderation(request: HttpRequest, tender: Tender, membership: Membership) -> HttpResponse:
    state = _state_or_wait(request, tender)
    if isinstance(state, HttpResponse):
        return state
    assert state.moderation is not None
    agreed = {(c.bid, c.question): c for c in Consensus.objects.filter(tender=tender)}
    bidders = state.pack.bidders()
    rows = [_row(item, agreed.get((item.bid, item.question)), bidders) for item in state.moderation.items]
    form = ConfirmForm(request.POST or None)
    problems: list[dict[str, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            scoring_pack(tender)  # the whole pack, checked as `tenderscore score` checks it (rationales too)
        except InputError as exc:
            problems = problem_errors(exc, "")
        else:
            with transaction.atomic():
                tender.moderation_complete = True
                tender.save(update_fields=["moderation_complete"])
                log(tender, request.user, MODERATOR, "moderation complete", "scores.csv agreed")
            messages.success(request, "Moderation complete: the officer can score the tender")
            return redirect("moderation", tender.pk)
    context = {"tender": tender, "rows": rows, "form": form, "problems": problems, "moderation": state.moderation}
    return render(request, "web/moderator/moderation.html", context)


@tender_view(MODERATOR)
def moderate_item(
    request: HttpRequest, tender: Tender, membership: Membership, bid: str, question: str
) -> HttpResponse:
    state = _state_or_wait(request, tender)
    if isinstance(state, HttpResponse):
        return state
    assert state.moderation is not None
    try:
        item = state.moderation.item(bid, question)
    except KeyError:
        raise Http404("No such item") from None
    agreed = Consensus.objects.filter(tender=tender, bid=bid, question=question).first()
    # The question's own scale where it has one, as its spread and proposal were worked on (moderate_sheets).
    own = Scale.by_question(state.pack.tender).get(question, state.moderation.scale)
    scale = [(fmt_plain(v), fmt_plain(v)) for v in own.values()]
    proposed = fmt_plain(item.proposed)
    initial: dict[str, Any] = {"score": agreed.score if agreed else proposed}
    initial |= {"rationale": agreed.rationale if agreed else "", "version": agreed.version if agreed else 0}
    form = ModerationForm(scale, proposed, item.rag == RED, request.POST or None, initial=initial)
    row = _row(item, agreed, state.pack.bidders())
    if request.method == "POST" and form.is_valid() and _save(request, tender, bid, question, form):
        messages.success(request, f"Agreed score saved for {bid} {question}")
        return redirect("moderation", tender.pk)
    return render(request, "web/moderator/item.html", {"tender": tender, "row": row, "form": form})


def _save(request: HttpRequest, tender: Tender, bid: str, question: str, form: ModerationForm) -> bool:
    data = form.cleaned_data
    user = signed_in(request)
    score, rationale, seen = data["score"], data["rationale"].strip(), data["version"] or 0
    with transaction.atomic():
        row, created = Consensus.objects.get_or_create(
            tender=tender,
            bid=bid,
            question=question,
            # Created at version 1: a page shown before any row existed (version 0) must not overwrite this one.
            defaults={"score": score, "rationale": rationale, "by": user, "version": 1},
        )
        if not created:
            changed = Consensus.objects.filter(pk=row.pk, version=seen).update(
                score=score, rationale=rationale, by=user, version=F("version") + 1, updated_at=timezone.now()
            )
            if not changed:
                form.add_error("score", "Another moderator changed this item since the page was shown: check it")
                return False
        tender.moderation_complete = False
        tender.save(update_fields=["moderation_complete"])
        log(tender, request.user, MODERATOR, "moderation", f"bid {bid}, {question}: agreed {score}; {rationale}")
    return True
