"""DES 4 (the PCN's partner register) and DES 7 (directory listing and every practice told),
with fixed dates."""

import datetime

import pytest
from django.utils import timezone

from lms.compliance import engine
from lms.compliance.models import AwarenessMethod
from lms.compliance.results import Status
from tests.compliance.builders import (
    check,
    coordinator,
    days,
    directory_listing,
    partner,
    practices_told,
    result,
)

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2025, 11, 14)
STARTED = datetime.date(2024, 1, 8)


@pytest.fixture
def cc(pcn):
    return coordinator(pcn, started_on=STARTED, given_name="Amira", family_name="Khan")


# --- 4 ----------------------------------------------------------------------------------------


def test_every_partner_checked_with_no_review_due_is_met_for_every_coordinator(pcn, cc):
    second = coordinator(pcn, started_on=STARTED)
    age_uk = partner(pcn, name="Age UK Riverside", added_on=STARTED,
                     checked_on=datetime.date(2025, 6, 1),
                     review_due_on=datetime.date(2026, 6, 1))
    partner(pcn, name="Walking Group", added_on=STARTED, checked_on=datetime.date(2025, 9, 1),
            review_due_on=datetime.date(2026, 9, 1))
    results = [c.results["4"] for c in engine.pcn_compliance(pcn, AS_OF)]
    assert len(results) == 2 and results[0] == results[1]
    met = results[0]
    assert (met.status, met.summary) == (
        Status.MET, "2 partner organisations checked; next review due 1 June 2026")
    assert met.lapses_on == datetime.date(2026, 6, 2)
    first = met.evidence[0]
    assert (first.label, first.on, first.by, first.detail) == (
        "Age UK Riverside", datetime.date(2025, 6, 1), "Jo Register", "Review due 1 June 2026")
    assert first.url == f"/partners/{age_uk.pk}/"
    assert result(second, "4", AS_OF) == met


def test_a_review_due_within_30_days_is_at_risk_and_overdue_is_not_met(pcn, cc):
    partner(pcn, added_on=STARTED, checked_on=datetime.date(2024, 12, 1),
            review_due_on=datetime.date(2025, 12, 1))
    at_risk = result(cc, "4", AS_OF)
    assert at_risk.status == Status.AT_RISK
    assert at_risk.risk == "Partner safeguarding review due 1 December 2025 (Riverside Befriending)"
    overdue = result(cc, "4", datetime.date(2025, 12, 2))
    assert overdue.status == Status.NOT_MET
    assert overdue.summary == "1 partner organisation: 1 review overdue"
    assert overdue.risk == (
        "Partner safeguarding review overdue since 2 December 2025 (Riverside Befriending)")


def test_an_empty_register_or_an_unchecked_partner_is_not_met(pcn, other_pcn, cc):
    partner(other_pcn, added_on=STARTED, checked_on=STARTED)  # not ours
    empty = result(cc, "4", AS_OF)
    assert (empty.status, empty.summary) == (
        Status.NOT_MET, "No partner organisations on the register")
    partner(pcn, name="Checked", added_on=STARTED, checked_on=datetime.date(2025, 6, 1))
    partner(pcn, name="Unchecked", added_on=STARTED)
    unchecked = result(cc, "4", AS_OF)
    assert (unchecked.status, unchecked.summary) == (
        Status.NOT_MET, "2 partner organisations: 1 not checked")
    assert unchecked.risk == "Partner safeguarding processes not checked (Unchecked)"


def test_the_register_as_at_a_date_uses_the_partners_and_checks_of_then(pcn, cc):
    organisation = partner(pcn, added_on=STARTED, checked_on=datetime.date(2024, 6, 1),
                           review_due_on=datetime.date(2025, 6, 1))
    check(organisation, checked_on=datetime.date(2025, 5, 20),
          review_due_on=datetime.date(2026, 5, 20))
    assert result(cc, "4", datetime.date(2025, 5, 1)).status == Status.MET  # due in 31 days
    assert result(cc, "4", datetime.date(2025, 5, 10)).status == Status.AT_RISK
    assert result(cc, "4", AS_OF).status == Status.MET
    later = partner(pcn, name="Added later", added_on=AS_OF + days(1))
    assert result(cc, "4", AS_OF).status == Status.MET
    assert result(cc, "4", AS_OF + days(1)).status == Status.NOT_MET
    later.archived_at = timezone.make_aware(datetime.datetime(2025, 11, 20, 9))
    later.save()
    assert result(cc, "4", datetime.date(2025, 11, 20)).status == Status.MET


# --- 7 ----------------------------------------------------------------------------------------


def test_listed_and_every_practice_told_is_met_with_each_practice_as_evidence(pcn, cc):
    directory_listing(cc, listed_from=datetime.date(2024, 2, 1))
    practices_told(cc, datetime.date(2024, 3, 5), method=AwarenessMethod.EMAIL)
    met = result(cc, "7", AS_OF)
    assert (met.status, met.summary) == (Status.MET, "Listed; all 3 practices told")
    listed, *practices = met.evidence
    assert listed.on == datetime.date(2024, 2, 1)
    assert [p.label for p in practices] == [p.name for p in pcn.practices.order_by("name")]
    assert {(p.on, p.detail, p.by) for p in practices} == {
        (datetime.date(2024, 3, 5), "Email to all staff", "Jo Register")}
    assert listed.url == f"/directory/manage/{pcn.pk}/"
    assert practices[0].url == (
        f"/directory/awareness/practices/{pcn.practices.order_by('name')[0].pk}/")


def test_a_practice_not_told_is_not_met_but_at_risk_in_the_first_month(pcn, cc):
    directory_listing(cc, listed_from=datetime.date(2024, 2, 1))
    first, *others = list(pcn.practices.order_by("name"))
    practices_told(cc, datetime.date(2024, 3, 5), practices=others)
    practices_told(cc, AS_OF + days(1), practices=[first])  # after the date
    not_met = result(cc, "7", AS_OF)
    assert not_met.status == Status.NOT_MET
    assert not_met.summary == f"Listed; 1 of 3 practices not told ({first.name})"
    assert not_met.risk == "1 practice not told about this care coordinator"
    assert result(cc, "7", AS_OF + days(1)).status == Status.MET

    new = coordinator(pcn, started_on=AS_OF - days(10))
    directory_listing(new, listed_from=AS_OF - days(9))
    practices_told(new, AS_OF - days(5), practices=others)
    at_risk = result(new, "7", AS_OF)
    assert at_risk.status == Status.AT_RISK


def test_not_listed_or_listing_ended_is_not_met(pcn, cc):
    practices_told(cc, datetime.date(2024, 3, 5))
    assert result(cc, "7", AS_OF).summary == "Not listed in the directory"
    directory_listing(cc, listed_from=datetime.date(2024, 2, 1),
                      listed_until=datetime.date(2025, 11, 1))
    assert result(cc, "7", AS_OF).status == Status.NOT_MET
    ending = result(cc, "7", datetime.date(2025, 10, 20))
    assert (ending.status, ending.risk) == (
        Status.AT_RISK, "Directory listing ends on 1 November 2025")
