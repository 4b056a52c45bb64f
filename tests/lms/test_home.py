"""Each role's home page shows that role's real data, and nothing from another PCN."""

import pytest
from django.urls import reverse

from lms.models import Role
from tests.conftest import make_person
from tests.factories import RoleAssignmentFactory

pytestmark = pytest.mark.django_db


def test_care_coordinator_sees_their_named_support(sign_in, care_coordinator, supervisor):
    make_person(Role.SAFEGUARDING_GP, pcn=care_coordinator.pcn,
                care_coordinator=care_coordinator, given_name="Isaac", family_name="Brown")
    response = sign_in(care_coordinator).get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Hello, Amira" in html
    assert "Your support" in html
    assert "Grace Hughes" in html  # GP clinical supervisor
    assert "Isaac Brown" in html  # safeguarding GP
    # Nobody is named as first point of contact: the page says what to do.
    assert "No first point of contact named yet" in html


def test_supervisor_sees_current_supervisees_only(sign_in, supervisor, care_coordinator, pcn):
    former = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Former", family_name="Cc")
    ended = RoleAssignmentFactory(person=supervisor, role=Role.CLINICAL_SUPERVISOR,
                                  care_coordinator=former, pcn=pcn)
    ended.ends_on = ended.starts_on.replace(year=ended.starts_on.year + 1)
    ended.save()
    html = sign_in(supervisor).get(reverse("home")).content.decode()
    assert "Your supervisees" in html
    assert "Amira Khan" in html
    assert "Former Cc" not in html


def test_pcn_manager_sees_each_coordinator_with_gaps_flagged(
    sign_in, pcn_manager, care_coordinator, supervisor, other_coordinator
):
    html = sign_in(pcn_manager).get(reverse("home")).content.decode()
    assert "Care coordinators in Riverside PCN" in html
    assert "Amira Khan" in html
    assert "Grace Hughes" in html
    # No first point of contact or safeguarding GP: a visible warning, in words not colour.
    assert "Support not named" in html
    assert "Missing" in html
    assert "Dev Patel" not in html  # another PCN's coordinator


def test_pcn_manager_with_no_coordinators_is_told_what_to_do(sign_in, pcn_manager):
    html = sign_in(pcn_manager).get(reverse("home")).content.decode()
    assert "There are no care coordinators in your PCN yet" in html
    assert reverse("people:add") in html


def test_icb_viewer_sees_pcns_with_counts_and_gaps(
    sign_in, icb_viewer, care_coordinator, other_coordinator, other_icb_pcn
):
    make_person(Role.CARE_COORDINATOR, pcn=other_icb_pcn, given_name="Far", family_name="Away")
    response = sign_in(icb_viewer).get(reverse("home"))
    summaries = {s.pcn.name: s for s in response.context["icb_pcns"]}
    assert set(summaries) == {"Riverside PCN", "Hillside PCN"}
    assert summaries["Riverside PCN"].coordinators == 1
    assert summaries["Riverside PCN"].coordinators_with_gaps == 1
    assert "PCNs in NHS Test Integrated Care Board" in response.content.decode()
    assert "Far Away" not in response.content.decode()


def test_person_without_a_role_is_told_to_ask_their_pcn_manager(sign_in, no_role_person):
    html = sign_in(no_role_person).get(reverse("home")).content.decode()
    assert "You do not have a role in Coordinate yet" in html


def test_pcn_manager_home_query_count_does_not_grow_with_coordinators(
    sign_in, pcn_manager, pcn, django_assert_max_num_queries, django_assert_num_queries
):
    client = sign_in(pcn_manager)

    def add_coordinator_with_support(n):
        cc = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name=f"Cc{n}", family_name="X")
        make_person(Role.CLINICAL_SUPERVISOR, pcn=pcn, care_coordinator=cc)
        cc.role_assignments.first().practices.set(pcn.practices.all()[:2])

    add_coordinator_with_support(0)
    client.get(reverse("home"))  # warm caches (session, content types)
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # The factories write without the services (no data version changes): the cached
    # sections are cleared so that each view builds them, the path that could grow.
    cache.clear()
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("home"))
    for n in range(1, 8):
        add_coordinator_with_support(n)
    cache.clear()
    with django_assert_num_queries(len(one)):
        response = client.get(reverse("home"))
    html = response.content.decode()
    assert all(f"Cc{n} X" in html for n in range(8))


def test_pcn_manager_sections_are_kept_until_the_pcns_data_changes(
    sign_in, pcn_manager, care_coordinator, pcn, django_assert_max_num_queries
):
    """The manager's support and induction tables are rendered once per PCN and day: a
    second view reads them from the cache in fewer queries, and a change made through the
    services (a new coordinator, a supporter named) shows on the next view."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lms import services
    from lms.access import today

    client = sign_in(pcn_manager)
    with CaptureQueriesContext(connection) as first:
        html = client.get(reverse("home")).content.decode()
    assert "Amira Khan" in html and "Support not named" in html
    with CaptureQueriesContext(connection) as second:
        again = client.get(reverse("home")).content.decode()

    def sections(page):
        return page[page.index("<h2>Care coordinators in"):page.index("induction plan</a>")]

    assert sections(again) == sections(html)
    assert len(second) < len(first)

    newcomer = services.person_create(actor=pcn_manager.user, email="new@example.nhs.uk",
                                      given_name="Nia", family_name="Newcomer", pcn=pcn)
    services.role_assign(actor=pcn_manager.user, person=newcomer, role=Role.CARE_COORDINATOR,
                         pcn=pcn, starts_on=today())
    html = client.get(reverse("home")).content.decode()
    assert "Nia Newcomer" in html and "Amira Khan" in html
