"""User accounts, as the command line creates them: each user holds one kind of role (officer, evaluator,
moderator, auditor), a Django group; the officer then gives them that role on particular tenders."""

from __future__ import annotations

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import transaction

from ..errors import InputError, Problem
from .models import ROLES


def ensure_groups() -> None:
    for role in ROLES:
        Group.objects.get_or_create(name=role)


def add_user(name: str, role: str, password: str, full_name: str = "", check: bool = True) -> User:
    """Create a user in `role`'s group; raises InputError (every reason at once) for a taken name or a weak
    password (Django's validators, unless `check` is off for generated demo passwords)."""
    model = get_user_model()
    problems: list[Problem] = []
    if role not in ROLES:
        problems.append(Problem("--role", "", f"expected one of {', '.join(ROLES)}, found {role!r}"))
    if model.objects.filter(username=name).exists():
        problems.append(Problem(name, "", "a user with this name exists already"))
    first, _, last = full_name.partition(" ")
    candidate = model(username=name, first_name=first, last_name=last)
    if check:
        try:
            password_validation.validate_password(password, candidate)
        except ValidationError as exc:
            problems += [Problem("password", "", message) for message in exc.messages]
    if problems:
        raise InputError(problems)
    ensure_groups()
    with transaction.atomic():
        candidate.set_password(password)
        candidate.save()
        candidate.groups.add(Group.objects.get(name=role))
    assert isinstance(candidate, User)
    return candidate


def set_password(name: str, password: str) -> None:
    model = get_user_model()
    user = model.objects.filter(username=name).first()
    if user is None:
        raise InputError([Problem(name, "", "no such user")])
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise InputError([Problem("password", "", message) for message in exc.messages]) from None
    user.set_password(password)
    user.save()


def set_active(name: str, active: bool) -> None:
    """A leaver is deactivated, never deleted: their name stays on the actions and records they made."""
    model = get_user_model()
    if not model.objects.filter(username=name).update(is_active=active):
        raise InputError([Problem(name, "", "no such user")])


def user_rows() -> list[tuple[str, str, str, str]]:
    """(name, full name, role, active) for `tenderscore web users`."""
    model = get_user_model()
    rows = []
    for user in model.objects.order_by("username").prefetch_related("groups"):
        roles = ", ".join(sorted(g.name for g in user.groups.all()))
        rows.append((user.get_username(), user.get_full_name(), roles, "yes" if user.is_active else "no"))
    return rows
