"""Helpers for sign-in tests: real sign-ins through allauth's forms, TOTP codes."""

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache

from lms.models import Role
from tests.conftest import make_person
from tests.factories import PASSWORD

LOGIN_URL = "/accounts/login/"


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    """Rate-limit counters and used TOTP codes live in the cache: start each test clean.

    With the database cache the test transaction's rollback already wipes them;
    this keeps tests independent if CACHE_BACKEND points somewhere else.
    """
    cache.clear()
    yield
    cache.clear()


def current_totp_code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def enrol(user) -> str:
    """Give the user a TOTP authenticator; returns its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def is_signed_in(client) -> bool:
    return SESSION_KEY in client.session


def post_login(client, email, password=PASSWORD, **extra):
    return client.post(LOGIN_URL, {"login": email, "password": password}, **extra)


@pytest.fixture
def superuser(db):
    from tests.factories import UserFactory

    user = UserFactory(email="root@example.nhs.uk", is_staff=True, is_superuser=True)
    return user


@pytest.fixture
def curriculum_editor(db):
    return make_person(Role.CURRICULUM_EDITOR, given_name="Ed", family_name="Itor")
