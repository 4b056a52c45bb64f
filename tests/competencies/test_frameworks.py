"""Frameworks and competencies in the Wagtail admin, for curriculum editors only.

Also the item side of the competency ↔ learning item link (`competencies_for_item`).
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from competencies.frameworks_io import editor_permissions_setup, framework_import
from competencies.models import Competency, Framework, FrameworkStatus
from competencies.templatetags.competency_tags import competencies_for_item
from lms.models import Role
from tests.conftest import make_person
from tests.curriculum import curriculum_section, learning_item

LIST = reverse("wagtailsnippets_competencies_framework:list")
COMPETENCIES = reverse("wagtailsnippets_competencies_competency:list")
IMPORT = reverse("competencies_framework_import")


def framework_file(code="local", name="Local framework", version="1", competencies=2,
                   items=()):
    return {
        "format_version": 1,
        "framework": {"code": code, "name": name, "version": version},
        "domains": [{"code": "d1", "name": "Relationships", "competencies": [
            {"code": f"{code}-c{n}", "title": f"Competency {n}", "descriptor": "Does it.",
             "target_level": 3, "learning_items": list(items)}
            for n in range(1, competencies + 1)
        ]}],
    }


@pytest.fixture
def item(db):
    return learning_item(curriculum_section("Training"), "local-mdt-induction",
                         title="Induction to MDT working")


@pytest.fixture
def framework(item):
    return framework_import(actor=None, data=framework_file(items=[item.code])).framework


@pytest.fixture
def editor(pcn):
    person = make_person(Role.CURRICULUM_EDITOR, given_name="Maya", family_name="Green")
    person.user.groups.add(editor_permissions_setup())
    return person


def test_an_editor_lists_filters_and_searches_frameworks_and_competencies(sign_in, editor,
                                                                          framework):
    other = framework_import(actor=None, data=framework_file(
        code="other", name="Other framework", competencies=1)).framework
    client = sign_in(editor)

    assert "Competency frameworks" in client.get("/cms/").content.decode()
    response = client.get(LIST)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Local framework" in content and "Other framework" in content
    assert reverse("competencies_framework_export", args=[framework.pk, "csv"]) in content
    assert IMPORT in content

    response = client.get(COMPETENCIES, {"framework": other.pk})
    assert [c.code for c in response.context["object_list"]] == ["other-c1"]
    response = client.get(COMPETENCIES, {"q": "Competency 2"})
    assert [c.code for c in response.context["object_list"]] == ["local-c2"]
    # The competency side of the link: its learning items are listed.
    assert "local-mdt-induction" in client.get(COMPETENCIES).content.decode()


def test_an_editor_opens_the_editors(sign_in, editor, framework):
    client = sign_in(editor)
    competency = Competency.objects.get(code="local-c1")

    assert client.get(reverse("wagtailsnippets_competencies_framework:edit",
                              args=[framework.pk])).status_code == 200
    response = client.get(reverse("wagtailsnippets_competencies_competency:edit",
                                  args=[competency.pk]))
    assert response.status_code == 200
    assert "local-mdt-induction: Induction to MDT working" in response.content.decode()
    assert client.get(reverse("wagtailsnippets_competencies_competency:add")).status_code == 200


def test_a_competency_must_use_a_domain_of_its_framework(sign_in, editor, framework):
    other = framework_import(actor=None, data=framework_file(code="other", name="Other",
                                                             competencies=1)).framework
    competency = Competency.objects.get(code="local-c1")
    client = sign_in(editor)

    response = client.post(
        reverse("wagtailsnippets_competencies_competency:edit", args=[competency.pk]),
        {"framework": framework.pk, "domain": other.domains.get().pk, "code": "local-c1",
         "title": "Competency 1", "descriptor": "Does it.", "target_level": 3,
         "target_by": "", "sort_order": 0},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["domain"] == ["Choose a domain of the same framework."]
    competency.refresh_from_db()
    assert competency.domain.framework == framework


def test_competency_list_queries_do_not_grow_with_rows(sign_in, editor, item):
    client = sign_in(editor)
    framework_import(actor=None, data=framework_file(code="a", competencies=2, items=[item.code]))
    client.get(COMPETENCIES)
    with CaptureQueriesContext(connection) as few:
        client.get(COMPETENCIES)
    framework_import(actor=None, data=framework_file(code="b", name="B", competencies=8,
                                                     items=[item.code]))
    with CaptureQueriesContext(connection) as many:
        client.get(COMPETENCIES)

    assert len(many) == len(few)


def test_an_editor_exports_and_imports(sign_in, editor, framework):
    client = sign_in(editor)

    response = client.get(reverse("competencies_framework_export", args=[framework.pk, "json"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="local.json"'
    data = json.loads(response.content)
    csv_response = client.get(reverse("competencies_framework_export",
                                      args=[framework.pk, "csv"]))
    assert csv_response.content.decode("utf-8-sig").startswith("framework_code,")

    assert client.get(IMPORT).status_code == 200
    data["framework"].update(code="local-2", version="2")
    upload = SimpleUploadedFile("local-2.json", json.dumps(data).encode())
    response = client.post(IMPORT, {"file": upload})

    copy = Framework.objects.get(code="local-2")
    assert response.status_code == 302
    assert response.url == reverse("wagtailsnippets_competencies_framework:edit",
                                   args=[copy.pk])
    assert copy.competencies.count() == 2


def test_an_import_with_errors_shows_them_and_writes_nothing(sign_in, editor, framework):
    client = sign_in(editor)
    upload = SimpleUploadedFile("bad.json", json.dumps(
        framework_file(code="bad", items=["no-such-item"])).encode())

    response = client.post(IMPORT, {"file": upload})

    content = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in content
    assert "Nothing was imported" in content
    assert "unknown learning item codes: no-such-item" in content
    assert not Framework.objects.filter(code="bad").exists()


@pytest.mark.parametrize("url", [
    LIST, COMPETENCIES, IMPORT, reverse("competencies_framework_export", args=[1, "csv"]),
])
def test_a_care_coordinator_is_refused(sign_in, care_coordinator, framework, url):
    client = sign_in(care_coordinator)

    response = client.get(url)

    assert response.status_code in (302, 403)
    assert b"Local framework" not in response.content


def test_an_admin_user_without_framework_permissions_cannot_import(sign_in, pcn, framework):
    from django.contrib.auth.models import Group, Permission

    person = make_person(Role.CURRICULUM_APPROVER, given_name="Grace", family_name="Lead")
    group = Group.objects.create(name="Admin only")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    person.user.groups.add(group)
    client = sign_in(person)

    assert client.get("/cms/").status_code == 200
    # Wagtail answers a refused admin view by sending the user back to the dashboard.
    for url in (IMPORT, reverse("competencies_framework_export", args=[framework.pk, "json"]),
                LIST):
        response = client.get(url)
        assert (response.status_code, response.url) == (302, "/cms/")


def test_an_item_lists_the_competencies_it_builds(framework, item):
    retired = framework_import(actor=None, data=framework_file(
        code="old", name="Old", competencies=1, items=[item.code])).framework
    retired.status = FrameworkStatus.RETIRED
    retired.save()

    assert [c.code for c in item.competencies.all()] == ["local-c1", "local-c2", "old-c1"]
    assert [c.code for c in competencies_for_item(item)] == ["local-c1", "local-c2"]
    html = render_to_string("competencies/includes/item_competencies.html", {"page": item})
    assert "Competencies this builds" in html
    assert "Local framework (1)" in html and "Competency 2" in html
    assert "Old" not in html


def framework_form(framework, domains, **changes):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data

    fields = {
        "name": framework.name, "version": framework.version, "code": framework.code,
        "status": framework.status, "description": framework.description,
        "scale": json.dumps(framework.scale), "signoffs_required": 1,
        "evidence_kinds_required": 1, "domains": inline_formset(domains, initial=1),
    }
    fields.update(changes)
    return nested_form_data(fields)


def test_an_editor_edits_a_framework_but_cannot_delete_a_domain_in_use(sign_in, editor,
                                                                       framework):
    client = sign_in(editor)
    url = reverse("wagtailsnippets_competencies_framework:edit", args=[framework.pk])
    domain = framework.domains.get()
    row = {"id": domain.pk, "name": "Working together", "code": "d1", "description": "",
           "ORDER": 1}

    response = client.post(url, framework_form(framework, [row], name="Our framework"))

    assert response.status_code == 302
    framework.refresh_from_db()
    assert framework.name == "Our framework"
    assert framework.domains.get().name == "Working together"

    response = client.post(url, framework_form(framework, [{**row, "DELETE": 1}]))

    assert response.status_code == 200
    assert "still has competencies" in response.content.decode()
    assert framework.domains.count() == 1


@pytest.mark.django_db
def test_learning_item_page_lists_the_competencies_it_builds(sign_in, care_coordinator):
    from competencies.models import Competency, Domain, Framework
    from tests.curriculum import curriculum_section, learning_item

    item = learning_item(curriculum_section(), "um-shared-decision-making")
    framework = Framework.objects.create(code="f", name="DES responsibilities", version="1")
    domain = Domain.objects.create(framework=framework, code="d", name="Key responsibilities")
    competency = Competency.objects.create(
        framework=framework, domain=domain, code="sdm", title="Support shared decisions",
        descriptor="…",
    )
    competency.learning_items.add(item)
    html = sign_in(care_coordinator).get(item.url).content.decode()
    assert "Competencies this builds" in html
    assert "Support shared decisions" in html
