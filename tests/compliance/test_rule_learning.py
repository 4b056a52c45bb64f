"""DES 1(a) PCI training, statutory and mandatory training and induction, with fixed dates."""

import datetime

import pytest

from lms.compliance.results import Status
from lms.models import LearningStatus, add_months
from tests.compliance.builders import (
    coordinator,
    days,
    des_curriculum,
    induction_plan,
    record,
    result,
    statutory_done,
)

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2025, 11, 14)
LONG_AGO = datetime.date(2024, 1, 8)


@pytest.fixture
def curriculum(db):
    return des_curriculum(framework=False)


@pytest.fixture
def cc(pcn):
    return coordinator(pcn, started_on=LONG_AGO, given_name="Amira", family_name="Khan")


# --- 1(a) PCI training ------------------------------------------------------------------------


def test_pci_qualified_enrolled_or_undertaking_are_each_met_with_the_date(cc, curriculum):
    record(cc, curriculum.pci_elearning, stage=LearningStatus.ENROLLED,
           on=datetime.date(2025, 2, 1))
    enrolled = result(cc, "1a", AS_OF)
    assert enrolled.status == Status.MET
    assert enrolled.summary.startswith("Enrolled 1 February 2025")

    record(cc, curriculum.pci_elearning, stage=LearningStatus.IN_PROGRESS,
           on=datetime.date(2025, 3, 4))
    assert result(cc, "1a", AS_OF).summary.startswith("Undertaking since 4 March 2025")

    record(cc, curriculum.pci_course, on=datetime.date(2025, 6, 30), provider="Coaching Co",
           provider_pci_assured=True)
    qualified = result(cc, "1a", AS_OF)
    assert (qualified.status, qualified.summary) == (
        Status.MET, "Qualified 30 June 2025 (Coaching Co)")
    assert {e.label for e in qualified.evidence} == {
        curriculum.pci_course.title, curriculum.pci_elearning.title}
    assert all(e.url.startswith("/learning/records/") for e in qualified.evidence)
    # As at a date before the course was completed, they were undertaking it.
    assert result(cc, "1a", datetime.date(2025, 5, 1)).summary.startswith("Undertaking")


def test_no_pci_training_is_not_met_but_at_risk_for_a_new_starter(pcn, cc, curriculum):
    missing = result(cc, "1a", AS_OF)
    assert (missing.status, missing.summary, missing.risk) == (
        Status.NOT_MET, "No PCI training recorded", "PCI training not evidenced")

    new = coordinator(pcn, started_on=AS_OF - days(40))
    at_risk = result(new, "1a", AS_OF)
    assert at_risk.status == Status.AT_RISK
    assert at_risk.lapses_on == add_months(AS_OF - days(40), 3)
    assert "expected by" in at_risk.summary
    # Three months after the start the grace has gone.
    assert result(new, "1a", add_months(AS_OF - days(40), 3)).status == Status.NOT_MET


def test_pci_records_after_the_date_or_imported_unverified_do_not_count(cc, curriculum):
    record(cc, curriculum.pci_course, on=AS_OF + days(1))
    assert result(cc, "1a", AS_OF).status == Status.NOT_MET
    record(cc, curriculum.pci_course, on=AS_OF - days(100), imported_from="Old system")
    assert result(cc, "1a", AS_OF).status == Status.NOT_MET


# --- statutory and mandatory ------------------------------------------------------------------


def test_all_statutory_items_current_is_met_and_lapses_at_the_earliest_expiry(cc, curriculum):
    statutory_done(cc, datetime.date(2025, 3, 10))
    met = result(cc, "SMT", AS_OF)
    assert met.status == Status.MET
    # Information governance is yearly, fire safety every two years.
    assert met.lapses_on == datetime.date(2026, 3, 10)
    assert met.summary == "All 2 current; the next expires 10 March 2026"
    assert met.risk == "Information governance expires on 10 March 2026"
    ig = next(e for e in met.evidence if e.label == curriculum.information_governance.title)
    assert (ig.on, ig.detail) == (datetime.date(2025, 3, 10), "Current, expires 10 March 2026")


def test_a_statutory_item_expiring_within_30_days_is_at_risk_before_the_next_claim_month(
    cc, curriculum
):
    statutory_done(cc, datetime.date(2024, 11, 20))
    record(cc, curriculum.fire_safety, on=datetime.date(2025, 5, 1))
    at_risk = result(cc, "SMT", AS_OF)
    assert at_risk.status == Status.AT_RISK
    assert at_risk.lapses_on == datetime.date(2025, 11, 20)
    assert at_risk.risk == (
        "Information governance expires before next claim month (1 December 2025)")
    # Expiring after the next claim month starts: dated, not "before next claim month".
    record(cc, curriculum.information_governance, on=datetime.date(2024, 12, 5))
    later = result(cc, "SMT", AS_OF)
    assert later.status == Status.AT_RISK
    assert later.risk == "Information governance expires on 5 December 2025"


def test_an_expired_or_missing_statutory_item_is_not_met(pcn, cc, curriculum):
    record(cc, curriculum.fire_safety, on=datetime.date(2025, 5, 1))
    missing = result(cc, "SMT", AS_OF)
    assert (missing.status, missing.summary) == (Status.NOT_MET, "1 of 2 current; 1 not evidenced")
    assert missing.risk == "Information governance not evidenced"

    record(cc, curriculum.information_governance, on=datetime.date(2024, 10, 1))
    expired = result(cc, "SMT", AS_OF)
    assert expired.status == Status.NOT_MET
    assert expired.risk == "Information governance expired on 1 October 2025"
    assert expired.lapses_on == datetime.date(2025, 10, 1)
    ig = next(e for e in expired.evidence if e.label == curriculum.information_governance.title)
    assert ig.detail == "Expired 1 October 2025"


def test_statutory_gaps_are_at_risk_in_the_first_three_months_and_exemptions_count(
    pcn, curriculum
):
    new = coordinator(pcn, started_on=AS_OF - days(20))
    assert result(new, "SMT", AS_OF).status == Status.AT_RISK
    record(new, curriculum.information_governance, on=AS_OF - days(5))
    record(new, curriculum.fire_safety, stage=LearningStatus.NOT_REQUIRED,
           not_required_reason="Covered by the practice's own training")
    met = result(new, "SMT", AS_OF)
    assert met.status == Status.MET
    assert any("Not required: Covered" in e.detail for e in met.evidence)


def test_without_statutory_items_in_the_curriculum_smt_is_not_applicable(cc):
    assert result(cc, "SMT", AS_OF).status == Status.NOT_APPLICABLE


# --- induction --------------------------------------------------------------------------------


def test_induction_complete_or_on_track_is_met(pcn, curriculum):
    started = datetime.date(2025, 10, 6)
    cc = coordinator(pcn, started_on=started)
    induction_plan(cc, [(curriculum.local_induction, started + days(14))],
                   completed_on=started + days(7))
    induction_plan(cc, [(curriculum.cc2025, started + days(84))])
    on_track = result(cc, "IND", AS_OF)
    assert (on_track.status, on_track.summary) == (
        Status.MET, "On track: 1 of 2 tasks done, none overdue")
    assert on_track.lapses_on == started + days(85)
    record(cc, curriculum.cc2025, on=AS_OF - days(1))
    complete = result(cc, "IND", AS_OF)
    assert complete.status == Status.MET
    assert complete.summary == "Complete: all 2 tasks done, the last on 13 November 2025"


def test_overdue_induction_tasks_are_at_risk_then_not_met(pcn, curriculum):
    started = datetime.date(2025, 9, 1)
    cc = coordinator(pcn, started_on=started)
    induction_plan(cc, [(curriculum.local_induction, started + days(14)),
                        (curriculum.cc2025, started + days(120))])
    at_risk = result(cc, "IND", AS_OF)
    assert (at_risk.status, at_risk.risk) == (Status.AT_RISK, "1 induction task overdue")
    # Past the plan's last due date, even one overdue task is not met.
    assert result(cc, "IND", started + days(121)).status == Status.NOT_MET


def test_more_than_three_overdue_induction_tasks_is_not_met(pcn, curriculum):
    started = datetime.date(2025, 9, 1)
    cc = coordinator(pcn, started_on=started)
    items = [curriculum.local_induction, curriculum.information_governance,
             curriculum.fire_safety, curriculum.pci_elearning]
    induction_plan(cc, [(item, started + days(7)) for item in items]
                   + [(curriculum.cc2025, started + days(120))])
    not_met = result(cc, "IND", AS_OF)
    assert (not_met.status, not_met.summary) == (Status.NOT_MET, "0 of 5 tasks done; 4 overdue")


def test_no_induction_plan_is_not_applicable(cc):
    assert result(cc, "IND", AS_OF).status == Status.NOT_APPLICABLE
