"""PCN heatmap: managers only, status words per competency, filters, CSV, queries."""

import csv
import datetime
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from competencies import services
from competencies.models import (
    Competency,
    Domain,
    EvidenceKind,
    Framework,
    FrameworkStatus,
)
from lms.models import Role
from tests.conftest import make_person

pytestmark = pytest.mark.django_db
URL = reverse("competency_reports:heatmap")
CSV_URL = reverse("competency_reports:heatmap_csv")


@pytest.fixture
def framework(db):
    framework = Framework.objects.create(
        code="pcc-2025", name="Personalised care", version="2025",
        signoffs_required=1, evidence_kinds_required=1,
    )
    relationships = Domain.objects.create(framework=framework, code="relationships",
                                          name="Relationships", sort_order=1)
    planning = Domain.objects.create(framework=framework, code="planning", name="Planning",
                                     sort_order=2)
    for domain, code, title in (
        (relationships, "rapport", "Builds rapport"),
        (relationships, "listening", "Listens actively"),
        (relationships, "referral", "Makes referrals"),
        (planning, "care-plans", "Explains care plans"),
        (planning, "follow-up", "Follows up"),
        (planning, "records", "Keeps records"),
    ):
        Competency.objects.create(framework=framework, domain=domain, code=code, title=title,
                                  descriptor=f"{title}.", target_level=3)
    return framework


@pytest.fixture
def other_framework(db):
    framework = Framework.objects.create(code="zzz-later", name="Zeta skills", version="1")
    domain = Domain.objects.create(framework=framework, code="z", name="Zeta area")
    Competency.objects.create(framework=framework, domain=domain, code="zeta", title="Zeta thing",
                              descriptor="Zeta.", target_level=2)
    return framework


def comp(framework, code):
    return framework.competencies.get(code=code)


def observe(person, competency):
    return services.evidence_link_add(actor=person.user, person=person, competency=competency,
                                      kind=EvidenceKind.OBSERVATION, note="Seen doing it.")


def external_request(person, competency, email="gp@oaktree.example"):
    return services.sign_off_request_create(
        actor=person.user, person=person, competency=competency, assessor_name="Dr Okafor",
        assessor_email=email)


def sign_off(request, level):
    return services.sign_off_record(actor=None, request=request, level=level,
                                    comment="Seen it.", assessor_name="Dr Okafor")


@pytest.fixture
def heatmap_data(framework, care_coordinator, pcn, other_coordinator):
    c = {code: comp(framework, code) for code in
         ("rapport", "listening", "referral", "care-plans", "follow-up")}
    # Met: evidence plus a sign-off at the target level.
    observe(care_coordinator, c["rapport"])
    sign_off(external_request(care_coordinator, c["rapport"]), 3)
    # Signed off below the target: "Level 2".
    observe(care_coordinator, c["listening"])
    sign_off(external_request(care_coordinator, c["listening"]), 2)
    # Requested, waiting.
    external_request(care_coordinator, c["referral"])
    # Returned.
    services.sign_off_request_return(
        actor=None, request=external_request(care_coordinator, c["care-plans"]),
        feedback="More evidence.")
    # In progress: a self-assessment only.
    services.self_assessment_record(actor=care_coordinator.user, person=care_coordinator,
                                    competency=c["follow-up"], level=2, narrative="Some.")
    # Someone who has met every competency of the Relationships area.
    star = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Una", family_name="Star")
    for code in ("rapport", "listening", "referral"):
        observe(star, comp(framework, code))
        sign_off(external_request(star, comp(framework, code)), 4)
    observe(other_coordinator, c["rapport"])
    return {"star": star}


def rows_by_name(response):
    return {row.person.full_name: [cell.short_label for cell in row.cells]
            for row in response.context["page"].object_list}


def test_manager_sees_their_coordinators_with_status_words(
    sign_in, pcn_manager, heatmap_data, other_framework
):
    response = sign_in(pcn_manager).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Amira Khan" in html and "Una Star" in html
    assert "Dev Patel" not in html  # another PCN's coordinator
    assert "Jo Smith" not in html  # managers are not rows
    # The first active framework by name is the default.
    assert response.context["framework"].code == "pcc-2025"
    assert "Zeta thing" not in html
    assert rows_by_name(response)["Amira Khan"] == [
        "Met", "Level 2", "Requested", "Returned", "In progress", "Not started"]
    for words in ("Met", "Level 2", "Requested", "Returned", "In progress", "Not started"):
        assert f">{words}</strong>" in html
    assert "Signed off at </span>Level 2" in html  # words for screen readers too


def test_filters_work_without_javascript(
    sign_in, pcn_manager, heatmap_data, framework, other_framework
):
    client = sign_in(pcn_manager)
    relationships = framework.domains.get(code="relationships")
    response = client.get(URL, {"framework": framework.pk, "domain": relationships.pk})
    assert [c.code for c in response.context["competencies"]] == [
        "rapport", "listening", "referral"]
    response = client.get(URL, {"framework": framework.pk, "domain": relationships.pk,
                                "only_not_met": "on"})
    assert set(rows_by_name(response)) == {"Amira Khan"}  # Una met all three
    response = client.get(URL, {"framework": other_framework.pk})
    assert [c.code for c in response.context["competencies"]] == ["zeta"]
    assert "Zeta area" in response.content.decode()
    # An area left over from the previous framework is ignored, not an error.
    response = client.get(URL, {"framework": other_framework.pk, "domain": relationships.pk})
    assert response.status_code == 200
    assert response.context["heatmap"].domain is None
    assert "<title>Error" not in response.content.decode()
    # Nonsense falls back to the defaults.
    response = client.get(URL, {"framework": "nonsense", "domain": "x", "page": "y"})
    assert response.status_code == 200
    assert response.context["framework"] == framework


def test_only_not_met_with_everyone_met_says_so(
    sign_in, pcn_manager, heatmap_data, framework, care_coordinator
):
    care_coordinator.left_on = datetime.date(2025, 6, 1)  # leaves Una, who met the area
    care_coordinator.save()
    relationships = framework.domains.get(code="relationships")
    response = sign_in(pcn_manager).get(URL, {
        "framework": framework.pk, "domain": relationships.pk, "only_not_met": "on"})
    html = response.content.decode()
    assert "Every care coordinator has met every competency shown" in html
    assert "Una Star" not in html and "Amira Khan" not in html


def test_retired_and_draft_frameworks_are_not_offered(sign_in, pcn_manager, framework):
    framework.status = FrameworkStatus.RETIRED
    framework.save()
    response = sign_in(pcn_manager).get(URL, {"framework": framework.pk})
    assert response.status_code == 200
    assert "There are no competency frameworks in use yet" in response.content.decode()


def test_empty_state_without_coordinators(sign_in, other_pcn_manager, framework):
    response = sign_in(other_pcn_manager).get(URL)
    assert "Your PCN has no current care coordinators" in response.content.decode()


@pytest.mark.parametrize("who", ["care_coordinator", "supervisor", "icb_viewer"])
def test_people_who_are_not_pcn_managers_are_refused(sign_in, request, who, framework):
    client = sign_in(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403
    assert client.get(CSV_URL).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, framework):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_pcns_manager_sees_only_their_own_pcn(
    sign_in, other_pcn_manager, heatmap_data
):
    client = sign_in(other_pcn_manager)
    html = client.get(URL).content.decode()
    assert "Dev Patel" in html and "Amira Khan" not in html and "Una Star" not in html
    body = client.get(CSV_URL).content.decode()
    assert "Dev Patel" in body and "Amira Khan" not in body


def table(response) -> str:
    """The matrix's table as drawn (the rest of the page has a fresh CSRF token each time)."""
    html = response.content.decode()
    return html[html.index("<table"):html.index("</table>")]


def test_query_count_is_the_same_for_3_and_30_coordinators(
    sign_in, pcn_manager, pcn, framework, django_assert_num_queries
):
    competencies = list(framework.competencies.all())

    def add(n):
        for i in range(n):
            person = make_person(Role.CARE_COORDINATOR, pcn=pcn)
            observe(person, competencies[i % len(competencies)])
            sign_off(external_request(person, competencies[(i + 1) % len(competencies)]), 3)
            external_request(person, competencies[(i + 2) % len(competencies)])

    client = sign_in(pcn_manager)
    add(3)
    client.get(URL)
    # Cold (cells built and cached) and warm (cells from the cache), for the page and the CSV.
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    with CaptureQueriesContext(connection) as few_warm:
        client.get(URL)
    cache.clear()
    with CaptureQueriesContext(connection) as few_csv:
        client.get(CSV_URL)
    with CaptureQueriesContext(connection) as few_csv_warm:
        client.get(CSV_URL)
    assert len(few_warm) < len(few) and len(few_csv_warm) < len(few_csv)
    add(27)
    cache.clear()
    with django_assert_num_queries(len(few)):
        response = client.get(URL)
    assert len(response.context["page"].object_list) == 25  # paged
    assert "Page 2 of 2" in response.content.decode()
    with django_assert_num_queries(len(few_warm)):
        assert table(client.get(URL)) == table(response)
    cache.clear()
    with django_assert_num_queries(len(few_csv)):
        csv_response = client.get(CSV_URL)
    assert len(csv_response.content.decode().splitlines()) == 31  # header + everyone
    with django_assert_num_queries(len(few_csv_warm)):
        assert client.get(CSV_URL).content == csv_response.content

    # Cells are drawn for the shown page's people only, and page 2 has the rest, in order.
    cache.clear()
    with django_assert_num_queries(len(few)):
        second = client.get(URL, {"page": 2})
    rows = response.context["page"].object_list + second.context["page"].object_list
    assert len(second.context["page"].object_list) == 5
    assert [r.person.full_name for r in rows] == [
        line[0] for line in list(csv.reader(io.StringIO(
            csv_response.content.decode().lstrip("\ufeff"))))[1:]]
    assert all(len(r.cells) == len(competencies) for r in rows)
    # "Only not met" pages the rows it keeps (nobody here has met everything).
    not_met = client.get(URL, {"only_not_met": "on", "page": 2})
    assert not_met.context["page"].paginator.count == 30


def test_csv_matches_and_guards_against_formulas(
    sign_in, pcn_manager, pcn, heatmap_data, framework
):
    make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name='=HYPERLINK("http://x")',
                family_name="+Evil")
    Competency.objects.filter(code="records").update(title="@SUM(A1)")
    response = sign_in(pcn_manager).get(CSV_URL, {"framework": framework.pk})
    assert response["Content-Disposition"].startswith("attachment;")
    assert "competency-heatmap-pcc-2025-" in response["Content-Disposition"]
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:3] == ["Name", "Email", "PCN"]
    assert header[3] == "Builds rapport (rapport)"
    assert header[-1] == "'@SUM(A1) (records)"
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    amira = by_name["Amira Khan"]
    assert amira["PCN"] == "Riverside PCN"
    assert [amira[h] for h in header[3:]] == [
        "Met", "Level 2", "Requested", "Returned", "In progress", "Not started"]
    assert "'=HYPERLINK(\"http://x\") +Evil" in by_name
    assert "Dev Patel" not in by_name


def test_csv_follows_the_filters(sign_in, pcn_manager, heatmap_data, framework):
    relationships = framework.domains.get(code="relationships")
    response = sign_in(pcn_manager).get(CSV_URL, {
        "framework": framework.pk, "domain": relationships.pk, "only_not_met": "on"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][3:] == ["Builds rapport (rapport)", "Listens actively (listening)",
                           "Makes referrals (referral)"]
    assert [row[0] for row in rows[1:]] == ["Amira Khan"]


def test_a_row_of_cells_is_drawn_as_the_template_would():
    """Cells are drawn in Python for speed: one word per tag, screen-reader words kept."""
    from django.template import Context, Template

    from competencies.heatmap_views import HeatmapRow, cell_label
    from competencies.progress import CompetencyProgress
    from competencies.templatetags.heatmap import heatmap_cells

    class FakeFramework:
        signoffs_required, evidence_kinds_required = 1, 0

    class FakeCompetency:
        framework, target_level = FakeFramework(), 3

    class FakeSignOff:
        level, rater_key = 2, "a"

    cells = [CompetencyProgress(FakeCompetency()),
             CompetencyProgress(FakeCompetency(), current_sign_offs=[FakeSignOff()])]
    for cell in cells:
        cell.short_label = cell_label(cell)
    row = HeatmapRow(person=None, cells=cells)
    by_template = Template(
        '{% for cell in row.cells %}<td class="nhsuk-table__cell"><strong class="nhsuk-tag '
        'nhsuk-tag--{{ cell.colour }}">{% if cell.state == "signed_off" %}<span class="nhsuk-u-'
        'visually-hidden">Signed off at </span>{% endif %}{{ cell.short_label }}</strong></td>'
        '{% endfor %}'
    ).render(Context({"row": row}))
    assert heatmap_cells(row) == by_template
    assert "Signed off at </span>Level 2" in by_template


def test_cells_are_cached_and_an_audited_change_shows_at_once(
    sign_in, pcn_manager, heatmap_data, framework, care_coordinator, monkeypatch
):
    """Cells are cached by the PCN's data version: the next view after an audited write
    shows it, and until then the cells are not built again."""
    from competencies import heatmap_views

    client = sign_in(pcn_manager)
    assert rows_by_name(client.get(URL))["Amira Khan"][5] == "Not started"

    built = heatmap_views.heatmap_cell_values
    monkeypatch.setattr(heatmap_views, "heatmap_cell_values", None)  # would fail if called
    assert rows_by_name(client.get(URL))["Amira Khan"][5] == "Not started"
    assert "Not started" in client.get(CSV_URL).content.decode()  # the CSV shares the entry

    monkeypatch.setattr(heatmap_views, "heatmap_cell_values", built)
    external_request(care_coordinator, comp(framework, "records"))  # audited
    assert rows_by_name(client.get(URL))["Amira Khan"][5] == "Requested"
    rows = list(csv.reader(io.StringIO(client.get(CSV_URL).content.decode("utf-8-sig"))))
    assert next(r for r in rows if r[0] == "Amira Khan")[-1] == "Requested"


def test_an_area_filter_has_cells_of_its_own(sign_in, pcn_manager, heatmap_data, framework):
    client = sign_in(pcn_manager)
    client.get(URL)
    planning = framework.domains.get(code="planning")
    response = client.get(URL, {"framework": framework.pk, "domain": planning.pk})
    assert rows_by_name(response)["Amira Khan"] == ["Returned", "In progress", "Not started"]
