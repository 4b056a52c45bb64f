"""Reflection lists (yours, archived, shared with you) and home panels: what they show,
empty states, paging, and query counts that stay the same as entries grow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import supervision.reflection_panels as panels  # registers the panels (as apps.py does)
from lms.access import scope_for
from lms.models import Role
from supervision import reflection_services as services
from supervision.models import ReflectionModel, ReflectionStatus
from tests.conftest import make_person
from tests.factories import RoleAssignmentFactory
from tests.supervision.test_reflections import AS_OF, frozen, written  # noqa: F401

pytestmark = pytest.mark.django_db


def shared_and_commented(author, supporter, n, *, comment=True):
    """n reflections by `author`, each shared with `supporter`, each with a comment."""
    made = []
    for i in range(n):
        reflection = written(author, title=f"Reflection {i:02d}",
                             model=[*ReflectionModel][i % 3],
                             status=[*ReflectionStatus][i % 2])
        services.reflection_share(actor=author.user, reflection=reflection,
                                  people=[supporter], as_of=AS_OF)
        if comment:
            services.reflection_comment_add(actor=supporter.user, reflection=reflection,
                                            author=supporter, text=f"Comment {i}", as_of=AS_OF)
            services.reflection_comment_add(actor=author.user, reflection=reflection,
                                            author=author, text=f"Reply {i}", as_of=AS_OF)
        made.append(reflection)
    return made


def queries_for(client, url):
    client.get(url)  # warm per-session caches (MFA, session)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize("url_name, viewer", [
    ("reflections:mine", "author"),
    ("reflections:shared", "supporter"),
    ("reflections:archived", "author"),
])
def test_list_queries_do_not_grow_with_entries(
    sign_in, care_coordinator, supervisor, url_name, viewer
):
    url = reverse(url_name)
    archive = url_name == "reflections:archived"

    def add(n):
        for reflection in shared_and_commented(care_coordinator, supervisor, n):
            if archive:
                services.reflection_archive(actor=care_coordinator.user, reflection=reflection)

    person = care_coordinator if viewer == "author" else supervisor
    add(2)
    small, response = queries_for(sign_in(person), url)
    assert response.content.decode().count("Reflection 0") == 2
    add(10)
    large, response = queries_for(sign_in(person), url)
    assert large == small
    assert response.content.decode().count('href="/reflections/') >= 12


def test_your_reflections_shows_status_sharing_and_comments(
    sign_in, care_coordinator, supervisor
):
    draft = written(care_coordinator, title="A draft")
    complete = written(care_coordinator, title="A complete one", status=ReflectionStatus.COMPLETE,
                       model=ReflectionModel.FREE)
    services.reflection_share(actor=care_coordinator.user, reflection=complete,
                              people=[supervisor], as_of=AS_OF)
    services.reflection_comment_add(actor=supervisor.user, reflection=complete,
                                    author=supervisor, text="Good.", as_of=AS_OF)
    page = sign_in(care_coordinator).get(reverse("reflections:mine")).content.decode()
    assert "2 reflections, newest first." in page
    assert '<strong class="nhsuk-tag nhsuk-tag--grey">Draft</strong>' in page
    assert '<strong class="nhsuk-tag nhsuk-tag--green">Complete</strong>' in page
    assert "1 person" in page and "Only you" in page
    assert reverse("reflections:detail", args=[draft.pk]) in page
    assert "Archived reflections" not in page  # nothing archived yet


def test_empty_lists_say_what_to_do(sign_in, care_coordinator, supervisor):
    page = sign_in(care_coordinator).get(reverse("reflections:mine")).content.decode()
    assert "You have not written any reflections yet." in page
    assert "Write a reflection" in page
    page = sign_in(supervisor).get(reverse("reflections:shared")).content.decode()
    assert "Nobody has shared a reflection with you yet." in page


def test_lists_page_25_at_a_time_and_survive_bad_page_numbers(sign_in, care_coordinator):
    for i in range(27):
        written(care_coordinator, title=f"Entry {i:02d}")
    client = sign_in(care_coordinator)
    first = client.get(reverse("reflections:mine")).content.decode()
    assert first.count('href="/reflections/') - first.count('href="/reflections/new') >= 25
    assert "Page 2 of 2" in first
    second = client.get(reverse("reflections:mine") + "?page=2").content.decode()
    assert "Entry 00" in second or "Entry 01" in second
    for bad in ("abc", "-1", "0", "99999", "<script>"):
        assert client.get(reverse("reflections:mine"), {"page": bad}).status_code == 200


# --- home panels ------------------------------------------------------------------------------


def test_supporter_panel_counts_shared_reflections_without_their_comment(
    sign_in, care_coordinator, supervisor, pcn, django_assert_num_queries
):
    shared_and_commented(care_coordinator, supervisor, 2, comment=False)
    answered = shared_and_commented(care_coordinator, supervisor, 1)[0]
    written(care_coordinator, title="Not shared")
    revoked = shared_and_commented(care_coordinator, supervisor, 1, comment=False)[0]
    services.reflection_share_revoke(actor=care_coordinator.user, share=revoked.shares.get())
    # Another coordinator's reflection shared with the same supervisor counts too.
    second = make_person(Role.CARE_COORDINATOR, pcn=pcn)
    make_person(Role.CLINICAL_SUPERVISOR, pcn=pcn, care_coordinator=second)

    RoleAssignmentFactory(person=supervisor, role=Role.CLINICAL_SUPERVISOR, pcn=pcn,
                          care_coordinator=second)
    shared_and_commented(second, supervisor, 1, comment=False)
    assert answered.comments.filter(author=supervisor).exists()

    scope = scope_for(supervisor.user)
    with django_assert_num_queries(1):
        template, context = panels.shared_reflections_waiting(None, scope, AS_OF)
    assert context == {"waiting": 3}

    page = sign_in(supervisor).get(reverse("home")).content.decode()
    assert "3 reflections shared with you have no comment from you yet." in page
    assert reverse("reflections:shared") in page


def test_supporter_panel_is_absent_when_nothing_waits(care_coordinator, supervisor):
    shared_and_commented(care_coordinator, supervisor, 1)
    assert panels.shared_reflections_waiting(None, scope_for(supervisor.user), AS_OF) is None
    assert panels.shared_reflections_waiting(
        None, scope_for(care_coordinator.user), AS_OF) is None


def test_coordinator_panel_counts_drafts(
    sign_in, care_coordinator, django_assert_num_queries
):
    assert panels.draft_reflections(None, scope_for(care_coordinator.user), AS_OF) is None
    written(care_coordinator, title="Draft one")
    written(care_coordinator, title="Draft two")
    written(care_coordinator, title="Done", status=ReflectionStatus.COMPLETE)
    archived = written(care_coordinator, title="Archived draft")
    services.reflection_archive(actor=care_coordinator.user, reflection=archived)
    scope = scope_for(care_coordinator.user)
    with django_assert_num_queries(1):
        _template, context = panels.draft_reflections(None, scope, AS_OF)
    assert context == {"drafts": 2}
    page = sign_in(care_coordinator).get(reverse("home")).content.decode()
    assert "You have 2 draft reflections." in page


def test_a_reflections_page_queries_do_not_grow_with_comments_and_shares(
    sign_in, care_coordinator, supervisor, pcn
):
    reflection = shared_and_commented(care_coordinator, supervisor, 1)[0]
    url = reverse("reflections:detail", args=[reflection.pk])
    small = {p: queries_for(sign_in(p), url)[0] for p in (care_coordinator, supervisor)}
    for i in range(5):
        extra = make_person(Role.LINE_MANAGER, pcn=pcn, care_coordinator=care_coordinator)
        services.reflection_share(actor=care_coordinator.user, reflection=reflection,
                                  people=[extra], as_of=AS_OF)
        services.reflection_comment_add(actor=extra.user, reflection=reflection, author=extra,
                                        text=f"Extra comment {i}", as_of=AS_OF)
    for person, count in small.items():
        queries, response = queries_for(sign_in(person), url)
        assert queries == count
        assert response.content.decode().count("Extra comment") == 5
