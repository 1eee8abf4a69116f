"""Rendering Django forms in the GOV.UK Design System's patterns: an error summary that links to each field,
and each field with its label (or fieldset and legend), hint, error message and input."""

from __future__ import annotations

from typing import Any

from django import forms, template

register = template.Library()


def _field_href(bound: forms.BoundField) -> str:
    widget = bound.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"#{bound.auto_id}_0"
    return f"#{bound.auto_id}"


@register.inclusion_tag("web/_error_summary.html")
def error_summary(form: forms.Form | None = None, problems: list[dict[str, str]] | None = None) -> dict[str, Any]:
    errors: list[dict[str, str]] = []
    if form is not None and form.is_bound:
        for message in form.non_field_errors():
            errors.append({"text": str(message), "href": ""})
        for name in form.fields:
            bound = form[name]
            for message in bound.errors:
                errors.append({"text": str(message), "href": _field_href(bound)})
    errors += problems or []
    return {"errors": errors}


@register.inclusion_tag("web/_field.html")
def govuk_field(bound: forms.BoundField, hint: str = "", legend_size: str = "m", width: str = "") -> dict[str, Any]:
    widget = bound.field.widget
    # CheckboxSelectMultiple is a subclass of RadioSelect: asked first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        kind = "checkboxes"
    elif isinstance(widget, forms.RadioSelect):
        kind = "radios"
    elif isinstance(widget, forms.CheckboxInput):
        kind = "checkbox"
    elif isinstance(widget, forms.HiddenInput):
        kind = "hidden"
    else:
        kind = "input"
    options = []
    if kind in ("radios", "checkboxes"):
        for index, sub in enumerate(bound.subwidgets):
            options.append(
                {
                    "id": f"{bound.auto_id}_{index}",
                    "label": sub.choice_label,
                    "value": sub.data["value"],
                    "checked": sub.data["selected"],
                }
            )
    describedby = _described(bound, hint)
    rendered = ""
    # Radios and checkboxes are written out by _field.html itself; Django's widget templates render only the
    # inputs it leaves to them (rendering a radio group there too was most of a score page's cost, unused).
    if kind in ("input", "hidden"):
        widget_class = widget.attrs.get("class", "govuk-input" if kind == "input" else "")
        if bound.errors and widget_class:
            widget_class += " " + widget_class.split()[0] + "--error"
        rendered = bound.as_widget(
            attrs={
                "class": widget_class + (f" {width}" if width else ""),
                **({"aria-describedby": describedby} if describedby else {}),
            }
        )
    return {
        "field": bound,
        "kind": kind,
        "options": options,
        "hint": hint or bound.help_text,
        "legend_size": legend_size,
        "rendered": rendered,
        "describedby": describedby,
    }


def _described(bound: forms.BoundField, hint: str) -> str:
    ids = []
    if hint or bound.help_text:
        ids.append(f"{bound.auto_id}-hint")
    if bound.errors:
        ids.append(f"{bound.auto_id}-error")
    return " ".join(ids)
