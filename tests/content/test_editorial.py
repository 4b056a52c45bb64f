"""Editors change the curriculum in /cms/; a second person in Clinical leads approves.

Care coordinators and supervisors never reach the admin.
"""

import pytest
from django.urls import reverse
from wagtail.models import PageLogEntry, TaskState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from content.models import Kind, LearningItemPage

from .conftest import add_item


@pytest.fixture
def item(section, workflow):
    return add_item(section, title="Fire safety", code="cstf-fire-safety",
                    kind=Kind.STATUTORY_MANDATORY, refresher_months=24)


def edit_data(page, **changes):
    fields = {
        "title": page.title, "slug": page.slug, "code": page.code, "kind": page.kind,
        "summary": page.summary, "provider": page.provider, "external_url": page.external_url,
        "delivery_mode": page.delivery_mode, "estimated_hours": "",
        "refresher_months": page.refresher_months or "", "induction_week": "",
        "standard_number": "", "learning_outcomes": page.learning_outcomes,
        "body": streamfield([]), "coverages": inline_formset([]),
        "comments": inline_formset([]),
    }
    fields.update(changes)
    return nested_form_data(fields)


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


@pytest.mark.parametrize("who", ["care_coordinator", "supervisor"])
def test_care_coordinators_and_supervisors_cannot_reach_the_admin(who, request, sign_in, index):
    client = sign_in(request.getfixturevalue(who))

    response = client.get("/cms/", follow=True)

    # Refused with the NHS-styled 403 page, not bounced between sign-in and admin.
    assert response.status_code == 403
    assert "You do not have permission" in response.content.decode()
    assert b"wagtailadmin" not in response.content


def test_an_editor_reaches_the_admin_and_the_curriculum_editor(sign_in, editor, item):
    client = sign_in(editor)

    assert client.get("/cms/").status_code == 200
    assert client.get(edit_url(item)).status_code == 200


def test_an_editor_cannot_publish_directly(sign_in, editor, item):
    permissions = item.permissions_for_user(editor.user)

    assert permissions.can_edit()
    assert permissions.can_add_subpage() is False  # items have no children
    assert item.get_parent().permissions_for_user(editor.user).can_add_subpage()
    assert not permissions.can_publish()


def test_bad_input_shows_a_field_error_in_the_editor(sign_in, editor, item):
    client = sign_in(editor)

    response = client.post(edit_url(item), edit_data(
        item, refresher_months="-3", induction_week="-1", external_url="ftp://example.org/x",
    ))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "refresher_months" in errors
    assert "induction_week" in errors
    assert errors["external_url"] == ["Enter a web address that starts with https:// or http://"]


def submit_change(client, page, **changes):
    response = client.post(edit_url(page), {**edit_data(page, **changes), "action-submit": "on"})
    assert response.status_code == 302, response.context["form"].errors if response.context else ""


def approve(client, page):
    task_state = TaskState.objects.get(workflow_state__object_id=str(page.pk),
                                       status=TaskState.STATUS_IN_PROGRESS)
    url = reverse("wagtailadmin_pages:workflow_action",
                  args=[page.pk, "approve", task_state.pk])
    return client.post(url, {"comment": ""})


def test_publishing_needs_a_second_person_in_clinical_leads(
    client, sign_in, editor, clinical_lead, item
):
    submit_change(sign_in(editor), item, refresher_months="12")

    item.refresh_from_db()
    assert item.workflow_in_progress
    assert item.has_unpublished_changes
    assert LearningItemPage.objects.live().get(pk=item.pk).refresher_months == 24

    # The editor cannot approve their own change.
    response = approve(sign_in(editor), item)
    assert response.status_code in (302, 403)
    item.refresh_from_db()
    assert item.workflow_in_progress
    assert item.refresher_months == 24

    # A clinical lead can.
    client.logout()
    response = approve(sign_in(clinical_lead), item)
    assert response.status_code == 302
    item.refresh_from_db()
    assert not item.workflow_in_progress
    assert item.refresher_months == 12
    assert not item.has_unpublished_changes

    # History says who did what.
    def last(action):
        return PageLogEntry.objects.filter(page=item, action=action).latest("timestamp", "pk")

    assert last("wagtail.workflow.start").user == editor.user
    assert last("wagtail.workflow.approve").user == clinical_lead.user
    assert last("wagtail.publish").user == clinical_lead.user


def test_a_clinical_lead_cannot_approve_their_own_change(
    client, sign_in, editor, clinical_lead, second_clinical_lead, item
):
    from django.contrib.auth.models import Group

    clinical_lead.user.groups.add(Group.objects.get(name="Curriculum editors"))
    submit_change(sign_in(clinical_lead), item, refresher_months="12")

    approve(client, item)  # the author, still signed in
    item.refresh_from_db()
    assert item.workflow_in_progress
    task = item.current_workflow_task
    assert task.get_actions(item, clinical_lead.user) == []
    assert not task.get_task_states_user_can_moderate(clinical_lead.user).exists()

    client.logout()
    approve(sign_in(second_clinical_lead), item)
    item.refresh_from_db()
    assert not item.workflow_in_progress
    assert item.refresher_months == 12
