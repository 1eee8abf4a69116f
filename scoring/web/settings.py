"""Django settings, from environment variables: nothing about a deployment is written in code.

TENDERSCORE_DATA_DIR     where the database, the ledger and the secret key live (default: user data dir/web)
TENDERSCORE_SECRET_KEY   the secret key (default: generated on first start into DATA_DIR/secret-key, mode 0600)
TENDERSCORE_DATABASE_URL, TENDERSCORE_LEDGER, TENDERSCORE_LOG_FORMAT, TENDERSCORE_LOG_LEVEL: see deployment.py
TENDERSCORE_ALLOWED_HOSTS comma-separated host names (default: the loopback names)
TENDERSCORE_SECURE_COOKIES "1" (the default) marks the session and CSRF cookies Secure; "0" for plain-HTTP loopback
TENDERSCORE_DEBUG        "1" for Django's debug pages (never in production)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import platformdirs

from .deployment import database, ledger_location, logging_config

DATA_DIR = Path(
    os.environ.get("TENDERSCORE_DATA_DIR") or Path(platformdirs.user_data_dir("tenderscore")) / "web"
).resolve()
SECRET_FILE = "secret-key"
LEDGER_FILE = "ledger.sqlite3"


def _secret_key(data_dir: Path) -> str:
    """The key in the data directory, created owner-only on first start (never world-readable, not even briefly)."""
    from_env = os.environ.get("TENDERSCORE_SECRET_KEY")
    if from_env:
        return from_env
    path = data_dir / SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first: read theirs
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(50))
    return path.read_text(encoding="utf-8").strip()


def _flag(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


SECRET_KEY = _secret_key(DATA_DIR)
DEBUG = _flag("TENDERSCORE_DEBUG", "0")
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("TENDERSCORE_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "tenderscore.scoring.web.apps.WebConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The stylesheet, served by the app itself (waitress serves no files): WhiteNoise, from the package's static/.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tenderscore.scoring.web.requestlog.RequestLog",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it answers a locked-out login before the view runs.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "tenderscore.scoring.web.urls"
WSGI_APPLICATION = "tenderscore.scoring.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenderscore.scoring.web.context.demo_banner",
            ],
        },
    }
]

DATABASES = {"default": database(DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id (hashers.py). The PBKDF2 hashers stay listed so an account made before still signs in; Django re-hashes
# its password with Argon2id at that sign-in.
PASSWORD_HASHERS = [
    "tenderscore.scoring.web.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
WHITENOISE_USE_FINDERS = True
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Cookies: HTTP-only, same-site, Secure unless the operator turns it off for a plain-HTTP loopback server.
SECURE = _flag("TENDERSCORE_SECURE_COOKIES", "1")
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60  # a working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Uploads: a pack is small text; anything bigger is refused before it is read (scoring/web/upload.py also
# limits each file inside a zip and their number).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 200

# Failed logins: after 5 for a user name, that name is refused for 15 minutes (django-axes).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
# Counted per user name (attempts on one name from many addresses) and per address (many names from one).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False

LOGGING = logging_config()

# The decision ledger the app appends to: the same hash chain `tenderscore score` uses, in the app's PostgreSQL
# database when it has one.
LEDGER_PATH = ledger_location(DATA_DIR, LEDGER_FILE)
# Set by `tenderscore serve --demo`: every page says it is a demonstration.
DEMO = _flag("TENDERSCORE_DEMO", "0")

# Behind a TLS-terminating proxy (which must set X-Forwarded-Proto), requests it forwarded as https are https.
if _flag("TENDERSCORE_BEHIND_PROXY", "0"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("TENDERSCORE_TRUSTED_ORIGINS", "").split(",") if o.strip()]
