"""Workup settings: one file, every deployment difference an environment variable (README lists them)."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no variable; anything but a recognised word is a configuration error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a yes/no value: use 1/0, true/false, yes/no or on/off.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """Read a whole number no smaller than ``minimum``."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """Read one of a fixed set of words."""
    raw = os.environ.get(name, default)
    if raw not in choices:
        raise ImproperlyConfigured(f"{name}={raw!r} is not one of: {', '.join(choices)}.")
    return raw


DATABASE_SCHEMES = ("postgres", "postgresql", "pgsql", "sqlite")
# Several gunicorn workers share one SQLite file: WAL lets readers run beside the writer, IMMEDIATE takes the
# write lock when a transaction starts (not halfway, where SQLite cannot wait for it), and the timeout waits for it.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}


def database_from_url(url: str, *, default_sqlite: Path, conn_max_age: int = 0) -> dict[str, Any]:
    """Turn DATABASE_URL (postgres://user:pass@host:port/name or sqlite:///path) into Django's form."""
    if not url:
        default_sqlite.parent.mkdir(parents=True, exist_ok=True)
        config: dict[str, Any] = {"ENGINE": "django.db.backends.sqlite3", "NAME": default_sqlite}
    else:
        config = _parse_database_url(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
    # A persistent connection is checked before each request reuses it, so a database restart costs no request.
    config.update(CONN_MAX_AGE=conn_max_age, CONN_HEALTH_CHECKS=True)
    return config


def _parse_database_url(url: str) -> dict[str, Any]:
    if urlsplit(url).scheme not in DATABASE_SCHEMES:
        raise ImproperlyConfigured(
            f"DATABASE_URL={_redact(url)!r} is not a database URL: use postgres://user:password@host:port/name "
            "or sqlite:///path/to/file.sqlite3 (or leave it unset for SQLite in data/)."
        )
    try:
        config = dict(dj_database_url.parse(url))
    except ValueError as exc:  # a port that is not a number, for one
        raise ImproperlyConfigured(f"DATABASE_URL={_redact(url)!r} cannot be read: {_redact(str(exc))}.") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        if not config.get("NAME") or config["NAME"] in ("/", ":memory:"):
            raise ImproperlyConfigured(
                f"DATABASE_URL={url!r}: a SQLite URL is sqlite:////absolute/path.sqlite3 or sqlite:///relative.sqlite3."
            )
    elif not config.get("HOST") or not config.get("NAME"):
        raise ImproperlyConfigured(
            f"DATABASE_URL: a PostgreSQL URL needs a host and a database name, "
            f"as in postgres://user:password@127.0.0.1:5432/workup (got {_redact(url)!r})."
        )
    return config


def _redact(url: str) -> str:
    """Hide a password before a URL goes into an error message."""
    return re.sub(r"(//[^:/@]*:)[^@]*@", r"\1***@", url)


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and os.environ.get("WORKUP_OFFLINE_COMMAND"):
    SECRET_KEY = secrets.token_urlsafe(50)  # set by manage.py for commands that neither sign nor serve
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), or set DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"  # noqa: S105 - refused above unless DEBUG

HTTPS = env_bool("HTTPS", False)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if DEBUG and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "data"))
DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL", ""),
        default_sqlite=DATA_DIR / "workup.sqlite3",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "workup.apps.WorkupConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "workup.sessions.SessionRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "workup.security.SecurityHeadersMiddleware",
]
ROOT_URLCONF = "workup.urls"
WSGI_APPLICATION = "workup.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

AUTH_USER_MODEL = "workup.User"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "worklist"
LOGOUT_REDIRECT_URL = "login"

# Login lockout (django-axes): AXES_FAILURE_LIMIT failures lock that username from that address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

# Sessions end after SESSION_IDLE_MINUTES without a request, and when the browser closes. The expiry moves on at
# most once a minute (workup.sessions), not with a write on every request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe the app directly, over plain HTTP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
try:
    import zoneinfo

    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE={TIME_ZONE!r} is not a known time zone (e.g. Europe/London).") from None
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Clinical configuration. The profiles are named in the engine's threshold table (pure Python, no Django).
from workup.rules.thresholds import B12_PROFILES as _B12_PROFILES  # noqa: E402
from workup.rules.thresholds import GLYCAEMIA_PROFILES as _GLYCAEMIA_PROFILES  # noqa: E402

# WORKUP_B12_PROFILE and WORKUP_GLYCAEMIA_PROFILE (contract/README.md); B12_PROFILE is the older name, still read.
B12_PROFILE = env_choice(
    "WORKUP_B12_PROFILE", os.environ.get("B12_PROFILE", "nice_ng239"), tuple(sorted(_B12_PROFILES))
)
GLYCAEMIA_PROFILE = env_choice("WORKUP_GLYCAEMIA_PROFILE", "ada_2025", tuple(sorted(_GLYCAEMIA_PROFILES)))
LETTER_PAPER = env_choice("LETTER_PAPER", "A4", ("A4", "letter"))

# CDS Hooks (README "CDS Hooks"): the public base URL a client's JWT names in `aud` (needed behind a proxy that
# rewrites the host), the body limit of a hook call (a full prefetch of results is larger than one case), and http
# (not https) to an EHR's FHIR server, for a test server on loopback only.
CDS_HOOKS_BASE_URL = os.environ.get("CDS_HOOKS_BASE_URL", "").strip().rstrip("/")
if CDS_HOOKS_BASE_URL and not CDS_HOOKS_BASE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(f"CDS_HOOKS_BASE_URL={CDS_HOOKS_BASE_URL!r} is not an http(s) URL.")
CDS_HOOKS_MAX_BODY_BYTES = env_int("CDS_HOOKS_MAX_BODY_BYTES", 1024 * 1024, minimum=1024)
CDS_HOOKS_ALLOW_HTTP_FHIR = env_bool("CDS_HOOKS_ALLOW_HTTP_FHIR", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "filters": {"omit_logged_errors": {"()": "workup.views.errors.OmitLoggedErrors"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # axes logs every login with masked fields, WeasyPrint every layout step: both only matter when they warn.
        **{name: {"level": "WARNING"} for name in ("axes", "weasyprint", "fontTools")},
        # A server error's traceback is logged once, with its reference (workup.views.errors).
        "django.request": {"filters": ["omit_logged_errors"]},
    },
}
AXES_VERBOSE = False
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
