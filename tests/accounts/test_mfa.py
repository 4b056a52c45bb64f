"""Two-factor authentication: staff must set it up; nobody enrolled signs in without it."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.contrib.messages import get_messages

from tests.factories import PASSWORD

from .conftest import current_totp_code, enrol, is_signed_in, post_login

ACTIVATE_URL = "/accounts/2fa/totp/activate/"
AUTHENTICATE_URL = "/accounts/2fa/authenticate/"
STAFF_ROLES = ["supervisor", "pcn_manager", "icb_viewer", "curriculum_editor"]


# Enforcement ---------------------------------------------------------------

@pytest.mark.parametrize("role", STAFF_ROLES)
@pytest.mark.parametrize("path", ["/", "/people/", "/people/1/", "/cms/"])
def test_staff_without_mfa_are_sent_to_set_it_up(client, request, role, path):
    person = request.getfixturevalue(role)
    client.force_login(person.user)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE_URL


def test_the_reason_is_shown_on_the_set_up_page(client, supervisor):
    client.force_login(supervisor.user)
    response = client.get("/", follow=True)
    messages = [str(m) for m in get_messages(response.wsgi_request)] or [
        str(m) for m in response.context["messages"]
    ]
    assert any("two-factor authentication" in m for m in messages)


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_are_not_forced_when_the_setting_is_off(client, request, settings, role):
    settings.MFA_REQUIRED_FOR_STAFF = False
    person = request.getfixturevalue(role)
    client.force_login(person.user)
    response = client.get("/people/")
    assert response.get("Location") != ACTIVATE_URL


def test_a_care_coordinator_is_never_forced(client, care_coordinator):
    client.force_login(care_coordinator.user)
    response = client.get("/people/")
    assert response.get("Location") != ACTIVATE_URL


def test_staff_with_totp_are_let_through(client, pcn_manager):
    enrol(pcn_manager.user)
    client.force_login(pcn_manager.user)
    response = client.get("/people/")
    assert response.get("Location") != ACTIVATE_URL


def test_staff_without_mfa_can_still_reach_sign_out_and_mfa_pages(client, supervisor):
    client.force_login(supervisor.user)
    for path in ["/accounts/2fa/", "/accounts/logout/", "/accounts/reauthenticate/"]:
        response = client.get(path)
        assert response.get("Location") != ACTIVATE_URL, path


# Setting up TOTP after a real sign-in --------------------------------------

def _secret_from_activate_page(response) -> str:
    return response.context["form"].secret


def test_staff_just_signed_in_can_set_up_totp_without_a_loop(client, supervisor):
    response = post_login(client, supervisor.user.email)
    assert is_signed_in(client)
    response = client.get(response["Location"])
    assert response["Location"] == ACTIVATE_URL

    # A password sign-in moments ago counts: no second password prompt.
    response = client.get(ACTIVATE_URL)
    assert response.status_code == 200
    secret = _secret_from_activate_page(response)

    response = client.post(ACTIVATE_URL, {"code": current_totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(
        user=supervisor.user, type=Authenticator.Type.TOTP
    ).exists()
    # Recovery codes are made alongside.
    assert Authenticator.objects.filter(
        user=supervisor.user, type=Authenticator.Type.RECOVERY_CODES
    ).exists()
    assert client.get("/people/").get("Location") != ACTIVATE_URL


def test_set_up_after_a_session_without_a_fresh_password_asks_for_it_once(client, supervisor):
    # No sign-in record in this session (e.g. an old session): allauth asks for
    # the password again, then shows the set-up page. No loop.
    client.force_login(supervisor.user)
    response = client.get(ACTIVATE_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE_URL
    response = client.get(ACTIVATE_URL)
    assert response.status_code == 200
    secret = _secret_from_activate_page(response)
    client.post(ACTIVATE_URL, {"code": current_totp_code(secret)})
    assert Authenticator.objects.filter(user=supervisor.user).exists()


def test_removing_totp_still_needs_a_fresh_password(client, supervisor):
    secret = enrol(supervisor.user)
    post_login(client, supervisor.user.email)
    client.post(AUTHENTICATE_URL, {"code": current_totp_code(secret)})
    assert is_signed_in(client)
    # The sign-in with both factors just happened, so allauth may accept it;
    # what matters is that an old session is asked again.
    other = type(client)()
    other.force_login(supervisor.user)
    response = other.get("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")


# Signing in with TOTP enrolled ---------------------------------------------

def test_enrolled_user_is_not_signed_in_until_the_code_is_given(client, pcn_manager):
    secret = enrol(pcn_manager.user)
    response = post_login(client, pcn_manager.user.email)
    assert response.status_code == 302
    assert response["Location"] == AUTHENTICATE_URL
    assert not is_signed_in(client)

    # The second-factor page is reachable without being signed in.
    assert client.get(AUTHENTICATE_URL).status_code == 200
    # Anything else still asks for sign-in.
    assert client.get("/people/")["Location"].startswith("/accounts/login/")

    response = client.post(AUTHENTICATE_URL, {"code": "000000"})
    assert response.status_code == 200
    assert not is_signed_in(client)

    response = client.post(AUTHENTICATE_URL, {"code": current_totp_code(secret)})
    assert response.status_code == 302
    assert is_signed_in(client)
    assert client.get("/people/").get("Location") != ACTIVATE_URL


def test_care_coordinator_who_chose_totp_must_also_give_the_code(client, care_coordinator):
    enrol(care_coordinator.user)
    post_login(client, care_coordinator.user.email)
    assert not is_signed_in(client)


def test_a_totp_code_cannot_be_replayed(client, pcn_manager):
    secret = enrol(pcn_manager.user)
    code = current_totp_code(secret)
    post_login(client, pcn_manager.user.email)
    client.post(AUTHENTICATE_URL, {"code": code})
    assert is_signed_in(client)

    other = type(client)()
    post_login(other, pcn_manager.user.email)
    other.post(AUTHENTICATE_URL, {"code": code})
    assert not is_signed_in(other)


def test_a_recovery_code_works_once(client, pcn_manager):
    enrol(pcn_manager.user)
    codes = RecoveryCodes.activate(pcn_manager.user).get_unused_codes()

    post_login(client, pcn_manager.user.email)
    response = client.post(AUTHENTICATE_URL, {"code": codes[0]})
    assert response.status_code == 302
    assert is_signed_in(client)

    client.logout()
    post_login(client, pcn_manager.user.email)
    response = client.post(AUTHENTICATE_URL, {"code": codes[0]})
    assert response.status_code == 200
    assert not is_signed_in(client)

    response = client.post(AUTHENTICATE_URL, {"code": codes[1]})
    assert is_signed_in(client)


# A sign-in that skips the second factor is undone --------------------------

def test_a_sign_in_outside_allauth_is_undone_for_enrolled_users(rf, pcn_manager):
    """lms.middleware: any login() in a web request without allauth's MFA step signs out."""
    from django.contrib.auth import login
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    import lms.middleware  # noqa: F401  (connects the signal receiver)

    enrol(pcn_manager.user)
    request = rf.post("/somewhere/")
    request.session = SessionStore()
    request.user = AnonymousUser()
    login(request, pcn_manager.user, backend="django.contrib.auth.backends.ModelBackend")
    assert not request.user.is_authenticated
    assert "_auth_user_id" not in request.session


def test_a_sign_in_outside_allauth_is_kept_for_users_without_mfa(rf, care_coordinator):
    from django.contrib.auth import login
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    import lms.middleware  # noqa: F401

    request = rf.post("/somewhere/")
    request.session = SessionStore()
    request.user = AnonymousUser()
    login(request, care_coordinator.user, backend="django.contrib.auth.backends.ModelBackend")
    assert request.user.is_authenticated


def test_wrong_codes_are_rate_limited(client, pcn_manager):
    secret = enrol(pcn_manager.user)
    post_login(client, pcn_manager.user.email)
    for _ in range(5):
        response = client.post(AUTHENTICATE_URL, {"code": "000000"})
        assert response.status_code == 200
    response = client.post(AUTHENTICATE_URL, {"code": current_totp_code(secret)})
    assert "Too many failed sign-in attempts." in response.content.decode()
    assert not is_signed_in(client)


def test_no_insecure_bypass_code_is_configured():
    from django.conf import settings

    assert not getattr(settings, "MFA_TOTP_INSECURE_BYPASS_CODE", None)
