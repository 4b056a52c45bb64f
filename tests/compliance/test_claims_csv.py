"""The evidence pack's data as CSV (issue 7, point 5): one row per coordinator and requirement,
and hours out of practice per coordinator per month for ARRS claims; who may download them."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms.compliance import engine, pack_csv
from lms.models import Role, RoleAssignment
from tests.compliance.builders import (
    at,
    compliant_coordinator,
    coordinator,
    days,
    des_curriculum,
    record,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 11, 14)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2025, 11, 14, 12, 0), tick=False):
        yield


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def csv_query(report, day=TODAY):
    return {"csv-report": report, "csv-as_of_day": day.day, "csv-as_of_month": day.month,
            "csv-as_of_year": day.year}


# --- compliance: one row per coordinator and requirement -----------------------------------------


def test_compliance_csv_has_the_columns_and_a_row_per_coordinator_and_requirement(
        sign_in, pcn_manager, pcn):
    compliant = compliant_coordinator(pcn, TODAY, given_name="Zephyrine",
                                      family_name="Quillfeather")
    bare = coordinator(pcn, started_on=datetime.date(2024, 9, 2), given_name="Barnaby",
                       family_name="Oddingsell")
    response = sign_in(pcn_manager).get(reverse("packs:pcn_csv", args=[pcn.pk]),
                                        csv_query("compliance"))
    assert response["Content-Disposition"] == (
        f'attachment; filename="des-compliance-{pcn.ods_code}-2025-11-14.csv"')
    rows = rows_of(response)
    assert rows[0] == ["pcn_ods", "pcn_name", "coordinator", "requirement_code", "requirement",
                       "status", "summary", "evidence_count", "lapses_on", "as_of",
                       "contract_year"]
    requirement_set = engine.requirement_set_for(TODAY)
    assert len(rows) == 1 + 2 * len(requirement_set.codes)
    # Coordinators by name, requirements in the year's order.
    assert [r[2] for r in rows[1:]] == [bare.full_name] * 10 + [compliant.full_name] * 10
    assert [r[3] for r in rows[1:11]] == requirement_set.codes
    by_key = {(r[2], r[3]): r for r in rows[1:]}
    results = engine.coordinator_compliance(compliant, TODAY).results
    for code, result in results.items():
        row = by_key[(compliant.full_name, code)]
        assert row[:2] == [pcn.ods_code, pcn.name]
        assert row[4] == requirement_set.requirement(code).short_title
        assert row[5] == "Met" == result.status.label
        assert row[6] == result.summary
        assert row[7] == str(len(result.evidence))
        assert row[8] == (result.lapses_on.isoformat() if result.lapses_on else "")
        assert row[9:] == ["2025-11-14", "2025/26"]
    assert by_key[(bare.full_name, "1a")][5] == "Not met"


def test_cells_that_look_like_formulas_are_defused(pcn):
    des_curriculum()
    coordinator(pcn, started_on=datetime.date(2024, 9, 2), given_name="=HYPERLINK(1)",
                family_name="x")
    rows = pack_csv.compliance_rows(pcn, TODAY, engine.pcn_compliance(pcn, TODAY),
                                    engine.requirement_set_for(TODAY))
    assert rows[1][2] == "=HYPERLINK(1) x"  # the rows are plain; csv_response defuses them
    from lms.report_views import csv_response

    text = csv_response(rows, "x.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK(1) x" in text


# --- hours out of practice per coordinator per month ----------------------------------------------


@pytest.fixture
def hours_data(pcn):
    curriculum = des_curriculum(framework=False)
    amy = coordinator(pcn, started_on=datetime.date(2024, 9, 2), given_name="Amy",
                      family_name="Adams")
    ben = coordinator(pcn, started_on=datetime.date(2024, 9, 2), given_name="Ben",
                      family_name="Brown")
    # Ben left the role in June 2025: still in the claim for the months he worked.
    RoleAssignment.objects.filter(person=ben).update(ends_on=datetime.date(2025, 6, 30))
    record(amy, curriculum.information_governance, on=datetime.date(2025, 11, 3),
           hours_out_of_practice=Decimal("2.5"))
    record(amy, curriculum.fire_safety, on=datetime.date(2025, 11, 10),
           hours_out_of_practice=Decimal("1.0"))
    # Started in September, not finished: counts in its start month.
    record(amy, curriculum.pci_course, stage="in_progress", on=datetime.date(2025, 9, 20),
           hours_out_of_practice=Decimal("7.0"))
    # After the date, more than 12 months before, and without hours: none count.
    record(amy, curriculum.local_induction, on=TODAY + days(1), hours_out_of_practice=3)
    record(amy, curriculum.cc2015, on=datetime.date(2024, 11, 30), hours_out_of_practice=4)
    record(amy, curriculum.cc2025, on=datetime.date(2025, 10, 1))
    record(ben, curriculum.information_governance, on=datetime.date(2025, 2, 14),
           hours_out_of_practice=Decimal("3.5"))
    # Imported and not verified here: not claimable yet; verified: counts.
    record(ben, curriculum.fire_safety, on=datetime.date(2025, 3, 1), imported_from="Old PCN",
           hours_out_of_practice=5)
    record(ben, curriculum.pci_course, on=datetime.date(2025, 3, 2), imported_from="Old PCN",
           verified_at=at(datetime.date(2025, 3, 5)), hours_out_of_practice=Decimal("1.5"))
    # Someone of another PCN is never in this PCN's claim.
    return amy, ben


def test_hours_csv_has_every_month_of_the_12_for_each_coordinator(sign_in, pcn_manager, pcn,
                                                                   hours_data, other_coordinator):
    response = sign_in(pcn_manager).get(reverse("packs:pcn_csv", args=[pcn.pk]),
                                        csv_query("hours"))
    assert response["Content-Disposition"] == (
        f'attachment; filename="hours-out-of-practice-{pcn.ods_code}-2025-11-14.csv"')
    rows = rows_of(response)
    assert rows[0] == ["coordinator", "month", "hours", "items"]
    months = [f"{year}-{month:02d}" for year, month in
              [(2024, 12), *((2025, m) for m in range(1, 12))]]
    assert [r[1] for r in rows[1:13]] == months
    assert [r[0] for r in rows[1:]] == ["Amy Adams"] * 12 + ["Ben Brown"] * 12
    table = {(r[0], r[1]): (r[2], r[3]) for r in rows[1:]}
    assert table[("Amy Adams", "2025-11")] == ("3.5", "2")
    assert table[("Amy Adams", "2025-09")] == ("7.0", "1")
    assert table[("Amy Adams", "2025-10")] == ("0.0", "0")
    assert table[("Amy Adams", "2024-12")] == ("0.0", "0")
    assert table[("Ben Brown", "2025-02")] == ("3.5", "1")
    assert table[("Ben Brown", "2025-03")] == ("1.5", "1")
    assert "Dev Patel" not in response.content.decode()


def test_hours_csv_costs_the_same_queries_for_2_and_12_coordinators(pcn, hours_data):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            pack_csv.hours_rows(pcn, TODAY)
        return len(captured)

    small = queries()
    curriculum = des_curriculum(framework=False)
    for n in range(10):
        person = coordinator(pcn, started_on=datetime.date(2025, 1, 6), given_name=f"P{n}")
        record(person, curriculum.information_governance, on=datetime.date(2025, 5, 1),
               hours_out_of_practice=2)
    assert queries() == small == 2


# --- who may download -----------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [
    ("icb_viewer", 403), ("care_coordinator", 403), ("supervisor", 403),
    ("no_role_person", 403), ("other_pcn_manager", 404),
])
@pytest.mark.parametrize("report", ["compliance", "hours"])
def test_only_the_pcns_manager_downloads_its_csv(request, sign_in, pcn, report, who, status):
    person = request.getfixturevalue(who)
    response = sign_in(person).get(reverse("packs:pcn_csv", args=[pcn.pk]), csv_query(report))
    assert response.status_code == status
    assert not response["Content-Type"].startswith("text/csv")


def test_a_future_date_is_refused_with_a_message(sign_in, pcn_manager, pcn):
    response = sign_in(pcn_manager).get(reverse("packs:pcn_csv", args=[pcn.pk]),
                                        csv_query("hours", TODAY + days(1)))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "‘As at’ date must be today or in the past" in response.content.decode()


def test_a_manager_role_in_another_pcn_does_not_open_ours(sign_in, pcn, other_pcn):
    from tests.conftest import make_person

    manager = make_person(Role.PCN_MANAGER, pcn=other_pcn)
    response = sign_in(manager).get(reverse("packs:pcn_csv", args=[pcn.pk]), csv_query("hours"))
    assert response.status_code == 404
