"""Settings for the strategy discussions service.

Every value comes from the environment, with an embedded default that runs on one
machine with no servers: SQLite, a filesystem Celery broker and email written to
.eml files. Set DATABASE_URL, REDIS_URL (or CELERY_BROKER_URL) and EMAIL_URL to run
on PostgreSQL, Redis and a real SMTP server.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str, machine_secret
from config.logs import logging_config, structlog_configure
from config.mail import email_settings_from_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

# Safe defaults. DEBUG is for a developer's machine: it is refused for any other host, and
# without SECRET_KEY it uses a random key made once for this machine (never a public one).
DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY and not DEBUG:
    raise ImproperlyConfigured("SECRET_KEY must be set to a long random value when DEBUG is off.")
SECRET_KEY = SECRET_KEY or machine_secret(VAR_DIR / "development-secret-key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]", "testserver"}
if DEBUG and set(ALLOWED_HOSTS) - LOCAL_HOSTS:
    raise ImproperlyConfigured(
        "DEBUG=true is only for a developer's machine, but ALLOWED_HOSTS names "
        f"{', '.join(sorted(set(ALLOWED_HOSTS) - LOCAL_HOSTS))}: set DEBUG=false."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SERVICE_NAME = env_str("SERVICE_NAME", "Strategy discussions")
PHASE = env_str("PHASE", "Beta")

INSTALLED_APPS = [
    "config.apps.StrategyAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_forms_gds",
    "pgtrigger",
    "django_prometheus",
    "django_structlog",
    "audit",
    "operations",
    "outbox",
    "agencies",
    "strategy",
    "minutes",
    "django_otp",
    "config.apps.AuthenticatorAppsConfig",
    "config.apps.BackupCodesConfig",
    "config.apps.SignInLockoutsConfig",
    "agencies.signin",
]

MIDDLEWARE = [
    # Request counts and latencies for /metrics: first and last, so they time everything.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Answers a load balancer's /health/ before the host check and the HTTPS redirect.
    "config.health.LoadBalancerProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Binds the request id and user id to every log line of the request (config/logs.py).
    "django_structlog.middlewares.RequestMiddleware",
    "audit.trail.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "agencies.signin.middleware.SignInMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
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
                "config.context_processors.service",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded default keeps SQLite here
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        # A server database keeps each process's connection for a minute, checked before a
        # request reuses it (so a restarted server costs one reconnect, not an error): a new
        # PostgreSQL connection per request costs more than most of the pages it serves.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if DATABASE_URL else 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves a web server and a worker of two processes at once: WAL lets
    # readers work beside the one writer, IMMEDIATE takes the write lock when a transaction
    # starts (so it waits its turn instead of failing part-way), and the busy timeout is how
    # long it waits.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT_SECONDS", 30),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "agencies.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# Stored files (minutes PDFs) go through the storage API so that several machines can
# share them: a local folder by default, an S3-compatible bucket when one is named.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
_default_storage = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "default_acl": "private",
            "querystring_auth": True,
        },
    }
    if AWS_STORAGE_BUCKET_NAME
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
)
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Celery: Redis when configured, otherwise a broker kept in local folders so that a
# developer needs no server. Results are not stored: the database holds every outcome.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or env_str("REDIS_URL") or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = VAR_DIR / "broker"
    for _folder in ("out", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fixup closes every database connection before and after each task unless
# this is set, whatever CONN_MAX_AGE says: a send task then spent 5-10 ms of its 20 ms
# start-up opening a new PostgreSQL connection. With it, the fixup closes them only every
# this many tasks, and config.celery closes old or broken ones around each task as Django
# does around each request (CONN_MAX_AGE, CONN_HEALTH_CHECKS).
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Hints only: the sweep reads what is due from the database, so a lost message or a
    # dead worker delays a delivery by one sweep at most.
    "retention-anonymise": {
        "task": "strategy.tasks.retention_anonymise",
        "schedule": 24 * 60 * 60.0,
    },
    "outbox-sweep": {
        "task": "outbox.tasks.sweep",
        "schedule": float(env_int("OUTBOX_SWEEP_SECONDS", env_int("MINUTES_SWEEP_SECONDS", 60))),
    },
    "differences-escalate": {
        "task": "strategy.tasks.differences_escalate",
        "schedule": float(env_int("RPD_SWEEP_SECONDS", 15 * 60)),
    },
    "minutes-sweep": {
        "task": "minutes.tasks.sweep",
        "schedule": float(env_int("MINUTES_SWEEP_SECONDS", 60)),
    },
    # The trends' settled months, rewritten from the records (minutes.models.MonthlySummary).
    "minutes-trends-rebuild": {
        "task": "minutes.tasks.trends_rebuild",
        "schedule": float(env_int("TRENDS_REBUILD_SECONDS", 6 * 60 * 60)),
    },
    # A worker running this is alive; beat publishing it (or anything) is alive too.
    "operations-heartbeat": {
        "task": "operations.tasks.heartbeat",
        "schedule": float(env_int("OPERATIONS_HEARTBEAT_SECONDS", 60)),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# The outbox: every message's life is bounded; it fails, with the last reply, after this many
# attempts or this long, whichever comes first. A send not finished within the lease is taken
# to have died with its worker.
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 10)
OUTBOX_MAX_AGE_HOURS = env_int("OUTBOX_MAX_AGE_HOURS", 24)
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", env_int("MINUTES_SEND_LEASE_SECONDS", 300))
OUTBOX_RETRY_CAP_SECONDS = env_int(
    "OUTBOX_RETRY_CAP_SECONDS", env_int("MINUTES_RETRY_CAP_SECONDS", 3600)
)
OUTBOX_SWEEP_LIMIT = env_int("OUTBOX_SWEEP_LIMIT", 1000)
# A chunk's messages go over this many SMTP sessions at once (threads in the worker process):
# while the server takes one email, the next is made and sent on another session.
OUTBOX_SMTP_SESSIONS = max(1, env_int("OUTBOX_SMTP_SESSIONS", 4))
# Fresh receipt links asked for from one delivery's page, per hour.
FRESH_LINKS_PER_HOUR = env_int("FRESH_LINKS_PER_HOUR", 3)

# Minutes PDFs: each render is bounded in time and in tries; then the version shows
# "The PDF could not be made" with a way to try again.
MINUTES_RENDER_SOFT_SECONDS = env_int("MINUTES_RENDER_SOFT_SECONDS", 120)
MINUTES_RENDER_HARD_SECONDS = env_int("MINUTES_RENDER_HARD_SECONDS", 150)
MINUTES_RENDER_TRIES = env_int("MINUTES_RENDER_TRIES", 3)
MINUTES_RENDER_RETRY_SECONDS = env_int("MINUTES_RENDER_RETRY_SECONDS", 30)
CELERY_TIMEZONE = TIME_ZONE

# Minutes: the deadline, how often unconfirmed receipts are chased, and the receipt link.
MINUTES_DEADLINE_HOURS = env_int("MINUTES_DEADLINE_HOURS", 24)
# Working days a discussion may be held within, from the concern (retrospective: from the
# emergency action), by urgency. 0 means the same working day. Set per partnership.
DISCUSSION_TIMESCALE_WORKING_DAYS = {
    "immediate": env_int("DISCUSSION_TIMESCALE_IMMEDIATE_WORKING_DAYS", 0),
    "planned": env_int("DISCUSSION_TIMESCALE_PLANNED_WORKING_DAYS", 3),
    "retrospective": env_int("DISCUSSION_TIMESCALE_RETROSPECTIVE_WORKING_DAYS", 1),
}
MINUTES_FIRST_REMINDER_HOURS = env_int("MINUTES_FIRST_REMINDER_HOURS", 24)
MINUTES_REMINDER_INTERVAL_HOURS = env_int("MINUTES_REMINDER_INTERVAL_HOURS", 24)
MINUTES_REMINDERS = env_int("MINUTES_REMINDERS", 3)
MINUTES_RECEIPT_LINK_DAYS = env_int("MINUTES_RECEIPT_LINK_DAYS", 30)
# A send claimed this long ago and not finished is taken to have died with its worker.
MINUTES_SEND_LEASE_SECONDS = env_int("MINUTES_SEND_LEASE_SECONDS", 300)
MINUTES_RETRY_CAP_SECONDS = env_int("MINUTES_RETRY_CAP_SECONDS", 3600)
MINUTES_SWEEP_SECONDS = env_int("MINUTES_SWEEP_SECONDS", 60)

# Health (/health/): what is checked, and how stale the worker and beat, and how old the oldest
# owed message, may be before it answers 503. See docs/operations.md.
HEALTH_CHECKS: list[str | tuple[str, dict[str, object]]] = [
    "health_check.checks.Database",
    "operations.health.Broker",
    "health_check.checks.Storage",
    ("operations.health.ProcessSeen", {"process": "worker"}),
    ("operations.health.ProcessSeen", {"process": "beat"}),
    "outbox.health.OldestOwedMessage",
]
HEALTH_WORKER_STALE_SECONDS = env_int("HEALTH_WORKER_STALE_SECONDS", 300)
HEALTH_BEAT_STALE_SECONDS = env_int("HEALTH_BEAT_STALE_SECONDS", 300)
HEALTH_OLDEST_OWED_SECONDS = env_int("HEALTH_OLDEST_OWED_SECONDS", 3600)
# Metrics (/metrics): a scraper sends "Authorization: Bearer METRICS_TOKEN" or calls from one
# of METRICS_ALLOWED_ADDRESSES (as config.client_address sees it). Neither set: 404 for all.
METRICS_TOKEN = env_str("METRICS_TOKEN")
METRICS_ALLOWED_ADDRESSES = env_list("METRICS_ALLOWED_ADDRESSES", [])
# Request latency buckets in seconds, for the p95 the load test reports.
PROMETHEUS_LATENCY_BUCKETS = (
    0.01,
    0.025,
    0.05,
    0.1,
    0.2,
    0.3,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    float("inf"),
)
# Resolving Professional Differences (after the Durham and South West Child Protection
# Procedures protocols, docs/professional-differences.md): working days each stage may run
# before the difference goes to the next, and who owns each stage. Stage 4's owner is the
# partnership's escalation panel, reached at RPD_PANEL_EMAIL.
RPD_STAGE_WORKING_DAYS = [
    int(days) for days in env_list("RPD_STAGE_WORKING_DAYS", ["2", "3", "5", "10"])
]
RPD_STAGE_OWNERS = env_list(
    "RPD_STAGE_OWNERS",
    [
        "Practitioner to practitioner",
        "Team or line managers",
        "Heads of service or designated safeguarding leads",
        "The partnership's escalation panel",
    ],
)
RPD_PANEL_EMAIL = env_str("RPD_PANEL_EMAIL", "escalation-panel@eastmere-partnership.example")
RPD_SWEEP_SECONDS = env_int("RPD_SWEEP_SECONDS", 15 * 60)

# Retention: closed discussions are anonymised this many days after closing (7 years).
RETENTION_DAYS = env_int("RETENTION_DAYS", 7 * 365)

# Keys for secrets kept encrypted in the database (config.field_encryption). A comma-separated
# list: the first encrypts, all decrypt. Unset, keys derive from SECRET_KEY and its fallbacks,
# which also keep old receipt links and sessions valid while SECRET_KEY is rotated.
FIELD_ENCRYPTION_KEY = env_list("FIELD_ENCRYPTION_KEY", [])
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])

# Email: a folder of .eml files by default; EMAIL_URL=smtp://user:pass@host:587/?tls=true
# for a real server.
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
globals().update(email_settings_from_url(env_str("EMAIL_URL"), production=not DEBUG))
# GOV.UK Notify instead of SMTP: MAIL_TRANSPORT=notify, with a live or team API key and one
# email template of ((subject)) and ((body)) ((link_to_file)); see docs/operations.md.
MAIL_TRANSPORT = env_str("MAIL_TRANSPORT", "smtp")
NOTIFY_API_KEY = env_str("NOTIFY_API_KEY")
NOTIFY_BASE_URL = env_str("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
NOTIFY_EMAIL_TEMPLATE_ID = env_str("NOTIFY_EMAIL_TEMPLATE_ID")
NOTIFY_EMAIL_REPLY_TO_ID = env_str("NOTIFY_EMAIL_REPLY_TO_ID")
NOTIFY_FILE_RETENTION = env_str("NOTIFY_FILE_RETENTION", "26 weeks")
NOTIFY_TIMEOUT_SECONDS = env_int("NOTIFY_TIMEOUT_SECONDS", 30)
# Notify's delivery receipts call /outbox/notify/receipts/ with this bearer token.
NOTIFY_CALLBACK_TOKEN = env_str("NOTIFY_CALLBACK_TOKEN")
if MAIL_TRANSPORT == "notify":
    if not (NOTIFY_API_KEY and NOTIFY_EMAIL_TEMPLATE_ID):
        raise ImproperlyConfigured(
            "MAIL_TRANSPORT=notify needs NOTIFY_API_KEY and NOTIFY_EMAIL_TEMPLATE_ID."
        )
    EMAIL_BACKEND = "outbox.notify.NotifyEmailBackend"
elif MAIL_TRANSPORT != "smtp":
    raise ImproperlyConfigured(f"MAIL_TRANSPORT must be smtp or notify, not {MAIL_TRANSPORT!r}")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "strategy-discussions@eastmere.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Email domains trusted to carry minutes unencrypted. "*." matches any subdomain.
SECURE_EMAIL_DOMAINS = env_list(
    "SECURE_EMAIL_DOMAINS",
    ["nhs.net", "*.nhs.uk", "*.police.uk", "cjsm.net", "*.cjsm.net", "*.gov.uk"],
)

# Security. Production runs with DEBUG off behind TLS; see the README's deployment section.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Scripts, styles, images and fonts come only from this site; nothing inline runs, nothing
# is framed, forms post only here (set by config.middleware.SecurityHeadersMiddleware).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Logs: one JSON object a line (LOG_JSON, on whenever DEBUG is off) with the event name, the
# request id and the user's id, and no personal data: see config/logs.py.
LOGGING = logging_config(
    as_json=env_bool("LOG_JSON", not DEBUG), level=env_str("LOG_LEVEL", "INFO")
)
structlog_configure()
DJANGO_STRUCTLOG_CELERY_ENABLED = True
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = env_bool("LOG_CLIENT_ADDRESS", False)
# Only behind a proxy that sets X-Request-ID (and drops the client's): ties its log to ours.
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = env_bool("LOG_TRUST_UPSTREAM_REQUEST_ID", False)

# Sign-in: two factors, throttling, sessions
# A password and then a code from an authenticator app (or a backup code), required of every
# role but partner agency users whose agency an administrator has exempted with a reason.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out accounts and addresses
    "django.contrib.auth.backends.ModelBackend",
]
SIGNIN_IDLE_MINUTES = env_int("SIGNIN_IDLE_MINUTES", 30)
SIGNIN_WARNING_SECONDS = env_int("SIGNIN_WARNING_SECONDS", 120)
SIGNIN_LIFETIME_HOURS = env_int("SIGNIN_LIFETIME_HOURS", 12)
SIGNIN_CODE_MINUTES = env_int("SIGNIN_CODE_MINUTES", 5)
SIGNIN_REAUTHENTICATE_MINUTES = env_int("SIGNIN_REAUTHENTICATE_MINUTES", 10)
SIGNIN_BACKUP_CODES = 10
# Proxies in front of the service that append to X-Forwarded-For: sign-in throttling and the
# audit trail both take the visitor's address from config.client_address with this count.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", env_int("SIGNIN_PROXY_COUNT", 0))
# Failures lock the account, and the account at one address, after AXES_FAILURE_LIMIT; an
# address as a whole (a council behind one NAT) only after SIGNIN_ADDRESS_FAILURE_LIMIT
# failures within SIGNIN_ADDRESS_WINDOW_MINUTES, so one person never locks out colleagues.
AXES_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGNIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
SIGNIN_ADDRESS_FAILURE_LIMIT = env_int("SIGNIN_ADDRESS_FAILURE_LIMIT", 100)
SIGNIN_ADDRESS_WINDOW_MINUTES = env_int("SIGNIN_ADDRESS_WINDOW_MINUTES", 15)
AXES_HANDLER = "agencies.signin.throttling.AccountFirstHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "agencies.signin.throttling.locked_out"
AXES_CLIENT_IP_CALLABLE = "config.client_address.client_address"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]  # masked in logs; passwords always
AXES_VERBOSE = False
OTP_TOTP_ISSUER = SERVICE_NAME
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # administrators never see anyone's secret

# Single sign-on for staff (docs/single-sign-on.md): their organisation's account (Microsoft
# Entra ID or another OpenID Connect provider) through mozilla-django-oidc. Off by default;
# password sign-in stays for partner agencies and break-glass administrators. A sign-in
# matches an existing active user by verified email and never creates one. The service's own
# second factor is skipped only if the provider asserts MFA and OIDC_ALLOW_PROVIDER_MFA is on.
OIDC_ENABLED = env_bool("OIDC_ENABLED", False)
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET")
# The provider's /.well-known/openid-configuration; any endpoint below overrides it.
OIDC_OP_DISCOVERY = env_str("OIDC_OP_DISCOVERY")
OIDC_OP_ISSUER = env_str("OIDC_OP_ISSUER")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT")
# Signing out here also ends the provider's session (its end_session_endpoint, discovered
# unless set); the id token it needs as a hint is kept in the server-side session.
OIDC_OP_LOGOUT_ENDPOINT = env_str("OIDC_OP_LOGOUT_ENDPOINT")
OIDC_STORE_ID_TOKEN = True
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile")
OIDC_ALLOW_PROVIDER_MFA = env_bool("OIDC_ALLOW_PROVIDER_MFA", False)
OIDC_MFA_AMR_VALUES = env_list("OIDC_MFA_AMR_VALUES", ["mfa", "otp", "hwk", "swk"])
OIDC_MFA_ACR_VALUES = env_list(
    "OIDC_MFA_ACR_VALUES", ["http://schemas.openid.net/pape/policies/2007/06/multi-factor"]
)
OIDC_LEEWAY_SECONDS = env_int("OIDC_LEEWAY_SECONDS", 60)  # clock skew allowed on exp and iat
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10)
OIDC_CREATE_USER = False
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_ALLOW_UNSECURED_JWT = False
if OIDC_ENABLED:
    if not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
        raise ImproperlyConfigured(
            "OIDC_ENABLED needs OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET."
        )
    if not (OIDC_OP_DISCOVERY or (OIDC_OP_ISSUER and OIDC_OP_TOKEN_ENDPOINT)):
        raise ImproperlyConfigured("OIDC_ENABLED needs OIDC_OP_DISCOVERY or the endpoints.")
    if OIDC_RP_SIGN_ALGO.upper().startswith(("HS", "NONE")):
        raise ImproperlyConfigured("OIDC_RP_SIGN_ALGO must be an asymmetric one, like RS256.")
    AUTHENTICATION_BACKENDS = [
        *AUTHENTICATION_BACKENDS,
        "agencies.signin.single_sign_on.OrganisationAccountBackend",
    ]
