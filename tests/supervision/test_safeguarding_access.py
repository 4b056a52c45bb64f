"""Who reads safeguarding text: the coordinator and safeguarding GPs only (DES clause 6).

A PCN manager sees counts and dates but never the text, on any page they can open; a
clinical supervisor who is not the safeguarding GP, and other PCNs, do not find the log
(404); ICB viewers and people without a role are refused (403).
"""

import datetime

import pytest
from django.urls import reverse

from lms.models import AuditEntry, Role
from supervision import safeguarding_panels  # noqa: F401 (registers the home panels)
from supervision.models import Escalation, SafeguardingAddendum, SafeguardingDiscussion
from tests.conftest import make_person
from tests.supervision import test_safeguarding as shared

pytestmark = pytest.mark.django_db
AS_OF, logged = shared.AS_OF, shared.logged
# Fixtures shared with test_safeguarding.
frozen, safeguarding_gp = shared.frozen, shared.safeguarding_gp

SECRETS = (
    "Neighbour reports shouting and a frightened child",
    "Agreed to raise it with the health visitor",
    "Children's services duty desk",
    "Addendum: health visitor confirmed a visit",
    "Withdrawn: wrong coordinator",
)


@pytest.fixture
def world(frozen, care_coordinator, safeguarding_gp, supervisor, pcn_manager):
    """Two logs by our coordinator: one with every kind of text, one withdrawn."""
    from supervision import safeguarding_services as services

    discussion = logged(
        care_coordinator, safeguarding_gp, concern=SECRETS[0], outcome=SECRETS[1],
        escalation=Escalation.REFERRAL, escalated_to=SECRETS[2],
        follow_up_on=AS_OF - datetime.timedelta(days=1), category="domestic_violence",
    )
    services.safeguarding_addendum_add(
        actor=safeguarding_gp.user, discussion=discussion, added_by=safeguarding_gp,
        text=SECRETS[3], as_of=AS_OF,
    )
    withdrawn = logged(care_coordinator, safeguarding_gp, concern="Second log text")
    services.safeguarding_discussion_withdraw(
        actor=care_coordinator.user, discussion=withdrawn, withdrawn_by=care_coordinator,
        reason=SECRETS[4],
    )
    return {"discussion": discussion, "withdrawn": withdrawn}


def object_urls(discussion):
    return [
        ("get", reverse("safeguarding:detail", args=[discussion.pk]), None),
        ("get", reverse("safeguarding:withdraw", args=[discussion.pk]), None),
        ("post", reverse("safeguarding:withdraw", args=[discussion.pk]), {"reason": "x"}),
        ("post", reverse("safeguarding:addendum_add", args=[discussion.pk]),
         {"addendum-text": "Hacked"}),
    ]


def assert_nothing_changed(discussion, audit_count):
    discussion.refresh_from_db()
    assert discussion.withdrawn_at is None
    assert not SafeguardingAddendum.objects.filter(text="Hacked").exists()
    assert AuditEntry.objects.count() == audit_count


def assert_no_text(body: str, label: str):
    for secret in SECRETS:
        assert secret not in body, f"{label} shows {secret!r}"


@pytest.mark.parametrize(
    "who,expected",
    [
        ("supervisor", 404),  # clinical supervisor, not the safeguarding GP
        ("pcn_manager", 404),
        ("other_coordinator", 404),
        ("other_pcn_manager", 404),
        ("icb_viewer", 403),
        ("no_role_person", 403),
    ],
)
def test_people_who_may_not_read_the_text_are_refused(request, sign_in, world, who, expected):
    client = sign_in(request.getfixturevalue(who))
    audit_count = AuditEntry.objects.count()
    for method, url, data in object_urls(world["discussion"]):
        response = client.post(url, data) if method == "post" else client.get(url)
        assert response.status_code == expected, f"{who} {method} {url}"
        assert_no_text(response.content.decode(), f"{who} {url}")
    assert_nothing_changed(world["discussion"], audit_count)


@pytest.mark.parametrize(
    "who,pages",
    [
        ("supervisor", ["mine", "log", "with_you", "summary"]),
        ("pcn_manager", ["mine", "log", "with_you"]),
        ("icb_viewer", ["mine", "log", "with_you", "summary"]),
        ("no_role_person", ["mine", "log", "with_you", "summary"]),
        ("care_coordinator", ["with_you", "summary"]),
        ("safeguarding_gp", ["mine", "log", "summary"]),
    ],
)
def test_pages_for_a_role_refuse_people_without_it(request, sign_in, world, who, pages):
    client = sign_in(request.getfixturevalue(who))
    for name in pages:
        url = reverse(f"safeguarding:{name}")
        assert client.get(url).status_code == 403, f"{who} {name}"
    if "log" in pages:
        assert client.post(reverse("safeguarding:log"), {}).status_code == 403


def test_the_manager_sees_counts_and_dates_but_no_text_on_any_page(
    sign_in, world, pcn_manager, care_coordinator
):
    """Every page a PCN manager can open, home included, with an overdue follow-up due."""
    client = sign_in(pcn_manager)
    summary = reverse("safeguarding:summary")
    home = client.get(reverse("home")).content.decode()
    assert "1 safeguarding follow-up overdue" in home  # the panel is there, without text
    for url in (summary, f"{summary}?pcn={care_coordinator.pcn_id}", reverse("home"),
                reverse("people:detail", args=[care_coordinator.pk])):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_text(response.content.decode(), url)
    body = client.get(summary).content.decode()
    assert "Amira Khan" in body
    assert "13 Mar 2026" in body  # the latest discussion's date
    assert "1 overdue" in body  # the follow-up, as a count and a date
    assert "15 Mar 2026" in body
    for url in (reverse("safeguarding:detail", args=[world["discussion"].pk]),
                reverse("safeguarding:detail", args=[world["withdrawn"].pk])):
        response = client.get(url)
        assert response.status_code == 404
        assert_no_text(response.content.decode(), url)
    # Audit entries, which a manager may be shown, hold no text either.
    for entry in AuditEntry.objects.all():
        assert_no_text(f"{entry.object_repr} {entry.before} {entry.after}", str(entry))


def test_the_coordinator_and_the_gp_read_the_log_in_full(
    sign_in, world, care_coordinator, safeguarding_gp
):
    url = reverse("safeguarding:detail", args=[world["discussion"].pk])
    for person in (care_coordinator, safeguarding_gp):
        body = sign_in(person).get(url).content.decode()
        for secret in SECRETS[:4]:
            assert secret.replace("'", "&#x27;") in body, f"{person}: {secret}"


def test_a_new_safeguarding_gp_reads_earlier_logs_and_an_ended_one_does_not(
    sign_in, world, pcn, care_coordinator, safeguarding_gp
):
    url = reverse("safeguarding:detail", args=[world["discussion"].pk])
    successor = make_person(Role.SAFEGUARDING_GP, pcn=pcn, care_coordinator=care_coordinator,
                            given_name="Zara", family_name="Young")
    assert sign_in(successor).get(url).status_code == 200
    safeguarding_gp.role_assignments.update(ends_on=AS_OF)
    # No longer a safeguarding GP, and no other role: refused outright.
    assert sign_in(safeguarding_gp).get(url).status_code == 403


def test_the_gp_it_was_discussed_with_keeps_access_while_still_a_safeguarding_gp(
    sign_in, world, pcn, care_coordinator, safeguarding_gp
):
    """The coordinator's named GP changed, but the GP it was discussed with still holds the
    role for another coordinator: they can still read what was discussed with them."""
    url = reverse("safeguarding:detail", args=[world["discussion"].pk])
    other_cc = make_person(Role.CARE_COORDINATOR, pcn=pcn)
    make_person(Role.SAFEGUARDING_GP, pcn=pcn, care_coordinator=other_cc)
    from tests.factories import RoleAssignmentFactory

    RoleAssignmentFactory(person=safeguarding_gp, role=Role.SAFEGUARDING_GP, pcn=pcn,
                          care_coordinator=other_cc, starts_on=AS_OF)
    safeguarding_gp.role_assignments.filter(care_coordinator=care_coordinator).update(
        ends_on=AS_OF)
    assert sign_in(safeguarding_gp).get(url).status_code == 200


def test_a_gp_of_another_coordinator_does_not_find_the_log(sign_in, world, pcn):
    other_cc = make_person(Role.CARE_COORDINATOR, pcn=pcn)
    other_gp = make_person(Role.SAFEGUARDING_GP, pcn=pcn, care_coordinator=other_cc)
    client = sign_in(other_gp)
    assert client.get(
        reverse("safeguarding:detail", args=[world["discussion"].pk])).status_code == 404
    body = client.get(reverse("safeguarding:with_you")).content.decode()
    assert "No safeguarding discussions have been logged with you yet." in body
    assert_no_text(body, "other GP's list")


def test_the_other_pcns_manager_cannot_pick_our_pcn(sign_in, world, other_pcn_manager, pcn):
    client = sign_in(other_pcn_manager)
    summary = reverse("safeguarding:summary")
    assert client.get(f"{summary}?pcn={pcn.pk}").status_code == 404
    assert client.get(f"{summary}?pcn=not-a-number").status_code == 404
    body = client.get(summary).content.decode()
    assert "Amira Khan" not in body and "Hillside PCN" in body


def test_bad_ids_are_not_found(sign_in, world, care_coordinator):
    client = sign_in(care_coordinator)
    assert client.get("/safeguarding/999999/").status_code == 404
    assert client.get("/safeguarding/abc/").status_code == 404
    assert client.post("/safeguarding/999999/addenda/", {"addendum-text": "x"}).status_code \
        == 404


def test_the_coordinators_own_list_holds_only_their_logs(
    sign_in, world, pcn, care_coordinator, safeguarding_gp
):
    other_cc = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Ben",
                           family_name="Okafor")
    other_gp = make_person(Role.SAFEGUARDING_GP, pcn=pcn, care_coordinator=other_cc)
    logged(other_cc, other_gp, concern="Ben's own concern text")
    body = sign_in(care_coordinator).get(reverse("safeguarding:mine")).content.decode()
    assert "2 logged" in body
    assert "Ben" not in body
    assert SafeguardingDiscussion.objects.count() == 3
