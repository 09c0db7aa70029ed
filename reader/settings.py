"""Folio settings: one module, every value read once from the environment through django-environ.

With nothing set, Folio runs on its embedded default: SQLite in ``data/``, kombu's filesystem broker and a
local worker. ``DATABASE_URL`` and ``REDIS_URL`` (or ``CELERY_BROKER_URL``) switch to PostgreSQL and Redis.
Every variable is listed, with its default, in ``.env.example``.
"""

import sys
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from whitenoise.compress import Compressor

from reader.envparse import broker_settings, image_storage, parse_networks, secret_key_from_file

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DATA_DIR = Path(env("FOLIO_DATA_DIR", default=str(BASE_DIR / "data")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="") or secret_key_from_file(DATA_DIR / "secret_key")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "articles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "reader.middleware.StaticFilesMiddleware",
    "reader.middleware.TextGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Log-in by a trusted authenticating proxy (FOLIO_AUTH_PROXY_HEADER; does nothing when unset).
    "accounts.auth_proxy.AuthProxyMiddleware",
    # Last, as django-axes asks: turns a locked-out login into accounts.throttling.lockout_response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "reader.urls"
WSGI_APPLICATION = "reader.wsgi.application"

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
                "articles.context_processors.reader_settings",
            ],
        },
    },
    # The library rows (templates/jinja2/articles/_library_rows.html), printed by {% library_rows_html %}:
    # the Django engine cost 1.7 ms per row there (articles/templatetags/library_rows.py).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"autoescape": True, "trim_blocks": True, "lstrip_blocks": True},
    },
]

# --- Database -------------------------------------------------------------------------------------------
DATABASES = {
    "default": environ.Env.db_url_config(
        env("DATABASE_URL", default="") or f"sqlite:///{DATA_DIR / 'folio.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; IMMEDIATE transactions avoid the
    # "database is locked" upgrade deadlock (Django 5.1 release notes, SQLite transaction_mode).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # A file (not :memory:) so that a real worker process can open the test database too.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-folio.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -------------------------------------------------------------------------------------------------
# ModelBackend that loads the reader settings with the user (one query per request for both).
# django-axes' backend first: it refuses a locked-out user name or address before any password is checked.
# accounts.oidc.FolioOIDCBackend is off (answers None) unless OIDC_RP_CLIENT_ID is set.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "articles.auth.FolioModelBackend",
    "accounts.oidc.FolioOIDCBackend",
    "accounts.auth_proxy.FolioRemoteUserBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "articles:library"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

MEDIA_ROOT = DATA_DIR / "media"
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Security ---------------------------------------------------------------------------------------------
# FOLIO_HTTPS=true when Folio is served over HTTPS (the docker-compose production set-up behind a proxy).
FOLIO_HTTPS = env.bool("FOLIO_HTTPS", default=False)
SECURE_SSL_REDIRECT = FOLIO_HTTPS and env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = FOLIO_HTTPS
CSRF_COOKIE_SECURE = FOLIO_HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if FOLIO_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = FOLIO_HTTPS
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=FOLIO_HTTPS)
if env.bool("FOLIO_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp 4): no inline script anywhere. Article images are Folio's own copies
# (services/media.py), so img-src needs no other origin (data: is for Swagger UI's icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Logging ----------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- REST API ---------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "articles.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "articles.api.conventions.FolioAutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["articles.api.parsers.BoundedJSONParser"],
    "EXCEPTION_HANDLER": "articles.api.conventions.api_exception_handler",
    # Writes only; counts in the default cache (per-process LocMem unless CACHES is set).
    "DEFAULT_THROTTLE_CLASSES": ["articles.api.throttling.WriteRateThrottle"],
}
# Most writes (POST/PATCH/DELETE) one person may make through the API, e.g. "120/minute"; empty = no limit.
FOLIO_API_WRITE_RATE = env("FOLIO_API_WRITE_RATE", default="120/minute")
# Most single saves one person may make in 60 seconds on every face together (form, bookmarklet, share, APIs),
# counted in the database (articles/services/saving: _save_rate_check); 0 = no limit. Imports do not count.
FOLIO_SAVE_RATE_PER_MINUTE = env.int("FOLIO_SAVE_RATE_PER_MINUTE", default=120)
# Matches a search counts exactly; past it the page, the API and saved searches say "more than N"
# (articles/search: count_limit). Counting every match of a common word in a huge library costs more than
# the search itself.
FOLIO_SEARCH_COUNT_LIMIT = env.int("FOLIO_SEARCH_COUNT_LIMIT", default=10_000)
SPECTACULAR_SETTINGS = {
    "TITLE": "Folio API",
    "DESCRIPTION": "Save, read and organise articles in Folio.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from Folio itself (no CDN; the CSP allows only self).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # PATCH bodies are documented as the views read them (required fields stay required).
    "COMPONENT_SPLIT_PATCH": False,
}

# --- Celery -----------------------------------------------------------------------------------------------
CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = broker_settings(
    env("CELERY_BROKER_URL", default=""),
    env("REDIS_URL", default=""),
    DATA_DIR,
    env.int("FOLIO_BROKER_VISIBILITY_TIMEOUT", default=3600),
)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# acks_late + reject_on_worker_lost: a task whose worker dies is delivered again; safe because
# article_process claims the row first and is idempotent (DESIGN.md, Celery docs "Should I use retry or acks_late?").
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("FOLIO_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("FOLIO_TASK_TIME_LIMIT", default=150)
CELERY_TASK_DEFAULT_QUEUE = env("FOLIO_QUEUE", default="folio")
# Imported articles and import parsing go to their own low-priority queue so a person's saves stay fast;
# workers consume both (-Q folio,folio-import) and, on Redis, take from the first queue first.
FOLIO_IMPORT_QUEUE = env("FOLIO_IMPORT_QUEUE", default="folio-import")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Celery's Django fixup closes every database connection before and after every task unless this is set;
# then it does so only every CELERY_DB_REUSE_MAX tasks, and reader/celery.py closes broken or obsolete
# connections around each task as Django does around a request (CONN_MAX_AGE, CONN_HEALTH_CHECKS).
# 0 restores the fixup's close-around-every-task behaviour.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_BEAT_SCHEDULE = {
    "requeue-stale-articles": {
        "task": "articles.tasks.article_requeue_stale_task",
        "schedule": env.float("FOLIO_REQUEUE_INTERVAL", default=60.0),
    },
}

# --- Folio ------------------------------------------------------------------------------------------------
FETCH_ALLOWED_NETWORKS = parse_networks(env("FETCH_ALLOWED_NETWORKS", default=""))
FOLIO_FETCH_CONNECT_TIMEOUT = env.float("FOLIO_FETCH_CONNECT_TIMEOUT", default=10.0)
FOLIO_FETCH_READ_TIMEOUT = env.float("FOLIO_FETCH_READ_TIMEOUT", default=20.0)
FOLIO_FETCH_TOTAL_TIMEOUT = env.float("FOLIO_FETCH_TOTAL_TIMEOUT", default=60.0)
# Two lanes, so that slow fetches never starve fast saves: on the save lane a page and its images get
# FOLIO_FETCH_FAST_TIMEOUT seconds; slower pages and every retry go to FOLIO_SLOW_QUEUE (its own workers:
# celery -A reader worker -Q folio-slow) with the whole FOLIO_FETCH_TOTAL_TIMEOUT.
FOLIO_FETCH_FAST_TIMEOUT = env.float("FOLIO_FETCH_FAST_TIMEOUT", default=5.0)
FOLIO_SLOW_QUEUE = env("FOLIO_SLOW_QUEUE", default="folio-slow")
FOLIO_FETCH_MAX_BYTES = env.int("FOLIO_FETCH_MAX_BYTES", default=15 * 1024 * 1024)
FOLIO_FETCH_MAX_REDIRECTS = env.int("FOLIO_FETCH_MAX_REDIRECTS", default=10)
# At most this many fetches at once against one host (0: no limit); a fetch waits FOLIO_FETCH_HOST_WAIT
# seconds for a slot, then its task tries again later (articles/hostlimit.py).
FOLIO_FETCH_PER_HOST = env.int("FOLIO_FETCH_PER_HOST", default=2)
FOLIO_FETCH_HOST_WAIT = env.float("FOLIO_FETCH_HOST_WAIT", default=10.0)
# Prefix of Folio's own Redis keys (per-host fetch slots), so that two Folio instances can share one Redis.
FOLIO_REDIS_PREFIX = env("FOLIO_REDIS_PREFIX", default="folio")
FOLIO_USER_AGENT = env(
    "FOLIO_USER_AGENT",
    default="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36 Folio/0.1",
)
FOLIO_PAGE_MAX_BYTES = env.int("FOLIO_PAGE_MAX_BYTES", default=10 * 1024 * 1024)
# A page sent as JSON is escaped (up to 6 bytes per character for \uXXXX), so the request body may be
# larger than the page: Django must not refuse it before Folio's own, clearer size check runs.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * FOLIO_PAGE_MAX_BYTES + 1024 * 1024
# Articles left in queued/fetching longer than this many seconds are queued again by the sweeper.
FOLIO_STALE_AFTER = env.int("FOLIO_STALE_AFTER", default=300)
FOLIO_MAX_ATTEMPTS = env.int("FOLIO_MAX_ATTEMPTS", default=5)
# Base of the exponential retry backoff in seconds (attempt n waits up to base * 2**n).
FOLIO_RETRY_BACKOFF = env.float("FOLIO_RETRY_BACKOFF", default=10.0)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
# Imports: largest upload in bytes, and entries written per database batch.
FOLIO_IMPORT_MAX_BYTES = env.int("FOLIO_IMPORT_MAX_BYTES", default=100 * 1024 * 1024)
FOLIO_IMPORT_BATCH_SIZE = env.int("FOLIO_IMPORT_BATCH_SIZE", default=200)
# A worker slot fetching imported articles goes back to the queue (where saves come first) this often, seconds.
FOLIO_IMPORT_CHUNK_SECONDS = env.float("FOLIO_IMPORT_CHUNK_SECONDS", default=5.0)
# Imported articles waiting this long (seconds) in "queued" are sent again by the sweeper; longer than
# FOLIO_STALE_AFTER because a large import legitimately waits for hours behind its own queue.
FOLIO_IMPORT_STALE_AFTER = env.int("FOLIO_IMPORT_STALE_AFTER", default=6 * 3600)
# EPUB export: most images embedded per book (Folio's stored images only; nothing is fetched).
FOLIO_EPUB_MAX_IMAGES = env.int("FOLIO_EPUB_MAX_IMAGES", default=200)

# --- Images kept locally (articles/services/media.py, articles/imaging.py) --------------------------------
# Largest image downloaded, in bytes (the download stops there); most pixels decoded (width x height,
# checked before decoding: decompression bombs); long side of the stored copy in pixels.
FOLIO_IMAGE_MAX_BYTES = env.int("FOLIO_IMAGE_MAX_BYTES", default=10 * 1024 * 1024)
FOLIO_IMAGE_MAX_PIXELS = env.int("FOLIO_IMAGE_MAX_PIXELS", default=40_000_000)
FOLIO_IMAGE_MAX_SIDE = env.int("FOLIO_IMAGE_MAX_SIDE", default=1600)
# Stored format (webp or jpeg) and its quality (1-95).
FOLIO_IMAGE_FORMAT = env.str("FOLIO_IMAGE_FORMAT", default="webp").lower()
FOLIO_IMAGE_QUALITY = env.int("FOLIO_IMAGE_QUALITY", default=80)
# Most images kept per article (0 keeps none: every image becomes a link to the original), downloads at
# once per article, seconds for one image and seconds for all of an article's images.
FOLIO_IMAGE_MAX_PER_ARTICLE = env.int("FOLIO_IMAGE_MAX_PER_ARTICLE", default=60)
FOLIO_IMAGE_CONCURRENCY = env.int("FOLIO_IMAGE_CONCURRENCY", default=4)
FOLIO_IMAGE_FETCH_TIMEOUT = env.float("FOLIO_IMAGE_FETCH_TIMEOUT", default=15.0)
FOLIO_IMAGE_TOTAL_SECONDS = env.float("FOLIO_IMAGE_TOTAL_SECONDS", default=30.0)
# Where stored images live: "filesystem" (FOLIO_DATA_DIR/images) or "s3" (any S3-compatible service through
# django-storages: pip install "django-storages[s3]"; credentials from AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY, read by boto3).
STORAGES["images"] = image_storage(
    env.str("FOLIO_IMAGE_STORAGE", default="filesystem"),
    DATA_DIR / "images",
    bucket=env.str("FOLIO_S3_BUCKET", default=""),
    endpoint_url=env.str("FOLIO_S3_ENDPOINT_URL", default=""),
    region=env.str("FOLIO_S3_REGION", default=""),
)

# --- apps (wallabag v2 API, feeds, OPDS: compat/) ---------------------------------------------------------
INSTALLED_APPS += ["oauth2_provider", "compat"]
# <link rel="alternate"> to the Atom feed of the library view on screen (compat/context_processors.py).
TEMPLATES[0]["OPTIONS"]["context_processors"].append("compat.context_processors.feed_link")
# wallabag's OAuth2 (FOSOAuthServerBundle): access tokens live 3,600 s, refresh tokens 14 days; both kept
# hashed-lookup by django-oauth-toolkit. The validator adds wallabag's grants (compat.wallabag.oauth).
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("FOLIO_OAUTH_ACCESS_TOKEN_SECONDS", default=3600),
    "REFRESH_TOKEN_EXPIRE_SECONDS": env.int("FOLIO_OAUTH_REFRESH_TOKEN_SECONDS", default=14 * 24 * 3600),
    "ROTATE_REFRESH_TOKEN": True,
    "OAUTH2_VALIDATOR_CLASS": "compat.wallabag.oauth.WallabagOAuth2Validator",
    "OAUTH2_BACKEND_CLASS": "compat.wallabag.oauth.WallabagOAuthLibCore",
    "SCOPES": {"read": "Read your library", "write": "Change your library"},
    "DEFAULT_SCOPES": ["read", "write"],
    # RFC 9700 (OAuth 2.0 Security BCP): everything Folio does not need is the compliant choice. Only the
    # token endpoint is routed (no authorization endpoint, so no implicit grant or redirects).
    "PKCE_REQUIRED": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
}
# The password grant is wallabag's protocol: every wallabag app logs in with it (RFC 9700 §2.4 advises
# against it). compat.wallabag.oauth allows it for Folio's per-user clients only, for their owner.
SILENCED_SYSTEM_CHECKS = ["oauth2_provider.W002"]
# The version /api/version and /api/info report: wallabag clients require at least 2.1.1 (wallabag-client's
# MINIMUM_API_VERSION; the Android app checks 2.x).
FOLIO_WALLABAG_API_VERSION = "2.6.10"

# --- ui: static delivery ---
# In production static files are collected into STATIC_ROOT (``make run`` does it when static/ changed) with
# hashed names and brotli and gzip copies, and WhiteNoise serves them from there (hashed ones cached for a
# year: reader/middleware.py). With DEBUG or under pytest they are read from the app folders as they are
# (no collectstatic needed); FOLIO_STATIC_FINDERS=true|false forces either.
FOLIO_STATIC_FINDERS = env.bool("FOLIO_STATIC_FINDERS", default=DEBUG or "pytest" in sys.modules)
if FOLIO_STATIC_FINDERS:
    STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}
WHITENOISE_USE_FINDERS = FOLIO_STATIC_FINDERS
# Source maps (12 MB of the API docs' and the admin's 40 MB) are only read by browser developer tools:
# not compressing them halves the time collectstatic takes.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
# favicon.ico and other files browsers ask for at the site's root.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"

# --- hardening ---
# Entries read from one import file; the rest are reported, not imported (issue 21.3).
FOLIO_IMPORT_MAX_ENTRIES = env.int("FOLIO_IMPORT_MAX_ENTRIES", default=200_000)
# An import "running" this long (seconds) without finishing lost its worker: the sweeper ends it failed.
# Longer than import_run_task's hard time limit (1900 s).
FOLIO_IMPORT_RUN_STALE_AFTER = env.int("FOLIO_IMPORT_RUN_STALE_AFTER", default=2400)
# A save whose database connection was lost is tried again on a new connection for up to this many
# seconds of waiting (a PostgreSQL restart), instead of answering 500 (articles/services/dbretry.py).
FOLIO_DB_RETRY_SECONDS = env.float("FOLIO_DB_RETRY_SECONDS", default=8.0)
# The reads every API request runs (token lookup, duplicate check, webhook endpoints) as prepared statements
# on PostgreSQL (articles/compiled.py). Set to false behind PgBouncer in transaction pooling older than
# 1.21, or without its max_prepared_statements.
FOLIO_DB_PREPARED_STATEMENTS = env.bool("FOLIO_DB_PREPARED_STATEMENTS", default=True)

# --- accounts ---------------------------------------------------------------------------------------------
# Login throttling (accounts/throttling.py, django-axes): after FOLIO_LOGIN_FAILURE_LIMIT failures for one
# user name (FOLIO_LOGIN_ADDRESS_FAILURE_LIMIT from one address) logging in waits FOLIO_LOGIN_LOCKOUT_SECONDS,
# doubled by each further failure up to FOLIO_LOGIN_LOCKOUT_MAX_SECONDS (failures are forgotten that long
# after the latest one). FOLIO_TRUSTED_PROXIES: CIDR blocks of reverse proxies whose X-Forwarded-For is
# believed for the client address.
FOLIO_LOGIN_FAILURE_LIMIT = env.int("FOLIO_LOGIN_FAILURE_LIMIT", default=5)
FOLIO_LOGIN_ADDRESS_FAILURE_LIMIT = env.int("FOLIO_LOGIN_ADDRESS_FAILURE_LIMIT", default=100)
FOLIO_LOGIN_LOCKOUT_SECONDS = env.int("FOLIO_LOGIN_LOCKOUT_SECONDS", default=30)
FOLIO_LOGIN_LOCKOUT_MAX_SECONDS = env.int("FOLIO_LOGIN_LOCKOUT_MAX_SECONDS", default=3600)
FOLIO_TRUSTED_PROXIES = parse_networks(env("FOLIO_TRUSTED_PROXIES", default=""))
AXES_HANDLER = "accounts.throttling.FolioAxesHandler"
AXES_FAILURE_LIMIT = "accounts.throttling.failure_limit"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = "accounts.throttling.cool_off"
AXES_LOCKOUT_CALLABLE = "accounts.throttling.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_ip"
AXES_ENABLE_ADMIN = True
AXES_VERBOSE = False
# People: open sign-up (off: only an administrator's invitation creates an account); days an invitation
# link works. E-mail (invitations, password resets) through EMAIL_URL (django-environ: smtp://user:pass@host:587
# ?tls=True, or consolemail:// to print mails, the default).
FOLIO_OPEN_SIGNUP = env.bool("FOLIO_OPEN_SIGNUP", default=False)
FOLIO_INVITATION_DAYS = env.int("FOLIO_INVITATION_DAYS", default=7)
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Folio <folio@localhost>")
TEMPLATES[0]["OPTIONS"]["context_processors"].append("accounts.context_processors.sign_in")
# Two-factor (accounts/services/twofactor.py, django-otp): the issuer name authenticator apps show; seconds a
# half-done log-in (password right, code not yet given) waits for its code.
OTP_TOTP_ISSUER = env("FOLIO_TOTP_ISSUER", default="Folio")
FOLIO_TWOFACTOR_WAIT_SECONDS = env.int("FOLIO_TWOFACTOR_WAIT_SECONDS", default=300)
# Sign-in with OpenID Connect (accounts/oidc.py, mozilla-django-oidc): on when OIDC_RP_CLIENT_ID is set.
# The provider's endpoints are the ones its /.well-known/openid-configuration lists; FOLIO_OIDC_ISSUER is its
# "issuer" (checked against each ID token's "iss"). FOLIO_PASSWORD_LOGIN=false leaves OIDC as the only way in.
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", default="openid email profile")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default="") or None
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=10.0)
OIDC_USE_PKCE = env.bool("OIDC_USE_PKCE", default=True)  # RFC 7636; off only for a provider without it
OIDC_CREATE_USER = True  # accounts.services.people.oidc_user_sync decides (FOLIO_OIDC_CREATE_USERS)
LOGIN_REDIRECT_URL_FAILURE = "/login/"
FOLIO_OIDC_ISSUER = env("FOLIO_OIDC_ISSUER", default="")
FOLIO_OIDC_USERNAME_CLAIM = env("FOLIO_OIDC_USERNAME_CLAIM", default="preferred_username")
FOLIO_OIDC_CREATE_USERS = env.bool("FOLIO_OIDC_CREATE_USERS", default=True)
FOLIO_OIDC_GROUPS_CLAIM = env("FOLIO_OIDC_GROUPS_CLAIM", default="groups")
FOLIO_OIDC_ADMIN_GROUP = env("FOLIO_OIDC_ADMIN_GROUP", default="")
FOLIO_OIDC_PROVIDER_NAME = env("FOLIO_OIDC_PROVIDER_NAME", default="your organisation's sign-in")
FOLIO_PASSWORD_LOGIN = env.bool("FOLIO_PASSWORD_LOGIN", default=True)
# Log-in by an authenticating reverse proxy: the header naming the user (e.g. Remote-User), believed only
# from FOLIO_TRUSTED_PROXIES; create people it names on first sight.
FOLIO_AUTH_PROXY_HEADER = env("FOLIO_AUTH_PROXY_HEADER", default="")
FOLIO_AUTH_PROXY_CREATE_USERS = env.bool("FOLIO_AUTH_PROXY_CREATE_USERS", default=True)

# --- pwa ---------------------------------------------------------------------------------------------------
# Offline reading in the installed app (articles/views/pwa.py, static/js/sw.js): reader pages kept beyond the
# person's "articles kept for reading offline" setting (articles opened by hand), and stored images per kept
# article on average. Together they bound the service worker's caches (the oldest entries are evicted).
FOLIO_OFFLINE_EXTRA_PAGES = env.int("FOLIO_OFFLINE_EXTRA_PAGES", default=20)
FOLIO_OFFLINE_IMAGES_PER_ARTICLE = env.int("FOLIO_OFFLINE_IMAGES_PER_ARTICLE", default=30)

# --- shape -------------------------------------------------------------------------------------------------
# EPUB books of several articles are made in the background (articles/services/export_jobs.py): the file is
# kept for download this many hours, then deleted by the periodic sweep.
FOLIO_EXPORT_KEEP_HOURS = env.float("FOLIO_EXPORT_KEEP_HOURS", default=24.0)

# --- mail ---------------------------------------------------------------------------------------------------
# Newsletters by e-mail (newsletters/): each person's private address is <token>@FOLIO_MAIL_DOMAIN (empty: the
# SMTP side is off and the settings page says how to turn it on). `manage.py mail_receiver` listens on
# FOLIO_MAIL_HOST:FOLIO_MAIL_PORT (behind a real MX or relay) and refuses messages over FOLIO_MAIL_MAX_BYTES
# (10 MB). IMAP mailboxes are polled every FOLIO_MAIL_IMAP_INTERVAL seconds, at most FOLIO_MAIL_IMAP_BATCH
# messages a poll, FOLIO_MAIL_IMAP_TIMEOUT seconds per socket operation.
INSTALLED_APPS += ["newsletters"]
FOLIO_MAIL_DOMAIN = env("FOLIO_MAIL_DOMAIN", default="").strip().lower()
FOLIO_MAIL_HOST = env("FOLIO_MAIL_HOST", default="127.0.0.1")
FOLIO_MAIL_PORT = env.int("FOLIO_MAIL_PORT", default=2525)
FOLIO_MAIL_MAX_BYTES = env.int("FOLIO_MAIL_MAX_BYTES", default=10 * 1024 * 1024)
FOLIO_MAIL_IMAP_INTERVAL = env.float("FOLIO_MAIL_IMAP_INTERVAL", default=300.0)
FOLIO_MAIL_IMAP_BATCH = env.int("FOLIO_MAIL_IMAP_BATCH", default=50)
FOLIO_MAIL_IMAP_TIMEOUT = env.float("FOLIO_MAIL_IMAP_TIMEOUT", default=30.0)
CELERY_BEAT_SCHEDULE["newsletters-imap-poll"] = {
    "task": "newsletters.tasks.mailboxes_poll_task",
    "schedule": FOLIO_MAIL_IMAP_INTERVAL,
}

# --- feeds ------------------------------------------------------------------------------------------------
# Feed subscriptions (feeds/): RSS 2.0, Atom and JSON Feed polled by Celery beat through the one fetch client.
# Every FOLIO_FEED_CHECK_INTERVAL seconds beat queues a poll of each due feed. A feed is polled every
# interval minutes (its own setting, FOLIO_FEED_DEFAULT_INTERVAL by default, never below
# FOLIO_FEED_MIN_INTERVAL); after an error the wait doubles per consecutive failure up to
# FOLIO_FEED_MAX_BACKOFF minutes. One poll saves at most FOLIO_FEED_MAX_NEW_ENTRIES new entries, reads at most
# FOLIO_FEED_MAX_ENTRIES entries of a document and FOLIO_FEED_MAX_BYTES bytes of it.
INSTALLED_APPS += ["feeds"]
FOLIO_FEED_CHECK_INTERVAL = env.float("FOLIO_FEED_CHECK_INTERVAL", default=60.0)
FOLIO_FEED_DEFAULT_INTERVAL = env.int("FOLIO_FEED_DEFAULT_INTERVAL", default=60)
FOLIO_FEED_MIN_INTERVAL = env.int("FOLIO_FEED_MIN_INTERVAL", default=15)
FOLIO_FEED_MAX_BACKOFF = env.int("FOLIO_FEED_MAX_BACKOFF", default=24 * 60)
FOLIO_FEED_MAX_NEW_ENTRIES = env.int("FOLIO_FEED_MAX_NEW_ENTRIES", default=50)
FOLIO_FEED_MAX_ENTRIES = env.int("FOLIO_FEED_MAX_ENTRIES", default=500)
FOLIO_FEED_MAX_BYTES = env.int("FOLIO_FEED_MAX_BYTES", default=15 * 1024 * 1024)
FOLIO_FEED_OPML_MAX_BYTES = env.int("FOLIO_FEED_OPML_MAX_BYTES", default=2 * 1024 * 1024)
FOLIO_FEED_OPML_MAX_FEEDS = env.int("FOLIO_FEED_OPML_MAX_FEEDS", default=1000)
# Queue of feed polls ("": FOLIO_IMPORT_QUEUE, the lane of bulk work, away from people's single saves).
FOLIO_FEED_QUEUE = env("FOLIO_FEED_QUEUE", default="")
CELERY_BEAT_SCHEDULE["feeds-poll-due"] = {
    "task": "feeds.tasks.feeds_poll_due_task",
    "schedule": FOLIO_FEED_CHECK_INTERVAL,
}

# --- i18n ---------------------------------------------------------------------------------------------------
# Four languages (issue 19.3): the person's choice on the reader settings page (ReaderSettings.language,
# activated by reader.middleware.UserLanguageMiddleware), else the browser's Accept-Language (Django's
# LocaleMiddleware), else English. Catalogues in locale/<lang>/LC_MESSAGES/django.po, compiled to .mo by
# `make install` / `make messages-compile` (README, "Languages"). Language names are in their own language.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
    "django.middleware.locale.LocaleMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "reader.middleware.UserLanguageMiddleware",
)
INSTALLED_APPS += ["django.contrib.humanize"]  # intcomma / naturaltime, localised
TEMPLATES[0]["OPTIONS"]["context_processors"].append("django.template.context_processors.i18n")
# The library rows' Jinja2 templates get {{ _("…") }}, gettext and ngettext (Django's, so the active
# language applies): jinja2.ext.i18n installed by reader.jinja2.environment.
TEMPLATES[1]["OPTIONS"]["environment"] = "reader.jinja2.environment"
FORMAT_MODULE_PATH = ["reader.formats"]  # English keeps Folio's day-first short dates (reader/formats/en)

# --- faults ------------------------------------------------------------------------------------------------
# A failed import keeps its uploaded file this many seconds for a Retry from where it stopped; then the
# sweeper deletes the file (the import is given up). Default one week.
FOLIO_IMPORT_KEEP_FAILED = env.int("FOLIO_IMPORT_KEEP_FAILED", default=7 * 24 * 3600)
# Every process that claims an article keeps a heartbeat key in Redis with this TTL (seconds), refreshed
# every third of it; a claimant on another host whose key expired is dead, and its article is taken over
# at once (articles/heartbeat.py). Only with a Redis broker. Well above any stretch a worker might hold
# Python's GIL in one C call (the refresh thread needs it), well below FOLIO_STALE_AFTER (300 s).
FOLIO_WORKER_HEARTBEAT_SECONDS = env.int("FOLIO_WORKER_HEARTBEAT_SECONDS", default=60)

# --- automation ----------------------------------------------------------------------------------------------
# Tagging rules and webhooks (automation/, issue 14). Webhook deliveries: attempts per message, base of their
# exponential backoff in seconds (30 s, 60 s, 2 min, ... capped at 6 h; default the project's retry base),
# the deadline of one attempt, failed attempts in a row that disable an endpoint (0: never), and how many
# deliveries each endpoint's log keeps.
INSTALLED_APPS += ["automation"]
FOLIO_WEBHOOK_MAX_ATTEMPTS = env.int("FOLIO_WEBHOOK_MAX_ATTEMPTS", default=8)
FOLIO_WEBHOOK_BACKOFF = env.float("FOLIO_WEBHOOK_BACKOFF", default=FOLIO_RETRY_BACKOFF * 3)
FOLIO_WEBHOOK_TIMEOUT = env.float("FOLIO_WEBHOOK_TIMEOUT", default=15.0)
FOLIO_WEBHOOK_DISABLE_AFTER = env.int("FOLIO_WEBHOOK_DISABLE_AFTER", default=10)
FOLIO_WEBHOOK_LOG_KEEP = env.int("FOLIO_WEBHOOK_LOG_KEEP", default=50)
# Deliveries and library runs whose task could not be sent (broker down) are sent by this sweep.
CELERY_BEAT_SCHEDULE["automation-requeue-unsent"] = {
    "task": "automation.tasks.automation_requeue_unsent_task",
    "schedule": env.float("FOLIO_REQUEUE_INTERVAL", default=60.0),
}
# The API schema names the rules' run and the webhooks' delivery states apart from the articles' status
# (which keeps its name, StatusEnum).
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "StatusEnum": "articles.models.Article.Status",
        "RuleRunStatusEnum": "automation.models.RuleRun.Status",
        "WebhookDeliveryStatusEnum": "automation.models.WebhookDelivery.Status",
    }
)

# --- extraction -------------------------------------------------------------------------------------------
# Multi-page articles (bug-log A46): the worker follows a page's rel=next link on the same site and joins the
# pages into one article, up to this many pages in all (1 keeps the first page only, marked "page 1 of N").
FOLIO_ARTICLE_MAX_PAGES = env.int("FOLIO_ARTICLE_MAX_PAGES", default=10)
