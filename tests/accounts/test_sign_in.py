"""Email + password sign-in, one message for any failure, rate limits, password reset."""

import re

import pytest
from django.core import mail

from tests.conftest import without_nonces
from tests.factories import PASSWORD

from .conftest import LOGIN_URL, is_signed_in, post_login

MISMATCH = "The email address or password is not correct."
TOO_MANY = "Too many failed sign-in attempts."


def test_sign_in_page_is_open_to_anonymous_visitors(client, db):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    assert 'name="login"' in response.content.decode()
    assert 'name="password"' in response.content.decode()


def test_care_coordinator_signs_in_with_email_and_password(client, care_coordinator):
    response = post_login(client, care_coordinator.user.email)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert is_signed_in(client)


def test_email_is_matched_whatever_its_case(client, care_coordinator):
    post_login(client, care_coordinator.user.email.upper())
    assert is_signed_in(client)


def test_wrong_password_and_unknown_email_give_the_same_message(client, care_coordinator):
    wrong_password = post_login(client, care_coordinator.user.email, "Not-the-password-1")
    unknown_email = post_login(client, "nobody@example.nhs.uk", "Not-the-password-1")

    assert wrong_password.status_code == unknown_email.status_code == 200
    assert MISMATCH in wrong_password.content.decode()
    assert MISMATCH in unknown_email.content.decode()
    for response in (wrong_password, unknown_email):
        errors = response.context["form"].non_field_errors()
        assert list(errors) == [
            "The email address or password is not correct. Check them and try again, "
            "or reset your password."
        ]
    assert not is_signed_in(client)


def test_repeated_failures_are_rate_limited_even_with_the_right_password(
    client, care_coordinator, settings
):
    # Production default: 5 failures per 5 minutes per email address.
    email = care_coordinator.user.email
    for _ in range(5):
        response = post_login(client, email, "Not-the-password-1")
        assert MISMATCH in response.content.decode()

    response = post_login(client, email, "Not-the-password-1")
    assert TOO_MANY in response.content.decode()
    assert MISMATCH not in response.content.decode()

    response = post_login(client, email, PASSWORD)
    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()
    assert not is_signed_in(client)


def test_rate_limit_for_one_email_does_not_lock_out_another(
    client, care_coordinator, pcn_manager, settings
):
    settings.MFA_REQUIRED_FOR_STAFF = False
    for _ in range(6):
        post_login(client, care_coordinator.user.email, "Not-the-password-1")
    post_login(client, pcn_manager.user.email)
    assert is_signed_in(client)


def test_unknown_emails_are_rate_limited_too(client, db):
    for _ in range(5):
        post_login(client, "nobody@example.nhs.uk", "Not-the-password-1")
    response = post_login(client, "nobody@example.nhs.uk", "Not-the-password-1")
    assert TOO_MANY in response.content.decode()


def test_rate_limit_state_does_not_leak_between_tests_part_1(client, care_coordinator):
    for _ in range(6):
        post_login(client, "leak@example.nhs.uk", "Not-the-password-1")
    assert TOO_MANY in post_login(client, "leak@example.nhs.uk", "x").content.decode()


def test_rate_limit_state_does_not_leak_between_tests_part_2(client, care_coordinator):
    response = post_login(client, "leak@example.nhs.uk", "Not-the-password-1")
    assert MISMATCH in response.content.decode()


def test_cache_table_exists_in_the_test_database(db):
    from django.core.cache import cache

    cache.set("probe", 1)
    assert cache.get("probe") == 1


# Password reset ------------------------------------------------------------

RESET_URL = "/accounts/password/reset/"


def _reset_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_page_is_open_to_anonymous_visitors(client, db):
    assert client.get(RESET_URL).status_code == 200


def test_password_reset_by_email_lets_the_person_set_a_new_password(client, care_coordinator):
    email = care_coordinator.user.email
    response = client.post(RESET_URL, {"email": email})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [email]

    link = _reset_link(mail.outbox[0])
    response = client.get(link, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    new_password = "Fresh-tulip-garden-42"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    assert not is_signed_in(client), "a reset must not sign anyone in (second factor)"

    # The old password no longer works; the new one does.
    assert MISMATCH in post_login(client, email, PASSWORD).content.decode()
    post_login(client, email, new_password)
    assert is_signed_in(client)


def test_a_reset_link_works_once(client, care_coordinator):
    client.post(RESET_URL, {"email": care_coordinator.user.email})
    link = _reset_link(mail.outbox[0])
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    client.post(form_url, {"password1": "Fresh-tulip-garden-42",
                           "password2": "Fresh-tulip-garden-42"})
    response = client.get(link, follow=True)
    assert 'name="password1"' not in response.content.decode()


def test_reset_for_an_unknown_email_looks_the_same_and_sends_no_link(client, care_coordinator):
    known = client.post(RESET_URL, {"email": care_coordinator.user.email}, follow=True)
    mail.outbox.clear()
    unknown = client.post(RESET_URL, {"email": "nobody@example.nhs.uk"}, follow=True)

    assert unknown.redirect_chain == known.redirect_chain
    assert unknown.status_code == known.status_code == 200
    assert without_nonces(unknown.text) == without_nonces(known.text)
    # allauth's enumeration guard may tell the unknown address that it has no
    # account (by email, to the address itself); it must never carry a reset link.
    for message in mail.outbox:
        assert "/accounts/password/reset/key/" not in message.body


@pytest.mark.parametrize("path", ["/cms/password_reset/", "/cms/password_reset/done/",
                                  "/cms/password_reset/confirm/MQ/abc-123/"])
def test_wagtail_admin_password_reset_goes_to_allauths_reset(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == RESET_URL


def test_wagtail_admin_password_reset_post_sends_nothing(client, care_coordinator):
    response = client.post("/cms/password_reset/", {"email": care_coordinator.user.email})
    assert response.status_code == 302
    assert response["Location"] == RESET_URL
    assert mail.outbox == []


def test_a_deactivated_account_cannot_sign_in(client, care_coordinator):
    """People who leave have their account deactivated (lms.services.person_update)."""
    care_coordinator.user.is_active = False
    care_coordinator.user.save()
    response = post_login(client, care_coordinator.user.email, PASSWORD)
    assert not is_signed_in(client)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"] == "/accounts/inactive/"


def test_nobody_signs_themselves_up(client, db):
    """Accounts come only from a PCN manager's invitation: the sign-up page says so, and a
    sign-up posted anyway creates no account."""
    from django.contrib.auth import get_user_model

    page = client.get("/accounts/signup/")
    assert page.status_code == 200
    assert "You need an invitation to use Coordinate" in page.content.decode()
    users = get_user_model().objects.count()
    client.post("/accounts/signup/", {
        "email": "walk.in@example.nhs.uk", "password1": "Correct-horse-battery-9",
        "password2": "Correct-horse-battery-9",
    })
    assert get_user_model().objects.count() == users
    assert not get_user_model().objects.filter(email="walk.in@example.nhs.uk").exists()
