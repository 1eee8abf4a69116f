"""The evaluator's pages: the conflict-of-interest declaration first, then the sheet (bid by bid), then
submission, after which the sheet is locked. No page here is given a price: the context holds the bidder's name,
the questions and the scale, never the bid itself."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from ...numbers import fmt_plain
from ...panel import read_panel
from ...panel.scale import Scale
from ...panel.sheet import assigned_items
from ..access import tender_view
from ..forms import ConfirmForm, DeclarationForm
from ..models import EVALUATOR, Membership, Score, Sheet, Tender
from ..packfiles import base_pack, sheet_text
from ..workflow import log, log_each


def _sheet(tender: Tender, membership: Membership) -> Sheet:
    sheet, _ = Sheet.objects.get_or_create(
        tender=tender, panel_id=membership.panel_id, defaults={"user": membership.user}
    )
    return sheet


def _items(tender: Tender, membership: Membership) -> tuple[Any, list[Any], dict[str, str]]:
    pack = base_pack(tender)
    evaluator = next(e for e in pack.tender.panel or [] if e.id == membership.panel_id)
    bidders = pack.bidders()
    return pack, assigned_items(pack.tender, bidders, evaluator), bidders


@tender_view(EVALUATOR)
def declare(request: HttpRequest, tender: Tender, membership: Membership) -> HttpResponse:
    sheet = _sheet(tender, membership)
    if sheet.declared:
        return redirect("sheet", tender.pk)
    if tender.state != Tender.OPEN:
        return render(request, "web/evaluator/not_open.html", {"tender": tender})
    _, _, bidders = _items(tender, membership)
    form = DeclarationForm(bidders, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            sheet.declared_name = form.cleaned_data["full_name"].strip()
            sheet.signature = sheet.declared_name
            sheet.declared_on = timezone.localdate()
            chosen = form.cleaned_data["conflicts"] if form.cleaned_data["has_conflict"] == "yes" else []
            sheet.conflicts = ";".join(bid for bid in bidders if bid in chosen)
            sheet.save()
            words = ", ".join(chosen) or "no conflict"
            log(tender, request.user, EVALUATOR, "declaration", f"{membership.panel_id} declared: {words}")
        messages.success(request, "Declaration signed")
        return redirect("sheet", tender.pk)
    return render(request, "web/evaluator/declare.html", {"tender": tender, "form": form, "bidders": bidders})


def _declared_sheet(tender: Tender, membership: Membership) -> Sheet | None:
    sheet = _sheet(tender, membership)
    return sheet if sheet.declared else None


@tender_view(EVALUATOR)
def sheet_view(request: HttpRequest, tender: Tender, membership: Membership) -> HttpResponse:
    sheet = _declared_sheet(tender, membership)
    if sheet is None:
        return redirect("declare", tender.pk)
    _, items, bidders = _items(tender, membership)
    conflicts = set(sheet.conflicted_bids())
    scored = {(s.bid, s.question) for s in sheet.scores.exclude(score="")}
    bids = []
    for bid, bidder in bidders.items():
        mine = [i for i in items if i.bid == bid]
        if not mine:
            continue
        done = sum(1 for i in mine if (i.bid, i.question) in scored)
        bids.append({"bid": bid, "bidder": bidder, "conflicted": bid in conflicts, "done": done, "total": len(mine)})
    return render(request, "web/evaluator/sheet.html", {"tender": tender, "sheet": sheet, "bids": bids})


class BidScoresForm(forms.Form):
    def __init__(self, questions: list[Any], scales: dict[str, Scale], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in questions:
            # A question may be marked out of its own scale (Scale.of): its choices and words are its own.
            scale = scales[item.question]
            choices = [(fmt_plain(v), f"{fmt_plain(v)}: {words}") for v, words in _descriptors(scale)]
            self.fields[f"score_{item.question}"] = forms.ChoiceField(
                label=f"{item.question}: {item.title}", choices=choices, required=False, widget=forms.RadioSelect
            )
            self.fields[f"comment_{item.question}"] = forms.CharField(
                label=f"Comment on {item.question}",
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 4}),
            )
            self.fields[f"version_{item.question}"] = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _descriptors(scale: Scale) -> list[tuple[Any, str]]:
    words = dict(scale.descriptors)
    return [(value, words.get(value, "")) for value in scale.values()]


@tender_view(EVALUATOR)
def bid_scores(request: HttpRequest, tender: Tender, membership: Membership, bid: str) -> HttpResponse:
    sheet = _declared_sheet(tender, membership)
    if sheet is None:
        return redirect("declare", tender.pk)
    pack, items, bidders = _items(tender, membership)
    # A bid the evaluator declared a conflict with is not shown at all: not even which questions it answered.
    if bid not in bidders or bid in sheet.conflicted_bids():
        raise Http404("No such bid on your sheet")
    questions = [i for i in items if i.bid == bid]
    if not questions:
        raise Http404("No such bid on your sheet")
    stored = {s.question: s for s in sheet.scores.filter(bid=bid)}
    initial: dict[str, Any] = {}
    for item in questions:
        row = stored.get(item.question)
        initial[f"score_{item.question}"] = row.score if row else ""
        initial[f"comment_{item.question}"] = row.comment if row else ""
        initial[f"version_{item.question}"] = row.version if row else 0
    locked = sheet.submitted_at is not None or tender.state != Tender.OPEN
    form = BidScoresForm(questions, Scale.by_question(pack.tender), request.POST or None, initial=initial)
    saved = request.method == "POST" and not locked and form.is_valid()
    if saved and _save_scores(request, tender, sheet, bid, questions, form):
        messages.success(request, f"Draft scores saved for {bidders[bid]}")
        return redirect("sheet", tender.pk)
    fields = [
        {
            "item": item,
            "score": form[f"score_{item.question}"],
            "comment": form[f"comment_{item.question}"],
            "version": form[f"version_{item.question}"],
        }
        for item in questions
    ]
    context = {"tender": tender, "bid": bid, "bidder": bidders[bid], "form": form, "fields": fields, "locked": locked}
    return render(request, "web/evaluator/bid.html", context)


def _save_scores(
    request: HttpRequest, tender: Tender, sheet: Sheet, bid: str, questions: list[Any], form: BidScoresForm
) -> bool:
    """Save a bid's draft scores; False (the form carrying why) when someone saved them since the page was shown."""
    data = form.cleaned_data
    with transaction.atomic():
        rows = {s.question: s for s in sheet.scores.filter(bid=bid)}
        drafts = []
        for item in questions:
            q = item.question
            score, comment = data[f"score_{q}"] or "", data[f"comment_{q}"].strip()
            seen = data[f"version_{q}"] or 0
            row, created = rows.get(q), False
            if row is None:  # get_or_create: a save racing this one may have just created it
                row, created = Score.objects.get_or_create(sheet=sheet, bid=bid, question=q)
            if not created and (row.score, row.comment) == (score, comment):
                continue
            # Optimistic locking: the update applies only to the version the page was shown.
            changed = Score.objects.filter(pk=row.pk, version=seen).update(
                score=score, comment=comment, version=F("version") + 1, updated_at=timezone.now()
            )
            if not changed:
                transaction.set_rollback(True)
                form.add_error(f"score_{q}", f"{q} was changed in another window since this page was shown: check it")
                return False
            drafts.append(f"{sheet.panel_id}: bid {bid}, {q}: score {score or 'none'}")
        log_each(tender, request.user, EVALUATOR, "draft", drafts)
    return True


@tender_view(EVALUATOR)
def submit(request: HttpRequest, tender: Tender, membership: Membership) -> HttpResponse:
    sheet = _declared_sheet(tender, membership)
    if sheet is None:
        return redirect("declare", tender.pk)
    if sheet.submitted_at is not None:
        return render(request, "web/evaluator/submitted.html", {"tender": tender, "sheet": sheet})
    pack, _, bidders = _items(tender, membership)
    name = f"panel/{sheet.panel_id}.csv"
    # The panel code's own reading of this sheet: every gap it would report, and only this sheet's.
    reading = read_panel({name: sheet_text(sheet, pack.tender, bidders)}, pack.tender, bidders, tender.reference)
    gaps = [p for p in reading.problems if p.file.endswith(name)]
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and not gaps and tender.state == Tender.OPEN and form.is_valid():
        with transaction.atomic():
            updated = Sheet.objects.filter(pk=sheet.pk, submitted_at__isnull=True).update(submitted_at=timezone.now())
            if updated:
                log(tender, request.user, EVALUATOR, "submission", f"{sheet.panel_id} submitted their sheet")
        messages.success(request, "Sheet submitted")
        return redirect("sheet", tender.pk)
    context = {"tender": tender, "form": form, "gaps": gaps, "open": tender.state == Tender.OPEN}
    return render(request, "web/evaluator/submit.html", context)
