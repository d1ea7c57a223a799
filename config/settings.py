"""One settings module; the environment decides. Nothing set = the embedded default (SQLite, Celery eager)."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import (
    admin_path,
    database_from_url,
    email_backend,
    env_bool,
    env_int,
    env_list,
    env_positive_int,
    env_site_url,
    env_str,
    filesystem_broker_options,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# EMBEDDED_DEFAULT=false is production: real secrets, HTTPS, no admin until ADMIN_PATH names one.
EMBEDDED = env_bool("EMBEDDED_DEFAULT", True)
DEBUG = env_bool("DEBUG", False)
EMBEDDED_SECRET_KEY = "embedded-default-not-secret"
SECRET_KEY = env_str("SECRET_KEY")
if EMBEDDED and not SECRET_KEY:
    # The embedded default is for a laptop demo and tests; production sets SECRET_KEY.
    SECRET_KEY = EMBEDDED_SECRET_KEY
elif not EMBEDDED:
    # Whatever DEBUG says: a guessable key lets anyone forge a session cookie, i.e. sign in as anyone.
    # The test is Django's own (security.W009): 50 characters or more, 5 or more different ones.
    if not SECRET_KEY or SECRET_KEY == EMBEDDED_SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set to a long random string when EMBEDDED_DEFAULT=false")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            "SECRET_KEY is too weak: use 50 or more random characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "accounts.apps.SuperuserAdminConfig",
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
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "accounts",
    "cases",
    "interventions",
    "notices",
    "meetings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.headers.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.second_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cases.audit.AuditMiddleware",  # every refusal and every admin read and change goes on the audit trail
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
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
                "cases.context_processors.my_work_count",
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

PASSWORD_MIN_LENGTH = 12  # NCSC password guidance: length beats complexity rules
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.WordAndNumbersValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Sign-in ---------------------------------------------------------------------------------------------
# django-axes counts failed sign-ins per account and per address, separately: either reaching its limit
# locks sign-in (the right password included) until the cool-off ends or an administrator unlocks it.
AUTHENTICATION_BACKENDS = [
    "accounts.throttling.SignInThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
SIGN_IN_FAILURES_PER_ACCOUNT = env_int("SIGN_IN_FAILURES_PER_ACCOUNT", 5, minimum=1)
# Higher: a whole school or council office often reaches the service from one public address.
SIGN_IN_FAILURES_PER_ADDRESS = env_int("SIGN_IN_FAILURES_PER_ADDRESS", 30, minimum=1)
SIGN_IN_LOCKOUT_MINUTES = env_int("SIGN_IN_LOCKOUT_MINUTES", 30, minimum=1)
# Reverse proxies in front of the service that append to X-Forwarded-For (0: the peer is the client).
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0)
AXES_HANDLER = "accounts.throttling.AccountAndAddressHandler"
AXES_FAILURE_LIMIT = SIGN_IN_FAILURES_PER_ACCOUNT
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=SIGN_IN_LOCKOUT_MINUTES)
# A try during the lockout is refused and audited but does not push the end of the lockout further away.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.throttling.lockout_page"
AXES_VERBOSE = False

# A second factor (TOTP, with recovery codes) for the roles cases.permissions.SECOND_FACTOR_ROLES names
# and for superusers. Only a test of something else switches it off.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", True)
OTP_TOTP_ISSUER = "Attendance casework"
SECOND_FACTOR_RECOVERY_CODES = 10

# The admin, for superusers only, at ADMIN_PATH (see config.env.admin_path).
ADMIN_PATH = admin_path("ADMIN_PATH", embedded=EMBEDDED)

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

# --- Sessions and HTTPS -----------------------------------------------------------------------------------
# Idle timeout: the session ends this long after the last request (each request saves it again), so
# a child's record does not stay open on an unattended screen.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# Production speaks only HTTPS (check --deploy: W004, W008, W012, W016); the embedded default serves
# plain http://127.0.0.1. Each can be switched off for a trial behind plain HTTP.
SECURE_COOKIES = env_bool("SECURE_COOKIES", not EMBEDDED)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not EMBEDDED)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if EMBEDDED else 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not EMBEDDED)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not EMBEDDED)
if env_bool("BEHIND_TLS_PROXY", False):
    # The proxy ends TLS and says so; without this SECURE_SSL_REDIRECT would redirect for ever.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): everything from this origin, nothing inline, no frames. The
# GOV.UK Frontend pages keep to it: their scripts are files (static/js), their styles one stylesheet.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Email (cases.my_work: "something arrived", a link and never a pupil's details): the console on the embedded
# default; SMTP when EMAIL_HOST is set; GOV.UK Notify when its API key and a template id are set (the template
# holds ((subject)) and ((body))); or any backend EMAIL_BACKEND names.
GOV_UK_NOTIFY_API_KEY = env_str("GOV_UK_NOTIFY_API_KEY")
GOV_UK_NOTIFY_TEMPLATE_ID = env_str("GOV_UK_NOTIFY_TEMPLATE_ID")
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true")
EMAIL_BACKEND = email_backend(explicit=env_str("EMAIL_BACKEND"), notify_api_key=GOV_UK_NOTIFY_API_KEY,
                              notify_template_id=GOV_UK_NOTIFY_TEMPLATE_ID, smtp_host=EMAIL_HOST)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "attendance-casework@localhost")
SITE_URL = env_site_url("SITE_URL", "http://127.0.0.1:8000")

# Celery: eager in-process unless a broker is named, so tests and management commands need no service.
# CELERY_BROKER_URL=filesystem:// (what `bash .ci/setup demo` sets for its server and the worker it starts) is
# the embedded worker: kombu's filesystem transport, messages as files under var/celery/, no service either,
# and a letter batch or a bundle no longer holds the page that starts it.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "memory://")
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL.startswith("memory://")
# Not CELERY_-prefixed: Celery reads every CELERY_ setting as one of its own.
FILESYSTEM_BROKER_FOLDER = Path(env_str("CELERY_BROKER_FOLDER", str(BASE_DIR / "var" / "celery")))
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
if CELERY_BROKER_URL.startswith("filesystem://"):
    # One folder in and out: the web server and the worker both write and read the one queue there. Processed
    # messages are deleted (processed/ is where they would go if kept). control/ holds the exchanges, which
    # kombu would otherwise create in whatever folder the process started in.
    CELERY_BROKER_TRANSPORT_OPTIONS |= filesystem_broker_options(FILESYSTEM_BROKER_FOLDER)
# A letter batch with no new letter for this long shows as stuck, with buttons to resume or cancel it. Longer
# than the visibility timeout, so a killed worker's batch has been handed back once before anyone is asked.
LETTER_BATCH_STUCK_MINUTES = env_positive_int("LETTER_BATCH_STUCK_MINUTES", 15)
# An evidence bundle asked for and neither made nor failed after this long shows as stuck (no worker took it),
# with a button to try again. Longer than the visibility timeout, for the same reason.
BUNDLE_STUCK_MINUTES = env_positive_int("BUNDLE_STUCK_MINUTES", 10)
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
    "adjustment-reviews-due-email": {
        "task": "interventions.tasks.adjustment_reviews_due_email",
        # Each morning, the SENCo and the DSL hear of the adjustment reviews that fall due that day.
        "schedule": crontab(hour=7, minute=0),
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
    # django-axes logs every sign-in at INFO; its lockouts (WARNING) still show.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
