"""Safeguarding lists, the manager's summary, home panels, query counts and the demo data."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms.models import Person, Role
from supervision import safeguarding_panels  # noqa: F401 (registers the home panels)
from supervision import safeguarding_services as services
from supervision.demo_safeguarding import seed
from supervision.models import Escalation, SafeguardingAddendum, SafeguardingDiscussion
from tests.conftest import make_person
from tests.factories import RoleAssignmentFactory
from tests.supervision import test_safeguarding as shared

pytestmark = pytest.mark.django_db
AS_OF, CONCERN, logged = shared.AS_OF, shared.CONCERN, shared.logged
# Fixtures shared with test_safeguarding.
frozen, safeguarding_gp = shared.frozen, shared.safeguarding_gp
DAY = datetime.timedelta(days=1)


def _assert_flat(client, url, add_more, django_assert_num_queries):
    """The page costs as many queries with many rows as with a few."""
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add_more()
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200
    return response


def coordinator_with_gp(pcn, gp, n):
    cc = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name=f"Coordinator{n:02d}",
                     family_name="Test")
    RoleAssignmentFactory(person=gp, role=Role.SAFEGUARDING_GP, pcn=pcn, care_coordinator=cc,
                          starts_on=datetime.date(2025, 1, 6))
    return cc


# --- the coordinator's and the GP's lists ------------------------------------------------------


def test_coordinators_list_shows_the_gp_each_log_and_its_follow_up_state(
    sign_in, frozen, care_coordinator, safeguarding_gp
):
    logged(care_coordinator, safeguarding_gp, discussed_on=AS_OF - 10 * DAY,
           follow_up_on=AS_OF - DAY, escalation=Escalation.REFERRAL, escalated_to="Team")
    logged(care_coordinator, safeguarding_gp, discussed_on=AS_OF - 2 * DAY,
           follow_up_on=AS_OF + 5 * DAY, category="mental_health")
    logged(care_coordinator, safeguarding_gp, discussed_on=AS_OF - DAY,
           follow_up_on=AS_OF + 40 * DAY)
    body = sign_in(care_coordinator).get(reverse("safeguarding:mine")).content.decode()
    assert "Isaac Brown, GP, safeguarding lead" in body
    assert reverse("safeguarding:log") in body
    assert "3 logged, newest first." in body
    assert body.index("15 Mar 2026") < body.index("14 Mar 2026") < body.index("6 Mar 2026")
    for words in ("Overdue", "Due soon", "Not due yet", "Referral made", "Mental health"):
        assert words in body
    assert CONCERN not in body  # the list shows dates and kinds; the text is on the log


def test_an_empty_log_says_so(sign_in, frozen, care_coordinator, safeguarding_gp):
    body = sign_in(care_coordinator).get(reverse("safeguarding:mine")).content.decode()
    assert "You have not logged any safeguarding discussions yet." in body


def test_gp_list_shows_logs_of_their_coordinators_with_names(
    sign_in, frozen, pcn, care_coordinator, safeguarding_gp
):
    other = coordinator_with_gp(pcn, safeguarding_gp, 1)
    logged(care_coordinator, safeguarding_gp)
    logged(other, safeguarding_gp, category="other")
    body = sign_in(safeguarding_gp).get(reverse("safeguarding:with_you")).content.decode()
    assert "2 logged, newest first." in body
    assert "Amira Khan" in body and "Coordinator01 Test" in body


def test_lists_page_at_25(sign_in, frozen, care_coordinator, safeguarding_gp):
    for n in range(27):
        logged(care_coordinator, safeguarding_gp, discussed_on=AS_OF - n * DAY)
    client = sign_in(care_coordinator)
    response = client.get(reverse("safeguarding:mine"))
    assert len(response.context["page"].object_list) == 25
    assert "Page 2 of 2" in response.content.decode()
    second = client.get(reverse("safeguarding:mine") + "?page=2")
    assert len(second.context["page"].object_list) == 2
    assert client.get(reverse("safeguarding:mine") + "?page=zzz").status_code == 200


def test_coordinator_list_query_count_is_flat(
    sign_in, frozen, care_coordinator, safeguarding_gp, django_assert_num_queries
):
    for n in range(2):
        logged(care_coordinator, safeguarding_gp, discussed_on=AS_OF - n * DAY,
               follow_up_on=AS_OF)

    def add_more():
        for n in range(2, 12):
            logged(care_coordinator, safeguarding_gp, discussed_on=AS_OF - n * DAY,
                   follow_up_on=AS_OF)

    response = _assert_flat(sign_in(care_coordinator), reverse("safeguarding:mine"), add_more,
                            django_assert_num_queries)
    assert "12 logged" in response.content.decode()


def test_gp_list_query_count_is_flat(
    sign_in, frozen, pcn, care_coordinator, safeguarding_gp, django_assert_num_queries
):
    logged(care_coordinator, safeguarding_gp)
    logged(coordinator_with_gp(pcn, safeguarding_gp, 1), safeguarding_gp)

    def add_more():
        for n in range(2, 12):
            logged(coordinator_with_gp(pcn, safeguarding_gp, n), safeguarding_gp)

    client = sign_in(safeguarding_gp)
    response = _assert_flat(client, reverse("safeguarding:with_you"), add_more,
                            django_assert_num_queries)
    assert "12 logged" in response.content.decode()


def test_detail_query_count_is_flat_with_more_addenda(
    sign_in, frozen, care_coordinator, safeguarding_gp, django_assert_num_queries
):
    discussion = logged(care_coordinator, safeguarding_gp)

    def add(count):
        for n in range(count):
            author = (care_coordinator, safeguarding_gp)[n % 2]
            services.safeguarding_addendum_add(actor=author.user, discussion=discussion,
                                               added_by=author, text=f"Note {n}", as_of=AS_OF)

    add(2)
    response = _assert_flat(sign_in(care_coordinator),
                            reverse("safeguarding:detail", args=[discussion.pk]),
                            lambda: add(10), django_assert_num_queries)
    assert response.content.decode().count('class="nhsuk-card__heading') == 12


# --- the PCN manager's summary -----------------------------------------------------------------


def test_summary_counts_dates_and_follow_ups_per_coordinator(
    sign_in, frozen, pcn, care_coordinator, safeguarding_gp, pcn_manager
):
    logged(care_coordinator, safeguarding_gp, discussed_on=AS_OF - 400 * DAY)  # too old
    logged(care_coordinator, safeguarding_gp, discussed_on=AS_OF - 100 * DAY,
           escalation=Escalation.ESCALATION, escalated_to="Lead", follow_up_on=AS_OF - 20 * DAY)
    logged(care_coordinator, safeguarding_gp, discussed_on=AS_OF - 30 * DAY,
           follow_up_on=AS_OF - 3 * DAY, category="mental_health")
    latest = logged(care_coordinator, safeguarding_gp, discussed_on=AS_OF - 5 * DAY,
                    follow_up_on=AS_OF + 9 * DAY)
    done = logged(care_coordinator, safeguarding_gp, discussed_on=AS_OF - 50 * DAY,
                  follow_up_on=AS_OF - 40 * DAY)
    services.safeguarding_addendum_add(actor=safeguarding_gp.user, discussion=done,
                                       added_by=safeguarding_gp, text="Done.",
                                       records_follow_up=True, as_of=AS_OF)
    withdrawn = logged(care_coordinator, safeguarding_gp, discussed_on=AS_OF - DAY,
                       escalation=Escalation.REFERRAL, escalated_to="X",
                       follow_up_on=AS_OF - DAY)
    services.safeguarding_discussion_withdraw(actor=care_coordinator.user,
                                              discussion=withdrawn,
                                              withdrawn_by=care_coordinator, reason="Twice.")
    no_gp = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Chloe",
                        family_name="Evans")
    response = sign_in(pcn_manager).get(reverse("safeguarding:summary"))
    rows = {row.person.pk: row for row in response.context["rows"]}
    amira = rows[care_coordinator.pk]
    assert amira.last_12_months == 4  # not the 400-day-old one, not the withdrawn one
    assert amira.latest == latest.discussed_on
    assert amira.referrals == 1
    assert amira.overdue == 2
    assert amira.next_follow_up == AS_OF - 20 * DAY
    assert [gp.pk for gp in amira.gps] == [safeguarding_gp.pk]
    chloe = rows[no_gp.pk]
    assert (chloe.last_12_months, chloe.latest, chloe.overdue, chloe.gps) == (0, None, 0, [])
    body = response.content.decode()
    assert "2 overdue" in body and "oldest due 24 Feb 2026" in body
    assert "None named" in body and "None logged" in body
    categories = dict(response.context["categories"])
    assert categories["Mental health"] == 1
    assert categories["Abuse or neglect"] == 3
    assert response.context["total_12_months"] == 4


def test_summary_query_count_is_flat(
    sign_in, frozen, pcn, care_coordinator, safeguarding_gp, pcn_manager,
    django_assert_num_queries,
):
    logged(care_coordinator, safeguarding_gp, follow_up_on=AS_OF - DAY)
    logged(coordinator_with_gp(pcn, safeguarding_gp, 1), safeguarding_gp)

    def add_more():
        for n in range(2, 12):
            cc = coordinator_with_gp(pcn, safeguarding_gp, n)
            logged(cc, safeguarding_gp, follow_up_on=AS_OF - DAY)
            logged(cc, safeguarding_gp, escalation=Escalation.REFERRAL, escalated_to="Team")

    response = _assert_flat(sign_in(pcn_manager), reverse("safeguarding:summary"), add_more,
                            django_assert_num_queries)
    assert len(response.context["rows"]) == 12


def test_a_manager_of_two_pcns_can_switch(
    sign_in, frozen, pcn, other_pcn, pcn_manager, other_coordinator
):
    RoleAssignmentFactory(person=pcn_manager, role=Role.PCN_MANAGER, pcn=other_pcn,
                          starts_on=datetime.date(2025, 1, 6))
    client = sign_in(pcn_manager)
    body = client.get(reverse("safeguarding:summary") + f"?pcn={other_pcn.pk}").content.decode()
    assert "Safeguarding discussions in Hillside PCN" in body
    assert "Dev Patel" in body
    assert f'href="?pcn={pcn.pk}"' in body


# --- home panels -------------------------------------------------------------------------------


def test_coordinator_panel_lists_follow_ups_overdue_or_due_within_two_weeks(
    sign_in, frozen, care_coordinator, safeguarding_gp
):
    client = sign_in(care_coordinator)
    assert "Safeguarding follow-ups" not in client.get(reverse("home")).content.decode()
    logged(care_coordinator, safeguarding_gp, discussed_on=AS_OF - 9 * DAY,
           follow_up_on=AS_OF - 2 * DAY)
    logged(care_coordinator, safeguarding_gp, discussed_on=AS_OF - 8 * DAY,
           follow_up_on=AS_OF + 14 * DAY)
    logged(care_coordinator, safeguarding_gp, discussed_on=AS_OF - 7 * DAY,
           follow_up_on=AS_OF + 15 * DAY)  # too far ahead
    done = logged(care_coordinator, safeguarding_gp, discussed_on=AS_OF - 6 * DAY,
                  follow_up_on=AS_OF - DAY)
    services.safeguarding_addendum_add(actor=care_coordinator.user, discussion=done,
                                       added_by=care_coordinator, text="Done.",
                                       records_follow_up=True, as_of=AS_OF)
    body = client.get(reverse("home")).content.decode()
    assert "2 follow-ups from your safeguarding discussions are due" in body
    assert "Discussion of 7 March 2026</a>: follow up by 14 March 2026" in body
    assert "Overdue" in body
    assert "follow up by 30 March 2026" in body
    assert "31 March 2026" not in body
    assert "10 March 2026" not in body  # followed up already
    assert CONCERN not in body


def test_gp_panel_counts_recent_discussions_and_lists_follow_ups(
    sign_in, frozen, care_coordinator, safeguarding_gp
):
    logged(care_coordinator, safeguarding_gp, discussed_on=AS_OF - 29 * DAY)
    logged(care_coordinator, safeguarding_gp, discussed_on=AS_OF - 30 * DAY)  # not recent
    logged(care_coordinator, safeguarding_gp, discussed_on=AS_OF - 2 * DAY,
           follow_up_on=AS_OF + 3 * DAY)
    body = sign_in(safeguarding_gp).get(reverse("home")).content.decode()
    assert "Safeguarding discussions with you" in body
    assert "2 discussions in the last 30 days." in body
    assert "Amira Khan, discussion of 14 March 2026</a>: follow up by 19 March 2026" in body
    assert CONCERN not in body


def test_manager_panel_appears_only_when_follow_ups_are_overdue(
    sign_in, frozen, care_coordinator, safeguarding_gp, pcn_manager, other_pcn_manager,
    other_coordinator,
):
    client = sign_in(pcn_manager)
    discussion = logged(care_coordinator, safeguarding_gp, follow_up_on=AS_OF)
    assert "safeguarding follow-up" not in client.get(reverse("home")).content.decode()
    # A logged discussion is settled evidence (no service moves its follow-up date).
    SafeguardingDiscussion.objects.filter(pk=discussion.pk).update(follow_up_on=AS_OF - DAY)
    body = client.get(reverse("home")).content.decode()
    assert "1 safeguarding follow-up overdue" in body
    assert reverse("safeguarding:summary") in body
    assert CONCERN not in body and "Amira" not in body.split("Safeguarding</h2>")[1]
    other = sign_in(other_pcn_manager).get(reverse("home")).content.decode()
    assert "safeguarding follow-up" not in other


def test_home_panels_keep_their_query_count_flat(
    sign_in, frozen, pcn, care_coordinator, safeguarding_gp, django_assert_num_queries
):
    for _ in range(PANEL_START := 2):
        logged(care_coordinator, safeguarding_gp, follow_up_on=AS_OF - DAY)

    def add_more():
        for n in range(PANEL_START, 12):
            logged(coordinator_with_gp(pcn, safeguarding_gp, n), safeguarding_gp,
                   follow_up_on=AS_OF + DAY)
            logged(care_coordinator, safeguarding_gp, follow_up_on=AS_OF - DAY)

    response = _assert_flat(sign_in(safeguarding_gp), reverse("home"), add_more,
                            django_assert_num_queries)
    assert "22 follow-ups are due" in response.content.decode()


# --- demo data ---------------------------------------------------------------------------------


@time_machine.travel(datetime.datetime(2026, 5, 20, 9, 0), tick=False)
def test_demo_seed_makes_a_realistic_set_once():
    call_command("seed_demo", stdout=io.StringIO())  # its roles start from "today"
    as_of = datetime.date(2026, 5, 20)
    seed(as_of)
    counts = (SafeguardingDiscussion.objects.count(), SafeguardingAddendum.objects.count())
    seed(as_of)
    assert (SafeguardingDiscussion.objects.count(), SafeguardingAddendum.objects.count()) == \
        counts
    assert counts == (6, 2)
    ben = Person.objects.get(user__email="ben.okafor@riverside.example")
    logs = SafeguardingDiscussion.objects.filter(care_coordinator=ben)
    assert logs.filter(withdrawn_at__isnull=False).count() == 1
    assert logs.follow_ups_overdue(as_of).count() == 1
    assert logs.filter(followed_up_on__isnull=False).count() == 1
    assert {d.escalation for d in logs} == set(Escalation.values)
    dev = Person.objects.get(user__email="dev.patel@hillside.example")
    assert SafeguardingDiscussion.objects.get(care_coordinator=dev).discussed_with == \
        Person.objects.get(user__email="hamid.ali@hillside.example")
