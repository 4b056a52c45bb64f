"""Requirement sets by contract year (1 April to 31 March): the set in force on a date, the
clear refusal outside them, and a real difference between years on the same data."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from lms.compliance import engine
from lms.compliance.requirements import CODES
from lms.compliance.results import Status
from tests.compliance.builders import coordinator, days, des_curriculum, induction_plan, result

D = datetime.date


@pytest.mark.parametrize(("as_of", "year"), [
    (D(2024, 4, 1), "2024/25"),
    (D(2025, 3, 1), "2024/25"),
    (D(2025, 3, 31), "2024/25"),
    (D(2025, 4, 1), "2025/26"),
    (D(2025, 6, 1), "2025/26"),
    (D(2026, 4, 1), "2026/27"),
    (D(2027, 3, 31), "2026/27"),
])
def test_the_set_in_force_is_the_contract_year_of_the_date(as_of, year):
    rs = engine.requirement_set_for(as_of)
    assert rs.contract_year == year
    assert rs.starts_on <= as_of <= rs.ends_on
    assert rs.starts_on == D(int(year[:4]), 4, 1)
    assert rs.ends_on == D(int(year[:4]) + 1, 3, 31)


def test_every_set_has_the_ten_requirements_in_order_citing_its_own_year():
    years = engine.contract_years()
    assert [rs.contract_year for rs in years] == ["2024/25", "2025/26", "2026/27"]
    for rs in years:
        assert [r.code for r in rs.requirements] == list(CODES)
        assert rs.requirement("1a").clause == (
            f"Network Contract DES {rs.contract_year}, care coordinator clause 1(a)")
        assert rs.requirement("SMT").clause.startswith("Good practice")
        assert rs.joint_working_months == 3 and rs.at_risk_days == 30
        assert rs.responsibilities_framework == "des-care-coordinator-2024-25"
        assert (rs.key_domain, rs.wider_domain) == (
            "key-responsibilities", "wider-responsibilities")
    assert years[0].care_certificate_version == "care-certificate-2015"
    assert years[1].care_certificate_version == "care-certificate-2025"


@pytest.mark.parametrize(("as_of", "words"), [
    (D(2024, 3, 31), "earliest contract year this system knows, 2024/25, starts on 1 April 2024"),
    (D(2027, 4, 1), "latest contract year this system knows, 2026/27, ends on 31 March 2027"),
])
def test_a_date_outside_every_contract_year_is_refused_with_a_clear_message(as_of, words):
    with pytest.raises(ValidationError) as refused:
        engine.requirement_set_for(as_of)
    assert words in refused.value.messages[0]


@pytest.mark.django_db
def test_the_engine_refuses_dates_outside_every_contract_year(pcn, care_coordinator):
    for call in (
        lambda: engine.pcn_compliance(pcn, D(2024, 3, 31)),
        lambda: engine.coordinator_compliance(care_coordinator, D(2027, 4, 1)),
        lambda: engine.forecast(pcn, D(2020, 1, 1)),
        lambda: engine.icb_summary([pcn.icb_id], D(2030, 1, 1)),
        lambda: engine.pcn_trend(pcn, D(2030, 1, 1)),
    ):
        with pytest.raises(engine.ValidationError):
            call()


@pytest.mark.django_db
def test_the_same_data_as_at_march_and_june_2025_uses_different_care_certificate_versions(pcn):
    """2024/25 counts the 2015 Care Certificate standards for induction, 2025/26 the 2025
    ones: a coordinator who did the 2015 standard but not the 2025 one in their plan is
    complete as at 1 March 2025 and not as at 1 June 2025."""
    curriculum = des_curriculum(framework=False)
    started = D(2024, 10, 1)
    cc = coordinator(pcn, started_on=started)
    induction_plan(cc, [(curriculum.cc2015, started + days(84))], completed_on=D(2024, 12, 1))
    induction_plan(cc, [(curriculum.cc2025, started + days(84))])

    march = engine.coordinator_compliance(cc, D(2025, 3, 1))
    june = engine.coordinator_compliance(cc, D(2025, 6, 1))
    assert (march.contract_year, june.contract_year) == ("2024/25", "2025/26")
    assert march.results["IND"].status == Status.MET
    assert june.results["IND"].status == Status.NOT_MET
    assert [e.label for e in march.results["IND"].evidence][0] == curriculum.cc2015.title
    assert [e.label for e in june.results["IND"].evidence][0] == curriculum.cc2025.title
    left_out = june.results["IND"].evidence[-1]
    assert left_out.label == curriculum.cc2015.title
    assert left_out.detail.startswith("Not counted")
    assert "DES 2025/26 counts care-certificate-2025" in left_out.detail
    assert result(cc, "1a", D(2025, 3, 1)).requirement.clause.startswith(
        "Network Contract DES 2024/25")


@pytest.mark.parametrize("bad", [None, "2025-06-01", datetime.datetime(2025, 6, 1, 12)])
def test_something_other_than_a_date_is_refused(bad):
    with pytest.raises(ValidationError):
        engine.requirement_set_for(bad)
