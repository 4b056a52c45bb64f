"""A care coordinator's own home data and panels are cached by person, date and data version
(lms/panels.py): an audited change shows on the next view, and nothing else's does."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms import panels, services
from lms.access import scope_for
from lms.models import Role
from supervision import reflection_services
from supervision.models import Reflection, ReflectionStatus
from tests.conftest import enrol_totp, make_person
from tests.supervision.test_reflections import AS_OF, frozen, written  # noqa: F401

pytestmark = pytest.mark.django_db

DRAFTS = "draft reflection"


def home(person) -> str:
    client = Client()
    enrol_totp(person.user)
    client.force_login(person.user)
    return client.get(reverse("home")).content.decode()


def panel_queries(person) -> list[str]:
    client = Client()
    enrol_totp(person.user)
    client.force_login(person.user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def test_the_coordinators_panels_are_registered_as_per_person():
    names = {panels._name(function) for function in panels._PER_PERSON}
    assert names >= {
        "competencies.panels.my_competencies",
        "supervision.session_panels.coordinator_supervision",
        "supervision.safeguarding_panels.coordinator_follow_ups",
        "supervision.reflection_panels.draft_reflections",
    }
    # Sessions come and go by the hour: never cached by the day.
    assert "supervision.network_panels.upcoming_sessions" not in names


def test_an_audited_change_shows_on_the_next_view(care_coordinator):
    assert DRAFTS not in home(care_coordinator)  # cached: no drafts
    draft = written(care_coordinator, title="Draft one")
    assert "You have 1 draft reflection." in home(care_coordinator)
    written(care_coordinator, title="Draft two")
    assert "You have 2 draft reflections." in home(care_coordinator)
    reflection_services.reflection_archive(actor=care_coordinator.user, reflection=draft)
    assert "You have 1 draft reflection." in home(care_coordinator)


def test_a_second_view_reads_the_panels_from_the_cache(care_coordinator):
    written(care_coordinator, title="Draft one")
    first = panel_queries(care_coordinator)
    second = panel_queries(care_coordinator)
    assert any("supervision_reflection" in sql for sql in first)
    assert not any("supervision_reflection" in sql for sql in second)
    assert not any("competencies_signoff" in sql for sql in second)
    assert len(second) < len(first)
    # A write that bypasses the services (and the audit trail) is not seen until the cache
    # goes (ADR 0007): proof that the second view did not look.
    Reflection.objects.filter(author=care_coordinator).update(status=ReflectionStatus.COMPLETE)
    assert "You have 1 draft reflection." in home(care_coordinator)
    cache.clear()
    assert DRAFTS not in home(care_coordinator)


def test_each_coordinator_sees_their_own_panels(care_coordinator, pcn):
    colleague = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Ben", family_name="Ola")
    written(care_coordinator, title="Draft one")
    assert "You have 1 draft reflection." in home(care_coordinator)
    assert DRAFTS not in home(colleague)
    written(colleague, title="Theirs")
    written(colleague, title="Theirs too")
    assert "You have 2 draft reflections." in home(colleague)
    assert "You have 1 draft reflection." in home(care_coordinator)


def test_a_change_in_another_pcn_keeps_the_cache(care_coordinator, other_coordinator):
    panel_queries(care_coordinator)
    written(other_coordinator, title="Elsewhere")
    assert not any("supervision_reflection" in sql for sql in panel_queries(care_coordinator))


def test_a_new_day_is_computed_afresh(care_coordinator):
    written(care_coordinator, title="Draft one")
    assert "You have 1 draft reflection." in home(care_coordinator)
    Reflection.objects.filter(author=care_coordinator).update(status=ReflectionStatus.COMPLETE)
    with time_machine.travel(datetime.datetime(2026, 3, 17, 9, 0), tick=False):
        assert DRAFTS not in home(care_coordinator)


def test_only_care_coordinators_use_the_cache(supervisor, rf):
    request = rf.get("/")
    request.user = supervisor.user
    assert panels.coordinator_cache(request, scope_for(supervisor.user, AS_OF), AS_OF) is None


def test_newly_named_support_shows_on_the_next_view(care_coordinator, pcn_manager, pcn):
    assert "No first point of contact named yet" in home(care_coordinator)
    contact = make_person(Role.PCN_MANAGER, pcn=pcn, given_name="Rosa", family_name="Diaz")
    services.role_assign(
        actor=pcn_manager.user, person=contact, role=Role.FIRST_POINT_OF_CONTACT,
        starts_on=AS_OF, pcn=pcn, care_coordinator=care_coordinator,
    )
    page = home(care_coordinator)
    assert "No first point of contact named yet" not in page
    assert "Rosa Diaz" in page


def test_the_coordinators_own_data_is_read_from_the_cache(care_coordinator):
    panel_queries(care_coordinator)
    second = panel_queries(care_coordinator)
    for table in ("lms_roleassignment_practices", "lms_inductionplanitem", "lms_learningrecord"):
        assert not any(table in sql for sql in second), table


def test_coordinator_home_queries_do_not_grow_with_records(care_coordinator):
    cache.clear()
    cold_one = len(panel_queries(care_coordinator))
    warm_one = len(panel_queries(care_coordinator))
    for n in range(4):
        written(care_coordinator, title=f"Draft {n}")
    cache.clear()
    assert len(panel_queries(care_coordinator)) == cold_one
    assert len(panel_queries(care_coordinator)) == warm_one


def test_a_change_replaces_the_coordinators_one_entry(care_coordinator):
    home(care_coordinator)
    key = f"home-coordinator:{panels._code_version()}:{care_coordinator.pk}:" \
          f"{care_coordinator.user.pk}"
    before = cache.get(key)
    assert before["parts"]["supervision.reflection_panels.draft_reflections"] is None
    written(care_coordinator, title="Draft one")
    home(care_coordinator)
    after = cache.get(key)
    assert after["stamp"] != before["stamp"]
    assert after["parts"]["supervision.reflection_panels.draft_reflections"] == (
        "supervision/reflections/_panel_drafts.html", {"drafts": 1}
    )
