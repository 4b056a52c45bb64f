"""The demo supervision sessions: every state the pages show, and safe to run again."""

import io

import pytest
from django.core.management import call_command

from competencies.models import EvidenceKind, EvidenceLink
from lms.models import AuditEntry, Person
from supervision import demo_sessions
from supervision.cadence import CadenceStatus, cadence_by_coordinator
from supervision.models import (
    CadenceSetting,
    SessionAddendum,
    SessionType,
    SupervisionAction,
    SupervisionSession,
)
from tests.supervision.test_sessions import AS_OF, frozen  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def counts():
    return (SupervisionSession.objects.count(), SupervisionAction.objects.count(),
            SessionAddendum.objects.count(), CadenceSetting.objects.count(),
            EvidenceLink.objects.count(), AuditEntry.objects.count())


def person(email):
    return Person.objects.get(user__email=email)


def test_seed_runs_twice_without_duplicating_and_shows_every_state():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_frameworks", stdout=io.StringIO())
    demo_sessions.seed(AS_OF)
    first = counts()
    demo_sessions.seed(AS_OF)
    assert counts() == first
    assert first[0] == len(demo_sessions.SESSIONS)

    amira, ben = person("amira.khan@riverside.example"), person("ben.okafor@riverside.example")
    chloe, dev = person("chloe.evans@riverside.example"), person("dev.patel@hillside.example")
    assert SupervisionSession.objects.awaiting_confirmation().filter(
        care_coordinator=amira).count() == 2
    assert SupervisionSession.objects.filter(care_coordinator=chloe,
                                             withdrawn_at__isnull=False).count() == 1
    assert SessionAddendum.objects.get().session.care_coordinator == ben
    assert EvidenceLink.objects.filter(person=ben,
                                       kind=EvidenceKind.SUPERVISION_SESSION).count() == 1
    assert SupervisionAction.objects.filter(done_on__isnull=False).count() == 2
    assert SupervisionAction.objects.overdue(AS_OF).exists()

    cadence = cadence_by_coordinator([ben.pk, dev.pk], AS_OF)
    assert cadence[ben.pk][SessionType.LINE_MANAGEMENT].status == CadenceStatus.OVERDUE
    assert cadence[ben.pk][SessionType.CLINICAL].status == CadenceStatus.ON_TRACK
    # Hillside expects clinical supervision every 28 days: Dev's is due in three days.
    assert cadence[dev.pk][SessionType.CLINICAL].interval_days == 28
    assert cadence[dev.pk][SessionType.CLINICAL].status == CadenceStatus.DUE_SOON
