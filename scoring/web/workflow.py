"""The panel's workflow on stored tenders: the actions kept with who and when, moderation from the panel code's
own statistics, and scoring through the same evaluate pipeline and decision ledger as `tenderscore score`."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction

from ..audit import record_decision
from ..audit.store import open_ledger
from ..errors import InputError, Problem
from ..evaluate import Evaluation, evaluate
from ..pack import Pack, build_pack
from ..panel import Moderation, moderate_sheets
from .models import Action, Decision, Tender
from .packfiles import base_pack, full_files, sheet_files, stored_files
from .serial import ENGINE


def log(tender: Tender, user: AbstractBaseUser | AnonymousUser, role: str, action: str, detail: str = "") -> None:
    log_each(tender, user, role, action, [detail])


def log_each(
    tender: Tender, user: AbstractBaseUser | AnonymousUser, role: str, action: str, details: list[str]
) -> None:
    """One action per detail, in order, written together (a save of several questions is one insert)."""
    name = user.get_username()
    Action.objects.bulk_create(
        Action(tender=tender, username=name, role=role, action=action, detail=detail) for detail in details
    )


@dataclass(frozen=True)
class ModerationState:
    pack: Pack
    moderation: Moderation | None
    problems: list[Problem]  # why there is no moderation yet: every gap the panel code found


def moderation_state(tender: Tender) -> ModerationState:
    """The panel's statistics from the submitted sheets, or every gap that stops moderation."""
    pack = base_pack(tender)
    files = stored_files(tender) | sheet_files(tender, pack)
    policy = pack.ruleset.model.policy
    try:
        moderation = moderate_sheets(files, pack.tender, pack.bidders(), policy, tender.reference)
    except InputError as exc:
        return ModerationState(pack, None, exc.problems)
    return ModerationState(pack, moderation, [])


def scoring_pack(tender: Tender) -> Pack:
    """The whole pack, sheets and scores.csv included, built and checked as `tenderscore score` would."""
    state = moderation_state(tender)
    if state.moderation is None:
        raise InputError(state.problems)
    files = full_files(tender, state.pack, state.moderation)
    with ENGINE:
        return build_pack(files, tender.reference)


@dataclass(frozen=True)
class Scoring:
    decision: Decision
    evaluation: Evaluation


def score_tender(tender: Tender, user: User, role: str) -> Scoring:
    """Score the tender and append its decision record; raises InputError or PolicyRefused, storing nothing."""
    with transaction.atomic():
        log(tender, user, role, "scoring", "the officer scored the tender")
        pack = scoring_pack(tender)
        with ENGINE:
            evaluation = evaluate(pack)
        with open_ledger(settings.LEDGER_PATH) as book:
            stored = record_decision(pack, evaluation, book)
        decision = Decision.objects.create(tender=tender, record_id=stored.id, record_hash=stored.hash, by=user)
    return Scoring(decision, evaluation)
