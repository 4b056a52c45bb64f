"""Home-page supervision panels: what each role sees, and a fixed number of queries however
many coordinators, sessions or actions there are."""

import datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms.access import scope_for
from lms.models import Role
from supervision import session_panels
from supervision.session_services import AgreedAction
from tests.conftest import START, make_person
from tests.factories import RoleAssignmentFactory
from tests.supervision.test_sessions import (  # noqa: F401 - fixtures
    AS_OF,
    confirmed,
    frozen,
    line_manager,
    recorded,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def home(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_coordinator_sees_next_supervision_due_dates_and_open_actions(
    sign_in, care_coordinator, supervisor
):
    cc = care_coordinator
    session = recorded(
        cc, cc, [supervisor], held_on=datetime.date(2025, 5, 27),
        next_session_on=datetime.date(2025, 6, 24),
        actions=[AgreedAction("Read the escalation policy", cc, datetime.date(2025, 5, 30)),
                 AgreedAction("Send the pathway", supervisor, datetime.date(2025, 6, 20))],
    )
    confirmed(session, supervisor)
    body = home(sign_in(cc))
    assert "Your supervision" in body
    assert "Next supervision" in body and "24 June 2025" in body
    assert "Read the escalation policy" in body and "Send the pathway" in body
    assert body.count("Overdue</strong>") >= 2  # the late action, and line management
    assert "Due 27 June 2025" in body  # clinical: 27 May + 31 days


def test_the_coordinator_is_told_about_records_waiting_for_them(
    sign_in, care_coordinator, supervisor
):
    recorded(care_coordinator, supervisor, [supervisor])
    body = home(sign_in(care_coordinator))
    assert "1 supervision record is waiting for you to confirm" in body


def test_the_supervisor_sees_records_to_confirm_and_supervisees_overdue(
    sign_in, pcn, care_coordinator, supervisor
):
    ben = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Ben", family_name="Okafor")
    RoleAssignmentFactory(person=supervisor, role=Role.CLINICAL_SUPERVISOR, pcn=pcn,
                          care_coordinator=ben, starts_on=START)
    recorded(care_coordinator, care_coordinator, [supervisor])  # waits for Grace
    recorded(ben, ben, [supervisor], held_on=datetime.date(2025, 4, 1))  # due 2 May: overdue
    body = home(sign_in(supervisor))
    assert "Supervision records waiting for you to confirm: 2." in body
    assert "Ben Okafor: clinical supervision due 2 May 2025" in body
    assert reverse("supervision:record_for", args=[ben.pk]) in body
    assert "Amira Khan: clinical" not in body  # seen on 27 May: not overdue


def test_a_supervisor_is_not_told_to_write_another_roles_sessions(
    sign_in, care_coordinator, line_manager  # noqa: F811
):
    body = home(sign_in(line_manager))
    # Amira has never had either kind; the line manager is told about line management only.
    assert "Amira Khan: line management due" in body
    assert "clinical supervision due" not in body


def test_the_pcn_manager_sees_cadence_per_coordinator(
    sign_in, pcn_manager, care_coordinator, supervisor, other_coordinator
):
    recorded(care_coordinator, care_coordinator, [supervisor], held_on=datetime.date(2025, 5, 27))
    body = home(sign_in(pcn_manager))
    assert "Supervision cadence" in body
    assert "Clinical supervision due" in body and "Line management due" in body
    assert "27 Jun 2025" in body and "On track" in body
    assert "1 care coordinator is overdue" in body  # line management never held
    assert other_coordinator.family_name not in body


# --- query counts ----------------------------------------------------------------------------


def panel_queries(panel, person, rf):
    request = rf.get("/")
    request.user = person.user
    scope = scope_for(person.user, AS_OF)
    with CaptureQueriesContext(connection) as queries:
        result = panel(request, scope, AS_OF)
        if result:
            render_to_string(*result, request=request)
    assert result is not None
    return len(queries)


def test_each_panel_runs_the_same_queries_for_2_or_10_coordinators(
    rf, pcn, pcn_manager, supervisor, care_coordinator
):
    def coordinators(n):
        for i in range(n):
            person = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name=f"Cc{i}")
            RoleAssignmentFactory(person=supervisor, role=Role.CLINICAL_SUPERVISOR, pcn=pcn,
                                  care_coordinator=person, starts_on=START)
            recorded(person, person, [supervisor], held_on=datetime.date(2025, 3, 1),
                     actions=[AgreedAction(f"Action {i}", person, AS_OF)])
            recorded(care_coordinator, care_coordinator, [supervisor],
                     held_on=datetime.date(2025, 5, 1) + datetime.timedelta(days=i),
                     actions=[AgreedAction(f"Mine {i}", care_coordinator, AS_OF)])

    cases = [
        (session_panels.coordinator_supervision, care_coordinator),
        (session_panels.supervisor_supervision, supervisor),
        (session_panels.manager_supervision, pcn_manager),
    ]
    coordinators(1)  # two coordinators in all
    few = [panel_queries(panel, person, rf) for panel, person in cases]
    coordinators(8)  # ten
    many = [panel_queries(panel, person, rf) for panel, person in cases]
    assert few == many
