"""Peer-network and MDT sessions: arranging, validation, invitations with a calendar file,
replies, changes, cancelling, who may see what, the list and the home panels.

The shared fixtures here (a frozen clock, the curriculum items sessions credit, `arrange` and
`invite`) are imported by the other test_network_* and test_calendar_* modules.
"""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from content.models import Kind
from lms.models import AuditEntry, Role
from supervision import network_services as services
from supervision.models import RSVP, Audience, NetworkSession, NetworkSessionKind
from tests.conftest import make_person
from tests.curriculum import curriculum_section, learning_item

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=LONDON)
AS_OF = NOW.date()
LIST_URL = reverse("network_sessions:list")
CREATE_URL = reverse("network_sessions:create")


@pytest.fixture
def frozen():
    """Every page and service sees Tuesday 10 March 2026, midday in London."""
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def kind_items(db):
    """The curriculum items each kind of session credits (as seed_curriculum makes them)."""
    section = curriculum_section("Peer support", slug="peer-support")
    return {
        kind: learning_item(section, code, kind=Kind.ONGOING_DEVELOPMENT,
                            title=f"{kind.label} item")
        for kind, code in services.KIND_ITEM_CODES.items()
    }


def at(day_offset=0, hour=14, minute=0):
    day = AS_OF + datetime.timedelta(days=day_offset)
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def arrange(organiser, *, pcn=None, days=7, hours=1.5, kind=NetworkSessionKind.PEER_NETWORK,
            title="Riverside peer network", **fields):
    """A session made through the service, starting `days` from 10 March 2026 at 14:00."""
    starts_at = at(days)
    values = {"venue": "Riverside Medical Centre", "audience": Audience.PCN}
    values.update(fields)
    return services.network_session_create(
        actor=organiser.user, pcn=pcn or organiser.pcn, created_by=organiser, kind=kind,
        title=title, starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=hours), **values,
    )


def invite(session, *people, notify=False):
    return services.invitations_send(actor=session.created_by.user, session=session,
                                     people=people, as_of=AS_OF, notify=notify)


def form_data(**overrides):
    data = {
        "kind": NetworkSessionKind.PEER_NETWORK, "title": "Riverside peer network",
        "date_day": "17", "date_month": "3", "date_year": "2026",
        "start_time": "14:30", "end_time": "16:00",
        "venue": "Riverside Medical Centre, room 2", "online_link": "",
        "audience": Audience.PCN, "description": "Bring a case to discuss.",
        "learning_item": "", "cpd_hours": "", "other_attendees": "",
    }
    data.update(overrides)
    return data


def ics_events(content):
    calendar = Calendar.from_ical(content)
    return list(calendar.walk("VEVENT"))


# --- arranging ---------------------------------------------------------------------------------


def test_a_pcn_manager_arranges_a_session_then_chooses_who_to_invite(
        frozen, sign_in, pcn_manager, care_coordinator):
    client = sign_in(pcn_manager)
    page = client.get(CREATE_URL)
    assert page.status_code == 200
    assert "Arrange a session" in page.content.decode()

    response = client.post(CREATE_URL, form_data(facilitator=pcn_manager.pk, cpd_hours="1.5"))

    session = NetworkSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("network_sessions:invite", args=[session.pk])
    assert session.pcn == pcn_manager.pcn
    assert session.facilitator == pcn_manager
    assert session.starts_at == datetime.datetime(2026, 3, 17, 14, 30, tzinfo=LONDON)
    assert session.ends_at == datetime.datetime(2026, 3, 17, 16, 0, tzinfo=LONDON)
    assert str(session.cpd_hours) == "1.50"
    assert AuditEntry.objects.filter(action="network_session.create",
                                     object_id=str(session.pk)).exists()
    page = client.get(response["Location"])
    assert "‘Riverside peer network’ has been arranged" in page.content.decode()
    assert care_coordinator.full_name in page.content.decode()


def test_a_session_ending_before_it_starts_is_a_field_error_and_keeps_what_was_typed(
        frozen, sign_in, pcn_manager):
    client = sign_in(pcn_manager)

    response = client.post(CREATE_URL, form_data(
        facilitator=pcn_manager.pk, start_time="14:30", end_time="13:00",
        title="Frailty peer network", description="Discuss the frailty cohort.",
    ))

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors["end_time"] == [
        "The end time must be after the start time"]
    assert "<title>Error: " in html
    assert 'value="Frailty peer network"' in html
    assert 'value="13:00"' in html and 'value="14:30"' in html
    assert "Discuss the frailty cohort." in html
    assert not NetworkSession.objects.exists()


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"venue": "", "online_link": ""}, "venue", "Enter a venue or an online meeting link"),
    ({"start_time": "25:00"}, "start_time", "Enter the start time as a real time, like 14:30"),
    ({"end_time": ""}, "end_time", "Enter the end time"),
    ({"date_day": "31", "date_month": "2"}, "date", "Enter a real date"),
    ({"date_year": "2040"}, "date", "Enter a date between 1 January 2021 and 31 December 2028"),
    ({"cpd_hours": "-1"}, "cpd_hours", "CPD hours cannot be less than 0"),
    ({"online_link": "not a link", "venue": ""}, "online_link",
     "Enter a web address, like https://teams.microsoft.com/…"),
])
def test_bad_session_details_are_field_errors(frozen, sign_in, pcn_manager, overrides, field,
                                              message):
    client = sign_in(pcn_manager)
    response = client.post(CREATE_URL, form_data(facilitator=pcn_manager.pk, **overrides))
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert not NetworkSession.objects.exists()


def test_times_can_be_typed_in_the_usual_ways(frozen, sign_in, pcn_manager):
    client = sign_in(pcn_manager)
    client.post(CREATE_URL, form_data(facilitator=pcn_manager.pk, start_time="9.15",
                                      end_time="1pm"))
    session = NetworkSession.objects.get()
    assert session.starts_at.astimezone(LONDON).time() == datetime.time(9, 15)
    assert session.ends_at.astimezone(LONDON).time() == datetime.time(13, 0)


def test_the_facilitator_must_be_someone_of_the_organising_pcn(
        frozen, sign_in, pcn_manager, other_pcn_manager):
    client = sign_in(pcn_manager)
    response = client.post(CREATE_URL, form_data(facilitator=other_pcn_manager.pk))
    assert response.context["form"].errors["facilitator"] == ["Choose someone from the list"]
    assert not NetworkSession.objects.exists()


def test_a_supervisor_arranges_sessions_for_their_supervisees_pcn(
        frozen, sign_in, supervisor, pcn):
    client = sign_in(supervisor)
    response = client.post(CREATE_URL, form_data(facilitator=supervisor.pk,
                                                  kind=NetworkSessionKind.ACTION_LEARNING))
    assert response.status_code == 302
    assert NetworkSession.objects.get().pcn == pcn


@pytest.mark.parametrize("who", ["care_coordinator", "icb_viewer", "no_role_person"])
def test_people_who_do_not_organise_cannot_arrange_a_session(frozen, request, sign_in, who):
    client = sign_in(request.getfixturevalue(who))
    assert client.get(CREATE_URL).status_code == 403
    assert client.post(CREATE_URL, form_data()).status_code == 403
    assert not NetworkSession.objects.exists()


# --- invitations and replies -----------------------------------------------------------------


def test_inviting_every_coordinator_emails_each_the_details_with_a_calendar_file(
        frozen, sign_in, pcn_manager, care_coordinator, supervisor, pcn):
    second = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Ben", family_name="Okafor")
    session = arrange(pcn_manager, online_link="https://teams.example/meet/1")
    client = sign_in(pcn_manager)
    url = reverse("network_sessions:invite", args=[session.pk])
    page = client.get(url).content.decode()
    assert "Amira Khan (Riverside PCN)" in page
    assert "Grace Hughes: GP clinical supervisor" in page

    response = client.post(url, {"invite_all": "on", "supporters": [supervisor.pk]})

    assert response.status_code == 302
    assert set(session.invitations.values_list("person_id", flat=True)) == {
        care_coordinator.pk, second.pk, supervisor.pk}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        p.email for p in (care_coordinator, second, supervisor))
    message = next(m for m in mail.outbox if m.to == [care_coordinator.email])
    assert message.subject == "Invitation: Riverside peer network, 17 March 2026"
    session_url = "http://127.0.0.1:8000" + reverse("network_sessions:detail", args=[session.pk])
    assert session_url in message.body
    assert "Tuesday 17 March 2026, 14:00 to 15:30" in message.body
    assert "Riverside Medical Centre" in message.body
    assert "https://teams.example/meet/1" in message.body
    html, html_type = message.alternatives[0]
    assert html_type == "text/html" and session_url in html
    (name, content, mimetype), = message.attachments
    assert (name, mimetype) == ("session.ics", "text/calendar")
    event, = ics_events(content)
    assert str(event["SUMMARY"]) == "Riverside peer network"
    assert event.decoded("DTSTART") == at(7)
    assert event.decoded("DTEND") == at(7, 15, 30)
    assert "Riverside Medical Centre" in str(event["LOCATION"])
    assert str(event["URL"]) == session_url
    assert str(event["UID"]) == f"network-session-{session.pk}@127.0.0.1"
    # Nobody is invited twice: they are no longer offered.
    page = client.get(url).content.decode()
    assert "Everyone who can be invited to this session has been invited." in page


def test_invite_needs_someone_chosen_and_offers_only_the_sessions_audience(
        frozen, sign_in, pcn_manager, care_coordinator, other_coordinator):
    session = arrange(pcn_manager)
    client = sign_in(pcn_manager)
    url = reverse("network_sessions:invite", args=[session.pk])
    assert other_coordinator.full_name not in client.get(url).content.decode()

    response = client.post(url, {})
    assert response.context["form"].errors["coordinators"] == ["Choose who to invite"]
    response = client.post(url, {"coordinators": [other_coordinator.pk]})
    assert "coordinators" in response.context["form"].errors
    assert not session.invitations.exists()
    assert mail.outbox == []


def test_an_icb_wide_session_offers_coordinators_of_every_pcn_in_the_icb(
        frozen, sign_in, pcn_manager, care_coordinator, other_coordinator, other_icb_pcn):
    faraway = make_person(Role.CARE_COORDINATOR, pcn=other_icb_pcn, given_name="Far",
                          family_name="Away")
    session = arrange(pcn_manager, audience=Audience.ICB)
    client = sign_in(pcn_manager)
    page = client.get(reverse("network_sessions:invite", args=[session.pk])).content.decode()
    assert care_coordinator.full_name in page
    assert "Dev Patel (Hillside PCN)" in page
    assert faraway.full_name not in page


def test_an_invitee_replies_on_the_session_page(frozen, sign_in, pcn_manager, care_coordinator):
    session = arrange(pcn_manager)
    invite(session, care_coordinator)
    client = sign_in(care_coordinator)
    detail = reverse("network_sessions:detail", args=[session.pk])
    page = client.get(detail).content.decode()
    assert "Are you attending?" in page

    response = client.post(reverse("network_sessions:rsvp", args=[session.pk]),
                           {"rsvp": RSVP.MAYBE})

    assert response.status_code == 302
    invitation = session.invitations.get()
    assert invitation.rsvp == RSVP.MAYBE and invitation.rsvp_at == NOW
    page = client.get(detail).content.decode()
    assert "Your reply to ‘Riverside peer network’ has been saved: maybe." in page
    assert 'value="maybe" checked' in page
    assert AuditEntry.objects.filter(action="network_session.rsvp").count() == 1


def test_a_bad_reply_is_a_field_error_and_replies_close_when_the_session_ends(
        frozen, sign_in, pcn_manager, care_coordinator):
    session = arrange(pcn_manager, days=0)  # 14:00 to 15:30 today
    invite(session, care_coordinator)
    client = sign_in(care_coordinator)
    url = reverse("network_sessions:rsvp", args=[session.pk])
    response = client.post(url, {"rsvp": "definitely"})
    assert response.status_code == 200
    assert response.context["rsvp_form"].errors["rsvp"] == [
        "Choose attending, not attending or maybe"]
    assert client.get(url).status_code == 405

    with time_machine.travel(at(0, 15, 31), tick=False):
        response = client.post(url, {"rsvp": RSVP.YES})
        assert response.status_code == 200
        assert "This session has finished, so replies are closed." in response.content.decode()
    assert session.invitations.get().rsvp == RSVP.PENDING


def test_someone_not_invited_cannot_reply(frozen, sign_in, pcn_manager):
    session = arrange(pcn_manager)
    client = sign_in(pcn_manager)
    response = client.post(reverse("network_sessions:rsvp", args=[session.pk]),
                           {"rsvp": RSVP.YES})
    assert response.status_code == 403


# --- changes and cancelling --------------------------------------------------------------------


def test_changing_the_time_emails_invitees_the_new_details(
        frozen, sign_in, pcn_manager, care_coordinator):
    session = arrange(pcn_manager)
    invite(session, care_coordinator)
    client = sign_in(pcn_manager)
    url = reverse("network_sessions:edit", args=[session.pk])
    assert 'value="14:00"' in client.get(url).content.decode()

    response = client.post(url, form_data(facilitator=pcn_manager.pk, start_time="15:00",
                                          end_time="16:00"))

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.starts_at == datetime.datetime(2026, 3, 17, 15, 0, tzinfo=LONDON)
    message, = mail.outbox
    assert message.subject == "Changed: Riverside peer network, 17 March 2026"
    event, = ics_events(message.attachments[0][1])
    assert event.decoded("DTSTART") == datetime.datetime(2026, 3, 17, 15, 0, tzinfo=LONDON)
    assert "has been saved. Everyone invited has been emailed" in client.get(
        reverse("network_sessions:detail", args=[session.pk])).content.decode()


def test_the_facilitator_may_change_the_details_but_other_invitees_may_not(
        frozen, sign_in, pcn_manager, care_coordinator, pcn):
    facilitator = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Ben",
                              family_name="Okafor")
    session = arrange(pcn_manager, facilitator=facilitator)
    invite(session, care_coordinator, facilitator)
    url = reverse("network_sessions:edit", args=[session.pk])
    assert sign_in(care_coordinator).get(url).status_code == 403
    client = sign_in(facilitator)
    response = client.post(url, form_data(facilitator=facilitator.pk, title="Renamed"))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.title == "Renamed"
    # The facilitator does not cancel: that is for the organisers.
    assert client.get(reverse("network_sessions:cancel", args=[session.pk])).status_code == 403


def test_cancelling_keeps_the_session_and_emails_invitees(
        frozen, sign_in, pcn_manager, care_coordinator):
    session = arrange(pcn_manager)
    invite(session, care_coordinator)
    client = sign_in(pcn_manager)
    url = reverse("network_sessions:cancel", args=[session.pk])

    response = client.post(url, {"reason": ""})
    assert response.context["form"].errors["reason"] == ["Enter why the session is cancelled"]

    response = client.post(url, {"reason": "The room is flooded."})

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.cancelled_at == NOW
    assert session.cancelled_reason == "The room is flooded."
    message, = mail.outbox
    assert message.subject == "Cancelled: Riverside peer network, 17 March 2026"
    assert "The room is flooded." in message.body
    event, = ics_events(message.attachments[0][1])
    assert str(event["STATUS"]) == "CANCELLED"
    page = client.get(reverse("network_sessions:detail", args=[session.pk])).content.decode()
    assert "This session was cancelled on 10 March 2026: The room is flooded." in page
    assert "Cancelled" in client.get(LIST_URL).content.decode()
    # A cancelled session is not changed, invited to or cancelled again.
    for name in ("edit", "invite", "cancel"):
        response = client.get(reverse(f"network_sessions:{name}", args=[session.pk]))
        assert response.status_code == 302
    assert sign_in(care_coordinator).post(
        reverse("network_sessions:rsvp", args=[session.pk]), {"rsvp": RSVP.YES}
    ).status_code == 200
    assert session.invitations.get().rsvp == RSVP.PENDING


# --- who may see what --------------------------------------------------------------------------


def _object_urls(session):
    return [reverse(f"network_sessions:{name}", args=[session.pk])
            for name in ("detail", "edit", "invite", "register", "cancel")]


@pytest.mark.parametrize("who", ["other_pcn_manager", "other_coordinator"])
def test_another_pcns_people_are_refused_our_sessions(frozen, request, sign_in, pcn_manager,
                                                      care_coordinator, who):
    session = arrange(pcn_manager, title="Riverside only")
    invite(session, care_coordinator)
    client = sign_in(request.getfixturevalue(who))
    for url in _object_urls(session):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Riverside only" not in response.content
    response = client.post(reverse("network_sessions:rsvp", args=[session.pk]),
                           {"rsvp": RSVP.YES})
    assert response.status_code == 404
    assert "Riverside only" not in client.get(LIST_URL).content.decode()


@pytest.mark.parametrize("who", ["icb_viewer", "no_role_person"])
def test_people_without_a_session_role_are_refused_every_page(frozen, request, sign_in,
                                                               pcn_manager, who):
    session = arrange(pcn_manager)
    client = sign_in(request.getfixturevalue(who))
    for url in [LIST_URL, CREATE_URL, reverse("network_sessions:calendar"),
                *_object_urls(session)]:
        assert client.get(url).status_code == 403, url


def test_an_icb_wide_session_is_seen_by_invitees_of_other_pcns_only(
        frozen, sign_in, pcn_manager, other_coordinator, other_pcn, other_pcn_manager):
    session = arrange(pcn_manager, audience=Audience.ICB, title="ICB webinar")
    invite(session, other_coordinator)
    second = make_person(Role.CARE_COORDINATOR, pcn=other_pcn, given_name="Erin",
                         family_name="Walsh")

    client = sign_in(other_coordinator)
    assert client.get(reverse("network_sessions:detail", args=[session.pk])).status_code == 200
    assert "ICB webinar" in client.get(LIST_URL).content.decode()
    assert client.get(reverse("network_sessions:edit", args=[session.pk])).status_code == 403
    for person in (second, other_pcn_manager):
        client = sign_in(person)
        assert client.get(reverse("network_sessions:detail",
                                  args=[session.pk])).status_code == 404
        assert "ICB webinar" not in client.get(LIST_URL).content.decode()


def test_an_invited_coordinator_sees_the_session_but_not_the_organisers_pages(
        frozen, sign_in, pcn_manager, care_coordinator):
    session = arrange(pcn_manager)
    invite(session, care_coordinator)
    client = sign_in(care_coordinator)
    page = client.get(reverse("network_sessions:detail", args=[session.pk])).content.decode()
    assert "Take the register" not in page and "Invite people" not in page
    for name in ("edit", "invite", "register", "cancel"):
        assert client.get(reverse(f"network_sessions:{name}",
                                  args=[session.pk])).status_code == 403, name


def test_a_coordinator_sees_only_sessions_they_are_invited_to(
        frozen, sign_in, pcn_manager, care_coordinator):
    invited = arrange(pcn_manager, title="Invited one")
    invite(invited, care_coordinator)
    arrange(pcn_manager, title="Not invited one")
    page = sign_in(care_coordinator).get(LIST_URL).content.decode()
    assert "Invited one" in page and "Not invited one" not in page
    assert "Your reply:" in page and "Not replied" in page
    manager_page = sign_in(pcn_manager).get(LIST_URL).content.decode()
    assert "Invited one" in manager_page and "Not invited one" in manager_page
    assert "0 of 1 attending" in manager_page


# --- the list ----------------------------------------------------------------------------------


def test_the_list_shows_upcoming_then_past_sessions_and_an_empty_state(
        frozen, sign_in, pcn_manager, care_coordinator):
    client = sign_in(care_coordinator)
    assert "There are no upcoming sessions for you." in client.get(LIST_URL).content.decode()
    past = arrange(pcn_manager, days=-7, title="Last week's network")
    future = arrange(pcn_manager, days=7, title="Next week's network")
    invite(past, care_coordinator)
    invite(future, care_coordinator)
    upcoming = client.get(LIST_URL).content.decode()
    assert "Next week&#x27;s network" in upcoming and "Last week" not in upcoming
    earlier = client.get(LIST_URL + "?when=past").content.decode()
    assert "Last week&#x27;s network" in earlier and "Next week" not in earlier


def _sessions(organiser, coordinator, count):
    for n in range(count):
        session = arrange(organiser, days=n + 1, title=f"Session {n}")
        invite(session, coordinator)


@pytest.mark.parametrize("who", ["care_coordinator", "pcn_manager"])
def test_the_list_runs_the_same_queries_for_2_and_12_sessions(
        frozen, request, sign_in, pcn_manager, care_coordinator, django_assert_num_queries, who):
    client = sign_in(request.getfixturevalue(who))
    _sessions(pcn_manager, care_coordinator, 2)
    client.get(LIST_URL)  # warm the session and per-process caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as two:
        assert client.get(LIST_URL).status_code == 200
    _sessions(pcn_manager, care_coordinator, 10)
    with django_assert_num_queries(len(two.captured_queries)):
        response = client.get(LIST_URL)
    assert response.content.decode().count("Session ") >= 12


def test_a_coordinators_list_says_when_they_last_worked_jointly_with_splws_and_hwbcs(
        frozen, sign_in, pcn_manager, care_coordinator):
    client = sign_in(care_coordinator)
    assert "Joint working with SPLWs and HWBCs: no joint caseload or MDT meeting attended yet" \
        in client.get(LIST_URL).content.decode()
    meeting = arrange(pcn_manager, days=-20, kind=NetworkSessionKind.JOINT_CASELOAD,
                      title="Joint caseload meeting")
    invite(meeting, care_coordinator)
    services.register_save(actor=pcn_manager.user, recorded_by=pcn_manager, session=meeting,
                           attendance={care_coordinator.pk: "attended"}, as_of=AS_OF)
    assert "Joint working with SPLWs and HWBCs: last attended 18 February 2026" in \
        client.get(LIST_URL).content.decode()


# --- home panels -------------------------------------------------------------------------------


@pytest.fixture
def panels():
    """The panels register when supervision/apps.py imports them; importing is enough here."""
    import supervision.network_panels  # noqa: F401


def test_a_coordinators_home_shows_their_next_three_sessions_with_their_reply(
        panels, frozen, sign_in, pcn_manager, care_coordinator):
    for n in range(4):
        session = arrange(pcn_manager, days=n + 1, title=f"Network {n}")
        invite(session, care_coordinator)
    services.rsvp_record(actor=care_coordinator.user,
                         invitation=session.invitations.get(), rsvp=RSVP.YES)
    first = NetworkSession.objects.get(title="Network 0")
    services.rsvp_record(actor=care_coordinator.user, invitation=first.invitations.get(),
                         rsvp=RSVP.YES)
    page = sign_in(care_coordinator).get(reverse("home")).content.decode()
    assert "Your upcoming sessions" in page
    assert "Network 0" in page and "Network 2" in page and "Network 3" not in page
    assert "Attending" in page and "Not replied" in page


def test_a_facilitators_home_lists_registers_to_take(
        panels, frozen, sign_in, pcn_manager, supervisor, care_coordinator):
    taken = arrange(pcn_manager, days=-3, title="Taken already", facilitator=supervisor)
    waiting = arrange(pcn_manager, days=-2, title="Waiting for the register",
                      facilitator=supervisor)
    old = arrange(pcn_manager, days=-20, title="Long ago", facilitator=supervisor)
    for session in (taken, waiting, old):
        invite(session, care_coordinator)
    services.register_save(actor=supervisor.user, recorded_by=supervisor, session=taken,
                           attendance={care_coordinator.pk: "attended"}, as_of=AS_OF)
    page = sign_in(supervisor).get(reverse("home")).content.decode()
    assert "Registers to take" in page
    assert "Waiting for the register" in page
    assert "Taken already" not in page and "Long ago" not in page
    assert reverse("network_sessions:register", args=[waiting.pk]) in page
