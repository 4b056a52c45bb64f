"""The PCN manager's dashboard and the drill-downs, through the real engine: who may see
what, cells and their evidence, the forecast, bad input, and query counts that do not grow
with the number of coordinators (issue 7, points 4 and 7)."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms.compliance import engine
from lms.compliance.results import Status
from lms.models import Role
from tests.compliance.builders import (
    compliant_coordinator,
    coordinator,
    days,
    des_curriculum,
    statutory_done,
)
from tests.conftest import make_person

AS_OF = datetime.date(2025, 11, 14)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2025, 11, 14, 12, 0), tick=False):
        yield


@pytest.fixture
def compliant(pcn):
    return compliant_coordinator(pcn, AS_OF, given_name="Zephyrine", family_name="Quillfeather")


@pytest.fixture
def bare(pcn):
    """A coordinator with nothing recorded: most requirements not met."""
    des_curriculum()
    return coordinator(pcn, started_on=datetime.date(2024, 9, 2), given_name="Barnaby",
                       family_name="Oddingsell")


def html_of(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- what the manager sees ----------------------------------------------------------------


def test_manager_sees_each_coordinator_against_each_requirement(
        sign_in, pcn_manager, compliant, bare):
    html = html_of(sign_in(pcn_manager).get(reverse("compliance:dashboard")))
    for requirement in engine.requirement_set_for(AS_OF).requirements:
        assert requirement.short_title in html
    assert "Zephyrine Quillfeather" in html and "Barnaby Oddingsell" in html
    assert "<strong>1 of 2</strong> care coordinators meet every requirement" in html
    assert "10 of 10" in html
    assert '<strong class="nhsuk-tag nhsuk-tag--green">Met</strong>' in html
    assert '<strong class="nhsuk-tag nhsuk-tag--red">Not met</strong>' in html
    # Every cell links to its drill-down.
    for code in engine.requirement_set_for(AS_OF).codes:
        for person in (compliant, bare):
            assert f'href="{reverse("compliance:requirement", args=[person.pk, code])}"' in html
    assert "Network Contract DES <strong>2025/26</strong>" in html
    assert "(today)" in html


def test_the_table_works_on_narrow_screens(sign_in, pcn_manager, compliant):
    html = html_of(sign_in(pcn_manager).get(reverse("compliance:dashboard")))
    table = html[html.index('<table class="nhsuk-table-responsive">'):]
    table = table[:table.index("</table>")]
    assert '<th scope="row" class="nhsuk-table__header"><span class="nhsuk-table-responsive__' \
           'heading" aria-hidden="true">Care coordinator </span>' in table
    assert table.count('class="nhsuk-table-responsive__heading"') == 12  # 1 row × 12 columns


def test_the_forecast_lists_what_lapses_by_window(sign_in, pcn_manager, pcn, compliant, bare):
    # Information governance (12-month refresher) completed 350 days ago: lapses in 15 days.
    curriculum = des_curriculum()
    statutory_done(compliant, AS_OF - days(350), items=[curriculum.information_governance])
    html = html_of(sign_in(pcn_manager).get(reverse("compliance:dashboard")))
    section = html[html.index('id="forecast"'):html.index('id="trend"')]
    thirty = section.index("In the next 30 days")
    assert section.index("Zephyrine Quillfeather", thirty) < section.index("In 31 to 60 days")
    assert "Barnaby Oddingsell" in section
    items = engine.forecast(pcn, AS_OF, days=30)
    for item in items:
        assert item.message in section


def test_the_trend_chart_and_its_table(sign_in, pcn_manager, compliant):
    html = html_of(sign_in(pcn_manager).get(reverse("compliance:dashboard")))
    assert 'role="img"' in html and "<desc id=\"pcn-trend-desc\">" in html
    assert "Show the data as a table" in html
    table = html[html.index("Show the data as a table"):]
    for day, met, applicable in engine.pcn_trend(compliant.pcn, AS_OF):
        assert f"{day:%B %Y}</th>" in table
        assert f">{met}</td>" in table and f">{applicable}</td>" in table


def test_a_past_date_uses_the_rules_then(sign_in, pcn_manager, compliant):
    html = html_of(sign_in(pcn_manager).get(reverse("compliance:dashboard"), {
        "as_at_day": "3", "as_at_month": "2", "as_at_year": "2025"}))
    assert "As at <strong>3 February 2025</strong>" in html
    assert "Network Contract DES <strong>2024/25</strong>" in html


@pytest.mark.parametrize("day, month, year, message", [
    ("15", "11", "2025", "‘As at’ date must be today or in the past"),
    ("1", "1", "2099", "‘As at’ date must be today or in the past"),
    ("1", "1", "2020", "when Riverside PCN started"),
    ("30", "2", "2025", "Enter a real date"),
    ("1", "13", "2025", "Enter a real date"),
    ("", "", "25", "Date must include a day and month"),
    ("1", "1", "25", "Year must include 4 numbers"),
    ("1", "1", "99999999999999999999", "Year must include 4 numbers"),
    ("'; drop table", "\x00", "<script>", "Enter a real date"),
])
def test_a_bad_as_at_date_shows_a_message_and_today(sign_in, pcn_manager, compliant,
                                                    day, month, year, message):
    html = html_of(sign_in(pcn_manager).get(reverse("compliance:dashboard"), {
        "as_at_day": day, "as_at_month": month, "as_at_year": year}))
    assert message in html
    assert html.count(message) >= 2  # in the error summary and next to the field
    assert "nhsuk-form-group--error" in html
    assert "<title>Error: DES compliance" in html
    assert "this page shows today, 14 November 2025" in html
    assert "As at <strong>14 November 2025</strong> (today)" in html
    assert "Zephyrine Quillfeather" in html
    assert "<script>" not in html.split('id="maincontent"')[1].split("</main>")[0]


def test_a_date_before_any_contract_year(sign_in, pcn_manager, pcn, monkeypatch):
    # A PCN whose first role started before the first contract year: the engine says why.
    make_person(Role.CARE_COORDINATOR, pcn=pcn)
    from lms.models import RoleAssignment

    RoleAssignment.objects.filter(pcn=pcn).update(starts_on=datetime.date(2020, 1, 6))
    html = html_of(sign_in(pcn_manager).get(reverse("compliance:dashboard"), {
        "as_at_day": "1", "as_at_month": "1", "as_at_year": "2022"}))
    assert "There are no DES requirements for 1 January 2022" in html
    assert "this page shows today" in html


# --- drill-downs --------------------------------------------------------------------------


def test_a_cell_drill_down_shows_the_evidence(sign_in, pcn_manager, compliant):
    response = sign_in(pcn_manager).get(
        reverse("compliance:requirement", args=[compliant.pk, "1a"]))
    html = html_of(response)
    result = engine.coordinator_compliance(compliant, AS_OF).results["1a"]
    assert result.status == Status.MET
    assert '<strong class="nhsuk-tag nhsuk-tag--green">Met</strong>' in html
    assert result.summary in html
    assert result.evidence
    for evidence in result.evidence:
        assert evidence.label in html
        if evidence.url:
            assert f'href="{evidence.url}"' in html
    assert "1(a) PCI training" in html


def test_a_not_met_cell_says_so(sign_in, pcn_manager, bare):
    html = html_of(sign_in(pcn_manager).get(
        reverse("compliance:requirement", args=[bare.pk, "1a"])))
    assert '<strong class="nhsuk-tag nhsuk-tag--red">Not met</strong>' in html
    assert engine.coordinator_compliance(bare, AS_OF).results["1a"].summary in html


def test_the_person_page_lists_every_requirement(sign_in, pcn_manager, compliant):
    html = html_of(sign_in(pcn_manager).get(reverse("compliance:person", args=[compliant.pk])))
    compliance = engine.coordinator_compliance(compliant, AS_OF)
    for result in compliance.results.values():
        assert result.requirement.short_title in html
        assert result.summary in html
    assert "<strong>10 of 10</strong>" in html


def test_the_as_at_date_is_kept_on_drill_downs(sign_in, pcn_manager, compliant):
    html = html_of(sign_in(pcn_manager).get(
        reverse("compliance:person", args=[compliant.pk]),
        {"as_at_day": "3", "as_at_month": "2", "as_at_year": "2025"}))
    assert "As at <strong>3 February 2025</strong>" in html
    link = reverse("compliance:requirement", args=[compliant.pk, "2"])
    assert f'href="{link}?as_at_day=3&amp;as_at_month=2&amp;as_at_year=2025"' in html


def test_a_coordinator_sees_what_is_missing_for_them(sign_in, bare):
    client = sign_in(bare)
    response = client.get(reverse("compliance:mine"))
    assert response.url == reverse("compliance:person", args=[bare.pk])
    html = html_of(client.get(response.url))
    assert "Your DES compliance" in html
    assert '<strong class="nhsuk-tag nhsuk-tag--red">Not met</strong>' in html
    html_of(client.get(reverse("compliance:requirement", args=[bare.pk, "5"])))


def test_an_unknown_requirement_is_not_found(sign_in, pcn_manager, compliant):
    client = sign_in(pcn_manager)
    base = reverse("compliance:person", args=[compliant.pk])
    for code in ("1c", "smt", "%3Cscript%3E", "x" * 500):
        assert client.get(f"{base}{code}/").status_code == 404


# --- who may see ----------------------------------------------------------------------------


def test_another_pcns_manager_cannot_see_ours(sign_in, other_pcn_manager, pcn, compliant):
    client = sign_in(other_pcn_manager)
    assert client.get(reverse("compliance:dashboard"), {"pcn": pcn.pk}).status_code == 404
    assert client.get(reverse("compliance:person", args=[compliant.pk])).status_code == 404
    assert client.get(
        reverse("compliance:requirement", args=[compliant.pk, "1a"])).status_code == 404
    # Their own dashboard does not show our coordinators.
    html = html_of(client.get(reverse("compliance:dashboard")))
    assert "Quillfeather" not in html


def test_a_manager_of_two_pcns_chooses_one(sign_in, pcn, other_pcn, compliant,
                                           other_coordinator):
    manager = make_person(Role.PCN_MANAGER, pcn=pcn, given_name="Two", family_name="Hats")
    from tests.factories import RoleAssignmentFactory

    RoleAssignmentFactory(person=manager, role=Role.PCN_MANAGER, pcn=other_pcn,
                          starts_on=datetime.date(2025, 1, 6))
    client = sign_in(manager)
    html = html_of(client.get(reverse("compliance:dashboard")))
    assert "Your PCNs" in html
    assert "Hillside PCN" in html  # first by name
    assert "Dev Patel" in html and "Quillfeather" not in html
    html = html_of(client.get(reverse("compliance:dashboard"), {"pcn": pcn.pk}))
    assert "Quillfeather" in html and "Dev Patel" not in html
    assert f'<input type="hidden" name="pcn" value="{pcn.pk}">' in html


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "99999999999999999999", "0", "%00",
                                   "1 OR 1=1"])
def test_a_bad_pcn_is_not_found(sign_in, pcn_manager, compliant, value):
    assert sign_in(pcn_manager).get(reverse("compliance:dashboard"),
                                    {"pcn": value}).status_code == 404


def test_a_bad_page_number_still_shows_a_page(sign_in, pcn_manager, compliant):
    for page in ("abc", "-3", "99999999999999999999"):
        html_of(sign_in(pcn_manager).get(reverse("compliance:dashboard"), {"page": page}))


def test_people_without_the_role_are_refused(sign_in, pcn, care_coordinator, supervisor,
                                             no_role_person, compliant):
    for person in (care_coordinator, supervisor, no_role_person):
        client = sign_in(person)
        assert client.get(reverse("compliance:dashboard")).status_code == 403
        assert client.get(reverse("compliance:icb")).status_code == 403
        assert client.get(reverse("compliance:icb_pcn", args=[pcn.pk])).status_code == 403
    # A supervisor may not open their supervisee's compliance; a coordinator only their own.
    assert sign_in(supervisor).get(
        reverse("compliance:person", args=[care_coordinator.pk])).status_code == 403
    assert sign_in(no_role_person).get(
        reverse("compliance:person", args=[compliant.pk])).status_code == 403
    assert sign_in(no_role_person).get(reverse("compliance:mine")).status_code == 403
    client = sign_in(care_coordinator)
    assert client.get(reverse("compliance:person", args=[compliant.pk])).status_code == 404
    assert client.get(
        reverse("compliance:requirement", args=[compliant.pk, "1a"])).status_code == 404
    assert client.get(reverse("compliance:person", args=[care_coordinator.pk])).status_code \
        == 200


def test_a_manager_cannot_open_a_non_coordinator(sign_in, pcn_manager, supervisor):
    client = sign_in(pcn_manager)
    assert client.get(reverse("compliance:person", args=[supervisor.pk])).status_code == 404
    assert client.get(reverse("compliance:person", args=[pcn_manager.pk])).status_code == 404
    assert client.get(reverse("compliance:person", args=[999999])).status_code == 404


def test_the_icb_viewer_is_sent_to_their_own_dashboard(sign_in, icb_viewer, compliant):
    client = sign_in(icb_viewer)
    response = client.get(reverse("compliance:dashboard"))
    assert response.status_code == 302 and response.url == reverse("compliance:icb")
    assert client.get(reverse("compliance:person", args=[compliant.pk])).status_code == 403
    assert client.get(
        reverse("compliance:requirement", args=[compliant.pk, "1a"])).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, compliant):
    for url in (reverse("compliance:dashboard"), reverse("compliance:icb"),
                reverse("compliance:person", args=[compliant.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


# --- query counts ---------------------------------------------------------------------------


def _count_queries(client, url, params=None):
    """Queries of one request with nothing cached: the builders write outside the services, so
    nothing marks the cached results out of date (and the cold path is the one that could
    grow)."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured), response


def test_dashboard_queries_are_the_same_for_3_and_30_coordinators(sign_in, pcn_manager, pcn):
    for _ in range(3):
        compliant_coordinator(pcn, AS_OF)
    client = sign_in(pcn_manager)
    client.get(reverse("compliance:dashboard"))  # warm the session and caches
    small, response = _count_queries(client, reverse("compliance:dashboard"))
    assert "<strong>3 of 3</strong>" in response.content.decode()
    for _ in range(27):
        compliant_coordinator(pcn, AS_OF)
    large, response = _count_queries(client, reverse("compliance:dashboard"))
    html = response.content.decode()
    assert "<strong>30 of 30</strong>" in html
    assert "Page 2 of 2" in html  # 25 a page
    assert large == small
    page_two, _ = _count_queries(client, reverse("compliance:dashboard"), {"page": "2"})
    assert page_two == small


def test_drill_down_queries_do_not_grow_with_the_pcn(sign_in, pcn_manager, pcn):
    first = compliant_coordinator(pcn, AS_OF)
    client = sign_in(pcn_manager)
    url = reverse("compliance:requirement", args=[first.pk, "6"])
    client.get(url)
    small, _ = _count_queries(client, url)
    for _ in range(5):
        compliant_coordinator(pcn, AS_OF)
    large, _ = _count_queries(client, url)
    assert large == small
