"""The personal calendar feed: a secret address shown once, regenerated or revoked; the feed
parses with icalendar and holds the person's sessions and next supervision dates."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from lms import services as lms_services
from supervision import calendar_feed, network_services
from supervision.models import (
    CalendarFeed,
    NetworkSessionKind,
    SessionType,
    SupervisionSession,
)
from tests.supervision import test_network_sessions as shared
from tests.supervision.test_network_sessions import (
    AS_OF,
    NOW,
    arrange,
    invite,
)

pytestmark = pytest.mark.django_db

frozen = shared.frozen

PAGE_URL = reverse("network_sessions:calendar")


def feed_path(token):
    return reverse("network_sessions:calendar_feed", args=[token])


def new_token(person):
    _feed, token = calendar_feed.calendar_feed_create(actor=person.user, person=person)
    return token


def events(response):
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def supervision_session(cc, supervisor, held_on, next_on, **fields):
    session = SupervisionSession.objects.create(
        care_coordinator=cc, session_type=fields.pop("session_type", SessionType.CLINICAL),
        held_on=held_on, duration_minutes=60, topics="Caseload review.",
        next_session_on=next_on, recorded_by=supervisor, **fields,
    )
    session.supervisors.add(supervisor)
    return session


# --- the page ------------------------------------------------------------------------------------


def test_the_address_is_shown_once_and_only_its_digest_is_kept(
        frozen, sign_in, care_coordinator):
    client = sign_in(care_coordinator)
    assert "You do not have a calendar feed." in client.get(PAGE_URL).content.decode()

    response = client.post(PAGE_URL, {"action": "create"})

    assert response.status_code == 302
    page = client.get(PAGE_URL).content.decode()
    assert "Your calendar feed address has been made. Copy it now" in page
    prefix = "http://127.0.0.1:8000/network-sessions/calendar/"
    start = page.index(prefix)
    url = page[start:page.index('"', start)]
    token = url[len(prefix):-len(".ics")]
    feed = CalendarFeed.objects.get()
    assert feed.person == care_coordinator
    assert feed.token_digest == calendar_feed.token_digest(token) != token
    assert not CalendarFeed.objects.filter(token_digest__contains=token).exists()
    # The next visit says a feed exists, not where.
    page = client.get(PAGE_URL).content.decode()
    assert token not in page
    assert "A feed address exists, made on 10 March 2026" in page
    assert client.get(feed_path(token)).status_code == 200


def test_regenerating_stops_the_old_address(frozen, sign_in, care_coordinator):
    old = new_token(care_coordinator)
    client = sign_in(care_coordinator)
    client.post(PAGE_URL, {"action": "create"})
    assert client.get(feed_path(old)).status_code == 404
    assert CalendarFeed.objects.filter(revoked_at__isnull=True).count() == 1
    assert CalendarFeed.objects.filter(revoked_at=NOW).count() == 1


def test_a_revoked_address_is_not_found(frozen, sign_in, client, care_coordinator):
    token = new_token(care_coordinator)
    signed_in = sign_in(care_coordinator)
    response = signed_in.post(PAGE_URL, {"action": "revoke"}, follow=True)
    assert "Your calendar feed address has been turned off." in response.content.decode()
    signed_in.logout()
    assert client.get(feed_path(token)).status_code == 404
    assert "You do not have a calendar feed." in sign_in(care_coordinator).get(
        PAGE_URL).content.decode()


def test_an_unknown_action_is_a_bad_request(frozen, sign_in, care_coordinator):
    assert sign_in(care_coordinator).post(PAGE_URL, {"action": "x"}).status_code == 400
    assert not CalendarFeed.objects.exists()


# --- the feed ------------------------------------------------------------------------------------


def test_the_feed_holds_the_persons_sessions_and_next_supervision(
        frozen, client, pcn_manager, care_coordinator, supervisor):
    upcoming = arrange(pcn_manager, days=7, title="Peer network", venue="Room 2",
                       online_link="https://teams.example/m/1")
    recent = arrange(pcn_manager, days=-30, kind=NetworkSessionKind.MDT, title="MDT")
    cancelled = arrange(pcn_manager, days=14, title="Called off")
    too_old = arrange(pcn_manager, days=-120, title="Long ago")
    not_mine = arrange(pcn_manager, days=3, title="Not invited")
    for session in (upcoming, recent, cancelled, too_old):
        invite(session, care_coordinator)
    network_services.network_session_cancel(actor=pcn_manager.user, session=cancelled,
                                            reason="Room unavailable", notify=False)
    supervision_session(care_coordinator, supervisor, datetime.date(2026, 1, 5),
                        datetime.date(2026, 2, 5))
    supervision_session(care_coordinator, supervisor, datetime.date(2026, 2, 9),
                        datetime.date(2026, 3, 12))
    supervision_session(care_coordinator, supervisor, datetime.date(2026, 3, 1),
                        datetime.date(2026, 6, 1), withdrawn_at=NOW,
                        withdrawn_reason="Wrong person")
    token = new_token(care_coordinator)

    response = client.get(feed_path(token))  # no sign-in: the address is the key

    assert response.status_code == 200
    found = events(response)
    uid = calendar_feed.session_uid
    assert set(found) == {uid(upcoming), uid(recent), uid(cancelled),
                          f"next-supervision-{care_coordinator.pk}-clinical@127.0.0.1"}
    assert uid(too_old) not in found and uid(not_mine) not in found
    event = found[uid(upcoming)]
    assert str(event["SUMMARY"]) == "Peer network"
    assert event.decoded("DTSTART") == upcoming.starts_at
    assert str(event["LOCATION"]) == "Room 2, https://teams.example/m/1"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "Your reply: Not replied" in str(event["DESCRIPTION"])
    assert "DTSTAMP" in event
    assert str(found[uid(cancelled)]["STATUS"]) == "CANCELLED"
    supervision = found[f"next-supervision-{care_coordinator.pk}-clinical@127.0.0.1"]
    assert supervision.decoded("DTSTART") == datetime.date(2026, 3, 12)
    assert str(supervision["SUMMARY"]) == "Clinical supervision due"
    assert response["Cache-Control"] == "private, no-store"


def test_a_session_keeps_its_uid_when_it_changes(frozen, client, pcn_manager,
                                                 care_coordinator):
    session = arrange(pcn_manager)
    invite(session, care_coordinator)
    token = new_token(care_coordinator)
    before = events(client.get(feed_path(token)))[calendar_feed.session_uid(session)]
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        network_services.network_session_update(
            actor=pcn_manager.user, session=session, as_of=AS_OF, venue="Room 9", notify=False)
        after = events(client.get(feed_path(token)))[calendar_feed.session_uid(session)]
    assert str(after["LOCATION"]) == "Room 9"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])


@pytest.mark.parametrize("token", ["unknown-token", "x" * 300, "%00"])
def test_an_unknown_address_is_not_found(client, token):
    assert client.get(f"/network-sessions/calendar/{token}.ics").status_code == 404


def test_the_feed_of_someone_who_has_left_is_not_found(frozen, client, pcn_manager,
                                                       care_coordinator):
    token = new_token(care_coordinator)
    lms_services.person_update(actor=pcn_manager.user, person=care_coordinator,
                               left_on=datetime.date(2026, 3, 9))
    assert client.get(feed_path(token)).status_code == 404


def test_the_feed_runs_the_same_queries_for_2_and_12_sessions(
        frozen, client, pcn_manager, care_coordinator, supervisor, django_assert_num_queries):
    supervision_session(care_coordinator, supervisor, datetime.date(2026, 2, 9),
                        datetime.date(2026, 3, 12))
    token = new_token(care_coordinator)

    def add(count):
        for n in range(count):
            invite(arrange(pcn_manager, days=n + 1, title=f"S{n}"), care_coordinator)

    add(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as two:
        assert len(events(client.get(feed_path(token)))) == 3
    add(10)
    with django_assert_num_queries(len(two.captured_queries)):
        assert len(events(client.get(feed_path(token)))) == 13


@pytest.mark.parametrize("who", ["icb_viewer", "no_role_person"])
def test_the_feed_page_is_for_people_with_a_session_role(frozen, request, sign_in, who):
    client = sign_in(request.getfixturevalue(who))
    assert client.get(PAGE_URL).status_code == 403
    assert client.post(PAGE_URL, {"action": "create"}).status_code == 403
    assert not CalendarFeed.objects.exists()
