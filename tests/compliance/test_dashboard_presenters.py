"""Dashboard presenters with hand-built results: layout, tags in words, forecast windows,
the "as at" date's messages, ICB bands. The engine is replaced by fakes here; the
integration tests (test_dashboard.py, test_icb_dashboard.py) run through the real one."""

import datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from lms.compliance import dashboard_views as views
from lms.compliance.requirements import REQUIREMENT_SETS
from lms.compliance.results import (
    CoordinatorCompliance,
    Evidence,
    ForecastItem,
    RequirementResult,
    Status,
)

TODAY = datetime.date(2025, 11, 20)
RS = next(rs for rs in REQUIREMENT_SETS if rs.contract_year == "2025/26")


def fake_requirement_set_for(as_of):
    for rs in REQUIREMENT_SETS:
        if rs.starts_on <= as_of <= rs.ends_on:
            return rs
    raise ValidationError("There are no DES requirements for that date.")


def compliance_for(person, as_of, statuses=None):
    statuses = statuses or {}
    results = {}
    for requirement in RS.requirements:
        status = statuses.get(requirement.code, Status.MET)
        results[requirement.code] = RequirementResult(
            requirement=requirement, status=status, summary=f"Summary of {requirement.code}",
            evidence=(Evidence(label=f"Record for {requirement.code}", on=TODAY,
                               detail="Detail text", by="Grace Hughes", url="/files/1/"),),
            lapses_on=datetime.date(2026, 1, 5) if status == Status.AT_RISK else None,
        )
    return CoordinatorCompliance(person=person, as_of=as_of, contract_year=RS.contract_year,
                                 results=results)


@pytest.fixture
def fake_engine(monkeypatch, care_coordinator, other_coordinator):
    calls = SimpleNamespace(pcn_compliance=[], icb_summary=[])
    statuses = {"1a": Status.NOT_MET, "SMT": Status.AT_RISK, "IND": Status.NOT_APPLICABLE}

    def pcn_compliance(pcn, as_of, version=None):
        calls.pcn_compliance.append((pcn, as_of))
        people = [p for p in (care_coordinator, other_coordinator) if p.pcn_id == pcn.pk]
        return [compliance_for(p, as_of, statuses) for p in people]

    def coordinator_compliance(person, as_of):
        return compliance_for(person, as_of, statuses)

    def forecast(pcn, as_of, days=90):
        requirement = RS.requirement("SMT")
        return [
            ForecastItem(care_coordinator, RS.requirement("1a"), as_of - datetime.timedelta(3),
                         "PCI training not evidenced"),
            ForecastItem(care_coordinator, requirement, as_of + datetime.timedelta(10),
                         "Information governance expires before next claim month"),
            ForecastItem(care_coordinator, RS.requirement("6"), as_of + datetime.timedelta(45),
                         "Supervision overdue"),
            ForecastItem(care_coordinator, RS.requirement("4"), as_of + datetime.timedelta(80),
                         "Partner review due"),
        ]

    def pcn_trend(pcn, as_of, months=12, version=None):
        return [(datetime.date(2025, m, 28), m, 10) for m in range(1, 11)] + [
            (datetime.date(2025, 11, 30), 0, 0)]

    def icb_summary(icb_ids, as_of):
        calls.icb_summary.append((icb_ids, as_of))
        from lms.models import PCN

        return [
            SimpleNamespace(pcn=pcn, coordinator_count=2 if i == 0 else 0,
                            percent_met={r.code: 95 - 20 * (j % 3) for j, r in
                                         enumerate(RS.requirements)},
                            overall_percent=72)
            for i, pcn in enumerate(PCN.objects.filter(icb_id__in=icb_ids).order_by("name"))
        ]

    for name, function in {
        "requirement_set_for": fake_requirement_set_for,
        "contract_years": lambda: list(REQUIREMENT_SETS),
        "pcn_compliance": pcn_compliance,
        "cached_pcn_compliance": pcn_compliance,
        "coordinator_compliance": coordinator_compliance,
        "forecast": forecast,
        "forecast_from": lambda compliances, as_of, days=90: forecast(None, as_of, days),
        "pcn_trend": pcn_trend,
        "icb_summary": icb_summary,
        "pcn_started_on": lambda pcn: datetime.date(2025, 1, 6),
    }.items():
        monkeypatch.setattr(views.engine, name, function, raising=False)
    return calls


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2025, 11, 20, 12, 0), tick=False):
        yield


def test_manager_sees_every_coordinator_and_requirement_as_tag_words(
        fake_engine, sign_in, pcn_manager, care_coordinator, other_coordinator):
    response = sign_in(pcn_manager).get(reverse("compliance:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Amira Khan" in html and "Dev Patel" not in html
    for requirement in RS.requirements:
        assert requirement.short_title in html
    assert '<strong class="nhsuk-tag nhsuk-tag--red">Not met</strong>' in html
    assert '<strong class="nhsuk-tag nhsuk-tag--yellow">At risk</strong>' in html
    assert '<strong class="nhsuk-tag nhsuk-tag--grey">Not applicable</strong>' in html
    assert "7 of 9" in html  # met of applicable
    cell = reverse("compliance:requirement", args=[care_coordinator.pk, "1a"])
    assert f'href="{cell}"' in html
    assert "Network Contract DES <strong>2025/26</strong>" in html


def test_forecast_grouped_by_window(fake_engine, sign_in, pcn_manager, care_coordinator):
    html = sign_in(pcn_manager).get(reverse("compliance:dashboard")).content.decode()
    lapsed = html.index("Not met now")
    thirty = html.index("In the next 30 days")
    sixty = html.index("In 31 to 60 days")
    ninety = html.index("In 61 to 90 days")
    assert lapsed < html.index("PCI training not evidenced") < thirty
    assert thirty < html.index("Information governance expires before next claim month") < sixty
    assert sixty < html.index("Supervision overdue") < ninety
    assert ninety < html.index("Partner review due")
    assert "<strong>1</strong> not met now" in html
    assert "<strong>1</strong> more in the next 30 days" in html
    assert "<strong>3</strong> more in the next 90 days" in html


def test_forecast_windows_function():
    as_of = TODAY
    item = lambda days: SimpleNamespace(on=as_of + datetime.timedelta(days))  # noqa: E731
    groups, cumulative = views.forecast_windows(
        [item(-1), item(0), item(1), item(30), item(31), item(60), item(61), item(90),
         item(91)], as_of)
    assert [(g.heading, len(g.items)) for g in groups] == [
        ("Not met now", 2), ("In the next 30 days", 2), ("In 31 to 60 days", 2),
        ("In 61 to 90 days", 2)]
    assert cumulative == [2, 4, 6]
    groups, cumulative = views.forecast_windows([], as_of)
    assert [len(g.items) for g in groups] == [0, 0, 0, 0] and cumulative == [0, 0, 0]


def test_trend_chart_and_table(fake_engine, sign_in, pcn_manager):
    html = sign_in(pcn_manager).get(reverse("compliance:dashboard")).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html
    assert "Show the data as a table" in html
    assert "October 2025" in html and "100%" in html
    assert "Nothing to count" in html


@pytest.mark.parametrize("day, month, year, message", [
    ("21", "11", "2025", "‘As at’ date must be today or in the past"),
    ("1", "1", "2025", "‘As at’ date must be on or after 6 January 2025, when Riverside PCN "
                       "started"),
    ("31", "2", "2025", "Enter a real date"),
    ("", "3", "2025", "Date must include a day"),
    ("x", "<b>", "2025", "Enter a real date"),
])
def test_bad_as_at_date_is_a_field_error_and_today_is_shown(
        fake_engine, sign_in, pcn_manager, day, month, year, message):
    response = sign_in(pcn_manager).get(reverse("compliance:dashboard"), {
        "as_at_day": day, "as_at_month": month, "as_at_year": year})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "<title>Error: " in html
    assert "There is a problem" in html
    assert f'value="{day}"' in html or day == ""  # the input is kept
    assert "<b>" not in html.split("<main")[1] or month != "<b>"
    assert "this page shows today, 20 November 2025" in html
    assert fake_engine.pcn_compliance[-1][1] == TODAY


def test_a_date_no_contract_year_covers(fake_engine, sign_in, pcn_manager, monkeypatch):
    monkeypatch.setattr(views.engine, "pcn_started_on", lambda pcn: None, raising=False)
    html = sign_in(pcn_manager).get(reverse("compliance:dashboard"), {
        "as_at_day": "1", "as_at_month": "1", "as_at_year": "2020"}).content.decode()
    assert "There are no DES requirements for that date." in html
    assert fake_engine.pcn_compliance[-1][1] == TODAY


def test_a_past_date_is_used_and_carried_onto_cell_links(
        fake_engine, sign_in, pcn_manager, care_coordinator, monkeypatch):
    monkeypatch.setattr(views.engine, "pcn_started_on", lambda pcn: datetime.date(2024, 4, 1),
                        raising=False)
    html = sign_in(pcn_manager).get(reverse("compliance:dashboard"), {
        "as_at_day": "15", "as_at_month": "6", "as_at_year": "2024"}).content.decode()
    assert fake_engine.pcn_compliance[-1][1] == datetime.date(2024, 6, 15)
    assert "Network Contract DES <strong>2024/25</strong>" in html
    cell = reverse("compliance:requirement", args=[care_coordinator.pk, "1a"])
    assert f'href="{cell}?as_at_day=15&amp;as_at_month=6&amp;as_at_year=2024"' in html


def test_today_outside_every_contract_year(fake_engine, sign_in, pcn_manager, monkeypatch):
    def nothing(as_of):
        raise ValidationError("no")

    monkeypatch.setattr(views.engine, "requirement_set_for", nothing, raising=False)
    html = sign_in(pcn_manager).get(reverse("compliance:dashboard")).content.decode()
    assert "No DES rules for this date" in html
    assert fake_engine.pcn_compliance == []


def test_requirement_drill_down_shows_status_summary_and_evidence(
        fake_engine, sign_in, pcn_manager, care_coordinator):
    response = sign_in(pcn_manager).get(
        reverse("compliance:requirement", args=[care_coordinator.pk, "SMT"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<strong class="nhsuk-tag nhsuk-tag--yellow">At risk</strong>' in html
    assert "Summary of SMT" in html
    assert '<a href="/files/1/">Record for SMT</a>' in html
    assert "Grace Hughes" in html and "Detail text" in html
    assert "Stops being met on" in html and "5 January 2026" in html


def test_unknown_requirement_code_is_not_found(fake_engine, sign_in, pcn_manager,
                                               care_coordinator):
    client = sign_in(pcn_manager)
    for code in ("9z", "<script>", "1A"):
        url = reverse("compliance:person", args=[care_coordinator.pk]) + code + "/"
        assert client.get(url).status_code == 404


def test_person_page_lists_every_requirement(fake_engine, sign_in, pcn_manager,
                                             care_coordinator):
    html = sign_in(pcn_manager).get(
        reverse("compliance:person", args=[care_coordinator.pk])).content.decode()
    for requirement in RS.requirements:
        assert requirement.short_title in html
    assert "7 of 9" in html
    assert "Amira Khan: DES compliance" in html


def test_coordinator_sees_their_own_page(fake_engine, sign_in, care_coordinator):
    client = sign_in(care_coordinator)
    response = client.get(reverse("compliance:mine"))
    assert response.status_code == 302
    html = client.get(response.url).content.decode()
    assert "Your DES compliance" in html


def test_icb_dashboard_percentages_with_bands(fake_engine, sign_in, icb_viewer, pcn,
                                              other_pcn, care_coordinator):
    html = sign_in(icb_viewer).get(reverse("compliance:icb")).content.decode()
    assert "Riverside PCN" in html and "Hillside PCN" in html
    assert '95%</span> <strong class="nhsuk-tag nhsuk-tag--green">Good</strong>' in html
    assert '75%</span> <strong class="nhsuk-tag nhsuk-tag--yellow">Needs attention</strong>' in html
    assert '55%</span> <strong class="nhsuk-tag nhsuk-tag--red">At risk</strong>' in html
    assert "No coordinators" in html  # Riverside has none in this fake
    assert "Amira Khan" not in html


def test_icb_pcn_page_counts_without_names(fake_engine, sign_in, icb_viewer, pcn,
                                           care_coordinator):
    html = sign_in(icb_viewer).get(reverse("compliance:icb_pcn", args=[pcn.pk])).content.decode()
    assert "Riverside PCN: DES compliance" in html
    assert "Amira" not in html and "Khan" not in html
    assert "/files/1/" not in html and "Record for" not in html


@pytest.mark.parametrize("value, label", [
    (None, "No coordinators"), (0, "At risk"), (59, "At risk"), (60, "Needs attention"),
    (89, "Needs attention"), (90, "Good"), (100, "Good"),
])
def test_bands(value, label):
    assert views.band_for(value).label == label


def test_icb_overall_is_weighted_by_coordinators():
    summaries = [SimpleNamespace(overall_percent=100, coordinator_count=1),
                 SimpleNamespace(overall_percent=50, coordinator_count=3),
                 SimpleNamespace(overall_percent=0, coordinator_count=0)]
    assert views.icb_overall_percent(summaries) == 63
    assert views.icb_overall_percent([]) is None
