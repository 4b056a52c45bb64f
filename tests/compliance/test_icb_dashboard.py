"""The ICB viewer's dashboard through the real engine: their ICB's PCNs × requirements as
percentages with bands in words, a PCN's counts, no coordinator's name, record or evidence
anywhere, other ICBs' PCNs not found, and query counts that do not grow with PCNs."""

import datetime
import re

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms.compliance import engine
from tests.compliance.builders import compliant_coordinator, coordinator, des_curriculum
from tests.factories import PCNFactory, PracticeFactory

AS_OF = datetime.date(2025, 11, 14)
NAMES = [("Zephyrine", "Quillfeather"), ("Barnaby", "Oddingsell"), ("Ottoline", "Wrexhamby")]


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2025, 11, 14, 12, 0), tick=False):
        yield


@pytest.fixture
def coordinators(pcn, other_pcn, other_icb_pcn):
    des_curriculum()
    return [
        compliant_coordinator(pcn, AS_OF, given_name=NAMES[0][0], family_name=NAMES[0][1]),
        coordinator(pcn, started_on=datetime.date(2024, 9, 2), given_name=NAMES[1][0],
                    family_name=NAMES[1][1]),
        compliant_coordinator(other_icb_pcn, AS_OF, given_name=NAMES[2][0],
                              family_name=NAMES[2][1]),
    ]


def assert_no_names(html, people):
    for person in people:
        assert person.given_name not in html
        assert person.family_name not in html


def main_of(html):
    return html.split('id="maincontent"')[1].split("</main>")[0]


def test_icb_viewer_sees_their_pcns_with_percentages(sign_in, icb_viewer, pcn, other_pcn,
                                                     other_icb_pcn, coordinators):
    response = sign_in(icb_viewer).get(reverse("compliance:icb"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Riverside PCN" in html and "Hillside PCN" in html
    assert "Faraway PCN" not in html
    summary = next(s for s in engine.icb_summary([pcn.icb_id], AS_OF) if s.pcn == pcn)
    for requirement in engine.requirement_set_for(AS_OF).requirements:
        assert requirement.short_title in html
    main = main_of(html)
    # Riverside: one of two coordinators meets 1(a): 50%, "At risk"; 2 coordinators.
    assert summary.percent_met["1a"] == 50
    assert '50%</span> <strong class="nhsuk-tag nhsuk-tag--red">At risk</strong>' in main
    row = re.search(r">Riverside PCN</a></th>(.*?)</tr>", main, re.S).group(1)
    shown = [int(v) for v in re.findall(r'__percent">(\d+)%</span>', row)]
    codes = engine.requirement_set_for(AS_OF).codes
    assert shown == [summary.overall_percent] + [summary.percent_met[c] for c in codes]
    # Hillside has no coordinators: no per cent, in words.
    assert '<strong class="nhsuk-tag nhsuk-tag--grey">No coordinators</strong>' in main
    assert f'href="{reverse("compliance:icb_pcn", args=[pcn.pk])}"' in html
    assert "2 PCNs, 2 care coordinators" in html
    assert_no_names(html, coordinators)


def test_icb_pcn_page_counts_each_status_without_names(sign_in, icb_viewer, pcn, coordinators):
    response = sign_in(icb_viewer).get(reverse("compliance:icb_pcn", args=[pcn.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Riverside PCN: DES compliance" in html
    assert "<strong>1 of 2</strong> care coordinators meet every requirement" in html
    row = re.search(r"1\(a\) PCI training</th>(.*?)</tr>", html, re.S).group(1)
    numbers = re.findall(r"</span>(\d+)</td>", row)
    assert numbers == ["1", "0", "1", "0"]  # met, at risk, not met, not applicable
    assert "50%" in row
    assert 'role="img"' in html and "Show the data as a table" in html
    assert_no_names(html, coordinators)
    # No evidence links, files or records of anyone.
    main = main_of(html)
    assert "/files/" not in main and "/people/" not in main and "/learning/" not in main


def test_the_icb_viewer_never_sees_a_coordinators_name(sign_in, icb_viewer, pcn, other_pcn,
                                                       coordinators):
    client = sign_in(icb_viewer)
    urls = [
        reverse("compliance:icb"),
        reverse("compliance:icb_pcn", args=[pcn.pk]),
        reverse("compliance:icb_pcn", args=[other_pcn.pk]),
        reverse("compliance:icb") + "?as_at_day=1&as_at_month=6&as_at_year=2025",
        reverse("compliance:dashboard"),
    ]
    for person in coordinators:
        urls += [reverse("compliance:person", args=[person.pk]),
                 reverse("compliance:requirement", args=[person.pk, "1a"])]
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code in (200, 403, 404), url
        assert_no_names(response.content.decode(), coordinators)


def test_other_icbs_pcns_are_not_found(sign_in, icb_viewer, other_icb_pcn, coordinators):
    client = sign_in(icb_viewer)
    assert client.get(reverse("compliance:icb_pcn", args=[other_icb_pcn.pk])).status_code \
        == 404
    assert client.get(reverse("compliance:icb_pcn", args=[999999])).status_code == 404


def test_only_icb_viewers_may_look(sign_in, pcn, pcn_manager, care_coordinator,
                                   no_role_person):
    for person in (pcn_manager, care_coordinator, no_role_person):
        client = sign_in(person)
        assert client.get(reverse("compliance:icb")).status_code == 403
        assert client.get(reverse("compliance:icb_pcn", args=[pcn.pk])).status_code == 403


@pytest.mark.parametrize("params, message", [
    ({"as_at_day": "1", "as_at_month": "1", "as_at_year": "2030"},
     "‘As at’ date must be today or in the past"),
    ({"as_at_day": "1", "as_at_month": "1", "as_at_year": "2020"},
     "There are no DES requirements for 1 January 2020"),
    ({"as_at_day": "a", "as_at_month": "b", "as_at_year": "c"}, "Enter a real date"),
])
def test_bad_as_at_dates(sign_in, icb_viewer, pcn, coordinators, params, message):
    response = sign_in(icb_viewer).get(reverse("compliance:icb"), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "There is a problem" in html
    assert "this page shows today, 14 November 2025" in html
    assert "Riverside PCN" in html


def test_icb_pcn_before_the_pcn_existed(sign_in, icb_viewer, pcn, coordinators):
    started = engine.pcn_started_on(pcn)
    day = started - datetime.timedelta(days=1)
    response = sign_in(icb_viewer).get(reverse("compliance:icb_pcn", args=[pcn.pk]), {
        "as_at_day": day.day, "as_at_month": day.month, "as_at_year": day.year})
    html = response.content.decode()
    assert "when Riverside PCN started" in html


def test_a_past_date_is_carried_to_the_pcn_page(sign_in, icb_viewer, pcn, coordinators):
    html = sign_in(icb_viewer).get(reverse("compliance:icb"), {
        "as_at_day": "2", "as_at_month": "6", "as_at_year": "2025"}).content.decode()
    assert "As at <strong>2 June 2025</strong>" in html
    url = reverse("compliance:icb_pcn", args=[pcn.pk])
    assert f'href="{url}?as_at_day=2&amp;as_at_month=6&amp;as_at_year=2025"' in html


def _queries(client, url):
    cache.clear()  # builders write outside the services: measure the uncached path
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_icb_dashboard_queries_are_the_same_for_2_and_6_pcns(sign_in, icb_viewer, icb, pcn,
                                                             other_pcn):
    compliant_coordinator(pcn, AS_OF)
    compliant_coordinator(other_pcn, AS_OF)
    client = sign_in(icb_viewer)
    client.get(reverse("compliance:icb"))
    small, html = _queries(client, reverse("compliance:icb"))
    assert "2 PCNs" in html
    for n in range(4):
        more = PCNFactory(icb=icb, name=f"Extra {n} PCN")
        PracticeFactory(pcn=more)
        compliant_coordinator(more, AS_OF)
        compliant_coordinator(more, AS_OF)
    large, html = _queries(client, reverse("compliance:icb"))
    assert "6 PCNs, 10 care coordinators" in html
    assert large == small


def test_icb_pcn_page_queries_do_not_grow_with_coordinators(sign_in, icb_viewer, pcn):
    compliant_coordinator(pcn, AS_OF)
    client = sign_in(icb_viewer)
    url = reverse("compliance:icb_pcn", args=[pcn.pk])
    client.get(url)
    small, _ = _queries(client, url)
    for _ in range(4):
        compliant_coordinator(pcn, AS_OF)
    large, html = _queries(client, url)
    assert "<strong>5 of 5</strong>" in html
    assert large == small
