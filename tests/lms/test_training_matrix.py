"""Training matrix: PCN managers only, status words and expiry dates, filters, CSV, queries."""

import csv
import datetime
import io

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from content.models import Kind
from lms import services
from lms.models import InductionPlanItem, Role
from tests.conftest import make_person
from tests.curriculum import curriculum_section, learning_item

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 12, 1)
URL = reverse("reports:training_matrix")
CSV_URL = reverse("reports:training_matrix_csv")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 12, 1, 12, 0), tick=False):
        yield


@pytest.fixture
def items(db):
    section = curriculum_section()
    return {
        "ig": learning_item(section, "information-governance", refresher_months=12,
                            title="Information governance"),
        "fire": learning_item(section, "fire-safety", refresher_months=24, title="Fire safety"),
        "local": learning_item(section, "local-induction", kind=Kind.LOCAL_INDUCTION,
                               title="Local induction", in_induction=True, induction_week=2),
        "elfh": learning_item(section, "elfh-mecc", kind=Kind.ELFH_COURSE,
                              title="Making Every Contact Count"),
    }


def complete(person, item, completed_on):
    return services.learning_record_save(
        actor=person.user, person=person, item=item, stage="completed",
        completed_on=completed_on, as_of=TODAY,
    )


@pytest.fixture
def matrix_data(items, care_coordinator, pcn, other_coordinator):
    complete(care_coordinator, items["ig"], D(2025, 11, 1))  # expired 1 November 2026
    complete(care_coordinator, items["fire"], D(2024, 12, 20))  # expires 20 December 2026
    InductionPlanItem.objects.create(person=care_coordinator, item=items["local"],
                                     due_on=D(2026, 11, 1))
    fine = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Una", family_name="Fine")
    complete(fine, items["ig"], D(2026, 10, 1))
    complete(other_coordinator, items["ig"], D(2025, 11, 1))
    return {"fine": fine}


def test_manager_sees_their_coordinators_with_status_words_and_dates(
    sign_in, pcn_manager, matrix_data, care_coordinator, other_coordinator
):
    response = sign_in(pcn_manager).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Amira Khan" in html and "Una Fine" in html
    assert "Dev Patel" not in html  # another PCN's coordinator
    assert "Jo Smith" not in html  # managers are not rows
    for words in ("Expired", "Expired 1 Nov 2026", "Expires soon", "Expires 20 Dec 2026",
                  "Overdue", "Due 1 Nov 2026", "Not recorded", "Completed"):
        assert words in html
    # Required items by default: statutory and mandatory plus induction, not e-LfH.
    assert "Local induction" in html and "Making Every Contact Count" not in html


def test_filters_work_without_javascript(sign_in, pcn_manager, matrix_data):
    client = sign_in(pcn_manager)
    html = client.get(URL, {"status": "expired"}).content.decode()
    assert "Amira Khan" in html and "Una Fine" not in html
    html = client.get(URL, {"status": "expiring-90"}).content.decode()
    assert "Amira Khan" in html and "Una Fine" not in html  # Una's expires in October 2027
    html = client.get(URL, {"kind": Kind.ELFH_COURSE}).content.decode()
    assert "Making Every Contact Count" in html and "Fire safety" not in html
    # A nonsense filter value falls back to the default view rather than failing.
    assert client.get(URL, {"kind": "nonsense"}).status_code == 200


@pytest.mark.parametrize("who", ["care_coordinator", "supervisor", "icb_viewer"])
def test_people_who_are_not_pcn_managers_are_refused(sign_in, request, who, matrix_data):
    client = sign_in(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403
    assert client.get(CSV_URL).status_code == 403


def test_another_pcns_manager_sees_only_their_own_pcn(
    sign_in, other_pcn_manager, matrix_data
):
    client = sign_in(other_pcn_manager)
    html = client.get(URL).content.decode()
    assert "Dev Patel" in html and "Amira Khan" not in html
    body = client.get(CSV_URL).content.decode()
    assert "Dev Patel" in body and "Amira Khan" not in body


def table(response) -> str:
    """The matrix's table as drawn (the rest of the page has a fresh CSRF token each time)."""
    html = response.content.decode()
    return html[html.index("<table"):html.index("</table>")]


def test_query_count_is_the_same_for_5_and_50_coordinators(
    sign_in, pcn_manager, pcn, items, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n):
        for _ in range(n):
            person = make_person(Role.CARE_COORDINATOR, pcn=pcn)
            complete(person, items["ig"], D(2026, 1, 5))
            InductionPlanItem.objects.create(person=person, item=items["local"],
                                             due_on=D(2026, 11, 1))

    client = sign_in(pcn_manager)
    add(5)
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
    assert len(few_warm) <= len(few) and len(few_csv_warm) <= len(few_csv)
    add(45)
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
    assert len(csv_response.content.decode().splitlines()) == 51  # header + everyone
    with django_assert_num_queries(len(few_csv_warm)):
        assert client.get(CSV_URL).content == csv_response.content

    # Cells are drawn for the shown page's people only, and page 2 has the rest, in order.
    cache.clear()
    with django_assert_num_queries(len(few)):
        second = client.get(URL, {"page": 2})
    first_rows = response.context["page"].object_list
    second_rows = second.context["page"].object_list
    assert len(second_rows) == 25
    names = [r.person.full_name for r in first_rows] + [r.person.full_name for r in second_rows]
    assert names == [r[0] for r in list(csv.reader(io.StringIO(
        csv_response.content.decode().lstrip("\ufeff"))))[1:]]
    assert all(len(r.cells) == len(response.context["items"]) for r in second_rows)
    # A status filter pages the matching rows: all 50 have the overdue induction item.
    overdue = client.get(URL, {"status": "overdue", "page": 2})
    assert len(overdue.context["page"].object_list) == 25
    assert overdue.context["page"].paginator.count == 50


def test_csv_download_matches_and_guards_against_formulas(
    sign_in, pcn_manager, pcn, matrix_data, items
):
    make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="=HYPERLINK(\"http://x\")",
                family_name="+Evil")
    response = sign_in(pcn_manager).get(CSV_URL, {"status": ""})
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:3] == ["Name", "Email", "PCN"]
    assert "Information governance (information-governance): status" in header
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    amira = by_name["Amira Khan"]
    assert amira["Information governance (information-governance): status"] == "Expired"
    assert amira["Information governance (information-governance): expires on"] == "2026-11-01"
    assert amira["Local induction (local-induction): status"] == "Overdue (due 2026-11-01)"
    assert "'=HYPERLINK(\"http://x\") +Evil" in by_name


def test_csv_safe_prefixes_formula_starts():
    from lms.report_views import csv_safe

    assert csv_safe("=1+1") == "'=1+1"
    assert csv_safe("+44") == "'+44"
    assert csv_safe("-3") == "'-3"
    assert csv_safe("@SUM(A1)") == "'@SUM(A1)"
    assert csv_safe("Amira") == "Amira"
    assert csv_safe(None) == ""


def test_a_row_of_cells_is_drawn_as_the_template_would_with_text_escaped():
    """Cells are drawn in Python for speed: the same markup, dates as "j M Y", notes escaped."""
    from django.template import Context, Template

    from lms.report_views import Cell, MatrixRow
    from lms.templatetags.training_matrix import matrix_cells

    row = MatrixRow(person=None, cells=[
        Cell(None, None, "overdue", "Overdue", "red", due_on=D(2026, 9, 3)),
        Cell(None, None, "expired", "Expired", "red", expires_on=D(2026, 11, 1)),
        Cell(None, None, "unverified", "Not verified", "yellow", D(2027, 5, 20), None,
             "<b>Imported</b> & unchecked"),
        Cell(None, None, "not_recorded", "Not recorded", "white"),
    ])
    by_template = Template(
        '{% for cell in row.cells %}<td class="nhsuk-table__cell"><strong class="nhsuk-tag '
        'nhsuk-tag--{{ cell.colour }}">{{ cell.label }}</strong>{% if cell.key == "overdue" '
        'and cell.due_on %}<span class="coordinate-matrix__date">Due {{ cell.due_on|date:"j M Y" }}'
        '</span>{% elif cell.expires_on %}<span class="coordinate-matrix__date">{% if cell.key == '
        '"expired" %}Expired{% else %}Expires{% endif %} {{ cell.expires_on|date:"j M Y" }}</span>'
        '{% endif %}{% if cell.note %}<span class="coordinate-matrix__date">{{ cell.note }}</span>'
        '{% endif %}</td>{% endfor %}'
    ).render(Context({"row": row}))
    html = matrix_cells(row)
    assert html == by_template
    assert "Due 3 Sep 2026" in html and "&lt;b&gt;Imported&lt;/b&gt; &amp; unchecked" in html


def test_cells_are_cached_and_an_audited_change_shows_at_once(
    sign_in, pcn_manager, matrix_data, items, care_coordinator, monkeypatch
):
    """Cells are cached by the PCN's data version: the next view after an audited write
    shows it, and until then the cells are not built again."""
    from lms import report_views

    client = sign_in(pcn_manager)
    assert "Expired 1 Nov 2026" in table(client.get(URL))

    def not_again(*args, **kwargs):
        raise AssertionError("cells built again while nothing changed")

    built = report_views.matrix_cell_values
    monkeypatch.setattr(report_views, "matrix_cell_values", not_again)
    assert "Expired 1 Nov 2026" in table(client.get(URL))
    assert "Expired" in client.get(CSV_URL).content.decode()  # the CSV shares the entry

    monkeypatch.setattr(report_views, "matrix_cell_values", built)
    complete(care_coordinator, items["ig"], D(2026, 11, 20))  # audited
    html = table(client.get(URL))
    assert "Expired 1 Nov 2026" not in html and "Expires 20 Nov 2027" in html
    rows = list(csv.reader(io.StringIO(client.get(CSV_URL).content.decode("utf-8-sig"))))
    amira = dict(zip(rows[0], next(r for r in rows if r[0] == "Amira Khan"), strict=True))
    assert amira["Information governance (information-governance): status"] == "Completed"


def test_a_change_in_another_pcn_keeps_the_cached_cells(
    sign_in, pcn_manager, matrix_data, items, other_coordinator, monkeypatch
):
    from lms import report_views

    client = sign_in(pcn_manager)
    client.get(URL)
    complete(other_coordinator, items["fire"], D(2026, 11, 20))  # another PCN's write
    monkeypatch.setattr(report_views, "matrix_cell_values", None)  # would fail if called
    assert "Amira Khan" in table(client.get(URL))


def test_cached_cells_are_for_one_day_and_the_filters_still_apply(
    sign_in, pcn_manager, matrix_data
):
    client = sign_in(pcn_manager)
    html = table(client.get(URL))
    assert "Expires 20 Dec 2026" in html and "Expired 20 Dec 2026" not in html
    assert "Una Fine" not in table(client.get(URL, {"status": "expired"}))
    with time_machine.travel(datetime.datetime(2026, 12, 21, 12, 0), tick=False):
        client = sign_in(pcn_manager)  # the session has long timed out
        assert "Expired 20 Dec 2026" in table(client.get(URL))  # a new day, new cells


def test_someone_added_without_an_audit_entry_is_shown_with_their_cells(
    sign_in, pcn_manager, pcn, matrix_data
):
    """A write that bypassed the services leaves the version alone; a person the cached
    entry does not know still makes it a miss rather than a row without cells."""
    client = sign_in(pcn_manager)
    client.get(URL)
    make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Neve", family_name="Newman")
    html = table(client.get(URL))
    assert "Neve Newman" in html


def test_the_cache_holds_plain_values_never_markup(sign_in, pcn_manager, pcn, matrix_data):
    from lms import report_cache

    stored = {}
    original = report_cache.cache.set

    def spy(key, value, *args, **kwargs):
        stored[key] = value
        return original(key, value, *args, **kwargs)

    report_cache.cache.set = spy
    try:
        sign_in(pcn_manager).get(URL)
    finally:
        report_cache.cache.set = original
    [(key, (version, cells))] = stored.items()
    assert key.startswith("reports:training-matrix:")
    plain = (str, datetime.date, type(None))
    assert all(isinstance(value, plain) for row in cells.values() for cell in row
               for value in cell)
    assert not any("<" in value for row in cells.values() for cell in row for value in cell
                   if isinstance(value, str))
