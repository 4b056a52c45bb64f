"""PCN managers add people, change details, assign and end roles; nothing is deleted."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from lms.models import AuditEntry, Person, Role, RoleAssignment
from tests.conftest import make_person
from tests.factories import RoleAssignmentFactory

pytestmark = pytest.mark.django_db


def date_fields(name, iso):
    """The day, month and year boxes of an NHS date input."""
    year, month, day = iso.split("-")
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


def add_person_data(pcn, **overrides):
    data = {
        "given_name": "Priya",
        "family_name": "Shah",
        "email": "Priya.Shah@example.nhs.uk",
        "job_title": "Care coordinator",
        "pcn": pcn.pk,
        **date_fields("employment_start_date", "2026-11-02"),
        "funding_route": "arrs",
        "afc_band": "4",
        "role": Role.CARE_COORDINATOR,
        "send_invitation": "on",
    }
    data.update(overrides)
    return data


def test_manager_adds_a_care_coordinator_who_is_invited(sign_in, pcn_manager, pcn):
    client = sign_in(pcn_manager)
    response = client.post(reverse("people:add"), add_person_data(pcn), follow=True)
    person = Person.objects.get(user__email="priya.shah@example.nhs.uk")
    assert response.redirect_chain[-1][0] == reverse("people:detail", args=[person.pk])
    assert "Priya Shah has been added" in response.content.decode()
    assert person.pcn == pcn
    assert person.role_assignments.get().role == Role.CARE_COORDINATOR
    assert len(mail.outbox) == 1
    assert "/invitations/" in mail.outbox[0].body
    assert not person.user.has_usable_password()
    assert AuditEntry.objects.filter(action="person.create", object_id=str(person.pk)).exists()


def test_email_already_in_use_is_refused_and_typing_kept(
    sign_in, pcn_manager, pcn, care_coordinator
):
    client = sign_in(pcn_manager)
    users_before = get_user_model().objects.count()
    data = add_person_data(pcn, email=care_coordinator.email.upper(), given_name="Typed")
    response = client.post(reverse("people:add"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone already uses this email address" in html
    assert 'value="Typed"' in html
    assert get_user_model().objects.count() == users_before
    assert len(mail.outbox) == 0


def test_invalid_form_shows_error_summary_and_title_prefix(sign_in, pcn_manager, pcn):
    client = sign_in(pcn_manager)
    response = client.post(reverse("people:add"), add_person_data(pcn, given_name="", email="x"))
    html = response.content.decode()
    assert "There is a problem" in html
    assert "<title>Error:" in html


def test_manager_changes_details_and_the_audit_keeps_the_old_value(
    sign_in, pcn_manager, pcn, care_coordinator
):
    client = sign_in(pcn_manager)
    url = reverse("people:edit", args=[care_coordinator.pk])
    data = add_person_data(pcn, email=care_coordinator.email, job_title="Senior care coordinator")
    response = client.post(url, data, follow=True)
    assert "details have been saved" in response.content.decode()
    care_coordinator.refresh_from_db()
    assert care_coordinator.job_title == "Senior care coordinator"
    entry = AuditEntry.objects.get(action="person.update")
    assert entry.before["job_title"] == "Care coordinator"
    assert entry.after["job_title"] == "Senior care coordinator"
    assert entry.actor == pcn_manager.user


def test_manager_names_a_supervisor_for_a_coordinator(sign_in, pcn_manager, pcn, care_coordinator):
    gp = make_person(Role.PCN_MANAGER, pcn=pcn, given_name="New", family_name="Gp")
    gp.role_assignments.all().delete()  # a plain member of the PCN, no role yet
    client = sign_in(pcn_manager)
    response = client.post(
        reverse("people:role_add", args=[gp.pk]),
        {"role": Role.CLINICAL_SUPERVISOR, "care_coordinator": care_coordinator.pk,
         **date_fields("starts_on", "2026-11-01")},
        follow=True,
    )
    assert "is now gp clinical supervisor" in response.content.decode()
    assignment = gp.role_assignments.get()
    assert assignment.care_coordinator == care_coordinator
    assert assignment.created_by == pcn_manager.user


def test_support_role_without_a_coordinator_is_refused(sign_in, pcn_manager, no_role_person):
    response = sign_in(pcn_manager).post(
        reverse("people:role_add", args=[no_role_person.pk]),
        {"role": Role.SAFEGUARDING_GP, **date_fields("starts_on", "2026-11-01")},
    )
    assert "Choose the care coordinator this role supports" in response.content.decode()
    assert not no_role_person.role_assignments.exists()


def test_coordinator_cannot_supervise_themselves(sign_in, pcn_manager, care_coordinator):
    response = sign_in(pcn_manager).post(
        reverse("people:role_add", args=[care_coordinator.pk]),
        {"role": Role.CLINICAL_SUPERVISOR, "care_coordinator": care_coordinator.pk,
         **date_fields("starts_on", "2026-11-01")},
    )
    # A coordinator is not offered as their own supervisee, and the service refuses it anyway.
    assert response.status_code == 200
    assert not care_coordinator.role_assignments.filter(role=Role.CLINICAL_SUPERVISOR).exists()


def test_ending_a_role_keeps_it_in_history(sign_in, pcn_manager, supervisor):
    assignment = supervisor.role_assignments.get()
    client = sign_in(pcn_manager)
    response = client.post(
        reverse("people:role_end", args=[supervisor.pk, assignment.pk]),
        {**date_fields("ends_on", "2026-11-30"), "reason": "Supervision moved to another GP"},
        follow=True,
    )
    assert "The record is kept in their history" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.ends_on == datetime.date(2026, 11, 30)
    assert assignment.ended_by == pcn_manager.user
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_end_date_before_start_is_refused(sign_in, pcn_manager, supervisor):
    assignment = supervisor.role_assignments.get()
    response = sign_in(pcn_manager).post(
        reverse("people:role_end", args=[supervisor.pk, assignment.pk]),
        {**date_fields("ends_on", "2024-01-01")},
    )
    assert "The end date must be after the start date" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.ends_on is None


@pytest.mark.parametrize(
    "url_name", ["people:detail", "people:edit", "people:role_add"]
)
def test_another_pcns_manager_gets_not_found(sign_in, other_pcn_manager, care_coordinator,
                                             url_name):
    response = sign_in(other_pcn_manager).get(reverse(url_name, args=[care_coordinator.pk]))
    assert response.status_code == 404
    assert care_coordinator.family_name not in response.content.decode()


@pytest.mark.parametrize(
    "url_name", ["people:list", "people:add"]
)
def test_people_pages_refuse_users_without_the_manager_role(sign_in, care_coordinator,
                                                           supervisor, url_name):
    for person in (care_coordinator, supervisor):
        assert sign_in(person).get(reverse(url_name)).status_code == 403


def test_care_coordinator_cannot_edit_themselves_or_see_others(
    sign_in, care_coordinator, supervisor
):
    client = sign_in(care_coordinator)
    assert client.get(reverse("people:edit", args=[care_coordinator.pk])).status_code == 403
    assert client.get(reverse("people:detail", args=[supervisor.pk])).status_code == 404
    assert client.get(reverse("people:detail", args=[care_coordinator.pk])).status_code == 200


def test_role_end_of_another_persons_assignment_is_not_found(
    sign_in, pcn_manager, supervisor, care_coordinator
):
    assignment = supervisor.role_assignments.get()
    response = sign_in(pcn_manager).get(
        reverse("people:role_end", args=[care_coordinator.pk, assignment.pk])
    )
    assert response.status_code == 404


def test_people_list_pages_and_keeps_query_count_flat(
    sign_in, pcn_manager, pcn, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = sign_in(pcn_manager)
    make_person(Role.CARE_COORDINATOR, pcn=pcn)
    client.get(reverse("people:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("people:list"))
    for _ in range(30):
        make_person(Role.CARE_COORDINATOR, pcn=pcn)
    with django_assert_num_queries(len(few)):
        response = client.get(reverse("people:list"))
    assert len(response.context["page"].object_list) == 25
    assert "Page 2 of 2" in response.content.decode()  # the "Next" link
    second = client.get(reverse("people:list") + "?page=2")
    assert len(second.context["page"].object_list) == 7  # 32 people in all


def test_invitation_can_be_resent_and_old_link_stops_working(
    sign_in, pcn_manager, no_role_person
):
    no_role_person.user.set_unusable_password()
    no_role_person.user.save()
    client = sign_in(pcn_manager)
    client.post(reverse("people:invitation_resend", args=[no_role_person.pk]))
    client.post(reverse("people:invitation_resend", args=[no_role_person.pk]))
    assert len(mail.outbox) == 2
    first_link = mail.outbox[0].body.split("/invitations/")[1].split("/")[0]
    client.logout()
    response = client.get(reverse("invitation_accept", args=[first_link]))
    assert response.status_code == 410
    assert "replaced by a newer invitation" in response.content.decode()


def test_person_who_leaves_loses_roles_and_sign_in_but_is_kept(
    sign_in, pcn_manager, pcn, care_coordinator, supervisor
):
    client = sign_in(pcn_manager)
    data = add_person_data(
        pcn, email=care_coordinator.email, **date_fields("left_on", "2026-11-01")
    )
    response = client.post(reverse("people:edit", args=[care_coordinator.pk]), data, follow=True)
    assert response.status_code == 200
    care_coordinator.refresh_from_db()
    assert care_coordinator.left_on == datetime.date(2026, 11, 1)
    assert not care_coordinator.user.is_active
    own = care_coordinator.role_assignments.get()
    supervision = supervisor.role_assignments.get()
    assert own.ends_on == supervision.ends_on == datetime.date(2026, 11, 1)
    # Kept, and listed under "people who have left".
    left = client.get(reverse("people:list") + "?show=left").content.decode()
    assert care_coordinator.full_name in left


def test_leaving_date_in_the_future_is_refused(sign_in, pcn_manager, pcn, care_coordinator):
    data = add_person_data(
        pcn, email=care_coordinator.email, **date_fields("left_on", "2099-01-01")
    )
    response = sign_in(pcn_manager).post(reverse("people:edit", args=[care_coordinator.pk]), data)
    assert "must be today or in the past" in response.content.decode()
    care_coordinator.refresh_from_db()
    assert care_coordinator.left_on is None


def test_person_page_query_count_does_not_grow_with_roles(
    sign_in, pcn_manager, pcn, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = sign_in(pcn_manager)
    gp = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Many", family_name="Roles")
    url = reverse("people:detail", args=[gp.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(6):
        cc = make_person(Role.CARE_COORDINATOR, pcn=pcn)
        make_person(Role.CLINICAL_SUPERVISOR, pcn=pcn, care_coordinator=gp)
        RoleAssignmentFactory(person=gp, role=Role.LINE_MANAGER, care_coordinator=cc, pcn=pcn)
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert len(response.context["current_roles"]) == 7
    assert len(response.context["supporters"]) == 6


def test_supervisor_reaches_a_supervisees_learning_and_plans_from_their_page(
    sign_in, supervisor, care_coordinator
):
    html = sign_in(supervisor).get(reverse("people:detail", args=[care_coordinator.pk]))
    html = html.content.decode()
    assert reverse("learning:person", args=[care_coordinator.pk]) in html
    assert reverse("development:person_induction", args=[care_coordinator.pk]) in html
    assert reverse("development:person_plan", args=[care_coordinator.pk]) in html
    # Only the PCN manager exports a portable record.
    assert reverse("reports:portable_export", args=[care_coordinator.pk]) not in html
