"""Supervision pages: recording, confirming, changing, withdrawing, addenda and actions as a
user sees them; who is refused; what a PCN manager may not read; query counts."""

import datetime
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from competencies.models import EvidenceLink
from lms.models import AuditEntry, Role
from supervision import session_services as services
from supervision.models import SessionAddendum, SessionType, SupervisionSession
from supervision.session_services import AgreedAction
from tests.conftest import START, make_person
from tests.factories import RoleAssignmentFactory
from tests.supervision.test_sessions import (  # noqa: F401 - fixtures
    AS_OF,
    HELD_ON,
    NHS_NUMBER,
    TOPICS,
    confirmed,
    framework,
    frozen,
    line_manager,
    recorded,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

MINE = reverse("supervision:mine")
RECORD = reverse("supervision:record")


def detail_url(session):
    return reverse("supervision:detail", args=[session.pk])


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return response.content.decode()


def form_data(people, **overrides):
    data = {
        "session_type": "clinical",
        "held_on_day": "27", "held_on_month": "5", "held_on_year": "2025",
        "duration_minutes": "60",
        "supervisors": [str(p.pk) for p in people],
        "mode": "video",
        "topics": TOPICS,
        "notes": "Felt more confident about escalation.",
        "next_session_on_day": "24", "next_session_on_month": "6",
        "next_session_on_year": "2025",
    }
    data.update(overrides)
    return data


# --- recording ---------------------------------------------------------------------------------


def test_a_coordinator_records_a_session_and_sees_what_they_saved(
    sign_in, care_coordinator, supervisor, framework  # noqa: F811
):
    client = sign_in(care_coordinator)
    form = page(client, RECORD)
    assert "Record a supervision session" in form
    assert "Grace Hughes (GP clinical supervisor)" in form
    assert "Competency 1" in form
    competency = framework.competencies.order_by("sort_order").first()
    response = client.post(RECORD, form_data(
        [supervisor], competencies=[str(competency.pk)],
        action1_description="Read the local escalation policy",
        action1_owner=str(care_coordinator.pk),
        action1_due_on_day="10", action1_due_on_month="6", action1_due_on_year="2025",
    ), follow=True)
    session = SupervisionSession.objects.get()
    assert response.redirect_chain[-1][0] == detail_url(session)
    body = response.content.decode()
    assert "Clinical supervision on 27 May 2025 has been recorded" in body
    assert "The supervisors you named can now confirm it" in body
    assert html.escape(TOPICS) in body
    assert "Read the local escalation policy" in body and "10 Jun 2025" in body
    assert "Waiting for confirmation" in body and "Competency 1" in body
    assert "24 June 2025" in body
    listing = page(client, MINE)
    assert "27 May 2025" in listing and "Read the local escalation policy" in listing


def test_an_nhs_number_in_the_topics_blocks_saving_and_keeps_the_text(
    sign_in, care_coordinator, supervisor
):
    client = sign_in(care_coordinator)
    topics = f"Talked through patient {NHS_NUMBER}'s housing problem."
    response = client.post(RECORD, form_data([supervisor], topics=topics))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<title>Error: " in body
    assert "Remove patient-identifiable details before saving" in body
    assert "NHS number" in body
    assert html.escape(topics) in body  # the text stays in the form to edit
    assert 'value="27"' in body  # and so does everything else typed
    assert not SupervisionSession.objects.exists()


def test_an_empty_or_wrong_post_shows_an_error_next_to_each_field(
    sign_in, care_coordinator, supervisor
):
    client = sign_in(care_coordinator)
    body = client.post(RECORD, {}).content.decode()
    for message in ("Select the type of session", "Enter the date of the session",
                    "Enter how long the session lasted", "Select at least one supervisor",
                    "Enter the topics discussed"):
        assert message in body, message
    body = client.post(RECORD, form_data(
        [supervisor], held_on_day="3", held_on_month="6", duration_minutes="999999",
        next_session_on_day="1", next_session_on_month="1", next_session_on_year="2025",
        action1_owner=str(care_coordinator.pk),
    )).content.decode()
    for message in ("must be today or in the past", "600 minutes or less",
                    "Enter the action, or clear who will do it"):
        assert message in body, message
    body = client.post(RECORD, form_data(
        [supervisor], supervisors=["999999"], action1_description="x" * 301,
    )).content.decode()
    assert "Select only people from the list" in body
    assert "300 characters or fewer" in body
    assert not SupervisionSession.objects.exists()


def test_a_supervisor_records_for_a_supervisee_and_the_coordinator_confirms(
    sign_in, care_coordinator, supervisor, framework  # noqa: F811
):
    url = reverse("supervision:record_for", args=[care_coordinator.pk])
    client = sign_in(supervisor)
    form = page(client, url)
    assert f'value="{supervisor.pk}" checked' in form  # themselves, preselected
    competency = framework.competencies.order_by("sort_order").first()
    response = client.post(url, form_data([supervisor], competencies=[str(competency.pk)]))
    session = SupervisionSession.objects.get()
    assert response.status_code == 302 and session.recorded_by == supervisor
    # The supervisor recorded it, so they cannot confirm it.
    assert client.get(reverse("supervision:confirm", args=[session.pk])).status_code == 403

    client = sign_in(care_coordinator)
    body = page(client, detail_url(session))
    assert "Confirm this record" in body
    body = page(client, reverse("supervision:to_confirm"))
    assert "Clinical supervision on 27 May 2025" in body
    response = client.post(reverse("supervision:confirm", args=[session.pk]),
                           {"comment": "A fair summary."}, follow=True)
    body = response.content.decode()
    assert "You have confirmed Clinical supervision on 27 May 2025" in body
    assert "Confirmed by Amira Khan" in body and "A fair summary." in body
    assert "This session is evidence for each." in body
    assert EvidenceLink.objects.filter(person=care_coordinator, competency=competency).exists()


def test_the_confirmation_comment_is_guarded(sign_in, care_coordinator, supervisor):
    session = recorded(care_coordinator, care_coordinator, [supervisor])
    client = sign_in(supervisor)
    url = reverse("supervision:confirm", args=[session.pk])
    body = client.post(url, {"comment": f"Re {NHS_NUMBER}"}).content.decode()
    assert "Remove patient-identifiable details" in body and NHS_NUMBER in body
    session.refresh_from_db()
    assert session.confirmed_at is None


# --- the lock, changes, withdrawal, addenda, actions -----------------------------------------


def test_a_confirmed_record_cannot_be_changed_or_withdrawn_from_its_pages(
    sign_in, care_coordinator, supervisor
):
    session = recorded(care_coordinator, care_coordinator, [supervisor])
    confirmed(session, supervisor)
    client = sign_in(care_coordinator)
    body = page(client, detail_url(session))
    assert "Change this record" not in body and "Withdraw this record" not in body
    edit = reverse("supervision:edit", args=[session.pk])
    response = client.post(edit, form_data([supervisor], topics="Rewritten"), follow=True)
    assert "has been confirmed, so it cannot be changed" in response.content.decode()
    response = client.post(reverse("supervision:withdraw", args=[session.pk]),
                           {"reason": "Changed my mind"}, follow=True)
    assert "cannot be withdrawn" in response.content.decode()
    session.refresh_from_db()
    assert session.topics == TOPICS and session.withdrawn_at is None
    assert not AuditEntry.objects.filter(action__in=["supervision_session.update",
                                                     "supervision_session.withdraw"]).exists()


def test_the_recorder_changes_the_record_and_the_history_shows_before_and_after(
    sign_in, care_coordinator, supervisor
):
    session = recorded(care_coordinator, care_coordinator, [supervisor])
    client = sign_in(care_coordinator)
    edit = reverse("supervision:edit", args=[session.pk])
    form = page(client, edit)
    assert html.escape(TOPICS) in form and "Action 1" not in form
    response = client.post(edit, form_data([supervisor], duration_minutes="45"), follow=True)
    body = response.content.decode()
    assert "Your changes to Clinical supervision on 27 May 2025 have been saved" in body
    assert "Changed</strong> by Amira Khan" in body
    assert "Length (minutes)" in body
    assert "Was:</span> 60" in body and "Now:</span> 45" in body
    assert "Was:</span> Not given<br><span class=\"nhsuk-u-secondary-text-colour\">Now:</span> " \
        "24 June 2025" in body  # the next session, agreed in the change
    # The supervisor may read it but not change it.
    assert sign_in(supervisor).get(edit).status_code == 403


def test_the_recorder_withdraws_a_record_which_stays_marked_withdrawn(
    sign_in, care_coordinator, supervisor
):
    session = recorded(care_coordinator, care_coordinator, [supervisor])
    client = sign_in(care_coordinator)
    url = reverse("supervision:withdraw", args=[session.pk])
    body = client.post(url, {"reason": ""}).content.decode()
    assert "Enter why you are withdrawing this record" in body
    response = client.post(url, {"reason": "Recorded twice"}, follow=True)
    body = response.content.decode()
    assert "has been withdrawn" in body and "Reason: Recorded twice" in body
    assert "Withdrawn" in page(client, MINE)


def test_addenda_are_added_to_a_confirmed_record_and_shown_in_order(
    sign_in, care_coordinator, supervisor
):
    session = recorded(care_coordinator, care_coordinator, [supervisor])
    url = reverse("supervision:addendum", args=[session.pk])
    client = sign_in(care_coordinator)
    response = client.post(url, {"text": "Too early"}, follow=True)
    assert "takes no addenda" in response.content.decode()
    confirmed(session, supervisor)
    body = client.post(url, {"text": f"Patient DOB 01/02/1950 {NHS_NUMBER}"}).content.decode()
    assert "date of birth" in body and "NHS number" in body
    client.post(url, {"text": "It lasted 90 minutes, not 60."})
    sign_in(supervisor).post(url, {"text": "Agreed: 90 minutes."})
    body = page(sign_in(care_coordinator), detail_url(session))
    first = body.index("Addendum 1: Amira Khan")
    second = body.index("Addendum 2: Grace Hughes")
    assert first < second
    assert body.index("It lasted 90 minutes") < body.index("Agreed: 90 minutes.")
    assert SessionAddendum.objects.count() == 2


def test_actions_are_added_and_marked_done_after_confirmation(
    sign_in, care_coordinator, supervisor
):
    session = recorded(care_coordinator, care_coordinator, [supervisor],
                       actions=[AgreedAction("Shadow a social prescriber", care_coordinator,
                                             datetime.date(2025, 5, 30))])
    confirmed(session, supervisor)
    client = sign_in(care_coordinator)
    body = page(client, detail_url(session))
    assert "Overdue" in body and "Mark done" in body
    add = reverse("supervision:action_add", args=[session.pk])
    body = client.post(add, {"description": "", "owner": ""}).content.decode()
    assert "Enter the action" in body and "Choose who will do this action" in body
    client.post(add, {"description": "Book the next session", "owner": str(supervisor.pk)})
    action = session.actions.get(description="Shadow a social prescriber")
    response = client.post(reverse("supervision:action_done", args=[action.pk]), follow=True)
    body = response.content.decode()
    assert "Action ‘Shadow a social prescriber’ is marked done" in body
    assert "by Amira Khan" in body and "Book the next session" in body
    action.refresh_from_db()
    assert action.done_on == AS_OF
    assert client.get(reverse("supervision:action_done", args=[action.pk])).status_code == 405


# --- who is refused ----------------------------------------------------------------------------


@pytest.fixture
def a_session(care_coordinator, supervisor):
    session = recorded(care_coordinator, care_coordinator, [supervisor],
                       actions=[AgreedAction("Secret action text", care_coordinator)])
    return session


def session_urls(session):
    """(url, method) of every page about one record."""
    action = session.actions.get()
    cc = session.care_coordinator_id
    return [
        (reverse("supervision:detail", args=[session.pk]), "get"),
        (reverse("supervision:edit", args=[session.pk]), "get"),
        (reverse("supervision:edit", args=[session.pk]), "post"),
        (reverse("supervision:withdraw", args=[session.pk]), "post"),
        (reverse("supervision:confirm", args=[session.pk]), "get"),
        (reverse("supervision:confirm", args=[session.pk]), "post"),
        (reverse("supervision:addendum", args=[session.pk]), "post"),
        (reverse("supervision:action_add", args=[session.pk]), "post"),
        (reverse("supervision:action_done", args=[action.pk]), "post"),
        (reverse("supervision:person", args=[cc]), "get"),
    ]


@pytest.mark.parametrize("attacker", ["other_coordinator", "other_pcn_manager"])
def test_another_pcn_gets_not_found_and_changes_nothing(request, sign_in, a_session, attacker):
    client = sign_in(request.getfixturevalue(attacker))
    audit = AuditEntry.objects.count()
    for url, method in session_urls(a_session):
        data = {"reason": "x", "comment": "x", "text": "x", "description": "x"}
        response = client.post(url, data) if method == "post" else client.get(url)
        # A coordinator has no page about other people's supervision at all (403).
        expected = {403, 404} if attacker == "other_coordinator" and "people" in url else {404}
        assert response.status_code in expected, f"{attacker} {method} {url}"
        assert b"Amira" not in response.content
    record_for = reverse("supervision:record_for", args=[a_session.care_coordinator_id])
    assert client.get(record_for).status_code in (403, 404)
    assert AuditEntry.objects.count() == audit
    a_session.refresh_from_db()
    assert a_session.confirmed_at is None and a_session.withdrawn_at is None


@pytest.mark.parametrize("outsider", ["icb_viewer", "no_role_person"])
def test_people_without_a_supervision_role_are_refused(request, sign_in, a_session, outsider):
    client = sign_in(request.getfixturevalue(outsider))
    for url, method in session_urls(a_session):
        response = client.post(url, {}) if method == "post" else client.get(url)
        assert response.status_code == 403, f"{outsider} {method} {url}"
    for name in ("mine", "record", "to_confirm", "team", "cadence", "load"):
        assert client.get(reverse(f"supervision:{name}")).status_code == 403, name
    assert not SessionAddendum.objects.exists()


def test_pages_for_a_role_the_user_lacks_are_refused(
    sign_in, care_coordinator, supervisor, pcn_manager
):
    for person, names in (
        (supervisor, ["mine", "record", "cadence", "load"]),
        (pcn_manager, ["mine", "record", "to_confirm"]),
        (care_coordinator, ["team", "cadence", "load"]),
    ):
        client = sign_in(person)
        for name in names:
            assert client.get(reverse(f"supervision:{name}")).status_code == 403, (person, name)
    client = sign_in(pcn_manager)
    assert client.get(reverse("supervision:record_for", args=[care_coordinator.pk])) \
        .status_code == 403


def test_the_pcn_manager_sees_when_and_with_whom_but_not_what_was_discussed(
    sign_in, pcn_manager, a_session, supervisor
):
    confirmed(a_session, supervisor, comment="Confirmed comment text")
    services.session_addendum_add(actor=supervisor.user, session=a_session, by=supervisor,
                                  text="Addendum text")
    client = sign_in(pcn_manager)
    for url in (detail_url(a_session),
                reverse("supervision:person", args=[a_session.care_coordinator_id])):
        body = page(client, url)
        assert "27 May 2025" in body or "27 May 2025" in body.replace("&nbsp;", " ")
        assert "Grace Hughes" in body and "Confirmed" in body
        for secret in ("Caseload review", "Secret action text", "Confirmed comment text",
                       "Addendum text", "History"):
            assert secret not in body, f"{url} shows {secret!r}"
    assert "60 minutes" in page(client, detail_url(a_session))
    for url, method in session_urls(a_session)[1:-1]:
        response = client.post(url, {"text": "x"}) if method == "post" else client.get(url)
        assert response.status_code == 403, f"manager {method} {url}"


def test_another_supporter_of_the_coordinator_reads_but_does_not_confirm(
    sign_in, a_session, line_manager  # noqa: F811
):
    client = sign_in(line_manager)
    body = page(client, detail_url(a_session))
    assert "Caseload review" in body and "Confirm this record" not in body
    assert client.get(reverse("supervision:confirm", args=[a_session.pk])).status_code == 403


# --- cadence settings, team and load pages -----------------------------------------------------


def test_the_pcn_manager_sets_the_cadence(sign_in, pcn_manager, pcn):
    client = sign_in(pcn_manager)
    url = reverse("supervision:cadence")
    body = page(client, url)
    assert 'name="interval_clinical" value="31"' in body
    assert 'name="interval_line_management" value="42"' in body
    body = client.post(url, {"interval_clinical": "abc", "interval_coaching": "0"}) \
        .content.decode()
    assert "Enter the number of days as a whole number" in body and 'value="abc"' in body
    assert "Enter at least 1 day" in body
    response = client.post(url, {"interval_clinical": "14", "interval_line_management": ""},
                           follow=True)
    body = response.content.decode()
    assert "The supervision cadence for Riverside PCN has been saved" in body
    assert 'name="interval_clinical" value="14"' in body
    assert 'name="interval_line_management" value="42"' not in body
    assert client.get(url, {"pcn": "999999"}).status_code == 404


def test_the_other_pcns_manager_cannot_pick_our_pcn(sign_in, other_pcn_manager, pcn):
    client = sign_in(other_pcn_manager)
    for name in ("cadence", "load"):
        assert client.get(reverse(f"supervision:{name}"), {"pcn": pcn.pk}).status_code == 404
    response = client.post(reverse("supervision:cadence"),
                           {"pcn": pcn.pk, "interval_clinical": "1"})
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="supervision_cadence.save").exists()


def test_the_team_and_load_pages_show_cadence_and_figures(
    sign_in, pcn_manager, care_coordinator, supervisor
):
    recorded(care_coordinator, care_coordinator, [supervisor], held_on=datetime.date(2025, 4, 1))
    client = sign_in(pcn_manager)
    body = page(client, reverse("supervision:team"))
    assert "Amira Khan" in body and "Clinical supervision due" in body
    assert "2 May 2025" in body and "Overdue" in body
    body = page(client, reverse("supervision:load"))
    assert "Grace Hughes" in body
    assert "Clinical supervision: 1 of 3" in body  # 90/31 = 2.9
    assert "Fewer than expected" in body
    body = page(sign_in(supervisor), reverse("supervision:team"))
    assert "Amira Khan" in body


# --- query counts --------------------------------------------------------------------------


def assert_flat(client, url, add_more, django_assert_num_queries):
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add_more()
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_session_lists_keep_their_query_count_as_sessions_grow(
    sign_in, care_coordinator, supervisor, pcn_manager, line_manager,  # noqa: F811
    django_assert_num_queries,
):
    cc = care_coordinator

    def sessions(n, start):
        for i in range(n):
            held = HELD_ON - datetime.timedelta(days=start + i)
            recorded(cc, cc, [supervisor, line_manager], held_on=held,
                     actions=[AgreedAction(f"Action {start + i}", cc, AS_OF)])

    sessions(2, 0)
    more = iter([lambda: sessions(10, 2), lambda: sessions(10, 12), lambda: sessions(10, 22)])
    person_url = reverse("supervision:person", args=[cc.pk])
    for person, url in ((cc, MINE), (supervisor, person_url), (pcn_manager, person_url)):
        assert_flat(sign_in(person), url, next(more), django_assert_num_queries)
    client = sign_in(supervisor)
    assert_flat(client, reverse("supervision:to_confirm"),
                lambda: sessions(10, 40), django_assert_num_queries)


def test_a_record_keeps_its_query_count_as_actions_and_addenda_grow(
    sign_in, care_coordinator, supervisor, django_assert_num_queries
):
    session = recorded(care_coordinator, care_coordinator, [supervisor],
                       actions=[AgreedAction("First", care_coordinator)])
    confirmed(session, supervisor)

    def add_more():
        for i in range(8):
            services.supervision_action_add(
                actor=supervisor.user, session=session,
                action=AgreedAction(f"More {i}", supervisor))
            services.session_addendum_add(actor=supervisor.user, session=session,
                                          by=supervisor, text=f"Addendum {i}")

    body = assert_flat(sign_in(care_coordinator), detail_url(session), add_more,
                       django_assert_num_queries)
    assert "Addendum 7" in body and "More 7" in body


def test_team_and_load_pages_keep_their_query_count_as_coordinators_grow(
    sign_in, pcn, pcn_manager, supervisor, care_coordinator, django_assert_num_queries
):
    recorded(care_coordinator, care_coordinator, [supervisor])

    def coordinators(n):
        for i in range(n):
            person = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name=f"Cc{i}")
            RoleAssignmentFactory(person=supervisor, role=Role.CLINICAL_SUPERVISOR, pcn=pcn,
                                  care_coordinator=person, starts_on=START)
            other_gp = make_person(Role.LINE_MANAGER, pcn=pcn, care_coordinator=person)
            recorded(person, person, [supervisor, other_gp],
                     session_type=SessionType.LINE_MANAGEMENT)

    client = sign_in(pcn_manager)
    assert_flat(client, reverse("supervision:team"), lambda: coordinators(5),
                django_assert_num_queries)
    body = assert_flat(client, reverse("supervision:load"), lambda: coordinators(5),
                       django_assert_num_queries)
    assert body.count('<tr class="nhsuk-table__row">') == 11  # Grace and ten line managers
    assert_flat(sign_in(supervisor), reverse("supervision:team"), lambda: coordinators(5),
                django_assert_num_queries)
