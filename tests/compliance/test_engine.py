"""The engine's public API end to end: a fully compliant coordinator, who counts as a
coordinator on a date, constant query counts, the forecast, the trend and the ICB summary."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lms.compliance import engine
from lms.compliance.requirements import CODES
from lms.compliance.results import CoordinatorCompliance, Status
from lms.models import Role, RoleAssignment
from tests.compliance.builders import (
    clinical_supervision,
    compliant_coordinator,
    coordinator,
    days,
    des_curriculum,
    record,
    support,
)
from tests.factories import PCNFactory, PracticeFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2025, 11, 14)


def statuses(compliance):
    return {code: r.status for code, r in compliance.results.items()}


def test_a_compliant_coordinator_meets_every_requirement(pcn):
    cc = compliant_coordinator(pcn, AS_OF, given_name="Amira", family_name="Khan")
    compliance = engine.coordinator_compliance(cc, AS_OF)
    assert isinstance(compliance, CoordinatorCompliance)
    assert (compliance.person, compliance.as_of, compliance.contract_year) == (
        cc, AS_OF, "2025/26")
    assert list(compliance.results) == list(CODES)
    assert statuses(compliance) == dict.fromkeys(CODES, Status.MET)
    assert (compliance.met_count, compliance.applicable_count) == (10, 10)
    assert compliance.overall == Status.MET
    for result in compliance.results.values():
        assert result.summary and "\n" not in result.summary
        assert result.evidence, result.requirement.code
    # In the next 30 days only the monthly supervision falls due.
    (due,) = engine.forecast(pcn, AS_OF, days=30)
    assert (due.requirement.code, due.on, due.message) == (
        "6", datetime.date(2025, 12, 9), "Supervision due by 8 December 2025")


def test_a_compliant_coordinator_in_2024_25_uses_that_years_care_certificate(pcn):
    as_of = datetime.date(2025, 2, 3)
    cc = compliant_coordinator(pcn, as_of)
    assert statuses(engine.coordinator_compliance(cc, as_of)) == dict.fromkeys(
        CODES, Status.MET)


def test_pcn_compliance_lists_current_coordinators_of_the_pcn_by_name(pcn, other_pcn):
    started = datetime.date(2024, 1, 8)
    zoe = coordinator(pcn, started_on=started, given_name="Zoe", family_name="Adams")
    amy = coordinator(pcn, started_on=started, given_name="Amy", family_name="Adams")
    ended = coordinator(pcn, started_on=started, family_name="Ended")
    RoleAssignment.objects.filter(person=ended).update(ends_on=AS_OF)
    left = coordinator(pcn, started_on=started, family_name="Left", left_on=AS_OF)
    later = coordinator(pcn, started_on=AS_OF + days(1), family_name="Later")
    coordinator(other_pcn, started_on=started)
    # A second current assignment in the same PCN does not list someone twice.
    RoleAssignment.objects.create(person=zoe, role=Role.CARE_COORDINATOR, pcn=pcn,
                                  starts_on=datetime.date(2025, 1, 1))
    people = [c.person for c in engine.pcn_compliance(pcn, AS_OF)]
    assert people == [amy, zoe]
    assert later not in people and ended not in people and left not in people
    assert [c.person for c in engine.pcn_compliance(pcn, AS_OF - days(1))] == [
        amy, zoe, ended, left]


def test_coordinator_compliance_works_for_someone_without_a_current_role(pcn, no_role_person):
    compliance = engine.coordinator_compliance(no_role_person, AS_OF)
    assert list(compliance.results) == list(CODES)
    assert compliance.results["1a"].status == Status.NOT_MET


def _queries(call):
    cache.clear()  # builders write outside the services: measure the uncached path
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_pcn_compliance_runs_the_same_number_of_queries_for_3_and_30_coordinators(
    pcn, django_assert_num_queries
):
    for _ in range(3):
        compliant_coordinator(pcn, AS_OF)
    count = _queries(lambda: engine.pcn_compliance(pcn, AS_OF))
    assert count <= 25
    for _ in range(27):
        compliant_coordinator(pcn, AS_OF)
    with django_assert_num_queries(count):
        results = engine.pcn_compliance(pcn, AS_OF)
    assert len(results) == 30
    assert all(c.overall == Status.MET for c in results)


def test_icb_summary_queries_do_not_grow_with_the_number_of_pcns(icb, pcn):
    compliant_coordinator(pcn, AS_OF)
    count = _queries(lambda: engine.icb_summary([icb.pk], AS_OF))
    for n in range(3):
        more = PCNFactory(icb=icb, name=f"Extra {n} PCN")
        PracticeFactory(pcn=more)
        compliant_coordinator(more, AS_OF)
    assert _queries(lambda: engine.icb_summary([icb.pk], AS_OF)) == count


def test_icb_summary_gives_each_pcns_percent_met_per_requirement(
    icb, pcn, other_pcn, other_icb_pcn
):
    compliant_coordinator(pcn, AS_OF)
    bare = coordinator(pcn, started_on=datetime.date(2024, 1, 8))
    support(bare, Role.FIRST_POINT_OF_CONTACT, starts_on=datetime.date(2024, 1, 8))
    compliant_coordinator(other_icb_pcn, AS_OF)
    empty = PCNFactory(icb=icb, name="Aaa Empty PCN")

    summaries = engine.icb_summary([icb.pk], AS_OF)
    assert [s.pcn for s in summaries] == [empty, other_pcn, pcn]
    riverside = summaries[2]
    assert riverside.coordinator_count == 2
    assert riverside.contract_year == "2025/26"
    assert set(riverside.percent_met) == set(CODES)
    assert riverside.percent_met["1a"] == 50  # one of two
    assert riverside.percent_met["4"] == 100  # the register is the PCN's
    assert riverside.applicable["SMT"] == 2
    # Met results of applicable ones: 10 for the compliant coordinator, 1 (register) for the
    # other, whose statutory, responsibilities and other gaps all count as not met.
    met = sum(riverside.met.values())
    assert met == 11
    assert riverside.overall_percent == engine.percent(met, sum(riverside.applicable.values()))
    assert riverside.all_met_count == 1 and riverside.all_met_percent == 50
    assert (summaries[0].coordinator_count, summaries[0].overall_percent) == (0, 0)
    assert summaries[0].percent_met == dict.fromkeys(CODES, 0)


def test_the_forecast_names_what_lapses_in_the_window_and_what_is_already_lapsed(pcn):
    curriculum = des_curriculum()
    cc = compliant_coordinator(pcn, AS_OF, given_name="Amira", family_name="Khan")
    # Information governance done 11 months and 3 weeks ago: it expires on 5 December.
    record(cc, curriculum.information_governance, on=datetime.date(2024, 12, 5))
    no_pci = coordinator(pcn, started_on=datetime.date(2024, 1, 8), family_name="Zed")
    support(no_pci, Role.SAFEGUARDING_GP, starts_on=datetime.date(2024, 1, 8))
    clinical_supervision(no_pci, datetime.date(2025, 10, 1))  # due 1 Nov: overdue

    items = engine.forecast(pcn, AS_OF, days=90)
    assert [i.on for i in items] == sorted(i.on for i in items)
    messages = {(i.person, i.requirement.code): (i.on, i.message) for i in items}
    assert messages[(no_pci, "1a")] == (AS_OF, "PCI training not evidenced")
    assert messages[(no_pci, "6")] == (
        datetime.date(2025, 11, 2), "Supervision overdue since 2 November 2025")
    assert messages[(cc, "SMT")] == (
        datetime.date(2025, 12, 5), "Information governance expires on 5 December 2025")
    # The compliant coordinator's joint working lapses on 25 January, inside 90 days.
    assert messages[(cc, "1b")][0] == datetime.date(2026, 1, 25)
    assert {code for person, code in messages if person == cc} == {"SMT", "1b", "6"}
    # 30 days ahead: the joint-working lapse is beyond the window.
    assert {i.requirement.code for i in engine.forecast(pcn, AS_OF, days=30)
            if i.person == cc} == {"SMT", "6"}


def test_the_forecast_says_before_the_next_claim_month(pcn):
    curriculum = des_curriculum()
    as_of = datetime.date(2026, 12, 10)
    cc = compliant_coordinator(pcn, as_of)
    record(cc, curriculum.information_governance, on=datetime.date(2025, 12, 20))
    (item,) = [i for i in engine.forecast(pcn, as_of, days=30) if i.requirement.code == "SMT"]
    assert item.on == datetime.date(2026, 12, 20)
    assert item.message == (
        "Information governance expires before next claim month (1 January 2027)")


def test_the_trend_gives_month_ends_oldest_first_under_each_months_rules(pcn):
    cc = compliant_coordinator(pcn, AS_OF)
    points = engine.pcn_trend(pcn, AS_OF, months=3)
    assert [p[0] for p in points] == [
        datetime.date(2025, 9, 30), datetime.date(2025, 10, 31), AS_OF]
    assert points[-1][1:] == (10, 10)
    for day, met, applicable in points:
        compliance = engine.coordinator_compliance(cc, day)
        assert (met, applicable) == (compliance.met_count, compliance.applicable_count)
    # Before the first contract year there is nothing to show.
    early = engine.pcn_trend(pcn, datetime.date(2024, 5, 15), months=12)
    assert [p[0] for p in early] == [datetime.date(2024, 4, 30), datetime.date(2024, 5, 15)]
    # The coordinator started on 14 May 2024 (18 months before): nobody to count in April.
    assert early[0] == (datetime.date(2024, 4, 30), 0, 0)
    assert early[1][2] == 10


def test_the_trend_costs_a_fixed_number_of_queries_a_month(pcn):
    compliant_coordinator(pcn, AS_OF)
    one = _queries(lambda: engine.pcn_trend(pcn, AS_OF, months=1))
    for _ in range(4):
        compliant_coordinator(pcn, AS_OF)
    assert _queries(lambda: engine.pcn_trend(pcn, AS_OF, months=12)) <= 12 * one


def test_pcn_started_on_is_the_earliest_role_start_in_the_pcn(pcn, other_pcn):
    assert engine.pcn_started_on(pcn) is None
    coordinator(pcn, started_on=datetime.date(2024, 9, 2))
    coordinator(pcn, started_on=datetime.date(2024, 6, 3))
    coordinator(other_pcn, started_on=datetime.date(2023, 1, 1))
    assert engine.pcn_started_on(pcn) == datetime.date(2024, 6, 3)


def test_someone_without_a_pcn_gets_results_not_an_error(icb_viewer):
    compliance = engine.coordinator_compliance(icb_viewer, AS_OF)
    assert compliance.results["4"].status == Status.NOT_MET
    assert compliance.results["7"].summary == "Not listed in the directory"
