"""DES 1(b): joint caseload or MDT meetings with SPLWs and HWBCs in the last 3 months."""

import datetime

import pytest

from lms.compliance.results import Status
from lms.models import add_months
from supervision.models import Attendance, NetworkSessionKind
from tests.compliance.builders import coordinator, days, joint_working, result

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2025, 11, 14)


@pytest.fixture
def cc(pcn):
    return coordinator(pcn, started_on=datetime.date(2024, 1, 8))


def test_a_meeting_in_the_window_is_met_until_three_months_after_it(cc):
    session = joint_working(cc, datetime.date(2025, 10, 20))
    met = result(cc, "1b", AS_OF)
    assert met.status == Status.MET
    assert met.lapses_on == datetime.date(2026, 1, 20)
    assert met.summary == "1 meeting in the last 3 months, the latest 20 October 2025"
    assert met.risk == "Joint working with SPLWs and HWBCs lapses on 20 January 2026"
    (row,) = met.evidence
    assert (row.label, row.on, row.url) == (
        NetworkSessionKind.JOINT_CASELOAD.label, datetime.date(2025, 10, 20),
        f"/network-sessions/{session.pk}/")


def test_a_meeting_lapsing_within_30_days_is_at_risk(cc):
    joint_working(cc, datetime.date(2025, 9, 1), kind=NetworkSessionKind.MDT)
    at_risk = result(cc, "1b", AS_OF)
    assert (at_risk.status, at_risk.lapses_on) == (Status.AT_RISK, datetime.date(2025, 12, 1))


def test_no_meeting_in_the_window_is_not_met(cc):
    joint_working(cc, datetime.date(2025, 8, 13))  # lapsed on 13 November
    joint_working(cc, datetime.date(2025, 11, 1), attendance=Attendance.APOLOGIES)
    joint_working(cc, datetime.date(2025, 11, 2), kind=NetworkSessionKind.PEER_NETWORK)
    joint_working(cc, AS_OF + days(1))  # after the date
    not_met = result(cc, "1b", AS_OF)
    assert not_met.status == Status.NOT_MET
    assert not_met.summary == "No joint caseload or MDT meeting attended in the last 3 months"
    assert not_met.risk == "No joint working with SPLWs and HWBCs in the last 3 months"
    assert not_met.evidence == ()
    assert result(cc, "1b", datetime.date(2025, 11, 12)).status == Status.AT_RISK


def test_a_new_starter_without_a_meeting_is_at_risk_for_three_months(pcn):
    started = datetime.date(2025, 10, 1)
    new = coordinator(pcn, started_on=started)
    at_risk = result(new, "1b", AS_OF)
    assert (at_risk.status, at_risk.lapses_on) == (Status.AT_RISK, add_months(started, 3))
    assert result(new, "1b", add_months(started, 3)).status == Status.NOT_MET
