"""Object-level access: every tender view names the roles that may use it, and gets the tender and the user's
role on it, or answers 404 (not on this tender: its existence is not revealed) or 403 (on it, in another role)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from .models import Membership, Tender

P = ParamSpec("P")
TenderView = Callable[Concatenate[HttpRequest, Tender, Membership, P], HttpResponse]


def signed_in(request: HttpRequest) -> User:
    """The signed-in user of a view behind login_required."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Sign in first")
    return user


def roles_of(user: Any, tender: Tender) -> dict[str, Membership]:
    return {m.role: m for m in Membership.objects.filter(tender=tender, user=user)}


# Django passes the URL's tender_id by keyword: the wrapped view is typed loosely on that side.
def tender_view(*allowed: str) -> Callable[[TenderView[P]], Callable[..., HttpResponse]]:
    """The view runs with (request, tender, membership, ...) for a user holding one of `allowed` on the tender."""

    def decorate(view: TenderView[P]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, tender_id: int, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            # One query for the tender and the user's roles on it; no role and no tender answer alike.
            found = Membership.objects.filter(tender_id=tender_id, user=signed_in(request)).select_related("tender")
            held = {m.role: m for m in found}
            if not held:
                raise Http404("No such tender")
            tender = next(iter(held.values())).tender
            for role in allowed:
                if role in held:
                    return view(request, tender, held[role], *args, **kwargs)
            raise PermissionDenied(f"This page is for the tender's {' or '.join(allowed)}s")

        protected: Callable[..., HttpResponse] = login_required(wrapper)
        return protected

    return decorate
