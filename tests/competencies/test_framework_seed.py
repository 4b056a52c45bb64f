"""`seed_frameworks`: the five seeded frameworks, idempotent, never over an editor's change."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from competencies.framework_data import FRAMEWORKS
from competencies.frameworks_io import frameworks_seed
from competencies.models import Competency, Domain, Framework
from content import curriculum_data
from content.services import EDITORS_GROUP
from lms.models import AuditEntry
from tests.curriculum import curriculum_section, learning_item

SEEDED_CODES = sorted({code for entry in FRAMEWORKS for domain in entry["domains"]
                       for comp in domain["competencies"] for code in comp["learning_items"]})


@pytest.fixture
def seed_items(db):
    """Every learning item the seed links to (a fast stand-in for seed_curriculum)."""
    section = curriculum_section("Everything")
    return {code: learning_item(section, code) for code in SEEDED_CODES}


def seed():
    out = io.StringIO()
    call_command("seed_frameworks", stdout=out)
    return out.getvalue()


def counts():
    return (Framework.objects.count(), Domain.objects.count(), Competency.objects.count(),
            Competency.learning_items.through.objects.count())


def competencies_of(code):
    return Competency.objects.filter(framework__code=code)


def test_every_linked_item_code_is_in_the_curriculum_seed():
    curriculum_codes = {item["code"] for section in curriculum_data.SECTIONS
                        for item in section["items"]}

    assert set(SEEDED_CODES) - curriculum_codes == set()


def test_seed_creates_the_frameworks_with_their_rules(seed_items):
    output = seed()

    assert "5 frameworks created" in output
    assert "Skipped link" not in output
    des = Framework.objects.get(code="des-care-coordinator-2024-25")
    assert (des.name, des.version) == (
        "Care coordinator responsibilities — Network Contract DES", "2024/25")
    assert des.evidence_kinds_required == 2
    assert competencies_of(des.code).count() == 12
    assert list(competencies_of(des.code).values_list("code", flat=True)[:2]) == [
        "des-2a-population-health", "des-2b-decision-aids"]
    assert {c.target_label for c in competencies_of(des.code)} == {"Competent"}

    checklist = Framework.objects.get(code="care-coordinator-checklist-2021")
    assert [d.name for d in checklist.domains.order_by("sort_order")] == [
        "Personalised care", "Relationships", "Continuous learning", "Communication"]
    per_domain = {d.name: d.competencies.count() for d in checklist.domains.all()}
    assert per_domain == {"Personalised care": 3, "Relationships": 5,
                          "Continuous learning": 3, "Communication": 4}

    pci = Framework.objects.get(code="pci-core-curriculum")
    assert pci.domains.count() == 5
    titles = set(competencies_of(pci.code).values_list("title", flat=True))
    assert {"Shared agenda setting", "Collaborative goal setting", "Shared follow-up planning",
            "Teach-back", "A coaching approach", "Knowledge of patient activation",
            "Knowledge of assets-based approaches"} <= titles
    assert competencies_of(pci.code).count() == 12

    cc2015 = Framework.objects.get(code="care-certificate-2015")
    cc2025 = Framework.objects.get(code="care-certificate-2025")
    assert (cc2015.name, cc2015.version, cc2015.status) == ("Care Certificate", "2015", "retired")
    assert (cc2025.name, cc2025.version, cc2025.status) == ("Care Certificate", "2025", "active")
    assert competencies_of(cc2015.code).count() == 15
    assert competencies_of(cc2025.code).count() == 16
    assert (cc2025.signoffs_required, cc2025.evidence_kinds_required) == (1, 2)
    standard_4 = competencies_of(cc2025.code).get(code="cc2025-04")
    assert standard_4.title == "Standard 4: Equality, diversity, inclusion and human rights"
    assert [i.code for i in standard_4.learning_items.all()] == ["cc2025-04"]


def test_links_show_on_both_sides(seed_items):
    seed()

    pcsp = Competency.objects.get(code="des-2c-pcsp")
    assert set(pcsp.learning_items.values_list("code", flat=True)) == {
        "pci-elearning-pcsp", "um-personalised-care-support-planning", "local-pcsp-sdm"}
    phb = seed_items["um-personal-health-budgets"]
    assert "des-2h-personal-health-budgets" in phb.competencies.values_list("code", flat=True)


def test_a_second_run_changes_nothing(seed_items):
    seed()
    before, audits = counts(), AuditEntry.objects.count()

    output = seed()

    assert "5 frameworks unchanged" in output
    assert counts() == before
    assert AuditEntry.objects.count() == audits


def test_editors_get_permissions_once(seed_items):
    seed()
    seed()

    editors = Group.objects.get(name=EDITORS_GROUP)
    codenames = set(editors.permissions.values_list("codename", flat=True))
    for model in ("framework", "domain", "competency"):
        assert {f"add_{model}", f"change_{model}", f"view_{model}"} <= codenames
    assert "delete_framework" not in codenames
    assert "access_admin" in codenames


def test_a_framework_an_editor_changed_is_not_overwritten(seed_items):
    seed()
    competency = Competency.objects.get(code="des-2h-personal-health-budgets")
    competency.descriptor = "Our PCN's own wording."
    competency.save()
    competency.learning_items.clear()
    other = Competency.objects.get(code="des-3a-caseload")
    other.delete()

    outcomes, _ = frameworks_seed()

    assert outcomes["kept (changed by an editor)"] == 1
    assert outcomes["unchanged"] == 4
    competency.refresh_from_db()
    assert competency.descriptor == "Our PCN's own wording."
    assert competency.learning_items.count() == 0
    assert not Competency.objects.filter(code="des-3a-caseload").exists()


def test_links_to_missing_items_are_skipped_then_added_by_a_later_run(db):
    section = curriculum_section("Some")
    learning_item(section, "cc2025-01")

    output = seed()

    assert "Skipped link: des-care-coordinator-2024-25 / des-2c-pcsp" in output
    assert Competency.objects.get(code="cc2025-01").learning_items.count() == 1
    assert Competency.objects.get(code="des-2c-pcsp").learning_items.count() == 0

    learning_item(section, "pci-elearning-pcsp")
    outcomes, _ = frameworks_seed()

    # The DES and the checklist both link to it.
    assert outcomes["updated (added what was missing)"] == 2
    assert list(Competency.objects.get(code="des-2c-pcsp").learning_items.values_list(
        "code", flat=True)) == ["pci-elearning-pcsp"]


def test_seed_after_the_real_curriculum_links_everything(db):
    call_command("seed_curriculum", stdout=io.StringIO())

    output = seed()

    assert "Skipped link" not in output
    item = Competency.objects.get(code="des-2i-coordination-navigation").learning_items
    assert set(item.values_list("code", flat=True)) >= {
        "elfh-nhs-e-referral-service", "local-mdt-induction"}
