"""Evidence pack content, fingerprint and PDF, through the real engine (issue 7, points 5 and 7):
every requirement is in the pack; the same data and date give the same content and
fingerprint apart from the issue time; different data or another date give another; the
training matrix and supervision summary read "as at" the date and never carry what was said.
"""

import datetime
import io
import json
import re

import pypdf
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lms.compliance import engine, pack_pdf, packs
from lms.compliance.models import IssuedPack, PackKind, PackStatus
from lms.models import LearningStatus
from supervision.models import SafeguardingDiscussion, SessionType
from tests.compliance.builders import (
    at,
    clinical_supervision,
    compliant_coordinator,
    coordinator,
    days,
    des_curriculum,
    pcn_person,
    record,
)

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2025, 11, 14)
ISSUED = timezone.make_aware(datetime.datetime(2025, 11, 15, 9, 30))


def pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def compliant(pcn):
    return compliant_coordinator(pcn, AS_OF, given_name="Zephyrine", family_name="Quillfeather")


@pytest.fixture
def bare(pcn):
    des_curriculum()
    return coordinator(pcn, started_on=datetime.date(2024, 9, 2), given_name="Barnaby",
                       family_name="Oddingsell")


# --- content and fingerprint -------------------------------------------------------------------


def test_a_coordinator_pack_holds_every_requirement_of_the_year_in_order(pcn, compliant):
    content = packs.coordinator_pack_content(compliant, pcn, AS_OF)
    requirement_set = engine.requirement_set_for(AS_OF)
    assert [r["code"] for r in content["requirements"]] == requirement_set.codes
    (person,) = content["coordinators"]
    assert [r["code"] for r in person["results"]] == requirement_set.codes
    assert all(r["status"] == "met" for r in person["results"])
    assert person["name"] == "Zephyrine Quillfeather"
    assert (content["kind"], content["as_of"], content["contract_year"]) == (
        "coordinator", "2025-11-14", "2025/26")
    assert content["pcn"] == {"name": pcn.name, "ods_code": pcn.ods_code, "icb": pcn.icb.name}
    # Evidence is there, with dates as ISO strings, and nothing that is not plain JSON.
    assert any(r["evidence"] for r in person["results"])
    json.dumps(content)


def test_same_data_and_date_give_the_same_content_and_fingerprint(pcn, compliant, bare):
    first = packs.pcn_pack_content(pcn, AS_OF)
    second = packs.pcn_pack_content(pcn, AS_OF)
    assert first == second
    assert packs.canonical_json(first) == packs.canonical_json(second)
    fingerprint = packs.content_fingerprint(first)
    assert re.fullmatch(r"[0-9a-f]{64}", fingerprint)
    assert packs.content_fingerprint(second) == fingerprint


def test_the_fingerprint_ignores_key_order_but_not_values(pcn, compliant):
    content = packs.coordinator_pack_content(compliant, pcn, AS_OF)
    reordered = json.loads(json.dumps(content, sort_keys=False))
    reordered = dict(reversed(list(reordered.items())))
    assert packs.content_fingerprint(reordered) == packs.content_fingerprint(content)
    changed = json.loads(json.dumps(content))
    changed["coordinators"][0]["results"][0]["summary"] += "."
    assert packs.content_fingerprint(changed) != packs.content_fingerprint(content)


def test_different_data_or_another_date_give_another_fingerprint(pcn, compliant):
    before = packs.content_fingerprint(packs.coordinator_pack_content(compliant, pcn, AS_OF))
    other_day = packs.content_fingerprint(
        packs.coordinator_pack_content(compliant, pcn, AS_OF - days(1)))
    assert other_day != before
    clinical_supervision(compliant, AS_OF - days(2))
    after = packs.content_fingerprint(packs.coordinator_pack_content(compliant, pcn, AS_OF))
    assert after != before


def test_issuing_twice_gives_two_packs_with_one_fingerprint_and_only_the_time_differs(
        pcn, pcn_manager, compliant):
    with time_machine.travel(datetime.datetime(2025, 11, 15, 9, 30), tick=False):
        first, first_pdf = packs.coordinator_pack_issue(
            actor=pcn_manager.user, person=compliant, pcn=pcn, as_of=AS_OF)
    with time_machine.travel(datetime.datetime(2025, 11, 20, 16, 45), tick=False):
        second, second_pdf = packs.coordinator_pack_issue(
            actor=pcn_manager.user, person=compliant, pcn=pcn, as_of=AS_OF)
    assert first.fingerprint == second.fingerprint
    assert first.pk != second.pk
    assert (first.status, first.progress, first.kind) == (PackStatus.DONE, 100,
                                                          PackKind.COORDINATOR)
    assert first.file.name.endswith(".pdf") and first.file.read().startswith(b"%PDF-")
    first_text, second_text = pdf_text(first_pdf), pdf_text(second_pdf)
    assert "15 November 2025, 09:30" in first_text
    assert "20 November 2025, 16:45" in second_text
    assert first_text.replace("15 November 2025, 09:30", "ISSUED") == second_text.replace(
        "20 November 2025, 16:45", "ISSUED")


def test_the_pcn_pack_lists_coordinators_by_name_and_leaves_out_people_who_left(pcn, compliant,
                                                                              bare):
    gone = coordinator(pcn, started_on=datetime.date(2024, 9, 2), given_name="Agatha",
                       family_name="Adams", left_on=AS_OF - days(10))
    content = packs.pcn_pack_content(pcn, AS_OF)
    names = [c["name"] for c in content["coordinators"]]
    assert names == ["Barnaby Oddingsell", "Zephyrine Quillfeather"]
    assert gone.full_name not in names


def test_pcn_pack_content_costs_the_same_queries_for_3_and_9_coordinators(pcn):
    des_curriculum()

    def queries():
        with CaptureQueriesContext(connection) as captured:
            packs.pcn_pack_content(pcn, AS_OF)
        return len(captured)

    for n in range(3):
        compliant_coordinator(pcn, AS_OF, given_name=f"Small{n}")
    small = queries()
    for n in range(6):
        compliant_coordinator(pcn, AS_OF, given_name=f"Large{n}")
    assert queries() == small


# --- training matrix -----------------------------------------------------------------------------


def test_training_matrix_reads_each_record_as_at_the_date(pcn, bare):
    curriculum = des_curriculum()
    ig, fire = curriculum.information_governance, curriculum.fire_safety
    record(bare, ig, on=datetime.date(2024, 11, 1))  # 12-month refresher: expired 1 Nov 2025
    # Completed after the date: on AS_OF it had only been started.
    record(bare, fire, on=AS_OF + days(5))
    fire_record = bare.learning_records.get(item=fire)
    fire_record.started_on = AS_OF - days(3)
    fire_record.save()
    content = packs.coordinator_pack_content(bare, pcn, AS_OF)
    cells = {c["item"]: c for c in content["coordinators"][0]["training"]}
    assert [i["code"] for i in content["statutory_items"]] == [ig.code, fire.code]
    assert cells[ig.code]["status"] == "expired"
    assert (cells[ig.code]["completed_on"], cells[ig.code]["expires_on"]) == (
        "2024-11-01", "2025-11-01")
    assert cells[fire.code]["status"] == LearningStatus.IN_PROGRESS
    assert cells[fire.code]["completed_on"] == ""


@pytest.mark.parametrize(
    ("completed", "status", "label"),
    [
        (datetime.date(2025, 10, 1), "completed", "Completed"),
        (datetime.date(2024, 12, 1), "expiring", "Expires soon"),  # expires 1 Dec 2025
        (datetime.date(2024, 11, 14), "expired", "Expired"),  # expired on the day itself
    ],
)
def test_training_cell_states(pcn, bare, completed, status, label):
    ig = des_curriculum().information_governance
    cell = packs.training_cell(record(bare, ig, on=completed), AS_OF)
    assert (cell["status"], cell["status_label"]) == (status, label)


def test_an_unverified_import_and_a_missing_record_do_not_count(pcn, bare):
    ig = des_curriculum().information_governance
    assert packs.training_cell(None, AS_OF)["status"] == "not_recorded"
    imported = record(bare, ig, on=datetime.date(2025, 10, 1), imported_from="Old PCN")
    assert packs.training_cell(imported, AS_OF)["status"] == "unverified"
    imported.verified_at = at(AS_OF + days(1))
    assert packs.training_cell(imported, AS_OF)["status"] == "unverified"  # verified later
    imported.verified_at = at(AS_OF - days(1))
    assert packs.training_cell(imported, AS_OF)["status"] == "completed"


# --- supervision summary -------------------------------------------------------------------------


def test_supervision_summary_has_counts_and_dates_but_never_what_was_said(pcn, compliant):
    clinical_supervision(compliant, AS_OF - days(40))
    clinical_supervision(compliant, AS_OF - days(400))  # outside the 12 months
    clinical_supervision(compliant, AS_OF + days(1))  # after the date
    clinical_supervision(compliant, AS_OF - days(30), session_type=SessionType.LINE_MANAGEMENT)
    gp = pcn_person(pcn, "Sam", "Safeguarding", "Safeguarding lead GP")
    SafeguardingDiscussion.objects.create(
        care_coordinator=compliant, discussed_with=gp, discussed_on=AS_OF - days(12),
        category="abuse", concern="A frightened carer at the door of the flat",
        outcome="Raised with the practice lead", recorded_by=compliant,
    )
    content = packs.coordinator_pack_content(compliant, pcn, AS_OF)
    summary = content["coordinators"][0]["supervision"]
    sessions = {s["type"]: s for s in summary["sessions"]}
    assert sessions["clinical"]["count"] == 2  # the builder's week-old session and 40 days
    assert sessions["clinical"]["last_held_on"] == (AS_OF - days(7)).isoformat()
    assert sessions["line_management"]["count"] == 1
    assert summary["last_clinical_on"] == (AS_OF - days(7)).isoformat()
    assert summary["safeguarding_discussions"] == {
        "count": 1, "dates": [(AS_OF - days(12)).isoformat()]}
    cadence = {c["type"]: c for c in summary["cadence"]}
    assert cadence["clinical"]["status"] == "on_track"
    text = json.dumps(content)
    assert "frightened carer" not in text and "Caseload review" not in text
    assert "Raised with the practice lead" not in text
    assert content["supervision_window"] == {"from": "2024-11-15", "to": "2025-11-14"}


# --- the PDF ------------------------------------------------------------------------------------


def test_the_pdf_has_a_cover_contents_every_requirement_and_the_fingerprint_on_every_page(
        pcn, compliant):
    content = packs.coordinator_pack_content(compliant, pcn, AS_OF)
    fingerprint = packs.content_fingerprint(content)
    pdf = packs.render(content, fingerprint=fingerprint, issued_at=ISSUED, issued_by="Jo Smith")
    assert pdf.startswith(b"%PDF-")
    pages = pdf_pages(pdf)
    text = "\n".join(pages)
    cover = pages[0]
    for words in ("DES evidence pack", pcn.name, pcn.ods_code, "Zephyrine Quillfeather",
                  "14 November 2025", "2025/26", "15 November 2025, 09:30", "Jo Smith"):
        assert words in cover, words
    assert "Contents" in pages[1]
    for requirement in engine.requirement_set_for(AS_OF).requirements:
        assert requirement.short_title in text, requirement.code
        assert requirement.short_title in pages[1], f"{requirement.code} not in the contents"
    assert "Statutory and mandatory training" in text and "Supervision summary" in text
    assert "Information governance and data security" in text
    url = packs.verify_url(fingerprint)
    assert url == f"http://127.0.0.1:8000/verify/{fingerprint}/"
    for number, page in enumerate(pages, start=1):
        flat = page.replace("\n", "")
        assert fingerprint in flat, number
        assert f"Verify at {url}" in flat, number
        assert f"Page {number} of {len(pages)}" in flat, number
    # A QR code on the cover and in every page's footer.
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert all(len(page.images) >= 1 for page in reader.pages)


def test_a_coordinator_pack_states_each_status_in_words_and_a_pcn_pack_tabulates_them(
        pcn, compliant):
    # One coordinator: a short paragraph per requirement (a one-row table costs xhtml2pdf
    # about 10 ms a section: docs/performance.md); a PCN: one table row per coordinator.
    content = packs.coordinator_pack_content(compliant, pcn, AS_OF)
    results = content["coordinators"][0]["results"]
    text = pdf_text(packs.render(content, fingerprint="0" * 64, issued_at=ISSUED,
                                 issued_by="Jo Smith")).replace("\n", " ")
    assert results and text.count("Lapses on:") == len(results)
    for result in results:
        assert f"{result['status_label']}: {result['summary'][:20]}" in text, result["code"]
    pcn_text = pdf_text(packs.render(packs.pcn_pack_content(pcn, AS_OF), fingerprint="0" * 64,
                                     issued_at=ISSUED, issued_by="Jo Smith"))
    assert "Lapses on:" not in pcn_text and "Lapses on" in pcn_text


def test_the_qr_code_encodes_the_verify_address():
    uri = pack_pdf.qr_data_uri("http://127.0.0.1:8000/verify/" + "a" * 64 + "/")
    assert uri.startswith("data:image/png;base64,")


def test_a_pcn_pack_with_many_rows_splits_its_tables(pcn):
    des_curriculum()
    people = [coordinator(pcn, started_on=datetime.date(2024, 9, 2), given_name=f"P{n:02d}")
              for n in range(55)]
    assert len(people) == 55
    content = packs.pcn_pack_content(pcn, AS_OF)
    context = pack_pdf.pack_context(content, fingerprint="0" * 64, issued_at=ISSUED,
                                    issued_by="Jo Smith", verify_url="http://x/verify/")
    assert [len(chunk) for chunk in context["summary_chunks"]] == [50, 5]
    assert [len(chunk) for chunk in context["sections"][0]["status_chunks"]] == [50, 5]


def test_pdf_of_a_pcn_with_no_coordinators_on_the_date_still_renders(pcn):
    des_curriculum()
    content = packs.pcn_pack_content(pcn, AS_OF)
    assert content["coordinators"] == []
    pdf = packs.render(content, fingerprint="f" * 64, issued_at=ISSUED, issued_by="Jo Smith")
    assert "No care coordinators on this date" in pdf_text(pdf)


def test_the_issued_pack_row_records_what_verify_needs(pcn, pcn_manager, compliant):
    pack, _pdf = packs.coordinator_pack_issue(actor=pcn_manager.user, person=compliant, pcn=pcn,
                                              as_of=AS_OF)
    pack = IssuedPack.objects.get(pk=pack.pk)
    assert (pack.pcn, pack.person, pack.as_of, pack.contract_year) == (
        pcn, compliant, AS_OF, "2025/26")
    assert pack.requested_by == pcn_manager.user and pack.issued_at is not None
