"""DES 2 and 3: key responsibilities 2(a)-(i) and wider responsibilities 3(a)-(c) signed off
at the target level, dated: sign-offs after the date, or superseded by then, do not count."""

import datetime

import pytest

from competencies.models import Competency, EvidenceKind, SignOff
from lms.compliance.results import Status
from tests.compliance.builders import (
    KEY,
    WIDER,
    at,
    coordinator,
    des_framework,
    result,
    sign_off_domain,
)

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2025, 11, 14)
SIGNED = datetime.date(2025, 9, 10)


@pytest.fixture
def cc(pcn):
    des_framework()
    return coordinator(pcn, started_on=datetime.date(2024, 1, 8))


def test_every_competency_signed_off_at_target_is_met_with_each_sign_off_as_evidence(cc):
    sign_off_domain(cc, KEY, SIGNED, assessor="Dr Grace Hughes")
    sign_off_domain(cc, WIDER, SIGNED)
    key = result(cc, "2", AS_OF)
    assert (key.status, key.summary) == (
        Status.MET, "All 9 signed off, the last on 10 September 2025")
    assert len(key.evidence) == 9
    first = key.evidence[0]
    competency = Competency.objects.get(code="des-2a-population-health")
    assert first.label == competency.title
    assert (first.on, first.by) == (SIGNED, "Dr Grace Hughes")
    assert first.detail == "Met: signed off at Competent"
    assert first.url == f"/competencies/people/{cc.pk}/competencies/{competency.pk}/"
    assert result(cc, "3", AS_OF).summary == "All 3 signed off, the last on 10 September 2025"


def test_some_missing_is_not_met_or_at_risk_in_the_first_year(pcn, cc):
    sign_off_domain(cc, KEY, SIGNED, except_codes=["des-2i-coordination-navigation"])
    not_met = result(cc, "2", AS_OF)
    assert (not_met.status, not_met.summary) == (Status.NOT_MET, "8 of 9 signed off")
    assert not_met.risk == "Key responsibilities not all signed off (8 of 9)"
    assert not_met.evidence[-1].detail.startswith("Not signed off")
    assert result(cc, "3", AS_OF).status == Status.NOT_MET

    new = coordinator(pcn, started_on=datetime.date(2025, 6, 2))
    at_risk = result(new, "3", AS_OF)
    assert at_risk.status == Status.AT_RISK
    assert at_risk.lapses_on == datetime.date(2026, 6, 2)


def test_sign_offs_after_the_date_or_with_one_kind_of_evidence_do_not_count(cc):
    sign_off_domain(cc, WIDER, AS_OF + datetime.timedelta(days=1))
    assert result(cc, "3", AS_OF).summary == "0 of 3 signed off"
    assert result(cc, "3", AS_OF + datetime.timedelta(days=1)).status == Status.MET

    sign_off_domain(cc, KEY, SIGNED, kinds=[EvidenceKind.OBSERVATION])
    key = result(cc, "2", AS_OF)
    assert key.status == Status.NOT_MET
    assert "evidence of 1 more kind" in key.evidence[0].detail


def test_a_sign_off_superseded_by_a_lower_level_stops_counting_from_then(cc):
    sign_off_domain(cc, WIDER, SIGNED)
    lower = sign_off_domain(cc, WIDER, datetime.date(2025, 10, 1), level=2)
    for old in SignOff.objects.filter(person=cc, level=3):
        new = next(s for s in lower if s.competency_id == old.competency_id)
        old.superseded_by, old.superseded_at = new, at(datetime.date(2025, 10, 1))
        old.save()
    assert result(cc, "3", datetime.date(2025, 9, 30)).status == Status.MET
    now = result(cc, "3", AS_OF)
    assert now.status == Status.NOT_MET
    assert now.evidence[0].detail.startswith("Signed off at level 2")


def test_without_the_des_framework_2_and_3_are_not_applicable(pcn):
    cc = coordinator(pcn, started_on=datetime.date(2024, 1, 8))
    for code in ("2", "3"):
        outcome = result(cc, code, AS_OF)
        assert outcome.status == Status.NOT_APPLICABLE
        assert "des-care-coordinator-2024-25" in outcome.summary
        assert "not set up" in outcome.summary
