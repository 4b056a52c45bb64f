"""Writes to the curriculum: seeding it, and the editorial groups, permissions and workflow.

Seeding rule: a page is written by the seed only while the seed owns it, that is while its
latest revision was made by no one (user = None, the seed). Once a person saves a revision
(draft or published) the page is theirs and later seeds leave it alone. A page the seed owns
is re-saved only when the seed data changed (a checksum of it is kept on the page), so
running the seed twice writes nothing the second time.
"""

import hashlib
import json
from collections import Counter

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import (
    GroupPagePermission,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from .curriculum_data import FRAMEWORK_VERSIONS, INDEX, SECTIONS
from .models import (
    CurriculumIndexPage,
    CurriculumSectionPage,
    FrameworkVersion,
    ItemCoverage,
    LearningItemPage,
    SecondPersonApprovalTask,
)

EDITORS_GROUP = "Curriculum editors"  # the same name lms.services keeps role holders in
APPROVERS_GROUP = "Clinical leads"
WORKFLOW_NAME = "Clinical lead approval"
TASK_NAME = "Clinical lead approval"
#: Editors draft and submit; nobody but the workflow publishes (no publish_page).
EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page", "lock_page", "unlock_page")
EDITOR_MODEL_PERMISSIONS = ("add_frameworkversion", "change_frameworkversion",
                            "view_frameworkversion")

ITEM_FIELDS = (
    "title", "kind", "summary", "provider", "pci_assured", "external_url", "estimated_hours",
    "delivery_mode", "refresher_months", "induction_week", "evidence_expected",
    "standard_number", "learning_outcomes",
)


def _checksum(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _owned_by_seed(page) -> bool:
    """True while no person has saved a revision of the page."""
    latest = page.get_latest_revision()
    return latest is None or latest.user_id is None


def _publish(page, parent=None):
    if parent is not None:
        parent.add_child(instance=page)
    page.save_revision(user=None, log_action=True).publish(user=None)


def _upsert(model, existing, parent, data, apply):
    """Create or update one seeded page; returns (page, outcome)."""
    checksum = _checksum(data)
    if existing is None:
        page = model()
        apply(page)
        page.seed_checksum = checksum
        _publish(page, parent)
        return page, "created"
    page = existing.get_latest_revision_as_object()
    if not _owned_by_seed(existing):
        return existing, "kept (changed by an editor)"
    if existing.seed_checksum == checksum:
        return existing, "unchanged"
    apply(page)
    page.seed_checksum = checksum
    _publish(page)
    return page, "updated"


def _body(data):
    return json.dumps(data.get("body", []))


def _index_page():
    root = Site.objects.get(is_default_site=True).root_page
    existing = CurriculumIndexPage.objects.first()

    def apply(page):
        page.title, page.slug, page.intro = INDEX["title"], INDEX["slug"], INDEX["intro"]
        page.body = _body(INDEX)

    return _upsert(CurriculumIndexPage, existing, root, INDEX, apply)


def _section_page(index, data):
    existing = CurriculumSectionPage.objects.child_of(index).filter(slug=data["slug"]).first()
    section_data = {k: v for k, v in data.items() if k != "items"}

    def apply(page):
        page.title, page.slug, page.intro = data["title"], data["slug"], data["intro"]
        page.body = _body(data)

    return _upsert(CurriculumSectionPage, existing, index, section_data, apply)


def _item_page(section, data, frameworks):
    existing = LearningItemPage.objects.filter(code=data["code"]).first()
    covers = [
        (code, note) for code, note in data.get("covers", [])
        if LearningItemPage.objects.filter(code=code).exists()
    ]
    # The checksum covers the links actually written, so a later run adds missing ones.
    written = {**data, "covers": covers}

    def apply(page):
        page.code = data["code"]
        page.slug = data["code"]
        for name in ITEM_FIELDS:
            default = [] if name == "evidence_expected" else None
            value = data.get(name, default)
            if value is None and name in ("summary", "provider", "external_url",
                                          "delivery_mode", "learning_outcomes"):
                value = ""
            setattr(page, name, value)
        page.pci_assured = bool(data.get("pci_assured"))
        page.in_induction = bool(data.get("induction_week"))
        page.framework_version = frameworks.get(data.get("framework"))
        page.body = _body(data)
        targets = {p.code: p for p in LearningItemPage.objects.filter(
            code__in=[code for code, _ in covers])}
        page.coverages = [
            ItemCoverage(covers=targets[code], note=note, sort_order=n)
            for n, (code, note) in enumerate(covers)
        ]

    return _upsert(LearningItemPage, existing, section, written, apply)


def _frameworks():
    versions = {}
    for row in FRAMEWORK_VERSIONS:
        version, _ = FrameworkVersion.objects.get_or_create(
            code=row["code"], defaults={k: v for k, v in row.items() if k != "code"}
        )
        versions[row["code"]] = version
    return versions


@transaction.atomic
def curriculum_seed() -> Counter:
    """Create or update the whole curriculum, never touching a page a person has changed."""
    outcomes = Counter()
    frameworks = _frameworks()
    index, outcome = _index_page()
    outcomes[outcome] += 1
    pending = []
    for section_data in SECTIONS:
        section, outcome = _section_page(index, section_data)
        outcomes[outcome] += 1
        for item_data in section_data["items"]:
            page, outcome = _item_page(section, item_data, frameworks)
            if item_data.get("covers"):
                pending.append((section, item_data))
            outcomes[outcome] += 1
    # Second pass: links to items created later in the first pass (e.g. e-LfH → 2015 standards).
    for section, item_data in pending:
        _item_page(section, item_data, frameworks)
    editorial_setup(index)
    return outcomes


@transaction.atomic
def editorial_setup(index: Page) -> Workflow:
    """Groups, page permissions on the curriculum and the second-person approval workflow."""
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    editors, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    approvers, _ = Group.objects.get_or_create(name=APPROVERS_GROUP)
    editors.permissions.add(access_admin)
    approvers.permissions.add(access_admin)
    editors.permissions.add(*Permission.objects.filter(
        content_type=ContentType.objects.get_for_model(FrameworkVersion),
        codename__in=EDITOR_MODEL_PERMISSIONS,
    ))
    page_permissions = Permission.objects.filter(
        content_type=ContentType.objects.get_for_model(Page),
        codename__in=EDITOR_PAGE_PERMISSIONS,
    )
    for permission in page_permissions:
        GroupPagePermission.objects.get_or_create(group=editors, page=index, permission=permission)
    # Approvers open the editor through the workflow task; they may browse the curriculum too.
    view = Permission.objects.get(content_type__app_label="wagtailcore", codename="view_page")
    GroupPagePermission.objects.get_or_create(group=approvers, page=index, permission=view)

    task = SecondPersonApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = SecondPersonApprovalTask.objects.create(name=TASK_NAME)
    task.groups.add(approvers)
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=index, defaults={"workflow": workflow})
    return workflow
