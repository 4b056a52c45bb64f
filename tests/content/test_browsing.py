"""Signed-in staff browse, filter and search the curriculum on NHS-styled pages."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import format_html
from wagtail import hooks

from content.models import ITEMS_PER_PAGE, LEARNER_STATUS_HOOK, Evidence, ItemCoverage, Kind

from .conftest import add_item


@pytest.fixture
def reader(care_coordinator, sign_in):
    return sign_in(care_coordinator)


def item_titles(response):
    return re.findall(r'<h3 class="nhsuk-heading-s[^"]*"><a href="[^"]+">([^<]+)</a>',
                      response.content.decode())


def test_the_index_lists_its_sections(reader, section):
    response = reader.get("/curriculum/")

    assert response.status_code == 200
    assert b"<h1>Curriculum</h1>" in response.content
    assert section.title in item_titles(response)


def test_a_section_lists_its_items_with_an_nhs_tag_for_their_kind(reader, section):
    add_item(section, title="Fire safety", kind=Kind.STATUTORY_MANDATORY)
    add_item(section, title="Making Every Contact Count", kind=Kind.ELFH_COURSE)

    response = reader.get(section.url)

    assert item_titles(response) == ["Fire safety", "Making Every Contact Count"]
    html = response.content.decode()
    assert '<strong class="nhsuk-tag nhsuk-tag--red">Statutory and mandatory</strong>' in html
    assert '<strong class="nhsuk-tag nhsuk-tag--green">e-LfH course</strong>' in html
    assert 'aria-label="Breadcrumb"' in html and 'href="/curriculum/"' in html


def test_a_section_filters_by_kind_without_javascript(reader, section):
    add_item(section, title="Fire safety", kind=Kind.STATUTORY_MANDATORY)
    add_item(section, title="Making Every Contact Count", kind=Kind.ELFH_COURSE)

    response = reader.get(section.url, {"kind": Kind.ELFH_COURSE})

    assert item_titles(response) == ["Making Every Contact Count"]
    assert b'<option value="elfh_course" selected>' in response.content


def test_an_unknown_kind_is_ignored(reader, section):
    add_item(section, title="Fire safety")

    response = reader.get(section.url, {"kind": "<script>"})

    assert response.status_code == 200
    assert item_titles(response) == ["Fire safety"]


def test_search_finds_an_item(reader, section):
    add_item(section, title="Fire safety", summary="Preventing fires at work.")
    add_item(section, title="Conflict resolution", summary="Calming conflict.")

    response = reader.get("/curriculum/", {"q": "fires"})

    assert response.status_code == 200
    assert item_titles(response) == ["Fire safety"]


def test_a_search_with_no_results_shows_an_nhs_styled_empty_state(reader, section):
    add_item(section, title="Fire safety")

    response = reader.get(section.url, {"q": "xylophone"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="nhsuk-inset-text coordinate-empty-results"' in html
    assert "No results found for ‘xylophone’" in html


def test_an_over_long_search_is_shortened_not_an_error(reader, section):
    add_item(section, title="Fire safety")

    response = reader.get("/curriculum/", {"q": "fire " * 400})

    assert response.status_code == 200
    assert b"Your search was shortened" in response.content


def test_long_lists_are_paged_and_pages_keep_the_filter(reader, section):
    for n in range(ITEMS_PER_PAGE + 3):
        add_item(section, title=f"Subject {n:02d}", kind=Kind.ELFH_COURSE)

    first = reader.get(section.url, {"kind": Kind.ELFH_COURSE})
    second = reader.get(section.url, {"kind": Kind.ELFH_COURSE, "page": 2})

    assert len(item_titles(first)) == ITEMS_PER_PAGE
    assert b"?kind=elfh_course&amp;page=2" in first.content
    assert item_titles(second) == ["Subject 20", "Subject 21", "Subject 22"]


def test_the_section_query_count_does_not_grow_with_its_items(
    reader, section, care_certificate_2025, django_assert_num_queries
):
    add_item(section, title="Standard 1", kind=Kind.CARE_CERTIFICATE,
             framework_version=care_certificate_2025)
    reader.get(section.url)  # warm per-process caches (site root paths, content types)
    with CaptureQueriesContext(connection) as few:
        reader.get(section.url)

    for n in range(2, 15):
        add_item(section, title=f"Standard {n}", kind=Kind.CARE_CERTIFICATE,
                 framework_version=care_certificate_2025)
    with django_assert_num_queries(len(few)):
        response = reader.get(section.url)
    assert len(item_titles(response)) == 14


def test_an_item_shows_its_essentials_and_opens_the_provider_site(reader, section):
    item = add_item(
        section, title="Making Every Contact Count", kind=Kind.ELFH_COURSE,
        provider="e-Learning for Healthcare (e-LfH)", external_url="https://www.e-lfh.org.uk/",
        estimated_hours=1.5, delivery_mode="e_learning", refresher_months=36,
        in_induction=True, induction_week=4, evidence_expected=[Evidence.CERTIFICATE],
        learning_outcomes="Ask questions that open a conversation\nListen effectively",
    )

    html = reader.get(item.url).content.decode()

    summary = html[html.index('<dl class="nhsuk-summary-list">'):html.index("</dl>")]
    text = " ".join(re.sub(r"<[^>]+>", " ", summary).split())
    assert "Provider e-Learning for Healthcare (e-LfH)" in text
    assert "PCI-assured No" in text
    assert "Estimated time 1.5 hours" in text
    assert "How it is delivered e-learning" in text
    assert "Refresher Every 3 years" in text
    assert "Evidence expected Certificate" in text
    assert "Induction Complete by week 4 after your start date" in text
    assert ('class="nhsuk-action-link" href="https://www.e-lfh.org.uk/" target="_blank" '
            'rel="noopener noreferrer"') in html
    assert "<li>Listen effectively</li>" in html


def test_an_item_says_what_else_it_covers_and_what_covers_it(reader, section):
    programme = add_item(section, title="Care Certificate programme", kind=Kind.ELFH_COURSE)
    ipc = add_item(section, title="Infection prevention and control")
    programme.coverages = [ItemCoverage(covers=ipc, note="its infection control section")]
    programme.save_revision().publish()

    programme_html = reader.get(programme.url).content.decode()
    ipc_html = reader.get(ipc.url).content.decode()

    assert "Completing this also covers" in programme_html
    assert f'<a href="{ipc.url}">Infection prevention and control</a>' in programme_html
    assert "(its infection control section)" in programme_html
    assert "Also covered by" in ipc_html
    assert f'<a href="{programme.url}">Care Certificate programme</a>' in ipc_html


def test_a_higher_layer_shows_learner_status_through_the_hook(reader, section):
    item = add_item(section, title="Fire safety")

    def status(request, page):
        return format_html("<p id='status'>{} – {}</p>", request.user.email, page.title)

    assert b"id='status'" not in reader.get(item.url).content
    with hooks.register_temporarily(LEARNER_STATUS_HOOK, status):
        response = reader.get(item.url)

    assert "– Fire safety</p>".encode() in response.content


def test_an_anonymous_visitor_is_sent_to_sign_in(client, section):
    response = client.get(section.url)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
