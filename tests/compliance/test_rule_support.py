"""DES 5 (named first point of contact and GP supervisor) and DES 6 (named safeguarding GP and
clinical supervision at cadence), with fixed dates."""

import datetime

import pytest

from lms.compliance.results import Status
from lms.models import Role
from supervision.models import (
    CadenceSetting,
    ConcernCategory,
    SafeguardingDiscussion,
    SessionType,
)
from tests.compliance.builders import (
    at,
    clinical_supervision,
    coordinator,
    days,
    result,
    support,
)
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2025, 11, 14)
STARTED = datetime.date(2024, 1, 8)


@pytest.fixture
def cc(pcn):
    return coordinator(pcn, started_on=STARTED, given_name="Amira", family_name="Khan")


# --- 5 ----------------------------------------------------------------------------------------


def test_a_first_point_of_contact_and_gp_supervisor_named_is_met(cc):
    support(cc, Role.FIRST_POINT_OF_CONTACT, starts_on=STARTED)
    support(cc, Role.CLINICAL_SUPERVISOR, starts_on=datetime.date(2024, 2, 1))
    met = result(cc, "5", AS_OF)
    assert (met.status, met.summary) == (
        Status.MET, "First point of contact Fern Contact; GP supervisor Grace Supervisor")
    assert [(e.label, e.on) for e in met.evidence] == [
        ("First point of contact", STARTED),
        ("GP clinical supervisor", datetime.date(2024, 2, 1)),
    ]
    assert met.evidence[1].detail == "Grace Supervisor, GP partner"
    assert met.lapses_on is None


def test_missing_support_is_not_met_naming_what_is_missing(pcn, cc, other_coordinator):
    assert result(cc, "5", AS_OF).summary == "No first point of contact or GP supervisor named"
    support(cc, Role.CLINICAL_SUPERVISOR, starts_on=STARTED)
    # Someone else's first point of contact, or one whose role ended, does not count.
    support(other_coordinator, Role.FIRST_POINT_OF_CONTACT, starts_on=STARTED)
    support(cc, Role.FIRST_POINT_OF_CONTACT, starts_on=STARTED, ends_on=AS_OF)
    missing = result(cc, "5", AS_OF)
    assert (missing.status, missing.summary, missing.risk) == (
        Status.NOT_MET, "No first point of contact named", "No first point of contact named")
    # A named person starting after the date does not count yet either.
    support(cc, Role.FIRST_POINT_OF_CONTACT, starts_on=AS_OF + days(1))
    assert result(cc, "5", AS_OF).status == Status.NOT_MET
    assert result(cc, "5", AS_OF + days(1)).status == Status.MET


def test_a_named_role_ending_within_30_days_is_at_risk(cc):
    support(cc, Role.FIRST_POINT_OF_CONTACT, starts_on=STARTED, ends_on=AS_OF + days(10))
    support(cc, Role.CLINICAL_SUPERVISOR, starts_on=STARTED)
    at_risk = result(cc, "5", AS_OF)
    assert (at_risk.status, at_risk.lapses_on) == (Status.AT_RISK, AS_OF + days(10))
    assert at_risk.risk == "The named first point of contact's role ends on 24 November 2025"


# --- 6 ----------------------------------------------------------------------------------------


def test_a_safeguarding_gp_and_supervision_on_track_is_met_with_dates_only(cc):
    gp = support(cc, Role.SAFEGUARDING_GP, starts_on=STARTED).person
    session = clinical_supervision(cc, AS_OF - days(7))
    SafeguardingDiscussion.objects.create(
        care_coordinator=cc, discussed_with=gp, discussed_on=AS_OF - days(3),
        category=ConcernCategory.choices[0][0], concern="Secret concern words.",
        outcome="Secret outcome words.", recorded_by=cc,
    )
    met = result(cc, "6", AS_OF)
    assert met.status == Status.MET
    assert met.summary == (
        "Safeguarding GP Sam Safeguarding; supervision last held 7 November 2025, next due "
        "8 December 2025")
    assert met.lapses_on == datetime.date(2025, 12, 9)
    gp, held = met.evidence
    assert (gp.label, held.label) == ("Safeguarding GP", SessionType.CLINICAL.label)
    assert (held.on, held.detail, held.url) == (
        AS_OF - days(7), "Confirmed", f"/supervision/sessions/{session.pk}/")
    # What was discussed, in supervision or a safeguarding discussion, is never evidence.
    shown = " ".join(f"{e.label} {e.detail} {e.by}" for e in met.evidence) + met.summary
    assert session.topics not in shown and "Secret" not in shown


def test_supervision_due_within_a_week_is_at_risk_and_overdue_is_not_met(cc):
    support(cc, Role.SAFEGUARDING_GP, starts_on=STARTED)
    clinical_supervision(cc, AS_OF - days(30), confirmed=False)  # due 31 days on
    at_risk = result(cc, "6", AS_OF)
    assert at_risk.status == Status.AT_RISK
    assert at_risk.risk == "Supervision due by 15 November 2025"
    assert at_risk.evidence[-1].detail == "Awaiting confirmation"

    overdue = result(cc, "6", datetime.date(2025, 12, 3))
    assert overdue.status == Status.NOT_MET
    assert overdue.risk == "Supervision overdue since 16 November 2025"
    assert overdue.lapses_on == datetime.date(2025, 11, 16)


def test_no_safeguarding_gp_is_not_met_even_with_supervision_on_track(cc):
    clinical_supervision(cc, AS_OF - days(3))
    not_met = result(cc, "6", AS_OF)
    assert (not_met.status, not_met.risk) == (Status.NOT_MET, "No safeguarding GP named")
    assert not_met.summary.startswith("No safeguarding GP named; supervision last held")


def test_a_withdrawn_session_does_not_count_and_never_held_counts_from_the_start(pcn):
    started = AS_OF - days(20)
    new = coordinator(pcn, started_on=started)
    support(new, Role.SAFEGUARDING_GP, starts_on=started)
    session = clinical_supervision(new, AS_OF - days(2))
    session.withdrawn_at = at(AS_OF - days(1))
    session.save()
    outcome = result(new, "6", AS_OF)
    # None held: the first is due 31 days after the start (due soon: within the week).
    assert outcome.summary.endswith("none held yet, next due 25 November 2025")
    assert outcome.status == Status.MET
    assert result(new, "6", AS_OF + days(5)).status == Status.AT_RISK


def test_a_pcn_without_a_clinical_supervision_interval_needs_only_the_gp(pcn, cc):
    CadenceSetting.objects.create(pcn=pcn, session_type=SessionType.CLINICAL,
                                  interval_days=None)
    support(cc, Role.SAFEGUARDING_GP, starts_on=STARTED, person=PersonFactory(pcn=pcn))
    met = result(cc, "6", AS_OF)
    assert met.status == Status.MET
    assert met.summary.endswith("no clinical supervision interval set")
