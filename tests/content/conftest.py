"""A small curriculum tree built in code (fast), and the editorial groups and workflow.

The full seeded curriculum (`seed_curriculum`, ~10 s) is used only where the test is
about the seed itself.
"""

import itertools

import pytest
from wagtail.models import Site

from content.models import (
    CurriculumIndexPage,
    CurriculumSectionPage,
    FrameworkVersion,
    Kind,
    LearningItemPage,
)
from content.services import APPROVERS_GROUP, EDITORS_GROUP, editorial_setup
from lms.models import Role
from tests.conftest import make_person

_codes = itertools.count(1)


def add_item(section, title="Safeguarding adults", **fields):
    """Publish a learning item under `section` (system-made, like the seed)."""
    n = next(_codes)
    defaults = {
        "code": f"test-item-{n}",
        "slug": f"test-item-{n}",
        "kind": Kind.STATUTORY_MANDATORY,
        "summary": f"What {title.lower()} covers.",
        "provider": "Your employer",
    }
    item = LearningItemPage(title=title, **{**defaults, **fields})
    section.add_child(instance=item)
    item.save_revision().publish()
    return item


@pytest.fixture
def index(db):
    root = Site.objects.get(is_default_site=True).root_page
    page = CurriculumIndexPage(title="Curriculum", slug="curriculum", intro="What CCs learn.")
    root.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def section(index):
    page = CurriculumSectionPage(
        title="Statutory and mandatory training", slug="statutory", intro="Core subjects."
    )
    index.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def care_certificate_2025(db):
    return FrameworkVersion.objects.create(
        code="care-certificate-2025", name="Care Certificate", version="2025",
        effective_from="2025-03-01",
    )


@pytest.fixture
def workflow(index):
    return editorial_setup(index)


@pytest.fixture
def editor(pcn, workflow):
    from django.contrib.auth.models import Group

    person = make_person(Role.CURRICULUM_EDITOR, given_name="Maya", family_name="Green")
    person.user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    return person


def _clinical_lead(given_name):
    from django.contrib.auth.models import Group

    from tests.factories import PersonFactory

    person = PersonFactory(given_name=given_name, family_name="Lead", job_title="GP partner")
    person.user.groups.add(Group.objects.get(name=APPROVERS_GROUP))
    return person


@pytest.fixture
def clinical_lead(workflow):
    return _clinical_lead("Grace")


@pytest.fixture
def second_clinical_lead(workflow):
    return _clinical_lead("Hamid")
