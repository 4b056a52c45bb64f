"""seed_demo: every role, idempotent, and prints the sign-ins."""

import io

import pytest
from django.core.management import call_command

from lms.models import AuditEntry, Person, Role, RoleAssignment

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_every_role_once_and_prints_sign_ins():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    counts = (Person.objects.count(), RoleAssignment.objects.count(), AuditEntry.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (
        Person.objects.count(), RoleAssignment.objects.count(), AuditEntry.objects.count()
    ) == counts
    roles = set(RoleAssignment.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    assert RoleAssignment.objects.filter(role=Role.CARE_COORDINATOR).count() == 5
    printed = out.getvalue()
    assert "Coordinate-demo-2026" in printed
    for email in ("amira.khan@riverside.example", "jo.smith@riverside.example",
                  "liam.turner@icb.example", "maya.green@riverside.example"):
        assert email in printed
