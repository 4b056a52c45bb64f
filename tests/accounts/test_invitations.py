"""Invitations: a single-use, 7-day link to set a password; clear pages when unusable."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from lms import services
from lms.models import Invitation, Person, Role

from .conftest import is_signed_in, post_login

NEW_PASSWORD = "Sunny-meadow-lantern-58"


@pytest.fixture
def invitee(pcn, pcn_manager):
    person = services.person_create(
        actor=pcn_manager.user, email="New.Starter@example.nhs.uk", given_name="Priya",
        family_name="Shah", pcn=pcn,
    )
    services.role_assign(actor=pcn_manager.user, person=person, role=Role.CARE_COORDINATOR,
                         pcn=pcn, starts_on=datetime.date(2025, 1, 6))
    return person


@pytest.fixture
def invitation(invitee, pcn_manager):
    invitation, token = services.invitation_send(actor=pcn_manager.user, person=invitee)
    return invitation, f"/invitations/{token}/"


def test_the_email_carries_the_link(invitee, pcn_manager):
    _invitation, token = services.invitation_send(actor=pcn_manager.user, person=invitee)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.starter@example.nhs.uk"]
    assert f"/invitations/{token}/" in mail.outbox[0].body


def test_the_token_is_not_stored_in_clear(invitation):
    obj, url = invitation
    token = url.split("/")[2]
    assert token not in obj.token_hash
    assert not Invitation.objects.filter(token_hash=token).exists()


def test_a_valid_link_shows_the_set_password_page(client, invitation):
    response = client.get(invitation[1])
    assert response.status_code == 200
    body = response.content.decode()
    assert "Priya" in body
    assert 'name="password1"' in body and 'name="password2"' in body


def test_mismatched_passwords_keep_the_person_on_the_page(client, invitation, invitee):
    response = client.post(invitation[1], {"password1": NEW_PASSWORD,
                                           "password2": NEW_PASSWORD + "x"})
    assert response.status_code == 200
    assert "The passwords do not match." in response.content.decode()
    assert not is_signed_in(client)
    invitee.user.refresh_from_db()
    assert not invitee.user.has_usable_password()


@pytest.mark.parametrize("password", ["short-1", "password123", "1234567890123"])
def test_weak_passwords_are_refused(client, invitation, password):
    response = client.post(invitation[1], {"password1": password, "password2": password})
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert not is_signed_in(client)


def test_a_good_password_signs_the_person_in_and_uses_up_the_link(client, invitation, invitee):
    obj, url = invitation
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(invitee.user.pk)
    # Still signed in on the next request (the session matches the new password).
    home = client.get("/")
    assert home.status_code == 200, home.get("Location")
    assert home.wsgi_request.user == invitee.user
    obj.refresh_from_db()
    assert obj.accepted_at is not None

    client.logout()
    response = client.get(url)
    assert response.status_code == 410
    assert "This link has already been used" in response.content.decode()
    # A second POST cannot change the password again.
    response = client.post(url, {"password1": "Other-Password-991", "password2":
                                 "Other-Password-991"})
    assert response.status_code == 410
    assert not is_signed_in(client)

    # And the new password works at the ordinary sign-in page.
    post_login(client, "new.starter@example.nhs.uk", NEW_PASSWORD)
    assert is_signed_in(client)


def test_a_link_older_than_seven_days_has_expired(client, invitee, pcn_manager):
    sent = timezone.now() - datetime.timedelta(days=7, minutes=1)
    _obj, token = services.invitation_send(actor=pcn_manager.user, person=invitee, now=sent)
    response = client.get(f"/invitations/{token}/")
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    response = client.post(f"/invitations/{token}/",
                           {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 410
    invitee.user.refresh_from_db()
    assert not invitee.user.has_usable_password()


def test_a_link_works_until_the_end_of_day_seven(client, invitation):
    with time_machine.travel(timezone.now() + datetime.timedelta(days=6, hours=23), tick=False):
        assert client.get(invitation[1]).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=7, seconds=1), tick=False):
        response = client.get(invitation[1])
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()


def test_an_unknown_token_shows_not_valid(client, db):
    response = client.get("/invitations/not-a-real-token/")
    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()


def test_resending_replaces_the_earlier_link(client, invitation, invitee, pcn_manager):
    first, first_url = invitation
    _second, token = services.invitation_send(actor=pcn_manager.user, person=invitee)
    first.refresh_from_db()
    assert first.revoked_at is not None

    response = client.get(first_url)
    assert response.status_code == 410
    assert "This link has been replaced by a newer invitation" in response.content.decode()
    assert client.get(f"/invitations/{token}/").status_code == 200


def test_no_invitation_for_someone_who_already_has_a_password(care_coordinator, pcn_manager):
    with pytest.raises(ValidationError):
        services.invitation_send(actor=pcn_manager.user, person=care_coordinator)


def test_the_link_works_for_an_anonymous_visitor_while_someone_else_is_signed_in(
    client, invitation, care_coordinator
):
    """Accepting while another account is signed in swaps the session, never merges it."""
    client.force_login(care_coordinator.user)
    client.post(invitation[1], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    invitee_user_id = Invitation.objects.get(pk=invitation[0].pk).person.user_id
    assert client.session[SESSION_KEY] == str(invitee_user_id)


# Inviting someone whose email is already in use ----------------------------

def test_an_email_already_in_use_is_refused_with_a_clear_message(pcn, pcn_manager,
                                                                 care_coordinator):
    with pytest.raises(ValidationError) as error:
        services.person_create(actor=pcn_manager.user, email=care_coordinator.user.email.upper(),
                               given_name="Dup", family_name="Licate", pcn=pcn)
    assert "Someone already uses this email address." in str(error.value)
    assert Person.objects.filter(given_name="Dup").count() == 0


def test_adding_a_person_with_an_email_in_use_shows_the_message_on_the_form(
    sign_in, pcn, pcn_manager, care_coordinator
):
    client = sign_in(pcn_manager)
    users_before = type(care_coordinator.user).objects.count()
    response = client.post("/people/add/", {
        "given_name": "Dup", "family_name": "Licate",
        "email": f"  {care_coordinator.user.email.upper()} ",
        "job_title": "Care coordinator", "pcn": pcn.pk,
        "funding_route": "arrs", "afc_band": "", "role": Role.CARE_COORDINATOR,
        "send_invitation": "on",
    })
    assert response.status_code == 200
    assert "Someone already uses this email address." in response.content.decode()
    assert type(care_coordinator.user).objects.count() == users_before
    assert mail.outbox == []


def test_a_pcn_manager_invites_a_person_into_a_role_in_their_pcn(sign_in, pcn, pcn_manager):
    client = sign_in(pcn_manager)
    response = client.post("/people/add/", {
        "given_name": "Tom", "family_name": "Reed", "email": "tom.reed@example.nhs.uk",
        "job_title": "Care coordinator", "pcn": pcn.pk, "funding_route": "arrs",
        "afc_band": "4", "role": Role.CARE_COORDINATOR, "send_invitation": "on",
    })
    assert response.status_code == 302
    person = Person.objects.get(user__email="tom.reed@example.nhs.uk")
    assert person.pcn == pcn
    assert person.role_assignments.get().role == Role.CARE_COORDINATOR
    assert len(mail.outbox) == 1
    url = re.search(r"/invitations/[^/\s]+/", mail.outbox[0].body).group(0)

    invitee_client = type(client)()
    response = invitee_client.get(url)
    assert response.status_code == 200
    assert "Tom" in response.content.decode()


# Invitations and two-factor authentication ---------------------------------

def test_a_staff_invitee_is_sent_to_set_up_mfa_and_can(client, pcn, pcn_manager):
    from allauth.mfa.models import Authenticator

    from tests.factories import PASSWORD  # noqa: F401

    from .conftest import current_totp_code

    person = services.person_create(actor=pcn_manager.user, email="boss@example.nhs.uk",
                                    given_name="Bo", family_name="Ss", pcn=pcn)
    services.role_assign(actor=pcn_manager.user, person=person, role=Role.PCN_MANAGER, pcn=pcn,
                         starts_on=datetime.date(2025, 1, 6))
    _obj, token = services.invitation_send(actor=pcn_manager.user, person=person)
    response = client.post(f"/invitations/{token}/", {"password1": NEW_PASSWORD,
                                                      "password2": NEW_PASSWORD})
    assert response.status_code == 302, response.content.decode()
    assert is_signed_in(client)
    response = client.get("/", follow=True)
    # Sent to set up MFA; allauth may first ask for the password just set.
    last = response.redirect_chain[-1][0]
    if last.startswith("/accounts/reauthenticate/"):
        response = client.post(last, {"password": NEW_PASSWORD}, follow=True)
        last = response.redirect_chain[-1][0]
    assert last == "/accounts/2fa/totp/activate/"
    secret = response.context["form"].secret
    client.post("/accounts/2fa/totp/activate/", {"code": current_totp_code(secret)})
    assert Authenticator.objects.filter(user=person.user, type="totp").exists()


def test_an_invitation_link_never_skips_a_second_factor_already_set_up(client, invitation,
                                                                       invitee):
    """If the invitee somehow has MFA already, the link sets the password but does not
    sign them in: they sign in normally, with their code."""
    from .conftest import enrol

    enrol(invitee.user)
    client.post(invitation[1], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert not is_signed_in(client)
