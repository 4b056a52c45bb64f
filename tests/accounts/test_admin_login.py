"""Wagtail's and Django admin's own sign-in pages cannot sign anyone in (STACK.md pitfall 1)."""

import pytest
from django.contrib.auth import SESSION_KEY

from tests.factories import PASSWORD

from .conftest import current_totp_code, enrol, post_login

# Every django.contrib.auth-style sign-in page the installed apps would otherwise serve.
OTHER_LOGIN_URLS = ["/cms/login/", "/django-admin/login/", "/_util/login/"]


@pytest.fixture(params=[False, True], ids=["no-mfa", "totp-enrolled"])
def admin_user(request, superuser):
    if request.param:
        enrol(superuser)
    return superuser


@pytest.mark.parametrize("url", OTHER_LOGIN_URLS)
def test_get_redirects_to_allauth_sign_in(client, db, url):
    response = client.get(url + "?next=/cms/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/cms/pages/"


@pytest.mark.parametrize("url", OTHER_LOGIN_URLS)
def test_post_with_valid_password_does_not_sign_in(client, admin_user, url):
    for data in (
        {"username": admin_user.username, "password": PASSWORD},
        {"username": admin_user.email, "password": PASSWORD, "next": "/cms/"},
        {"login": admin_user.email, "password": PASSWORD},
    ):
        response = client.post(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        assert SESSION_KEY not in client.session

    dashboard = client.get("/cms/")
    assert dashboard.status_code == 302
    assert dashboard["Location"].startswith("/accounts/login/")
    django_admin = client.get("/django-admin/", follow=True)
    assert django_admin.redirect_chain[-1][0].startswith("/accounts/login/")
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize("url", ["/cms/login", "/django-admin/login", "/_util/login"])
def test_without_trailing_slash_still_ends_at_allauth(client, admin_user, url):
    response = client.post(url, {"username": admin_user.username, "password": PASSWORD},
                           follow=True)
    assert SESSION_KEY not in client.session
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")


def test_django_admin_index_sends_anonymous_visitors_to_allauth(client, db):
    response = client.get("/django-admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert response.status_code == 200
    assert 'name="login"' in response.content.decode()


def test_django_admin_login_view_itself_never_shows_its_form(rf, superuser):
    """Even if some path reached admin.site.login, it redirects instead of signing in."""
    from django.contrib import admin
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    import lms.urls  # noqa: F401  (wraps admin.site.login)

    request = rf.post("/x/", {"username": superuser.username, "password": PASSWORD})
    request.user = AnonymousUser()
    request.session = SessionStore()
    response = admin.site.login(request)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert SESSION_KEY not in request.session


def test_superuser_with_totp_reaches_the_cms_only_through_allauth_with_the_code(
    client, superuser
):
    secret = enrol(superuser)
    response = post_login(client, superuser.email)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert SESSION_KEY not in client.session
    assert client.get("/cms/").status_code == 302

    client.post("/accounts/2fa/authenticate/", {"code": current_totp_code(secret)})
    assert SESSION_KEY in client.session
    dashboard = client.get("/cms/")
    assert dashboard.status_code == 200
    django_admin = client.get("/django-admin/")
    assert django_admin.status_code == 200


@pytest.mark.parametrize("url", ["/raw-django-login/", "/raw-wagtail-login/"])
def test_an_exposed_plain_login_view_cannot_sign_in_an_enrolled_user(client, settings,
                                                                     superuser, url):
    """Defence in depth: lms.middleware signs straight out any MFA-enrolled user whose
    sign-in skipped allauth's second-factor stage."""
    settings.ROOT_URLCONF = "tests.accounts.bypass_urls"
    enrol(superuser)
    client.post(url, {"username": superuser.username, "password": PASSWORD})
    assert SESSION_KEY not in client.session
    assert client.get("/cms/").status_code == 302


def test_an_exposed_plain_login_view_does_work_without_that_guard_for_unenrolled(
    client, settings, superuser
):
    """Control for the test above: the view really does sign people in."""
    settings.ROOT_URLCONF = "tests.accounts.bypass_urls"
    client.post("/raw-django-login/", {"username": superuser.username, "password": PASSWORD})
    assert SESSION_KEY in client.session
