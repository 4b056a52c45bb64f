"""Sessions end after inactivity (SESSION_IDLE_TIMEOUT) as well as after SESSION_COOKIE_AGE:
the next request is signed out and sent to sign in, told why, and brought back afterwards;
a busy session is stamped at most once a minute, not written on every page."""

import datetime

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse

from lms.middleware import LAST_ACTIVITY_KEY

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def idle_timeout(settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    return settings.SESSION_IDLE_TIMEOUT


def _home_after(client, minutes):
    with time_machine.travel(START + datetime.timedelta(minutes=minutes), tick=False):
        return client.get(reverse("home"))


def test_a_session_left_idle_too_long_is_signed_out_and_told_why(
        idle_timeout, sign_in, care_coordinator, client):
    sign_in(care_coordinator)
    assert _home_after(client, 0).status_code == 200
    response = _home_after(client, 31)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=/" in response["Location"]
    with time_machine.travel(START + datetime.timedelta(minutes=31), tick=False):
        page = client.get(response["Location"])
    assert "_auth_user_id" not in client.session
    assert "signed out because you had not used Coordinate for 30 minutes" in page.text


def test_a_session_in_use_stays_signed_in(idle_timeout, sign_in, care_coordinator, client):
    sign_in(care_coordinator)
    for minutes in (0, 20, 40, 60, 80):  # never 30 minutes apart
        assert _home_after(client, minutes).status_code == 200


def test_the_last_activity_is_written_at_most_once_a_minute(
        idle_timeout, sign_in, care_coordinator, client):
    sign_in(care_coordinator)
    _home_after(client, 0)
    key = client.session.session_key
    written = Session.objects.get(pk=key).get_decoded()[LAST_ACTIVITY_KEY]
    with time_machine.travel(START + datetime.timedelta(seconds=30), tick=False):
        client.get(reverse("home"))
    assert Session.objects.get(pk=key).get_decoded()[LAST_ACTIVITY_KEY] == written
    with time_machine.travel(START + datetime.timedelta(seconds=90), tick=False):
        client.get(reverse("home"))
    assert Session.objects.get(pk=key).get_decoded()[LAST_ACTIVITY_KEY] == written + 90


def test_zero_turns_it_off(settings, sign_in, care_coordinator, client):
    settings.SESSION_IDLE_TIMEOUT = 0
    sign_in(care_coordinator)
    assert _home_after(client, 0).status_code == 200
    assert _home_after(client, 6 * 60).status_code == 200
