"""The demo reflections: realistic, every state a page shows, and safe to run again."""

import io

import pytest
from django.core.management import call_command

from competencies.models import EvidenceKind, EvidenceLink
from lms.models import AuditEntry, Person
from supervision import demo_reflections
from supervision.models import Reflection, ReflectionComment, ReflectionShare, ReflectionStatus
from tests.supervision.test_reflections import AS_OF, frozen  # noqa: F401

pytestmark = pytest.mark.django_db


def counts():
    return (Reflection.objects.count(), ReflectionShare.objects.count(),
            ReflectionComment.objects.count(), EvidenceLink.objects.count(),
            AuditEntry.objects.count())


def test_seed_runs_twice_without_duplicating():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_frameworks", stdout=io.StringIO())
    demo_reflections.seed(AS_OF)
    first = counts()
    demo_reflections.seed(AS_OF)
    assert counts() == first
    assert first[0] == len(demo_reflections.REFLECTIONS)

    def person(email):
        return Person.objects.get(user__email=email)

    amira, grace = person("amira.khan@riverside.example"), person("grace.hughes@riverside.example")
    assert set(Reflection.objects.filter(author=amira).values_list("status", flat=True)) == {
        ReflectionStatus.DRAFT, ReflectionStatus.COMPLETE}
    # Grace has one commented on and one waiting for her comment.
    shared = Reflection.objects.shared_with(grace.pk)
    assert shared.count() == 2
    assert shared.filter(comments__author=grace).count() == 1
    assert Reflection.objects.filter(archived_at__isnull=False).count() == 1
    assert EvidenceLink.objects.filter(kind=EvidenceKind.REFLECTION).count() == 2
