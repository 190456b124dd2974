"""Settings, read from the environment.

A fresh checkout runs with no configuration at all: SQLite in the project folder, tasks run
in-process, a secret key generated into a git-ignored file. Production sets DEBUG=false,
SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL (PostgreSQL) and REDIS_URL. See docs/configuration.md.
"""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from attendance_site.env import (
    database_config,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_networks,
    env_rate,
    env_str,
    env_timezone,
    redis_url,
    secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = secret_key(debug=DEBUG, key_file=BASE_DIR / ".secret_key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Proxies in front of the app that append to X-Forwarded-For (0: use the connection address).
NUM_PROXIES = env_int("NUM_PROXIES", 0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "jobs",
    "accounts",
    "people",
    "recognition",
    "attendance",
    "dashboard",
]

MIDDLEWARE = [
    "attendance_site.health.LiveMiddleware",
    "attendance_site.request_id.RequestIdMiddleware",
    "attendance_site.metrics.RequestMetricsMiddleware",
    "attendance_site.body_limits.RequestBodyLimitMiddleware",
    "attendance_site.nul_bytes.RejectNulBytesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # the browser's language, until a teacher's
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "attendance_site.teacher_locale.TeacherLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "dashboard.first_password.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy: scripts only from our own static files (no inline scripts), so an
# injected <script> cannot run; the camera frames are blob: URLs drawn into a canvas.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "media-src": [SELF, "blob:", "mediastream:"],
        "connect-src": [SELF],
        "font-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Password guessing: after AXES_FAILURE_LIMIT failed logins for one username from one
# address, that pair is locked out for AXES_COOLOFF_MINUTES (web login, admin and API token).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The client's address from NUM_PROXIES-aware X-Forwarded-For, as for the check-in limits.
AXES_CLIENT_IP_CALLABLE = "accounts.client_address.client_address"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
LOGIN_WARNING_AFTER_FAILURES = 3  # the login page warns before the lockout

ROOT_URLCONF = "attendance_site.urls"
WSGI_APPLICATION = "attendance_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database_config("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A transaction takes the write lock when it begins, so a double-click waits for the
    # first click instead of failing with "database is locked" when it upgrades its lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": env_int("SQLITE_TIMEOUT_SECONDS", 20)}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis, when configured, is the Celery broker and the shared cache. Without it, tasks run
# in-process (synchronously) so that the app works with nothing else installed.
REDIS_URL = redis_url("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
elif DEBUG:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # Production on one machine without Redis: gunicorn's worker processes must still share
    # the liveness challenges and rate limits, which a per-process memory cache would split.
    # Several machines need REDIS_URL (docs/operations-and-production.md).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(BASE_DIR / ".cache" / "django"),
        }
    }

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
# In-process tasks run in a background thread of the web process (jobs.durable.send), so that
# an import's page answers at once and shows its progress; off, they run inside the request.
IN_PROCESS_TASKS_IN_THREAD = env_bool("IN_PROCESS_TASKS_IN_THREAD", not REDIS_URL)
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies is delivered again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker process whose resident memory passed this (KB) after a task is replaced by a fresh
# one: a big class photo or enrollment photo cannot leave a child holding gigabytes.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int(
    "CELERY_WORKER_MAX_MEMORY_PER_CHILD", 1024 * 1024, minimum=100 * 1024
)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 600, minimum=1)
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
# The Redis list the tasks are queued in (and that workers consume): deployments sharing one
# Redis give each its own.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery") or "celery"
# The worker's lines name the request that queued the task (attendance_site.celery).
CELERY_WORKER_LOG_FORMAT = (
    "[%(asctime)s: %(levelname)s/%(processName)s] [request_id=%(request_id)s] %(message)s"
)
CELERY_WORKER_TASK_LOG_FORMAT = (
    "[%(asctime)s: %(levelname)s/%(processName)s] %(task_name)s[%(task_id)s] "
    "[request_id=%(request_id)s] %(message)s"
)
CELERY_TIMEZONE = env_timezone("TIME_ZONE", "UTC")
CELERY_BEAT_SCHEDULE = {
    "sweep-jobs": {
        "task": "jobs.tasks.sweep_jobs",
        "schedule": crontab(minute="*"),
    },
    "reencode-outdated-photos": {
        "task": "people.tasks.reencode_outdated_photos",
        "schedule": crontab(minute="*"),
    },
    "purge-checkin-snapshots": {
        "task": "attendance.tasks.purge_snapshots",
        "schedule": crontab(minute=17),
    },
    "purge-face-crops": {
        "task": "attendance.tasks.purge_face_crops",
        "schedule": crontab(minute="*/10"),
    },
    "run-automatic-sessions": {
        "task": "attendance.tasks.run_automatic_sessions",
        "schedule": crontab(minute="*"),
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A login lasts a school day by default, not Django's two weeks.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE_HOURS", 10, minimum=1) * 3600
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# The shipped languages (docs/languages.md): a teacher's pages follow their account's choice,
# else the browser's; a kiosk follows its course's. Arabic is laid out right to left.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("ar", "العربية"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and times named by format on pages follow the active language (see the package).
FORMAT_MODULE_PATH = ["attendance_site.formats"]
TIME_ZONE = env_timezone("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Stored files (enrollment photos, review crops, class photos, kept check-in frames, photo
# import archives) go through Django's storage API only: the local MEDIA_ROOT folder for one
# machine, or an S3-compatible bucket shared by every web and worker host. Either way they are
# biometric data, served only by views that check permissions, never from a public URL.
MEDIA_STORAGE = env_choice("MEDIA_STORAGE", "local", ("local", "s3"))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
if MEDIA_STORAGE == "s3":
    S3_BUCKET = env_str("S3_BUCKET")
    if not S3_BUCKET:
        raise ImproperlyConfigured("S3_BUCKET must be set when MEDIA_STORAGE is s3.")
    S3_ENDPOINT_URL = env_str("S3_ENDPOINT_URL")
    MEDIA_STORAGE_BACKEND = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT_URL or None,
            "region_name": env_str("S3_REGION", "us-east-1"),
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,  # any URL made for an object is signed and short-lived
            "querystring_expire": 60,
            "file_overwrite": False,  # never replace another upload's object
            # A self-hosted endpoint (MinIO, Ceph, moto) is addressed by path, not by DNS name.
            "addressing_style": "path" if S3_ENDPOINT_URL else None,
        },
    }
else:
    MEDIA_STORAGE_BACKEND = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": MEDIA_STORAGE_BACKEND,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 15 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES + 1024 * 1024
# Request bodies other than image uploads (JSON, forms) are refused above this size before
# they are read (attendance_site/body_limits.py).
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Bulk onboarding: a roster CSV, and a ZIP of photos named by student number.
ROSTER_IMPORT_MAX_BYTES = env_int("ROSTER_IMPORT_MAX_BYTES", 1024 * 1024, minimum=1024)
PHOTO_IMPORT_MAX_BYTES = env_int("PHOTO_IMPORT_MAX_BYTES", 200 * 1024 * 1024, minimum=1024)
# Reports highlight students whose attendance rate is under this percentage.
ATTENDANCE_THRESHOLD_PERCENT = env_int("ATTENDANCE_THRESHOLD_PERCENT", 80, minimum=1)
PHOTO_IMPORT_MAX_FILES = env_int("PHOTO_IMPORT_MAX_FILES", 1000, minimum=1)
# The photos of one archive, unpacked, at most (also at most 5 times the archive's size).
PHOTO_IMPORT_MAX_UNPACKED_BYTES = env_int(
    "PHOTO_IMPORT_MAX_UNPACKED_BYTES", 400 * 1024 * 1024, minimum=1024
)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "attendance@localhost")
# Password-reset requests within an hour per client address (then 429), and mails to one
# inbox asked from one client address (then the usual answer, no mail; at most 4 times this
# from all addresses together), so strangers cannot use up a teacher's own resets.
PASSWORD_RESET_PER_ADDRESS_PER_HOUR = env_int("PASSWORD_RESET_PER_ADDRESS_PER_HOUR", 10, minimum=1)
PASSWORD_RESET_PER_EMAIL_PER_HOUR = env_int("PASSWORD_RESET_PER_EMAIL_PER_HOUR", 3, minimum=1)

# API tokens expire this many hours after they were issued (and die with a password change).
API_TOKEN_MAX_AGE_HOURS = env_int("API_TOKEN_MAX_AGE_HOURS", 24 * 30, minimum=1)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.tokens.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "attendance_site.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "attendance_site.openapi.ErrorDocumentingAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "NUM_PROXIES": NUM_PROXIES,
    "EXCEPTION_HANDLER": "attendance_site.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Face attendance API",
    "DESCRIPTION": "Enroll faces, run attendance sessions and check in from a webcam kiosk.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "ENUM_NAME_OVERRIDES": {
        "PhotoStatusEnum": "people.models.EnrollmentPhoto.Status",
        "AttendanceStatusEnum": "attendance.models.AttendanceRecord.Status",
        "JobStateEnum": ["queued", "running", "done", "failed"],  # of both import jobs
    },
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "attendance_site.openapi.add_error_schema",
    ],
    # Swagger UI from the drf-spectacular-sidecar package: the docs work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# Face pipeline. Detection finds every face of at least FACE_MIN_DETECT_PX (pixels of the
# original frame) whatever the frame's size; encoding runs on the full image.
FACE_DETECTOR_MODEL = env_choice("FACE_DETECTOR_MODEL", "hog", ("hog", "cnn"))
FACE_MIN_DETECT_PX = env_int("FACE_MIN_DETECT_PX", 40, minimum=20)
FACE_ENCODING_JITTERS = env_int("FACE_ENCODING_JITTERS", 1, minimum=1)
FACE_LANDMARKS_MODEL = env_choice("FACE_LANDMARKS_MODEL", "small", ("small", "large"))
FACE_MIN_SIZE_PX = env_int("FACE_MIN_SIZE_PX", 80, minimum=1)
FACE_MAX_IMAGE_PIXELS = env_int("FACE_MAX_IMAGE_PIXELS", 50_000_000, minimum=10_000)
# Check-in frames: a kiosk sends at most 640 px, an API client up to this many pixels.
CHECKIN_MAX_IMAGE_PIXELS = env_int("CHECKIN_MAX_IMAGE_PIXELS", 4_000_000, minimum=10_000)
# Detection work per check-in frame at most (pixels x (80 / smallest face px)^2): a larger
# frame or a smaller face is searched for faces big enough to fit (attendance.detection_budget).
# The default holds a 1280x720 frame searched for 40 px faces; a kiosk's frame needs 0.3 M.
CHECKIN_MAX_DETECTION_PIXELS = env_int("CHECKIN_MAX_DETECTION_PIXELS", 4_000_000, minimum=100_000)
# Who runs dlib's encoder network: "onnx" (its weights converted to ONNX, run by ONNX Runtime,
# ~10x faster, encodings equal to < 1e-6) or "dlib" (the reference).
# See docs/recognition-and-liveness.md.
FACE_ENCODER_RUNTIME = env_choice("FACE_ENCODER_RUNTIME", "onnx", ("onnx", "dlib"))
# ONNX Runtime threads per process: 1 when several web/Celery processes share the cores.
FACE_ENCODER_THREADS = env_int("FACE_ENCODER_THREADS", 1, minimum=1)
# The converted model (made from the installed weights at first use; git-ignored).
FACE_MODEL_CACHE_DIR = Path(env_str("FACE_MODEL_CACHE_DIR", str(BASE_DIR / ".cache" / "models")))
# A face is named only when it is at most this far from that person's own encodings.
RECOGNITION_TOLERANCE = env_float("RECOGNITION_TOLERANCE", 0.6, minimum=0.3, maximum=0.65)
# Check-in rate limits ("N/s", "N/min"; empty disables), counted in faces encoded. A kiosk
# sends about 1 frame/s when idle and one every 0.15 s (400/min) during a head-turn
# challenge; the per-address limit holds 10 kiosks each at its own limit, because
# a school's kiosks may share one public address. A request refused by one limit counts
# against neither.
CHECKIN_RATE_PER_CREDENTIAL = env_rate("CHECKIN_RATE_PER_CREDENTIAL", "480/min")
CHECKIN_RATE_PER_ADDRESS = env_rate("CHECKIN_RATE_PER_ADDRESS", "4800/min")
# Check-in is taken from this many minutes before a session's start to this many after its
# end (a session opened early or never closed takes no check-ins days away from its times).
CHECKIN_EARLY_MINUTES = env_int("CHECKIN_EARLY_MINUTES", 30)
CHECKIN_AFTER_END_MINUTES = env_int("CHECKIN_AFTER_END_MINUTES", 0)
# A session reopened after its end closes (automatically) this many minutes after reopening.
REOPENED_SESSION_MINUTES = env_int("REOPENED_SESSION_MINUTES", 30, minimum=1)
# Faces encoded per check-in frame at most (the largest); each costs ~75 ms of CPU.
CHECKIN_MAX_FACES = env_int("CHECKIN_MAX_FACES", 10, minimum=1)
# A closed session's kiosk link still shows "closed" this long, then answers 404.
KIOSK_CLOSED_GRACE_MINUTES = env_int("KIOSK_CLOSED_GRACE_MINUTES", 15)
# A course's enrollment kiosk link works this long after the teacher opened it.
ENROLLMENT_KIOSK_HOURS = env_int("ENROLLMENT_KIOSK_HOURS", 8, minimum=1)
# Check-in frames are not kept (0). A positive number keeps them that many days, e.g. to
# review disputed check-ins; a periodic task deletes older ones.
CHECKIN_SNAPSHOT_RETENTION_DAYS = env_int("CHECKIN_SNAPSHOT_RETENTION_DAYS", 0)
# Pending reviews' face crops: deleted this long after their session closes, and never kept
# longer than REVIEW_MAX_HOURS (at most 24).
REVIEW_GRACE_MINUTES = env_int("REVIEW_GRACE_MINUTES", 30)
REVIEW_MAX_HOURS = min(env_int("REVIEW_MAX_HOURS", 24, minimum=1), 24)
# A background job (photo encoding, training, class photo, photo import) left queued or
# claimed for longer than this is sent again by the sweep (jobs.durable). Longer than the
# broker's visibility timeout, after which Redis itself delivers an unacknowledged task
# again: the sweep must not race that redelivery. PHOTO_STALLED_AFTER_SECONDS is its former
# name, still read when JOB_STALLED_AFTER_SECONDS is unset.
JOB_STALLED_AFTER_SECONDS = env_int(
    "JOB_STALLED_AFTER_SECONDS",
    env_int(
        "PHOTO_STALLED_AFTER_SECONDS", CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] + 60
    ),
)
if CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] >= JOB_STALLED_AFTER_SECONDS:
    raise ImproperlyConfigured(
        "JOB_STALLED_AFTER_SECONDS must be longer than CELERY_VISIBILITY_TIMEOUT "
        f"({CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout']}), "
        f"got {JOB_STALLED_AFTER_SECONDS}."
    )
# Class photos (roll call from one picture of the class): their own upload limits.
CLASS_PHOTO_MAX_UPLOAD_BYTES = env_int(
    "CLASS_PHOTO_MAX_UPLOAD_BYTES", 25 * 1024 * 1024, minimum=1024
)
CLASS_PHOTO_MAX_PIXELS = env_int("CLASS_PHOTO_MAX_PIXELS", 16_000_000, minimum=10_000)
# Faces identified per class photo at most: the largest (a class is far smaller; a picture
# tiled with thousands of faces costs no more than this many). The answer says when it capped.
CLASS_PHOTO_MAX_FACES = env_int("CLASS_PHOTO_MAX_FACES", 100, minimum=1)

# Prometheus metrics at /metrics: answered to clients in METRICS_ALLOWED_NETWORKS (the
# NUM_PROXIES-aware client address) or bearing METRICS_TOKEN ("Authorization: Bearer …").
METRICS_ALLOWED_NETWORKS = env_networks("METRICS_ALLOWED_NETWORKS", ["127.0.0.1/32", "::1/128"])
METRICS_TOKEN = env_str("METRICS_TOKEN")
# A Celery worker serves its own task metrics on this port (0: not served).
METRICS_WORKER_PORT = env_int("METRICS_WORKER_PORT", 0)
METRICS_WORKER_ADDRESS = env_str("METRICS_WORKER_ADDRESS", "127.0.0.1")

# Every line names the request (or the task's request) it belongs to: telemetry.request_id.
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [request_id=%(request_id)s] %(message)s"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "telemetry.request_id.RequestIdFilter"}},
    "formatters": {"with_request_id": {"format": LOG_FORMAT}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "with_request_id",
        }
    },
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading is hard to undo for a school's whole domain: only on explicit request.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]  # "not preloaded": a deliberate default
    SECURE_CONTENT_TYPE_NOSNIFF = True
