"""The PCN dashboard's cached HTML (`dashboard_views.dashboard_results`): the table, forecast
and trend are rendered once per PCN data version, date and code, and served from the cache
after that; an audited change shows on the next view, another PCN's change does not throw
the entry away, and nothing of the viewer's is ever in it."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms import services
from lms.compliance import dashboard_views, engine
from lms.models import LearningStatus, Role
from tests.compliance.builders import (
    compliant_coordinator,
    coordinator,
    days,
    des_curriculum,
)
from tests.conftest import make_person, without_nonces

AS_OF = datetime.date(2025, 11, 14)
URL = "/compliance/"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2025, 11, 14, 12, 0), tick=False):
        yield


@pytest.fixture
def evaluations(monkeypatch):
    """How many times the engine evaluated coordinators (a cached page evaluates none)."""
    calls = []
    evaluate = engine._evaluate

    def counting(coordinators, as_of, rs):
        calls.append(as_of)
        return evaluate(coordinators, as_of, rs)

    monkeypatch.setattr(engine, "_evaluate", counting)
    return calls


@pytest.fixture
def renders(monkeypatch):
    """How many times the cached part of the page was rendered."""
    calls = []
    render = dashboard_views.render_to_string

    def counting(template_name, context=None, *args, **kwargs):
        calls.append(template_name)
        return render(template_name, context, *args, **kwargs)

    monkeypatch.setattr(dashboard_views, "render_to_string", counting)
    return calls


def get(client, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("compliance:dashboard"), params or {})
    assert response.status_code == 200, response.status_code
    return len(captured), response.content.decode()


def cell_status(html, person, code) -> str:
    """The words of one cell's tag in the coordinators × requirements table."""
    url = reverse("compliance:requirement", args=[person.pk, code])
    found = re.search(re.escape(f'href="{url}') + r'[^"]*"><strong class="nhsuk-tag[^"]*">'
                      r"([^<]+)</strong>", html)
    assert found, f"no cell for {code}"
    return found.group(1)


def table(html) -> str:
    """The coordinators × requirements table (the forecast below it names everyone)."""
    return html[html.index('id="coordinators"'):html.index('id="forecast"')]


@pytest.fixture
def bare(pcn):
    """A coordinator with nothing recorded: statutory and mandatory training not met."""
    des_curriculum()
    return coordinator(pcn, started_on=datetime.date(2024, 9, 2), given_name="Barnaby",
                       family_name="Oddingsell")


def test_a_second_view_is_served_from_the_cache(sign_in, pcn_manager, pcn, evaluations,
                                                renders):
    for _ in range(3):
        compliant_coordinator(pcn, AS_OF)
    client = sign_in(pcn_manager)
    first, html = get(client)
    assert evaluations and renders
    evaluations.clear()
    renders.clear()
    second, again = get(client)
    assert evaluations == [] and renders == []  # nothing evaluated, nothing rendered again
    assert second < first
    assert without_nonces(again) == without_nonces(html.replace(_csrf(html), _csrf(again)))
    # The session and the viewer's scope (the middleware), the PCNs with their data
    # versions, and the cache read; whatever the number of coordinators.
    assert "<strong>3 of 3</strong>" in again
    third, _ = get(client)
    assert third == second


def _csrf(html) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_a_learning_record_completed_through_its_service_shows_at_once(
        sign_in, pcn_manager, bare):
    client = sign_in(pcn_manager)
    _, html = get(client)
    assert cell_status(html, bare, "SMT") == "Not met"
    get(client)  # served from the cache
    curriculum = des_curriculum()
    for item in (curriculum.information_governance, curriculum.fire_safety):
        services.learning_record_save(
            actor=bare.user, person=bare, item=item, stage=LearningStatus.COMPLETED,
            enrolled_on=AS_OF - days(20), started_on=AS_OF - days(20),
            completed_on=AS_OF - days(10),
        )
    _, html = get(client)
    assert cell_status(html, bare, "SMT") == "Met"


def test_another_pcns_change_keeps_our_cached_page(sign_in, pcn_manager, pcn, other_pcn,
                                                   evaluations):
    compliant_coordinator(pcn, AS_OF)
    theirs = compliant_coordinator(other_pcn, AS_OF)
    client = sign_in(pcn_manager)
    get(client)
    cached, _ = get(client)
    evaluations.clear()
    services.learning_record_save(
        actor=theirs.user, person=theirs, item=des_curriculum().fire_safety,
        stage=LearningStatus.COMPLETED, enrolled_on=AS_OF - days(3),
        started_on=AS_OF - days(3), completed_on=AS_OF - days(2),
    )
    after, html = get(client)
    assert evaluations == [] and after == cached
    assert "<strong>1 of 1</strong>" in html


def test_page_two_and_a_past_date_are_their_own_entries(sign_in, pcn_manager, pcn, renders):
    people = [compliant_coordinator(pcn, AS_OF, family_name=f"Name{n:02d}") for n in range(27)]
    client = sign_in(pcn_manager)
    _, first = get(client)
    _, second = get(client, {"page": "2"})
    assert "Name00" in table(first) and "Name26" not in table(first)
    assert "Name26" in table(second) and "Name00" not in table(second)
    assert "Page 2 of 2" in first and "Page 1 of 2" in second
    assert renders.count("compliance/dashboard/_pcn_table.html") == 2  # both pages at once
    # Any page number a visitor types reads the same entry.
    renders.clear()
    for page in ("1", "abc", "999"):
        get(client, {"page": page})
    assert renders == []
    past = {"as_at_day": "3", "as_at_month": "10", "as_at_year": "2025"}
    _, html = get(client, past)
    assert renders  # a date of its own
    assert "as at 3 October 2025" in html
    cell = reverse("compliance:requirement", args=[people[0].pk, "1a"])
    assert f'href="{cell}?as_at_day=3&amp;as_at_month=10&amp;as_at_year=2025"' in html
    # ...and today's entry is still there, with links that carry no date.
    renders.clear()
    _, html = get(client)
    assert renders == []
    assert f'href="{cell}"' in html and "as at 14 November 2025" in html


def test_today_chosen_as_a_date_shares_todays_entry_and_its_plain_links(
        sign_in, pcn_manager, pcn, renders):
    person = compliant_coordinator(pcn, AS_OF)
    client = sign_in(pcn_manager)
    get(client)
    renders.clear()
    _, html = get(client, {"as_at_day": "14", "as_at_month": "11", "as_at_year": "2025"})
    assert renders == []
    assert f'href="{reverse("compliance:requirement", args=[person.pk, "1a"])}"' in html


def test_two_managers_of_one_pcn_each_see_their_own_header(sign_in, pcn_manager, pcn,
                                                           renders):
    compliant_coordinator(pcn, AS_OF, given_name="Zephyrine", family_name="Quillfeather")
    other = make_person(Role.PCN_MANAGER, pcn=pcn, given_name="Ola", family_name="Other")
    _, mine = get(sign_in(pcn_manager))
    renders.clear()
    _, theirs = get(sign_in(other))
    assert renders == []  # served from the entry the first manager's view made
    assert "Zephyrine Quillfeather" in mine and "Zephyrine Quillfeather" in theirs
    assert pcn_manager.user.email in mine and other.user.email not in mine
    assert other.user.email in theirs and pcn_manager.user.email not in theirs


def test_the_cached_part_holds_nothing_of_the_viewer(sign_in, pcn_manager, pcn):
    compliant_coordinator(pcn, AS_OF)
    get(sign_in(pcn_manager))
    as_at = dashboard_views.AsAt(as_of=AS_OF, today=AS_OF, form=None,
                                 requirement_set=engine.requirement_set_for(AS_OF))
    pcn_with_version = engine.pcns_with_data_versions([pcn.pk])[0]
    results = dashboard_views.dashboard_results(pcn_with_version, as_at)
    cached = "".join(dashboard_views.unpack_html(html)
                     for html in [*results["tables"].values(), results["rest"]])
    assert "csrfmiddlewaretoken" not in cached
    assert pcn_manager.user.email not in cached
    assert pcn_manager.full_name not in cached


def test_a_renamed_pcn_is_rendered_again(sign_in, pcn_manager, pcn, renders):
    compliant_coordinator(pcn, AS_OF)
    client = sign_in(pcn_manager)
    get(client)
    pcn.name = "Riverside and Meadows PCN"
    pcn.save()  # the admin would log it (a new version); the name is in the key as well
    renders.clear()
    _, html = get(client)
    assert renders
    assert "Riverside and Meadows PCN: per cent of DES results met" in html


def test_a_past_date_before_the_pcn_started_is_refused(sign_in, pcn_manager, pcn):
    compliant_coordinator(pcn, AS_OF, started_on=datetime.date(2025, 1, 6))
    _, html = get(sign_in(pcn_manager), {"as_at_day": "1", "as_at_month": "6",
                                         "as_at_year": "2020"})
    assert "when Riverside PCN started" in html
    assert "this page shows today, 14 November 2025" in html


def test_todays_page_does_not_ask_when_the_pcn_started(sign_in, pcn_manager, pcn,
                                                       monkeypatch):
    compliant_coordinator(pcn, AS_OF)
    asked = []
    monkeypatch.setattr(engine, "pcn_started_on", lambda pcn: asked.append(pcn))
    get(sign_in(pcn_manager))
    assert asked == []


def test_a_pcn_without_coordinators_is_cached_too(sign_in, pcn_manager, renders):
    client = sign_in(pcn_manager)
    _, html = get(client)
    renders.clear()
    _, again = get(client, {"page": "2"})
    assert renders == []
    for page in (html, again):
        assert "Riverside PCN had no care coordinators on 14 November 2025." in page
        assert "What the requirements mean" not in page and "Pagination" not in page
        assert "Coming up: the next 90 days" in page
