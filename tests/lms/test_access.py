"""The access module: who sees whom. Ending a role ends the access it gave."""

import datetime

import pytest

from lms import access
from lms.models import Role
from tests.conftest import make_person

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)


def visible(user):
    return set(access.people_visible_to(user, TODAY).values_list("pk", flat=True))


def records(user):
    return set(access.record_owners_visible_to(user, TODAY).values_list("pk", flat=True))


def test_care_coordinator_sees_only_themselves(care_coordinator, other_coordinator, supervisor):
    assert visible(care_coordinator.user) == {care_coordinator.pk}


def test_supervisor_sees_themselves_and_supervisees(supervisor, care_coordinator, pcn):
    make_person(Role.CARE_COORDINATOR, pcn=pcn)  # same PCN, not supervised
    assert visible(supervisor.user) == {supervisor.pk, care_coordinator.pk}


def test_pcn_manager_sees_their_pcn_not_another(
    pcn_manager, care_coordinator, supervisor, other_coordinator
):
    seen = visible(pcn_manager.user)
    assert {pcn_manager.pk, care_coordinator.pk, supervisor.pk} <= seen
    assert other_coordinator.pk not in seen


def test_icb_viewer_sees_staff_lists_but_no_records(
    icb_viewer, care_coordinator, other_coordinator, other_icb_pcn
):
    far = make_person(Role.CARE_COORDINATOR, pcn=other_icb_pcn)
    seen = visible(icb_viewer.user)
    assert {care_coordinator.pk, other_coordinator.pk} <= seen
    assert far.pk not in seen
    assert records(icb_viewer.user) == {icb_viewer.pk}


def test_ended_supervision_ends_access(supervisor, care_coordinator):
    assignment = supervisor.role_assignments.get()
    assignment.ends_on = TODAY
    assignment.save()
    supervisor.user._lms_scope = None
    assert care_coordinator.pk not in visible(supervisor.user)


def test_role_not_yet_started_gives_no_access(pcn, care_coordinator):
    future = make_person(Role.PCN_MANAGER, pcn=pcn)
    assignment = future.role_assignments.get()
    assignment.starts_on = TODAY + datetime.timedelta(days=1)
    assignment.save()
    assert visible(future.user) == {future.pk}


def test_person_who_left_sees_nothing(care_coordinator):
    care_coordinator.left_on = TODAY
    care_coordinator.save()
    assert visible(care_coordinator.user) == set()
