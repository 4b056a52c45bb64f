"""Local development (`make run`): DEBUG on, a fixed key, mail to the console."""

import os

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "local-development-only-not-secret")
os.environ.setdefault("MFA_REQUIRED_FOR_STAFF", "false")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

from .base import *  # noqa: E402,F403
