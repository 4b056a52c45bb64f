"""Reflections are private until shared with named supporters, who read and comment; the
author revokes a share; nobody else ever reaches one (issue 6 points 4 and 8)."""

import pytest
from django.urls import reverse

from lms.models import AuditEntry, Role
from supervision import reflection_services as services
from supervision.models import Reflection, ReflectionComment, ReflectionShare
from tests.conftest import make_person
from tests.factories import RoleAssignmentFactory, UserFactory
from tests.supervision.test_reflections import AS_OF, NHS_NUMBER, frozen, written  # noqa: F401

pytestmark = pytest.mark.django_db

SECRET = "Nervous, then relieved."  # a line of the reflection's text


@pytest.fixture
def line_manager(pcn, care_coordinator):
    return make_person(Role.LINE_MANAGER, pcn=pcn, care_coordinator=care_coordinator,
                       given_name="Fiona", family_name="Reid")


@pytest.fixture
def other_supervisor(other_pcn, other_coordinator):
    return make_person(Role.CLINICAL_SUPERVISOR, pcn=other_pcn,
                       care_coordinator=other_coordinator, given_name="Hamid", family_name="Ali")


@pytest.fixture
def reflection(care_coordinator):
    return written(care_coordinator, title="Chairing the huddle")


def share(reflection, *people):
    return services.reflection_share(actor=reflection.author.user, reflection=reflection,
                                     people=people, as_of=AS_OF)


def detail_url(reflection):
    return reverse("reflections:detail", args=[reflection.pk])


# --- sharing and revoking ---------------------------------------------------------------------


def test_a_supervisor_cannot_read_an_unshared_reflection(sign_in, supervisor, reflection):
    client = sign_in(supervisor)
    response = client.get(detail_url(reflection))
    assert response.status_code == 404
    assert SECRET not in response.content.decode()
    assert "Chairing the huddle" not in client.get(reverse("reflections:shared")).content.decode()


def test_share_offers_the_authors_current_supporters_with_their_roles(
    sign_in, care_coordinator, supervisor, line_manager, pcn_manager, other_supervisor, pcn,
    reflection,
):
    ended = make_person(Role.CLINICAL_SUPERVISOR, pcn=pcn, care_coordinator=care_coordinator,
                        given_name="Olga", family_name="Former")
    ended.role_assignments.update(ends_on=AS_OF)
    page = sign_in(care_coordinator).get(
        reverse("reflections:share", args=[reflection.pk])).content.decode()
    assert "Grace Hughes (GP clinical supervisor)" in page
    assert "Fiona Reid (Line manager)" in page
    for name in ("Jo Smith", "Hamid Ali", "Olga Former"):
        assert name not in page


def test_sharing_lets_the_named_supporter_read_and_revoking_stops_it(
    sign_in, care_coordinator, supervisor, line_manager, reflection
):
    author = sign_in(care_coordinator)
    response = author.post(reverse("reflections:share", args=[reflection.pk]),
                           {"people": [supervisor.pk]})
    assert response["Location"] == detail_url(reflection)
    page = author.get(detail_url(reflection)).content.decode()
    assert "‘Chairing the huddle’ is now shared with Grace Hughes." in page
    assert "Stop sharing" in page

    reader = sign_in(supervisor)
    page = reader.get(detail_url(reflection)).content.decode()
    assert SECRET in page and "Amira Khan’s reflection, shared with you" in page
    assert "Stop sharing" not in page and reverse("reflections:edit", args=[reflection.pk]) \
        not in page
    listing = reader.get(reverse("reflections:shared")).content.decode()
    assert "Chairing the huddle" in listing and "Not commented yet" in listing
    # Fiona supports Amira too, but it was not shared with her.
    assert sign_in(line_manager).get(detail_url(reflection)).status_code == 404

    share_row = ReflectionShare.objects.get()
    author = sign_in(care_coordinator)
    response = author.post(reverse("reflections:revoke", args=[reflection.pk, share_row.pk]))
    assert "Grace Hughes can no longer see ‘Chairing the huddle’." in author.get(
        response["Location"]).content.decode()
    share_row.refresh_from_db()
    assert share_row.revoked_at is not None  # kept, marked revoked
    assert sign_in(supervisor).get(detail_url(reflection)).status_code == 404
    assert list(AuditEntry.objects.filter(action__startswith="reflection.share")
                .values_list("action", flat=True).order_by("pk")) == [
        "reflection.share", "reflection.share_revoke"]

    # Sharing again makes a new share; the revoked one stays in the history.
    share(reflection, supervisor)
    assert ReflectionShare.objects.filter(reflection=reflection).count() == 2
    assert sign_in(supervisor).get(detail_url(reflection)).status_code == 200


def test_sharing_needs_someone_and_only_supporters(
    sign_in, care_coordinator, supervisor, pcn_manager, reflection
):
    client = sign_in(care_coordinator)
    url = reverse("reflections:share", args=[reflection.pk])
    response = client.post(url, {})
    assert response.status_code == 200
    assert response.context["form"].errors["people"] == ["Select who to share it with"]
    response = client.post(url, {"people": [pcn_manager.pk]})
    assert response.context["form"].errors["people"] == ["Select people from the list"]
    response = client.post(url, {"people": ["x"]})
    assert response.status_code == 200
    assert not ReflectionShare.objects.exists()
    # The service holds the same rule whatever calls it.
    with pytest.raises(services.ValidationError):
        share(reflection, pcn_manager)
    assert not ReflectionShare.objects.exists()


def test_a_share_lapses_when_the_support_role_ends(sign_in, supervisor, reflection):
    share(reflection, supervisor)
    assert sign_in(supervisor).get(detail_url(reflection)).status_code == 200
    supervisor.role_assignments.update(ends_on=AS_OF)
    client = sign_in(supervisor)
    assert client.get(detail_url(reflection)).status_code == 404
    assert client.get(reverse("reflections:shared")).status_code == 403  # no supervisees now


def test_a_pcn_manager_who_also_supports_sees_only_what_is_shared_with_them(
    sign_in, pcn, care_coordinator, reflection
):
    manager = make_person(Role.PCN_MANAGER, pcn=pcn, given_name="Jo", family_name="Smith")
    assert sign_in(manager).get(detail_url(reflection)).status_code == 404
    RoleAssignmentFactory(person=manager, role=Role.LINE_MANAGER, pcn=pcn,
                          care_coordinator=care_coordinator)
    assert sign_in(manager).get(detail_url(reflection)).status_code == 404
    share(reflection, manager)
    assert sign_in(manager).get(detail_url(reflection)).status_code == 200


# --- comments ---------------------------------------------------------------------------------


def test_the_supporter_comments_and_the_author_replies(
    sign_in, care_coordinator, supervisor, reflection
):
    share(reflection, supervisor)
    reader = sign_in(supervisor)
    response = reader.post(reverse("reflections:comment", args=[reflection.pk]),
                           {"text": "Good insight about time keeping."})
    assert response["Location"] == detail_url(reflection) + "#comments"
    assert "Your comment has been added." in reader.get(detail_url(reflection)).content.decode()

    author = sign_in(care_coordinator)
    author.post(reverse("reflections:comment", args=[reflection.pk]),
                {"text": "Thank you, I will try an agenda."})
    page = author.get(detail_url(reflection)).content.decode()
    assert page.index("Good insight about time keeping.") < page.index(
        "Thank you, I will try an agenda.")
    assert "Grace Hughes" in page and "Amira Khan (you)" in page
    page = sign_in(supervisor).get(detail_url(reflection)).content.decode()
    assert "Amira Khan (author)" in page and "Grace Hughes (you)" in page
    assert "Commented" in sign_in(supervisor).get(reverse("reflections:shared")).content.decode()


def test_a_comment_with_a_patient_identifier_or_nothing_in_it_is_refused(
    sign_in, supervisor, reflection
):
    share(reflection, supervisor)
    client = sign_in(supervisor)
    url = reverse("reflections:comment", args=[reflection.pk])
    typed = f"Check the notes for NHS {NHS_NUMBER}."
    response = client.post(url, {"text": typed})
    assert response.status_code == 200
    errors = response.context["form"].errors["text"]
    assert "what looks like an NHS number (“943 476 5919”)" in errors[0]
    assert typed in response.content.decode()  # kept to edit
    assert "<title>Error: " in response.content.decode()
    response = client.post(url, {"text": "   "})
    assert response.context["form"].errors["text"] == ["Enter your comment"]
    assert not ReflectionComment.objects.exists()


def test_an_archived_reflection_takes_no_comments_and_hides_from_sharees(
    sign_in, care_coordinator, supervisor, reflection
):
    share(reflection, supervisor)
    services.reflection_archive(actor=care_coordinator.user, reflection=reflection)
    assert sign_in(supervisor).get(detail_url(reflection)).status_code == 404
    client = sign_in(care_coordinator)
    response = client.post(reverse("reflections:comment", args=[reflection.pk]),
                           {"text": "A note to self."})
    assert response.status_code == 302
    assert not ReflectionComment.objects.exists()
    services.reflection_restore(actor=care_coordinator.user, reflection=reflection)
    assert sign_in(supervisor).get(detail_url(reflection)).status_code == 200


# --- refusals ---------------------------------------------------------------------------------

OUTSIDERS = ["other_pcn_manager", "other_coordinator", "icb_viewer", "no_role_person",
             "pcn_manager", "other_supervisor", "line_manager"]


@pytest.mark.parametrize("outsider_name", OUTSIDERS)
def test_nobody_else_reaches_a_reflection_and_nothing_they_post_changes_it(
    request, sign_in, care_coordinator, supervisor, reflection, outsider_name
):
    share(reflection, supervisor)
    share_row = ReflectionShare.objects.get()
    services.reflection_comment_add(actor=supervisor.user, reflection=reflection,
                                    author=supervisor, text="Noted.", as_of=AS_OF)
    outsider = request.getfixturevalue(outsider_name)
    client = sign_in(outsider)
    audit_count = AuditEntry.objects.count()
    pk = reflection.pk
    for name, args, method, data in [
        ("reflections:detail", [pk], "get", None),
        ("reflections:edit", [pk], "get", None),
        ("reflections:edit", [pk], "post", {"title": "Hacked", "action": "draft"}),
        ("reflections:share", [pk], "get", None),
        ("reflections:share", [pk], "post", {"people": [outsider.pk]}),
        ("reflections:comment", [pk], "post", {"text": "Hacked"}),
        ("reflections:revoke", [pk, share_row.pk], "post", {}),
        ("reflections:archive", [pk], "get", None),
        ("reflections:archive", [pk], "post", {}),
        ("reflections:restore", [pk], "post", {}),
    ]:
        url = reverse(name, args=args)
        response = client.post(url, data) if method == "post" else client.get(url)
        assert response.status_code == 404, f"{outsider_name} {method} {name}"
        body = response.content.decode()
        assert "Chairing the huddle" not in body and SECRET not in body
    reflection.refresh_from_db()
    share_row.refresh_from_db()
    assert reflection.title == "Chairing the huddle" and reflection.archived_at is None
    assert share_row.revoked_at is None
    assert ReflectionShare.objects.count() == 1 and ReflectionComment.objects.count() == 1
    assert AuditEntry.objects.count() == audit_count


def test_a_sharee_reads_and_comments_but_cannot_change_share_or_archive(
    sign_in, supervisor, reflection
):
    share(reflection, supervisor)
    share_row = ReflectionShare.objects.get()
    client = sign_in(supervisor)
    pk = reflection.pk
    for name, args, method in [
        ("reflections:edit", [pk], "get"), ("reflections:edit", [pk], "post"),
        ("reflections:share", [pk], "get"), ("reflections:share", [pk], "post"),
        ("reflections:archive", [pk], "get"), ("reflections:archive", [pk], "post"),
        ("reflections:restore", [pk], "post"),
        ("reflections:revoke", [pk, share_row.pk], "post"),
    ]:
        url = reverse(name, args=args)
        response = client.post(url, {}) if method == "post" else client.get(url)
        assert response.status_code == 403, f"{method} {name}"
    share_row.refresh_from_db()
    assert share_row.revoked_at is None
    assert Reflection.objects.get().archived_at is None


def test_shared_with_you_is_for_supporters_only(
    sign_in, care_coordinator, pcn_manager, icb_viewer, no_role_person, other_pcn_manager,
    supervisor,
):
    for person in (care_coordinator, pcn_manager, icb_viewer, no_role_person,
                   other_pcn_manager):
        response = sign_in(person).get(reverse("reflections:shared"))
        assert response.status_code == 403, person
    assert sign_in(supervisor).get(reverse("reflections:shared")).status_code == 200


def test_someone_without_a_person_record_cannot_keep_reflections(client):
    user = UserFactory()
    client.force_login(user)
    for name in ("reflections:mine", "reflections:archived", "reflections:start"):
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get(reverse("reflections:add", args=["gibbs"])).status_code == 403


def test_unknown_ids_are_not_found(sign_in, care_coordinator, reflection):
    client = sign_in(care_coordinator)
    assert client.get(reverse("reflections:detail", args=[999999])).status_code == 404
    assert client.post(reverse("reflections:revoke", args=[reflection.pk, 999999])).status_code \
        == 404
    assert client.get(f"/reflections/{reflection.pk}x/").status_code == 404
    assert client.get(reverse("reflections:comment", args=[reflection.pk])).status_code == 405

