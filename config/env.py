"""Small strict readers of the environment: nonsense is an error at start-up, not a surprise later."""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_positive_int(name: str, default: int) -> int:
    return env_int(name, default, minimum=1)


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_url(url: str, base_dir: Path) -> dict:
    """Turn DATABASE_URL into Django's DATABASES entry; only PostgreSQL and SQLite are supported."""
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": base_dir / "db.sqlite3"}
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:///relative.db or sqlite:////absolute/path.db, as in dj-database-url.
        path = parsed.path[1:] if parsed.path.startswith("/") else parsed.path
        if not path:
            raise ImproperlyConfigured("DATABASE_URL sqlite:/// needs a file path")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path}
    if parsed.scheme in {"postgres", "postgresql"}:
        name = parsed.path.lstrip("/")
        if not name:
            raise ImproperlyConfigured("DATABASE_URL for PostgreSQL needs a database name")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(name),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parsed.scheme!r} is not supported (use postgres:// or sqlite:///)")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def admin_path(name: str, *, embedded: bool) -> str | None:
    """The admin's URL prefix ("site-admin/"), or None when the admin is not mounted.

    Unset: ``admin/`` on the embedded default; in production no admin at all until the operator names a
    path, since a default printed in public source code hides nothing from an attacker.
    """
    raw = os.environ.get(name)
    if raw is None:
        return "admin/" if embedded else None
    value = raw.strip().strip("/")
    if not value:
        return None
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_/")
    if not set(value) <= allowed or "//" in value:
        raise ImproperlyConfigured(
            f"{name} may hold only letters, digits, '-', '_' and single '/', not {raw!r}"
        )
    return value + "/"


NOTIFY_BACKEND = "accounts.email_backends.NotifyEmailBackend"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"


def email_backend(*, explicit: str, notify_api_key: str, notify_template_id: str, smtp_host: str) -> str:
    """Which email backend: EMAIL_BACKEND when named; GOV.UK Notify when its key and template are set; SMTP when
    EMAIL_HOST is set; else the console (the embedded default prints emails to the server's output).

    Half a Notify configuration is an error at start-up rather than emails silently going nowhere."""
    if bool(notify_api_key) != bool(notify_template_id):
        raise ImproperlyConfigured(
            "GOV_UK_NOTIFY_API_KEY and GOV_UK_NOTIFY_TEMPLATE_ID go together: set both to send through GOV.UK "
            "Notify, or neither"
        )
    if explicit:
        return explicit
    if notify_api_key:
        return NOTIFY_BACKEND
    if smtp_host:
        return SMTP_BACKEND
    return CONSOLE_BACKEND


def env_site_url(name: str, default: str) -> str:
    """The product's address as emails link to it: http(s)://host[:port], no path, query or fragment."""
    raw = os.environ.get(name, default).strip().rstrip("/")
    parsed = urlparse(raw)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc or parsed.path or parsed.query or parsed.fragment:
        raise ImproperlyConfigured(f"{name} must be like https://attendance.example.org, not {raw!r}")
    return raw


FILESYSTEM_BROKER_POLLING_SECONDS = 0.2


def filesystem_broker_options(root: Path) -> dict:
    """kombu's filesystem transport options for a queue kept under ``root``, its folders created now.

    Created when settings load, so the web server and the worker (which may start first) find them; one
    folder is both "in" and "out", since the server and the worker share the one queue. The worker looks for
    messages every 0.2 s rather than kombu's 1 s: a letter batch is some 25 steps, each queued by the one before.
    """
    folders = {"data_folder_in": root / "queue", "processed_folder": root / "processed", "control_folder": root / "control"}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folders["data_folder_in"]),
        "data_folder_out": str(folders["data_folder_in"]),
        "processed_folder": str(folders["processed_folder"]),
        "control_folder": str(folders["control_folder"]),
        "polling_interval": FILESYSTEM_BROKER_POLLING_SECONDS,
    }
