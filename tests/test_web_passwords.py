"""How the app stores passwords (scoring/web/hashers.py): Argon2id at OWASP's baseline, older hashes upgraded.

The rest of the web suite signs in with a fast hasher; these tests run the production list itself.
"""

from __future__ import annotations

from typing import Any

import pytest
from web_support import PASSWORD, unique

pytestmark = pytest.mark.usefixtures("web")


@pytest.fixture
def production_hashers() -> Any:
    from django.test import override_settings
    from tenderscore.scoring.web import settings as production

    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        yield production.PASSWORD_HASHERS


def test_new_passwords_are_argon2id_at_the_owasp_baseline(production_hashers: list[str]) -> None:
    from django.contrib.auth.hashers import check_password, make_password

    encoded = make_password(PASSWORD)
    # OWASP Password Storage Cheat Sheet, Argon2id: "m=19456 (19 MiB), t=2, p=1"; v=19 is Argon2 version 1.3.
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password(PASSWORD, encoded)
    assert not check_password(PASSWORD + "x", encoded)


def test_an_older_pbkdf2_password_signs_in_and_is_rehashed(production_hashers: list[str]) -> None:
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.contrib.auth.models import User
    from django.test import Client
    from tenderscore.scoring.web.accounts import add_user

    name = unique("pbkdf2-")
    user = add_user(name, "officer", PASSWORD, check=False)
    # As an account made under 0.2.0 stored it: Django's default hasher then.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])
    assert user.password.startswith("pbkdf2_sha256$")

    response = Client().post("/sign-in/", {"username": name, "password": PASSWORD}, REMOTE_ADDR="10.0.0.21")
    assert response.status_code == 302 and not response["Location"].startswith("/sign-in/")
    assert User.objects.get(pk=user.pk).password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")

    wrong = Client().post("/sign-in/", {"username": name, "password": "not it"}, REMOTE_ADDR="10.0.0.21")
    assert wrong.status_code == 200  # the form again, with its error; the stored hash is untouched
    assert User.objects.get(pk=user.pk).password.startswith("argon2$argon2id$")
