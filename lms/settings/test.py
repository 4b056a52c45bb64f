"""Tests: the base settings with faster mechanics."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("SECURE_COOKIES", "false")
# Many tests move the clock days ahead between requests of one signed-in client; the idle
# sign-out has its own tests (tests/accounts/test_session_expiry.py), which turn it on.
os.environ.setdefault("SESSION_IDLE_TIMEOUT", "0")

from .base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_AUTOREFRESH = True
ALLOWED_HOSTS = ["*"]

import tempfile  # noqa: E402

# Uploaded evidence goes to a throwaway folder, never the developer's var/.
STORAGES["evidence"] = {  # noqa: F405
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": tempfile.mkdtemp(prefix="coordinate-evidence-")},
}

# Evidence packs build at once in tests; the queue and its worker are tested on their own.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "background": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["packs"],
    },
}
