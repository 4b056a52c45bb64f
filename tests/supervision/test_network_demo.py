"""The demo network sessions: realistic, idempotent, and they credit CPD hours like the UI."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command

from lms.models import LearningRecord, Person
from supervision import demo_network
from supervision.models import Attendance, NetworkSession, SessionInvitation
from tests.supervision import test_network_sessions as shared

pytestmark = pytest.mark.django_db

kind_items = shared.kind_items
AS_OF = datetime.date(2026, 3, 16)


@time_machine.travel(datetime.datetime(2026, 3, 16, 9, 0, tzinfo=shared.LONDON), tick=False)
def test_seed_runs_twice_without_duplicating(kind_items):
    call_command("seed_demo", stdout=io.StringIO())  # people and roles start relative to today

    demo_network.seed(AS_OF)
    counts = (NetworkSession.objects.count(), SessionInvitation.objects.count(),
              LearningRecord.objects.count())
    demo_network.seed(AS_OF)
    demo_network.seed(AS_OF + datetime.timedelta(days=1))

    assert (NetworkSession.objects.count(), SessionInvitation.objects.count(),
            LearningRecord.objects.count()) == counts
    assert counts[0] == len(demo_network.SESSIONS)
    ben = Person.objects.get(user__email="ben.okafor@riverside.example")
    joint = NetworkSession.objects.get(kind="joint_caseload")
    assert joint.invitations.get(person=ben).attendance == Attendance.ATTENDED
    assert joint.invitations.get(person=ben).cpd_hours_credited > 0
    assert NetworkSession.objects.filter(cancelled_at__isnull=False).count() == 1
    # Grace still has a register to take.
    als = NetworkSession.objects.get(kind="action_learning")
    assert not als.invitations.exclude(attendance=Attendance.UNRECORDED).exists()
