"""`seed_curriculum`: the whole curriculum of DOMAIN.md, idempotent, never over an editor's work.

Seeding takes ~10 s, so one test seeds once and checks everything that needs the full tree.
"""

import io

from django.core.management import call_command
from wagtail.models import Revision, Workflow

from content.models import (
    CurriculumIndexPage,
    CurriculumSectionPage,
    FrameworkVersion,
    Kind,
    LearningItemPage,
)
from tests.factories import UserFactory

EXPECTED_COUNTS = {
    Kind.PCI_CURRICULUM_AREA: 5,
    Kind.PCI_ELEARNING: 4,
    Kind.PCI_COURSE: 1,
    Kind.UNIVERSAL_MODEL: 6,
    Kind.ELFH_COURSE: 9,
    Kind.CARE_CERTIFICATE: 15 + 16,
    Kind.STATUTORY_MANDATORY: 11 + 1 + 4,
    Kind.LOCAL_INDUCTION: 6,
    Kind.COHORT_SPECIFIC: 4,
    Kind.ONGOING_DEVELOPMENT: 6 + 4,  # + peer support: network, MDT, joint caseload, webinars
}


def seed():
    out = io.StringIO()
    call_command("seed_curriculum", stdout=out)
    return out.getvalue()


def items():
    return LearningItemPage.objects.live()


def test_seed_creates_the_curriculum_and_a_second_run_changes_nothing_an_editor_made(db):
    seed()

    # The whole curriculum, served at /curriculum/.
    index = CurriculumIndexPage.objects.get()
    assert index.url == "/curriculum/"
    assert CurriculumSectionPage.objects.live().child_of(index).count() == 10
    for kind, count in EXPECTED_COUNTS.items():
        assert items().of_kind(kind).count() == count, kind
    assert not items().filter(summary="").exists()

    # Both Care Certificate versions, each standard keeping its own.
    v2015 = FrameworkVersion.objects.get(code="care-certificate-2015")
    v2025 = FrameworkVersion.objects.get(code="care-certificate-2025")
    assert items().for_framework(v2015).count() == 15
    assert items().for_framework(v2025).count() == 16
    standards_2025 = dict(items().for_framework(v2025).values_list("standard_number", "title"))
    assert standards_2025[4] == "Standard 4: Equality, diversity, inclusion and human rights"
    assert standards_2025[9] == "Standard 9: Awareness of mental health and dementia"
    assert standards_2025[16] == "Standard 16: Awareness of learning disability and autism"
    assert items().get(code="cc2015-04").title == "Standard 4: Equality and diversity"

    # Refresher periods and induction defaults.
    assert items().get(code="cstf-information-governance").refresher_months == 12
    assert items().get(code="cstf-fire-safety").refresher_months == 24
    assert items().get(code="cstf-moving-handling").refresher_months == 36
    weeks = dict(items().in_induction().values_list("code", "induction_week"))
    assert weeks["local-pcn-induction"] == 1
    assert weeks["cstf-fire-safety"] == 4
    assert weeks["cc2025-16"] == 12
    assert weeks["pci-elearning-core-skills"] == 8
    assert weeks["pci-health-coaching-course"] == 26
    assert weeks["local-mdt-induction"] <= 4
    assert "cc2015-01" not in weeks  # superseded standards are not for new starters

    # The overlap map.
    programme = items().get(code="elfh-care-certificate")
    covered = set(programme.coverages.values_list("covers__code", flat=True))
    assert {f"cc2015-{n:02d}" for n in range(1, 16)} <= covered
    assert "cstf-infection-prevention-control" in covered
    course = items().get(code="pci-health-coaching-course")
    assert course.coverages.count() == 5

    # Peer support: the items network sessions credit attendance to, after Ongoing development.
    peer = CurriculumSectionPage.objects.get(slug="peer-support")
    assert set(items().child_of(peer).values_list("code", flat=True)) == {
        "local-peer-network", "local-mdt", "local-joint-caseload", "local-webinars"}
    assert not items().child_of(peer).in_induction().exists()
    sections = list(CurriculumSectionPage.objects.child_of(index).values_list("slug", flat=True))
    assert sections.index("peer-support") == sections.index("ongoing-development") + 1

    # Editors, approvers and the workflow on the curriculum.
    assert Workflow.objects.get(name="Clinical lead approval").workflow_pages.filter(
        page=index).exists()

    # An editor changes one page; a second run writes nothing at all.
    editor = UserFactory()
    fire = items().get(code="cstf-fire-safety")
    fire.refresher_months = 12
    fire.save_revision(user=editor).publish()
    revisions_before = Revision.objects.count()

    output = seed()

    assert Revision.objects.count() == revisions_before
    assert "102 pages unchanged" in output  # one page of 103 is the editor's now
    assert "1 pages kept (changed by an editor)" in output
    assert items().get(code="cstf-fire-safety").refresher_months == 12
    assert items().count() == sum(EXPECTED_COUNTS.values())
