"""The app's forms: Django forms, rendered by the templates in the GOV.UK Design System's patterns."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile

from .upload import MAX_FILES


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Django's documented pattern for an <input type=file multiple>."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "govuk-file-upload"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[Any]]:
        single = super().clean
        chosen = [d for d in (data if isinstance(data, list | tuple) else [data]) if d]
        if len(chosen) > MAX_FILES:
            raise forms.ValidationError(f"Choose at most {MAX_FILES} files")
        if not chosen:
            return [single(None, initial)]  # raises "required"
        return [single(d, initial) for d in chosen]


class UploadForm(forms.Form):
    pack = MultipleFileField(
        label="Tender pack",
        help_text="A zip of the pack folder, or the pack's files: tender.yaml and the bid files",
        error_messages={"required": "Choose the tender pack to upload"},
    )


def users_in(group: str) -> Any:
    return get_user_model().objects.filter(groups__name=group, is_active=True).order_by("username")


class PanelForm(forms.Form):
    """One choice of user per evaluator of tender.yaml's panel, and the tender's moderators and auditors."""

    def __init__(self, panel: list[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        evaluators = users_in("evaluator")
        for panel_id, name in panel:
            self.fields[f"evaluator_{panel_id}"] = forms.ModelChoiceField(
                queryset=evaluators,
                label=name,
                empty_label="Choose a user",
                error_messages={"required": f"Choose the user who is evaluator {panel_id}"},
                widget=forms.Select(attrs={"class": "govuk-select"}),
            )
        self.fields["moderators"] = forms.ModelMultipleChoiceField(
            queryset=users_in("moderator"),
            label="Moderators",
            error_messages={"required": "Choose at least one moderator"},
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["auditors"] = forms.ModelMultipleChoiceField(
            queryset=users_in("auditor"), label="Auditors", required=False, widget=forms.CheckboxSelectMultiple
        )
        self.panel = panel

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen: dict[int, str] = {}
        for panel_id, _ in self.panel:
            user = data.get(f"evaluator_{panel_id}")
            if user is None:
                continue
            if user.pk in chosen:
                self.add_error(f"evaluator_{panel_id}", f"{user.get_username()} is already evaluator {chosen[user.pk]}")
            chosen[user.pk] = panel_id
        return data


class DeclarationForm(forms.Form):
    full_name = forms.CharField(
        label="Your full name",
        max_length=200,
        error_messages={"required": "Enter your full name"},
        widget=forms.TextInput(attrs={"class": "govuk-input", "autocomplete": "name", "spellcheck": "false"}),
    )
    has_conflict = forms.ChoiceField(
        label="Do you have a conflict of interest with any of these bidders?",
        choices=[("no", "No"), ("yes", "Yes")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if you have a conflict of interest with a bidder"},
    )
    conflicts = forms.MultipleChoiceField(
        label="Which bidders do you have a conflict of interest with?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    confirm = forms.BooleanField(
        label="I confirm this declaration is true and I will tell the officer if anything changes",
        error_messages={"required": "Confirm your declaration to sign it"},
    )

    def __init__(self, bidders: dict[str, str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["conflicts"].choices = list(bidders.items())  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("has_conflict") == "yes" and not data.get("conflicts"):
            self.add_error("conflicts", "Select the bidders you have a conflict of interest with")
        if data.get("has_conflict") == "no" and data.get("conflicts"):
            self.add_error("conflicts", "You answered no conflict: clear these bidders, or answer yes")
        return data


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label="I confirm", error_messages={"required": "Confirm to continue"})


class ModerationForm(forms.Form):
    score = forms.ChoiceField(
        label="Agreed score", widget=forms.RadioSelect, error_messages={"required": "Select the agreed score"}
    )
    rationale = forms.CharField(
        label="Rationale",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 5}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, scale: list[tuple[str, str]], proposed: str, red: bool, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["score"].choices = scale  # type: ignore[attr-defined]
        self.proposed = proposed
        self.red = red

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        score = data.get("score")
        if score is not None and not str(data.get("rationale", "")).strip():
            if self.red:
                self.add_error("rationale", "Enter a rationale: the panel's spread on this item was red")
            elif score != self.proposed:
                self.add_error(
                    "rationale", f"Enter a rationale: the agreed score differs from the proposed {self.proposed}"
                )
        return data
