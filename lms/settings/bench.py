"""The benchmark's server (`make bench`): production settings with bench mechanics.

DEBUG off and the production middleware, storage and logging as in `base.py`; only what a
load run on plain HTTP on 127.0.0.1 needs changes: a fixed key, cookies without `Secure`,
persistent database connections, warnings-only logging, the bench-only reference page's
URLconf, and evidence packs written to their own folder.
"""

import os
from pathlib import Path

import wagtail

os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("DB_CONN_MAX_AGE", "600")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

from .base import *  # noqa: E402,F403

STARTER = Path(wagtail.__file__).resolve().parent / "project_template"

DEBUG = False
ROOT_URLCONF = "lms.benchmark.urls"

# Static files as in production (whitenoise, hashed names: `make bench` runs collectstatic
# into its own folder), plus the CSS and JS of Wagtail's starter project, which the
# bench-only starter home page links to (lms/benchmark/views.py).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "bench-static"))  # noqa: F405
STATICFILES_DIRS = [  # noqa: F405
    *STATICFILES_DIRS,  # noqa: F405
    STARTER / "project_name" / "static",
    STARTER / "home" / "static",
]

# Packs built by the load run stay out of the developer's evidence folder.
STORAGES["evidence"] = {  # noqa: F405
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": os.environ.get("EVIDENCE_ROOT", str(VAR_DIR / "bench-evidence"))},  # noqa: F405
}
