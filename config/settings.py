"""One settings module; the environment decides. Nothing set = the embedded default (SQLite, Celery eager)."""
from __future__ import annotations

from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config.env import database_from_url, env_bool, env_list, env_positive_int, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or env_bool("EMBEDDED_DEFAULT", True)):
        raise ImproperlyConfigured("SECRET_KEY must be set outside the embedded default")
    # The embedded default is for a laptop demo and tests; production sets SECRET_KEY.
    SECRET_KEY = "embedded-default-not-secret"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_fsm",
    "django_celery_beat",
    "django_celery_results",
    "viewflow",
    "viewflow.workflow",
    "cases",
    "interventions",
    "notices",
    "meetings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cases.audit.AuditMiddleware",  # every refusal and every admin read and change goes on the audit trail
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "cases.context_processors.staff",
                "cases.context_processors.figures",
            ],
        },
    },
]

SQLITE_BUSY_TIMEOUT_SECONDS = 20
DATABASES = {"default": database_from_url(env_str("DATABASE_URL"), BASE_DIR)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the demo server read while an import or the scan writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        # A transaction takes SQLite's one write lock when it begins, waiting up to the timeout for another
        # writer (two imports at once): begun DEFERRED, the second writer read first and then failed with
        # "database is locked" when it came to write.
        "transaction_mode": "IMMEDIATE",
        "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "static_build"
STATICFILES_DIRS = [BASE_DIR / "static"]
_govuk = BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"
_moj = BASE_DIR / "node_modules" / "@ministryofjustice" / "frontend" / "moj"
STATICFILES_DIRS += [(prefix, path) for prefix, path in (("govuk", _govuk), ("moj", _moj)) if path.exists()]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = 8 * 60 * 60  # a working day; children's data should not sit in an idle session
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

# Celery: eager in-process unless a broker is named, so the demo and tests need no service.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "memory://")
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL.startswith("memory://")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "django-db")
CELERY_RESULT_EXTENDED = True
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged only when it has finished, and a task whose worker died (kill -9, out of memory) is
# given back to the broker rather than counted as done; every task is idempotent, so running one again is safe.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One message at a time per worker process, so a dead worker strands one task, not a prefetched queue.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis hands an unacknowledged message to another worker after this long. Its default is an hour, which
# left a killed worker's letter batch "running" for an hour. A task still running after this long is handed
# out a second time, so long work is split into steps shorter than this (letter batches: LETTER_BATCH_STEP).
BROKER_VISIBILITY_TIMEOUT_SECONDS = env_positive_int("BROKER_VISIBILITY_TIMEOUT_SECONDS", 300)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": BROKER_VISIBILITY_TIMEOUT_SECONDS}
# A letter batch with no new letter for this long shows as stuck, with buttons to resume or cancel it. Longer
# than the visibility timeout, so a killed worker's batch has been handed back once before anyone is asked.
LETTER_BATCH_STUCK_MINUTES = env_positive_int("LETTER_BATCH_STUCK_MINUTES", 15)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "nightly-attendance-scan": {
        "task": "cases.tasks.nightly_attendance_scan",
        # After the MIS's end-of-day register export has landed.
        "schedule": crontab(hour=2, minute=15),
    },
    "notices-to-improve-review-due": {
        "task": "notices.tasks.notices_to_improve_review_due",
        # After the nightly scan: any improvement period that ended yesterday is due for its outcome.
        "schedule": crontab(hour=2, minute=45),
    },
    "penalty-notices-unpaid-sweep": {
        "task": "notices.tasks.penalty_notices_unpaid_sweep",
        # Early, so the LA officer's list is ready when the office opens.
        "schedule": crontab(hour=6, minute=0),
    },
    "la-service-level-sweep": {
        "task": "interventions.tasks.la_service_level_sweep",
        # Before the office opens: what waited past the LA's service level is flagged on the officer's list.
        "schedule": crontab(hour=6, minute=15, day_of_week="mon-fri"),
    },
    "register-retention": {
        "task": "cases.tasks.register_retention",
        # Monthly, at night: register entries past the regulations' 6 years are deleted (data minimisation).
        "schedule": crontab(day_of_month=1, hour=3, minute=30),
    },
    "case-retention": {
        "task": "notices.tasks.case_retention",
        # Monthly, after the register's: closed case files past the LA's retention period are deleted.
        "schedule": crontab(day_of_month=1, hour=3, minute=45),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # Logs go to stderr so that commands keep stdout for their results.
    "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
