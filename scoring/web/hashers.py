"""How the app stores passwords: Argon2id at the OWASP Password Storage Cheat Sheet's baseline parameters.

Django's own Argon2 hasher (argon2-cffi) with its work set explicitly. OWASP lists five Argon2id settings of
equal defence; m=19 MiB, t=2, p=1 is the one that stays memory-hard against GPU guessing while costing a
server little CPU per sign-in, which matters when a whole panel signs in at once on a small council server
(benchmarks/README.md has the load figures with this hasher and with Django's default PBKDF2). A stored hash
names the parameters it was made with, so raising them later needs no migration: Django re-hashes each password
at its owner's next sign-in.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    # https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
