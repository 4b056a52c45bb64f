"""Learning record downloads: CSV and PDF, your own and (in scope) someone else's."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from content.models import Kind
from lms import services
from lms.pdf import chunked
from tests.curriculum import curriculum_section, learning_item

pytestmark = pytest.mark.django_db
D = datetime.date
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def records(care_coordinator, supervisor):
    section = curriculum_section()
    ig = learning_item(section, "information-governance", refresher_months=12,
                       title="Information governance")
    course = learning_item(section, "pci-health-coaching", kind=Kind.PCI_COURSE,
                           title="Health coaching skills", provider="Assured provider",
                           pci_assured=True)
    first = services.learning_record_save(
        actor=care_coordinator.user, person=care_coordinator, item=ig, stage="completed",
        completed_on=D(2026, 3, 10), certificate=SimpleUploadedFile("ig.pdf", PDF),
        notes="=cmd|' /C calc'!A0",
    )
    services.learning_record_verify(actor=supervisor.user, record=first)
    services.learning_record_save(
        actor=care_coordinator.user, person=care_coordinator, item=course, stage="enrolled",
        enrolled_on=D(2025, 2, 1),
    )


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_coordinator_downloads_own_record_as_pdf(sign_in, care_coordinator, records):
    response = sign_in(care_coordinator).get(reverse("reports:my_record_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    for words in ("Amira Khan", "Riverside PCN", "PCI training status", "Enrolled",
                  "Information governance", "Completed", "Verified", "Grace Hughes",
                  "Page 1 of 1"):
        assert words in text


def test_coordinator_downloads_own_record_as_csv(sign_in, care_coordinator, records):
    response = sign_in(care_coordinator).get(reverse("reports:my_record_csv"))
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    by_code = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    ig = by_code["information-governance"]
    assert ig["Status"] == "Completed"
    assert ig["Completed on"] == "2026-03-10"
    assert ig["Expires on"] == "2027-03-10"
    assert ig["Certificates"] == "1"
    assert ig["Verification"].startswith("Verified")
    assert ig["Notes"].startswith("'=")  # formula injection guard
    assert by_code["pci-health-coaching"]["Status"] == "Enrolled"


def test_supervisor_and_manager_download_a_person_in_scope(
    sign_in, care_coordinator, supervisor, pcn_manager, records
):
    for who in (supervisor, pcn_manager):
        client = sign_in(who)
        pdf = client.get(reverse("reports:person_record_pdf", args=[care_coordinator.pk]))
        assert pdf.status_code == 200 and "Amira Khan" in pdf_text(pdf.content)
        csv_response = client.get(
            reverse("reports:person_record_csv", args=[care_coordinator.pk])
        )
        assert csv_response.status_code == 200
        assert "information-governance" in csv_response.content.decode()


@pytest.mark.parametrize("who", ["other_pcn_manager", "icb_viewer", "other_coordinator"])
def test_people_outside_the_scope_get_404(sign_in, request, who, care_coordinator):
    client = sign_in(request.getfixturevalue(who))
    for name in ("reports:person_record_pdf", "reports:person_record_csv"):
        assert client.get(reverse(name, args=[care_coordinator.pk])).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("reports:my_record_pdf"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_long_tables_are_chunked():
    assert [len(c) for c in chunked(range(120))] == [50, 50, 20]
    assert chunked([]) == [[]]
