"""Supervision cadence and supervisor load with fixed dates: overdue, due soon, on track, a
PCN's own intervals, a type with no expectation, and constant query counts."""

import datetime

import pytest

from lms.models import Role
from supervision import session_services as services
from supervision.cadence import (
    CadenceStatus,
    CoordinatorStart,
    cadence_by_coordinator,
    cadence_for_coordinator,
    cadence_status,
    supervisor_load,
)
from supervision.models import SessionType, SupervisionSession
from tests.conftest import START, make_person
from tests.factories import RoleAssignmentFactory
from tests.supervision.test_sessions import AS_OF, recorded

pytestmark = pytest.mark.django_db
CLINICAL, LINE = SessionType.CLINICAL, SessionType.LINE_MANAGEMENT


def days(n):
    return datetime.timedelta(days=n)


# --- pure rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due_on", "status"),
    [
        (None, CadenceStatus.OVERDUE),  # never held, nothing to count from: due now
        (AS_OF - days(1), CadenceStatus.OVERDUE),
        (AS_OF, CadenceStatus.DUE_SOON),  # due today
        (AS_OF + days(7), CadenceStatus.DUE_SOON),
        (AS_OF + days(8), CadenceStatus.ON_TRACK),
    ],
)
def test_status_from_the_due_date(due_on, status):
    assert cadence_status(due_on, AS_OF) == status


def test_defaults_count_from_the_last_session_or_the_role_start():
    start = CoordinatorStart(1, 1, datetime.date(2025, 5, 1))
    cadence = cadence_for_coordinator(start, {}, {CLINICAL: datetime.date(2025, 5, 20)}, AS_OF)
    assert set(cadence) == {CLINICAL, LINE}  # the two types with a default
    clinical, line = cadence[CLINICAL], cadence[LINE]
    assert (clinical.interval_days, clinical.due_on, clinical.status) == (
        31, datetime.date(2025, 6, 20), CadenceStatus.ON_TRACK)
    # Never had line management: due 42 days after the role started (12 June).
    assert (line.last_held_on, line.due_on, line.status) == (
        None, datetime.date(2025, 6, 12), CadenceStatus.ON_TRACK)
    cadence = cadence_for_coordinator(CoordinatorStart(1, 1, None), {}, {}, AS_OF)
    assert cadence[CLINICAL].due_now and cadence[CLINICAL].is_overdue


def test_a_pcn_setting_overrides_the_default_and_empty_means_no_expectation():
    start = CoordinatorStart(1, 1, datetime.date(2025, 1, 6))
    settings = {CLINICAL: 14, LINE: None, SessionType.SAFEGUARDING: 90}
    cadence = cadence_for_coordinator(start, settings, {CLINICAL: datetime.date(2025, 5, 20)},
                                      AS_OF)
    assert set(cadence) == {CLINICAL, SessionType.SAFEGUARDING}
    assert cadence[CLINICAL].due_on == datetime.date(2025, 6, 3)
    assert cadence[CLINICAL].status == CadenceStatus.DUE_SOON
    assert cadence[SessionType.SAFEGUARDING].due_on == datetime.date(2025, 4, 6)
    assert cadence[SessionType.SAFEGUARDING].status == CadenceStatus.OVERDUE


# --- loaded from the database ------------------------------------------------------------------


def test_cadence_counts_current_sessions_confirmed_or_not(
    pcn, pcn_manager, care_coordinator, supervisor
):
    cc = care_coordinator
    recorded(cc, cc, [supervisor], held_on=datetime.date(2025, 4, 20))  # unconfirmed counts
    withdrawn = recorded(cc, cc, [supervisor], held_on=datetime.date(2025, 5, 30))
    services.supervision_session_withdraw(actor=cc.user, session=withdrawn, by=cc,
                                          reason="Recorded in error")
    cadence = cadence_by_coordinator([cc.pk], AS_OF)[cc.pk]
    assert cadence[CLINICAL].last_held_on == datetime.date(2025, 4, 20)
    assert cadence[CLINICAL].due_on == datetime.date(2025, 5, 21)
    assert cadence[CLINICAL].status == CadenceStatus.OVERDUE
    # Line management never held: 42 days from the role start (6 January) has long passed.
    assert cadence[LINE].due_on == START + days(42)
    assert cadence[LINE].status == CadenceStatus.OVERDUE

    services.cadence_settings_save(actor=pcn_manager.user, pcn=pcn,
                                   intervals={CLINICAL: 60, LINE: None})
    cadence = cadence_by_coordinator([cc.pk], AS_OF)[cc.pk]
    assert set(cadence) == {CLINICAL}
    assert cadence[CLINICAL].due_on == datetime.date(2025, 6, 19)
    assert cadence[CLINICAL].status == CadenceStatus.ON_TRACK


def test_sessions_after_as_of_do_not_count(care_coordinator, supervisor):
    cc = care_coordinator
    recorded(cc, cc, [supervisor], held_on=datetime.date(2025, 5, 1))
    earlier = datetime.date(2025, 5, 10)
    cadence = cadence_by_coordinator([cc.pk], earlier)[cc.pk]
    assert cadence[CLINICAL].last_held_on == datetime.date(2025, 5, 1)
    cadence = cadence_by_coordinator([cc.pk], datetime.date(2025, 4, 30))[cc.pk]
    assert cadence[CLINICAL].last_held_on is None


def test_people_without_a_current_coordinator_role_are_left_out(supervisor, pcn_manager):
    assert cadence_by_coordinator([supervisor.pk, pcn_manager.pk], AS_OF) == {}


def test_cadence_for_many_coordinators_takes_three_queries(
    pcn, supervisor, django_assert_num_queries
):
    def coordinators(n):
        people = []
        for i in range(n):
            person = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name=f"Cc{i}")
            RoleAssignmentFactory(person=supervisor, role=Role.CLINICAL_SUPERVISOR, pcn=pcn,
                                  care_coordinator=person, starts_on=START)
            recorded(person, person, [supervisor], held_on=AS_OF - days(i + 1))
            people.append(person.pk)
        return people

    few, many = coordinators(2), coordinators(10)
    with django_assert_num_queries(3):
        assert len(cadence_by_coordinator(few, AS_OF)) == 2
    with django_assert_num_queries(3):
        result = cadence_by_coordinator(few + many, AS_OF)
    assert len(result) == 12
    assert result[many[-1]][CLINICAL].last_held_on == AS_OF - days(10)


# --- supervisor load ---------------------------------------------------------------------------


def test_supervisor_load_counts_sessions_held_against_expected_over_90_days(
    pcn, pcn_manager, care_coordinator, supervisor, other_pcn, other_coordinator
):
    cc = care_coordinator
    ben = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Ben", family_name="Okafor")
    RoleAssignmentFactory(person=supervisor, role=Role.CLINICAL_SUPERVISOR, pcn=pcn,
                          care_coordinator=ben, starts_on=START)
    manager_as_line_manager = RoleAssignmentFactory(
        person=pcn_manager, role=Role.LINE_MANAGER, pcn=pcn, care_coordinator=cc,
        starts_on=START)
    # The window is 5 March to 2 June 2025 inclusive.
    recorded(cc, cc, [supervisor], held_on=datetime.date(2025, 3, 5))  # first day: counts
    recorded(cc, cc, [supervisor], held_on=datetime.date(2025, 3, 4))  # a day early
    recorded(ben, ben, [supervisor], held_on=datetime.date(2025, 4, 1))
    recorded(ben, ben, [supervisor], held_on=datetime.date(2025, 5, 1))
    withdrawn = recorded(ben, ben, [supervisor], held_on=datetime.date(2025, 5, 2))
    services.supervision_session_withdraw(actor=ben.user, session=withdrawn, by=ben,
                                          reason="Twice")
    recorded(cc, pcn_manager, [pcn_manager, supervisor], session_type=LINE,
             held_on=datetime.date(2025, 5, 30))
    # Another PCN's coordinator and supervisor stay out of our figures.
    other_gp = make_person(Role.CLINICAL_SUPERVISOR, pcn=other_pcn,
                           care_coordinator=other_coordinator)
    recorded(other_coordinator, other_coordinator, [other_gp], held_on=AS_OF)

    loads = {load.person: load for load in supervisor_load([pcn.pk], AS_OF)}
    assert set(loads) == {supervisor, pcn_manager}
    grace = loads[supervisor]
    assert grace.supervisees == 2
    by_type = {t.session_type: t for t in grace.types}
    # Clinical: 2 supervisees x 90/31 = 5.8, so 6 expected; 3 held (plus one line management
    # session she was also in, counted under its own type, where she has no expectation).
    assert (by_type[CLINICAL].held, by_type[CLINICAL].expected) == (3, 6)
    assert (by_type[LINE].held, by_type[LINE].expected) == (1, 0)
    assert (grace.held, grace.expected) == (4, 6)
    jo = loads[pcn_manager]
    assert jo.supervisees == 1
    assert [(t.session_type, t.held, t.expected) for t in jo.types] == [(LINE, 1, 2)]  # 90/42

    services.cadence_settings_save(actor=pcn_manager.user, pcn=pcn, intervals={CLINICAL: 14})
    grace = {load.person: load for load in supervisor_load([pcn.pk], AS_OF)}[supervisor]
    assert grace.types[0].expected == 13  # 2 x 90/14 = 12.86
    manager_as_line_manager.ends_on = AS_OF
    manager_as_line_manager.save()
    assert pcn_manager not in {load.person for load in supervisor_load([pcn.pk], AS_OF)}


def test_supervisor_load_takes_four_queries_however_many_people(
    pcn, django_assert_num_queries
):
    def supervisors_with_coordinators(n):
        for i in range(n):
            gp = make_person(Role.CLINICAL_SUPERVISOR, pcn=pcn, given_name=f"Gp{i}",
                             care_coordinator=make_person(Role.CARE_COORDINATOR, pcn=pcn))
            coordinator = gp.role_assignments.get().care_coordinator
            recorded(coordinator, coordinator, [gp], held_on=AS_OF - days(i + 1))

    supervisors_with_coordinators(2)
    with django_assert_num_queries(4):
        assert len(supervisor_load([pcn.pk], AS_OF)) == 2
    supervisors_with_coordinators(10)
    with django_assert_num_queries(4):
        loads = supervisor_load([pcn.pk], AS_OF)
    assert len(loads) == 12 and all(load.held == 1 for load in loads)


def test_no_coordinators_no_load(pcn):
    assert supervisor_load([pcn.pk], AS_OF) == []
    assert not SupervisionSession.objects.exists()
