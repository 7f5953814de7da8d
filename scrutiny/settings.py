"""Settings, every value from the environment with a default that works on a laptop.

Nothing set: SQLite in the project folder, Celery tasks run eagerly in the web process, e-mail
printed to the console, DEBUG on. The README lists every variable.
"""

import ipaddress
import re
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONCE as CSP_NONCE
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured

from scrutiny.env import (
    broker_from_url,
    contrast_with_white,
    database_from_url,
    env_bool,
    env_date,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", DEV_SECRET_KEY)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

if not DEBUG:
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters "
            "when DJANGO_DEBUG is off."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS must list the site's host names when DJANGO_DEBUG is off."
        )

COUNCIL_NAME = env_str("COUNCIL_NAME", "Gloucestershire County Council")
SERVICE_NAME = env_str("SERVICE_NAME", "Children's services scrutiny")
# The council's DfE local authority code (three digits: 916 is Gloucestershire), for comparing
# it with other councils in the DfE's published statistics.
COUNCIL_LA_CODE = env_str("COUNCIL_LA_CODE", "916")
if not re.fullmatch(r"[0-9]{3}", COUNCIL_LA_CODE):
    raise ImproperlyConfigured(
        f"COUNCIL_LA_CODE must be the DfE's three-digit code, e.g. 916; got {COUNCIL_LA_CODE!r}."
    )
# The header's colour (white text is written on it, so it must be dark enough to read) and an
# optional logo, a file under static/ (e.g. img/logo.svg) shown beside the council's name.
COUNCIL_BRAND_COLOUR = env_str("COUNCIL_BRAND_COLOUR", "#0b3b4f")
if not re.fullmatch(r"#[0-9a-fA-F]{6}", COUNCIL_BRAND_COLOUR):
    raise ImproperlyConfigured(
        f"COUNCIL_BRAND_COLOUR must be a colour like #0b3b4f; got {COUNCIL_BRAND_COLOUR!r}."
    )
if contrast_with_white(COUNCIL_BRAND_COLOUR) < 4.5:
    raise ImproperlyConfigured(
        f"COUNCIL_BRAND_COLOUR {COUNCIL_BRAND_COLOUR} is too light for white text "
        f"(contrast {contrast_with_white(COUNCIL_BRAND_COLOUR):.1f}:1; at least 4.5:1 is needed)."
    )
COUNCIL_LOGO = env_str("COUNCIL_LOGO")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "ninja",
    "axes",
    "scrutiny",
    "metrics",
    "improvement_plan",
]

MIDDLEWARE = [
    "scrutiny.proxy.TrustedProxyHeaders",
    "django.middleware.security.SecurityMiddleware",
    "scrutiny.middleware.RefuseNulCharacters",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "scrutiny.middleware.LoginRequired",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "scrutiny.urls"
WSGI_APPLICATION = "scrutiny.wsgi.application"

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
                "scrutiny.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        "DATABASE_URL", env_str("DATABASE_URL", "sqlite:///db.sqlite3"), BASE_DIR
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "scrutiny:home"
LOGOUT_REDIRECT_URL = "login"

# Failed logins: after AXES_FAILURE_LIMIT failures for one user name from one address, that
# pair is locked out for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# ...and an address, whatever the user names, after this many failures in the cool-off time.
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 30, minimum=1)
AXES_HANDLER = "scrutiny.throttle.AddressAwareHandler"
AXES_CLIENT_IP_CALLABLE = "scrutiny.proxy.client_address"
# The reverse proxies (addresses or networks) whose X-Forwarded-For and X-Forwarded-Proto are
# believed; from anywhere else those headers are removed. Empty: no proxy is trusted.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES must list addresses or networks; got {_proxy!r}."
        ) from None
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# static/ holds the project's own CSS and JS; static/build/ is made by `make assets` from the npm
# registry's GOV.UK Frontend and htmx and from the plotly wheel's plotly.js.
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Stored files (uploads, reports, pack PDFs) are served only through views that check the
# reader's rights, never from MEDIA_URL; behind nginx, an internal location at this prefix
# aliased to MEDIA_ROOT lets nginx send them (X-Accel-Redirect).
MEDIA_URL = "/media/"
PROTECTED_FILES_ACCEL_PREFIX = env_str("PROTECTED_FILES_ACCEL_PREFIX")
# The largest file of figures accepted, in bytes.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "metrics.upload_handlers.SizeLimit",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# E-mail: console unless an SMTP host is given.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "scrutiny@localhost")
# The day the product reads the council as at (YYYY-MM-DD): empty for today, as a council runs
# it; `make run` sets the demo's, the day before its meeting of 15 September 2022. Overdue
# actions, question deadlines, the next meeting and overdue risk reviews are judged as at it,
# and every page says so.
AS_AT = env_date("AS_AT")
# A period's figures are due by this day of the month after the period ends (shown in the
# figures template).
FIGURES_DUE_DAY = env_int("FIGURES_DUE_DAY", 15, minimum=1)
# Members' questions are due this many working days before a meeting; later ones are marked late.
QUESTION_DEADLINE_WORKING_DAYS = env_int("QUESTION_DEADLINE_WORKING_DAYS", 5, minimum=0)
# The address people use to reach the site, for links in e-mails.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: memory:// runs every task eagerly inside the web process (no services needed);
# a redis:// URL sends them to a real worker.
_broker_name = "CELERY_BROKER_URL" if env_str("CELERY_BROKER_URL") else "REDIS_URL"
CELERY_BROKER_URL = broker_from_url(_broker_name, env_str(_broker_name, "memory://"))
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL.startswith("memory://")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Work recorded but not done after this long is queued again by the sweeper.
STUCK_WORK_MINUTES = env_int("STUCK_WORK_MINUTES", 10, minimum=1)
# No file, however hostile, may hold a worker: a task is stopped after these many seconds, and
# a worker process is replaced once it has used this much memory (KiB).
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 900, minimum=10)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 60
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_KB", 3_000_000, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-work": {
        "task": "scrutiny.tasks.sweep_stuck_work",
        "schedule": 300.0,
    },
    "nightly-full-recompute": {
        "task": "metrics.tasks.recompute_in_background",
        "schedule": crontab(hour=2, minute=30),
    },
    "daily-plan-actions": {
        "task": "improvement_plan.tasks.plan_daily_round",
        "schedule": crontab(hour=6, minute=15),
    },
    "daily-overdue-risk-reviews": {
        "task": "improvement_plan.tasks.flag_overdue_reviews",
        "schedule": crontab(hour=6, minute=0),
    },
}

# Content-Security-Policy (django-csp): scripts only from our own static files, or inline with
# the request's nonce; nothing from elsewhere. Styles allow inline because plotly.js and htmx
# add style elements as they draw; images allow data: and blob: for chart downloads.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF, CSP_NONCE],
        "style-src": [CSP_SELF, "'unsafe-inline'"],
        "img-src": [CSP_SELF, "data:", "blob:"],
        "font-src": [CSP_SELF, "data:"],
        "connect-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    }
}

# Security: strict whenever DEBUG is off.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60, minimum=60)
CSRF_COOKIE_HTTPONLY = False  # htmx reads no cookie: the token is sent from <body hx-headers>
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    # Cookies only over HTTPS; DJANGO_SECURE_COOKIES=false is for a plain-HTTP test on loopback.
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# /healthz is polled over plain HTTP by load balancers and compose.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
