"""Shequ settings: every deployment-specific value comes from the environment (see .env.example)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from shequ.core import sharedstate

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# Development keys are derived per checkout so no secret is ever committed; production must set real ones.
_DEV_KEY_FILE = BASE_DIR / "var" / "dev-secrets"


def _dev_secret(name: str) -> str:
    import secrets

    _DEV_KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
    values = {}
    if _DEV_KEY_FILE.exists():
        for line in _DEV_KEY_FILE.read_text().splitlines():
            key, _, val = line.partition("=")
            values[key] = val
    if name not in values:
        values[name] = secrets.token_urlsafe(48)
        _DEV_KEY_FILE.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
        _DEV_KEY_FILE.chmod(0o600)
    return values[name]


def _secret(name: str) -> str:
    value = env_str(name)
    if value:
        return value
    if DEBUG or env_bool("SHEQU_DEV_SECRETS", False):
        return _dev_secret(name)
    raise ImproperlyConfigured(f"{name} must be set in the environment (see .env.example)")


SECRET_KEY = _secret("SECRET_KEY")
# Field encryption (Fernet keys, comma-separated, newest first, for rotation) and the search-hash key.
FIELD_ENCRYPTION_KEYS = [k for k in _secret("FIELD_ENCRYPTION_KEY").split(",") if k]
FIELD_HASH_KEY = _secret("FIELD_HASH_KEY")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "shequ.core.apps.CoreConfig",
    "shequ.people.apps.PeopleConfig",
    "shequ.acceptance.apps.AcceptanceConfig",
    "shequ.grid.apps.GridConfig",
    "shequ.portal.apps.PortalConfig",
    "shequ.facilities.apps.FacilitiesConfig",
    "shequ.eldercare.apps.EldercareConfig",
    "shequ.health.apps.HealthConfig",
    "shequ.charity.apps.CharityConfig",
    "shequ.helpline.apps.HelplineConfig",
    "shequ.volunteers.apps.VolunteersConfig",
    "shequ.socialorgs.apps.SocialorgsConfig",
    "shequ.targets.apps.TargetsConfig",
    "shequ.events.apps.EventsConfig",
    "shequ.governance.apps.GovernanceConfig",
    "shequ.evaluators.apps.EvaluatorsConfig",
    "shequ.cockpit.apps.CockpitConfig",
]

MIDDLEWARE = [
    "shequ.core.middleware.RequestContextMiddleware",
    "shequ.core.middleware.ReplicaMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "shequ.core.middleware.SessionTimeoutMiddleware",
    "shequ.core.middleware.SecondFactorMiddleware",
    "shequ.core.middleware.PasswordExpiryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "shequ.core.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
    "shequ.core.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "shequ.urls"
WSGI_APPLICATION = "shequ.wsgi.application"

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
                "django.template.context_processors.i18n",
                "shequ.core.context_processors.shell",
            ],
        },
    }
]

# Database: SQLite (WAL, immediate transactions) by default; DATABASE_URL switches to PostgreSQL.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    SQLITE_PATH = Path(env_str("SQLITE_PATH", str(BASE_DIR / "var" / "shequ.sqlite3")))
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                    " PRAGMA busy_timeout=20000; PRAGMA cache_size=-64000; PRAGMA mmap_size=268435456;"
                ),
            },
            "TEST": {"NAME": env_str("SQLITE_TEST_PATH") or None},
        }
    }

# Read replicas (PostgreSQL streaming replicas): lists, figures, exports and Open311 GETs read from one when it is
# up and within DATABASE_REPLICA_MAX_LAG seconds of the primary; writes, and a client's reads for
# DATABASE_PRIMARY_PIN_SECONDS after its write, stay on the primary (`shequ.core.dbrouter`). SQLite ignores them.
DATABASE_REPLICAS: list[str] = []
if DATABASE_URL:
    for _i, _url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
        _alias = f"replica{_i}"
        DATABASES[_alias] = dj_database_url.parse(_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
        DATABASES[_alias]["CONN_HEALTH_CHECKS"] = True
        DATABASES[_alias].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DATABASE_REPLICA_CONNECT_TIMEOUT", 2)
        DATABASES[_alias]["TEST"] = {"MIRROR": "default"}
        DATABASE_REPLICAS.append(_alias)
DATABASE_REPLICA_MAX_LAG = env_int("DATABASE_REPLICA_MAX_LAG", 10)
DATABASE_PRIMARY_PIN_SECONDS = env_int("DATABASE_PRIMARY_PIN_SECONDS", 15)
# Off in production: answers say where their reads were served (`X-Shequ-Read: replica | primary | primary-retry`),
# for the cluster proof (bench/cluster.py) and for tracing a deployment's routing.
DATABASE_READ_HEADER = env_bool("DATABASE_READ_HEADER", False)
DATABASE_ROUTERS = ["shequ.core.dbrouter.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 10)}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "shequ.core.passwords.CharacterClassValidator",
     "OPTIONS": {"min_classes": env_int("PASSWORD_MIN_CLASSES", 3)}},
]
# 等保 asks for periodic change; 0 disables forced rotation (ASVS prefers none). Days.
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90)
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# Sessions: idle timeout and absolute lifetime, enforced by SessionTimeoutMiddleware.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", 12 * 3600)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_FAILURE_VIEW = "shequ.core.views.csrf_failure"
PASSWORD_RESET_TIMEOUT = 3600

# Lockout (django-axes): per account, 5 failures, 30 minutes cool-off.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "shequ.core.logins.axes_username"  # a typed phone number is never stored (see logins)
AXES_RESET_ON_SUCCESS = True
# Failures and lockouts are rows of the shared database, so a guess counts whichever node it reaches.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# Locking by address would lock out a whole office behind one intranet proxy; 等保 asks for account lockout.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Second factor (TOTP) for the admin roles.
SHEQU_REQUIRE_2FA = env_bool("REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "Shequ 社区"

# Security headers
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

MAP_TILE_URL = env_str("MAP_TILE_URL", "")  # an intranet tile server, e.g. http://tiles.local/{z}/{x}/{y}.png
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "")

_tile_origin = []
if MAP_TILE_URL:
    from urllib.parse import urlsplit

    parts = urlsplit(MAP_TILE_URL)
    _tile_origin = [f"{parts.scheme}://{parts.netloc}"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *_tile_origin],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Upload limits
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
SHEQU_IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 40 * 1024 * 1024)
# An .xlsx whose parts would expand beyond this (or by more than 100 times) is refused before it is read.
SHEQU_IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 400 * 1024 * 1024)
SHEQU_EXPORT_MAX_ROWS = env_int("EXPORT_MAX_ROWS", 10000)

# Internationalisation: Chinese first, English kept.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"
# Files go through Django's storage API only: "default" holds uploads (photos, documents) under MEDIA_ROOT or, with
# MEDIA_STORAGE=s3, in an S3-compatible bucket; "private" the files never served (encrypted import uploads,
# evidence) under PRIVATE_ROOT or their own bucket/prefix (PRIVATE_STORAGE). With several nodes MEDIA_ROOT and
# PRIVATE_ROOT are a path every node mounts. `shequ.core.sharedstate`; docs/OPERATIONS.md "Several app nodes".
STORAGES = sharedstate.storage_settings(
    os.environ,
    staticfiles_backend="django.contrib.staticfiles.storage.StaticFilesStorage"
    if DEBUG or env_bool("SHEQU_PLAIN_STATIC", False)
    else "whitenoise.storage.CompressedManifestStaticFilesStorage")
WHITENOISE_USE_FINDERS = DEBUG

# The default cache is shared by every worker process of every node (rate limits and cached figures must hold
# across gunicorn workers and machines): Redis (django-redis) when CACHE_BACKEND=redis or REDIS_URL is set, the
# database cache otherwise. "local" is per process, for memoising what never needs sharing.
CACHES = sharedstate.cache_settings(os.environ)
# Sessions are rows of the shared database (every node reads them; the router keeps them on the primary).
SESSION_ENGINE = "django.contrib.sessions.backends.db"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "shequ.core.api_auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "shequ.core.api_errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "shequ.core.api_pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer",
                                 "rest_framework.renderers.BrowsableAPIRenderer"],
    "DEFAULT_PARSER_CLASSES": ["shequ.core.api_parsers.BoundedJSONParser",
                               "rest_framework.parsers.FormParser",
                               "rest_framework.parsers.MultiPartParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
API_TOKEN_TTL_HOURS = env_int("API_TOKEN_TTL_HOURS", 12)
# How long a stored `Idempotency-Key` answer is replayed; `manage.py idempotency_purge` deletes older keys.
IDEMPOTENCY_KEY_TTL_HOURS = env_int("IDEMPOTENCY_KEY_TTL_HOURS", 24)

SPECTACULAR_SETTINGS = {
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "shequ.core.api_pagination.document_cursor_errors"],
    "TITLE": "Shequ 社区 API",
    "DESCRIPTION": "街道社区治理与公共服务平台接口。所有列表与详情按用户管辖范围过滤。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "HouseholdRelationEnum": "shequ.people.choices.Relation",
        "ArchiveRelationEnum": "shequ.acceptance.choices.ArchiveRelation",
        "AcceptanceCaseStatusEnum": "shequ.acceptance.choices.CaseStatus",
        "TicketStatusEnum": "shequ.acceptance.choices.TicketStatus",
        "RectificationStatusEnum": "shequ.acceptance.choices.RectificationStatus",
        "ArchiveStatusEnum": "shequ.acceptance.choices.ArchiveStatus",
        "GridCaseStatusEnum": "shequ.grid.choices.CaseStatus",
        "HotlineStatusEnum": "shequ.grid.choices.HotlineStatus",
        "ExtensionStatusEnum": "shequ.grid.choices.ExtensionStatus",
        "RecipientEnum": "shequ.acceptance.choices.Recipient",
        "GridCaseSourceEnum": "shequ.grid.choices.Source",
        "HotlineContactMethodEnum": "shequ.grid.choices.ContactMethod",
        "OrganisationKindEnum": "shequ.socialorgs.choices.OrgKind",
        "ProjectStatusEnum": "shequ.socialorgs.choices.ProjectStatus",
        "ClaimStatusEnum": "shequ.socialorgs.choices.ClaimStatus",
        "BookingStatusEnum": "shequ.facilities.choices.BookingStatus",
        "TransferStatusEnum": "shequ.acceptance.choices.TransferStatus",
    },
}

# Outbound messages (SMS / email). The default backend writes to the log; no gateway is needed to run.
SHEQU_MESSAGE_BACKEND = env_str("MESSAGE_BACKEND", "shequ.core.messaging.LogMessageBackend")

# Working periods of a working day, for deadlines counted in 工作时.
SHEQU_WORKING_PERIODS = env_str("WORKING_PERIODS", "08:30-11:30,13:00-17:00")
# 容缺受理: an applicant whose 容缺 promise lapsed within this many months cannot use 容缺 again (0: no bar).
ACCEPTANCE_RONGQUE_BAR_MONTHS = env_int("ACCEPTANCE_RONGQUE_BAR_MONTHS", 12)
# The court named in a 不予受理 notice. Shanghai centralises first-instance administrative cases against district
# government departments (and the 街道, the district's agency) in 上海铁路运输法院; the 复议 body is the district
# government ("{district}" is replaced by the district's name).
ACCEPTANCE_ADMIN_COURT = env_str("ACCEPTANCE_ADMIN_COURT", "上海铁路运输法院")
ACCEPTANCE_REVIEW_BODY = env_str("ACCEPTANCE_REVIEW_BODY", "{district}人民政府")
# Decimal places of the coordinates the public Open311 GET shows (3 ≈ 100 m: the street, never the doorway).
SHEQU_GRID_PUBLIC_COORD_DECIMALS = env_int("GRID_PUBLIC_COORD_DECIMALS", 3)
# How long a process trusts its grid index before reading the stamp of the last grid change again: another node's
# boundary edit reaches this one within this many seconds (the process's own edits at once).
SHEQU_SPATIAL_RECHECK_SECONDS = env_int("SPATIAL_RECHECK_SECONDS", 2)
# Likewise for the working-day calendar a process keeps: another node's edit of a year is seen within this time.
SHEQU_CALENDAR_RECHECK_SECONDS = env_int("CALENDAR_RECHECK_SECONDS", 2)
# 大联动 extensions, where the 小类 sets nothing: the hours one extension may add on the 值班长's approval (more
# goes to the 城运中心 leader) and how many extensions a case may have in all.
SHEQU_GRID_EXTENSION_ALLOWANCE_HOURS = env_int("GRID_EXTENSION_ALLOWANCE_HOURS", 8)
SHEQU_GRID_MAX_EXTENSIONS = env_int("GRID_MAX_EXTENSIONS", 2)
# The hall's posted hours for taking a number (kiosk, API, appointment check-in), on working days; empty: no limit.
SHEQU_HALL_HOURS = env_str("HALL_HOURS", "08:30-17:00")
# Department codes (core.Department.code) of the 街道 functions some work belongs to: only that department's
# back-office officers hold it (`shequ.core.permissions.department_only`).
SHEQU_DEPARTMENTS = {"civil_affairs": env_str("CIVIL_AFFAIRS_DEPARTMENT", "MZ"),
                     "health": env_str("HEALTH_DEPARTMENT", "WJ")}

# Background and scheduled work: Django's tasks framework (the django-tasks backport). The database backend is
# the default and needs nothing but the database (`manage.py run_worker` beside the web server); with several
# machines set TASKS_BACKEND=rq and REDIS_URL, and run `manage.py rqworker --with-scheduler default` plus one
# `manage.py run_worker --scheduler-only` per machine (docs/OPERATIONS.md).
SHEQU_TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
# The tasks framework's jobs on Redis carry a Task, not a function: `manage.py rqworker` runs them with this job
# class (a worker with RQ's own class fails every task with "object is not callable").
RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
if SHEQU_TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": env_str("REDIS_URL", "redis://127.0.0.1:6379/0"), "DEFAULT_TIMEOUT": 3600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif SHEQU_TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
else:
    raise ImproperlyConfigured("TASKS_BACKEND must be database or rq")
# Failed tasks are tried again after TASK_RETRY_BASE_SECONDS × 4^(attempt-1), at most TASK_RETRY_MAX_ATTEMPTS times.
SHEQU_TASK_RETRY_MAX_ATTEMPTS = env_int("TASK_RETRY_MAX_ATTEMPTS", 4)
SHEQU_TASK_RETRY_BASE_SECONDS = env_int("TASK_RETRY_BASE_SECONDS", 30)
# Uploaded import files: encrypted with the field-encryption key, mode 0600, outside MEDIA_ROOT; deleted when the
# job finishes. `retention_purge` removes anything older than IMPORT_FILE_RETENTION_HOURS that a job left behind.
SHEQU_PRIVATE_ROOT = Path(env_str("PRIVATE_ROOT", str(BASE_DIR / "var" / "private")))
SHEQU_IMPORT_FILE_RETENTION_HOURS = env_int("IMPORT_FILE_RETENTION_HOURS", 24)
# Nightly backups kept this many days (the scheduled backup_db run).
SHEQU_BACKUP_KEEP_DAYS = env_int("BACKUP_KEEP_DAYS", 30)
SHEQU_AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"personal": {"()": "shequ.core.logfilters.MaskPersonalData"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["personal"]}},
    "loggers": {
        "shequ": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
        "django.request": {"handlers": ["console"], "level": "ERROR"},
    },
}
