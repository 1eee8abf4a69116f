"""What the app stores: tenders (their pack's files), who holds which role on each, the evaluators' sheets and
scores, the moderated consensus, every action with who and when, and the decisions recorded in the ledger.

Plain ORM fields only, so that the same models run on SQLite (the embedded default) and PostgreSQL. Rows two
people may edit at once (a score, a consensus score) carry a `version` that a save must match (optimistic
locking: the second save is refused and shown the first, never silently lost).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

OFFICER = "officer"
EVALUATOR = "evaluator"
MODERATOR = "moderator"
AUDITOR = "auditor"
ROLES = (OFFICER, EVALUATOR, MODERATOR, AUDITOR)
ROLE_CHOICES = [(role, role.capitalize()) for role in ROLES]


class Tender(models.Model):
    SETUP = "setup"
    OPEN = "open"
    CLOSED = "closed"
    STATES = [(SETUP, "Setting up"), (OPEN, "Evaluation open"), (CLOSED, "Evaluation closed")]

    reference = models.CharField(max_length=200)  # tender.yaml's id
    title = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=10, choices=STATES, default=SETUP)
    moderation_complete = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.reference} {self.title}".strip()


class PackFile(models.Model):
    """One file of the uploaded pack (tender.yaml, bids/...), by its name inside the pack."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=300)
    text = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tender", "name"], name="unique_pack_file")]
        ordering = ["name"]


class Membership(models.Model):
    """A user's role on one tender; an evaluator's also names the panel member (tender.yaml's panel id) they are."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=ROLE_CHOICES)
    panel_id = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tender", "user", "role"], name="unique_role"),
            models.UniqueConstraint(
                fields=["tender", "panel_id"], condition=~models.Q(panel_id=""), name="one_user_per_panel_member"
            ),
        ]


class Sheet(models.Model):
    """One evaluator's sheet: the declaration, then scores; locked once submitted."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="sheets")
    panel_id = models.CharField(max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_name = models.CharField(max_length=200, blank=True)
    declared_on = models.DateField(null=True, blank=True)
    conflicts = models.CharField(max_length=1000, blank=True)  # bid ids separated by ";", empty: no conflict
    signature = models.CharField(max_length=200, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tender", "panel_id"], name="one_sheet_per_evaluator")]

    @property
    def declared(self) -> bool:
        return self.declared_on is not None

    def conflicted_bids(self) -> list[str]:
        return [bid for bid in self.conflicts.split(";") if bid]


class Score(models.Model):
    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="scores")
    bid = models.CharField(max_length=200)
    question = models.CharField(max_length=100)
    score = models.CharField(max_length=20, blank=True)  # as typed on a sheet: the panel code reads it exactly
    comment = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sheet", "bid", "question"], name="one_score_per_item")]


class Consensus(models.Model):
    """The moderated score of one (bid, question): a row of scores.csv."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="consensus")
    bid = models.CharField(max_length=200)
    question = models.CharField(max_length=100)
    score = models.CharField(max_length=20)
    rationale = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tender", "bid", "question"], name="one_consensus_per_item")]


class Action(models.Model):
    """Everything anyone did to a tender, with who and when: it goes into the decision record (audit-trail.csv)."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="actions")
    at = models.DateTimeField(auto_now_add=True)
    username = models.CharField(max_length=150)
    role = models.CharField(max_length=10)
    action = models.CharField(max_length=30)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


class Decision(models.Model):
    """A scoring of the tender, appended to the ledger as a decision record."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="decisions")
    record_id = models.PositiveIntegerField()
    record_hash = models.CharField(max_length=64)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
