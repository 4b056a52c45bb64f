"""The PCN trend's cache: a second trend costs two queries, and any write through a service
(or through Wagtail) shows at once, past month ends included."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.log_actions import log

from lms import services
from lms.compliance import engine
from lms.models import LearningRecord, LearningStatus, Role
from tests.compliance.builders import compliant_coordinator, des_curriculum
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2025, 11, 14)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Cached trends must not leak between tests whatever CACHE_BACKEND is."""
    cache.clear()
    with time_machine.travel(datetime.datetime(2025, 11, 14, 12, 0), tick=False):
        yield
    cache.clear()


def evaluated(pcn, as_of, months):
    """The trend as every month end's evaluation gives it, bypassing the cache."""
    points = []
    for day in engine.trend_dates(as_of, months):
        compliances = engine.pcn_compliance(pcn, day)
        points.append((day, sum(c.met_count for c in compliances),
                       sum(c.applicable_count for c in compliances)))
    return points


def queries(call):
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return result, len(captured)


def test_a_second_trend_comes_from_the_cache_in_two_queries(pcn, django_assert_max_num_queries):
    for n in range(3):
        compliant_coordinator(pcn, AS_OF, family_name=f"Coordinator {n}")
    first, cold = queries(lambda: engine.pcn_trend(pcn, AS_OF, months=12))
    assert first == evaluated(pcn, AS_OF, 12)
    assert cold > 12 * 10
    with django_assert_max_num_queries(2):
        assert engine.pcn_trend(pcn, AS_OF, months=12) == first
    # A shorter or earlier window reuses the month ends already computed.
    with django_assert_max_num_queries(2):
        assert engine.pcn_trend(pcn.pk, datetime.date(2025, 10, 31), months=6) == first[5:11]


def test_only_the_missing_month_ends_are_evaluated(pcn):
    compliant_coordinator(pcn, AS_OF)
    engine.pcn_trend(pcn, AS_OF, months=3)
    _, one_more = queries(lambda: engine.pcn_trend(pcn, AS_OF, months=4))
    _, cached = queries(lambda: engine.pcn_trend(pcn, AS_OF, months=4))
    _, one_month = queries(lambda: engine.pcn_compliance(pcn, AS_OF))
    assert cached == 2
    assert one_month < one_more < 2 * one_month  # one evaluation and the cache write


def test_a_role_assigned_through_the_service_changes_past_months_at_once(pcn, pcn_manager):
    compliant_coordinator(pcn, AS_OF)
    before = engine.pcn_trend(pcn, AS_OF, months=3)
    assert [p[0] for p in before] == [
        datetime.date(2025, 9, 30), datetime.date(2025, 10, 31), AS_OF]

    newcomer = PersonFactory(pcn=pcn, given_name="Nell", family_name="Newcomer")
    services.role_assign(actor=pcn_manager.user, person=newcomer, role=Role.CARE_COORDINATOR,
                         pcn=pcn, starts_on=datetime.date(2025, 9, 1))

    after = engine.pcn_trend(pcn, AS_OF, months=3)
    assert after == evaluated(pcn, AS_OF, 3)
    # September's month end now counts the newcomer's results too.
    assert after[0][2] > before[0][2]


def test_a_learning_record_saved_through_the_service_changes_past_months(pcn, pcn_manager):
    curriculum = des_curriculum()
    cc = compliant_coordinator(pcn, AS_OF)
    # No PCI training recorded: 1a not met in any month.
    LearningRecord.objects.filter(person=cc, item=curriculum.pci_course).delete()
    before = engine.pcn_trend(pcn, AS_OF, months=3)

    services.learning_record_save(
        actor=pcn_manager.user, person=cc, item=curriculum.pci_course,
        stage=LearningStatus.COMPLETED, completed_on=datetime.date(2025, 2, 3), as_of=AS_OF,
    )

    after = engine.pcn_trend(pcn, AS_OF, months=3)
    assert after == evaluated(pcn, AS_OF, 3)
    assert [p[1] for p in after] == [p[1] + 1 for p in before]


def test_a_change_logged_by_wagtail_shows_at_once(pcn):
    curriculum = des_curriculum()
    cc = compliant_coordinator(pcn, AS_OF)
    before = engine.pcn_trend(pcn, AS_OF, months=2)
    # Written directly (as a seed command would): no audit entry, so still the cached trend.
    LearningRecord.objects.filter(person=cc, item=curriculum.pci_course).delete()
    assert engine.pcn_trend(pcn, AS_OF, months=2) == before
    # Any Wagtail page or snippet change is logged, and the log moves the data version on.
    log(instance=curriculum.pci_course, action="wagtail.edit")
    after = engine.pcn_trend(pcn, AS_OF, months=2)
    assert after == evaluated(pcn, AS_OF, 2)
    assert [p[1] for p in after] == [p[1] - 1 for p in before]


def test_an_unknown_pcn_has_an_empty_trend_and_caches_nothing():
    assert engine.pcn_trend(987654, AS_OF, months=2) == [
        (datetime.date(2025, 10, 31), 0, 0), (AS_OF, 0, 0)]
    assert cache.get("compliance:pcn-trend:987654") is None
