"""Portable learning record: export a zip, import it for a new starter, refuse bad files."""

import datetime
import hashlib
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lms import services
from lms.models import AuditEntry, EvidenceFile, LearningRecord, Role
from lms.portability import FORMAT_VERSION, PDF_NAME, RECORD_JSON
from tests.conftest import make_person
from tests.curriculum import curriculum_section, learning_item

pytestmark = pytest.mark.django_db
D = datetime.date
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXPORT = reverse("reports:portable_export")
IMPORT = reverse("reports:portable_import")


@pytest.fixture
def items(db):
    section = curriculum_section()
    return {
        "ig": learning_item(section, "information-governance", refresher_months=12,
                            title="Information governance"),
        "fire": learning_item(section, "fire-safety", refresher_months=24, title="Fire safety"),
    }


@pytest.fixture
def leaver(other_pcn, items, other_pcn_manager):
    """Dev, at Hillside PCN, with two records (one verified, with a certificate)."""
    dev = make_person(Role.CARE_COORDINATOR, pcn=other_pcn, given_name="Dev",
                      family_name="Patel")
    record = services.learning_record_save(
        actor=dev.user, person=dev, item=items["ig"], stage="completed",
        completed_on=D(2026, 3, 10), cpd_hours="2.5", provider="e-LfH",
        certificate=SimpleUploadedFile("IG certificate.pdf", PDF),
    )
    services.learning_record_verify(actor=other_pcn_manager.user, record=record)
    services.learning_record_save(
        actor=dev.user, person=dev, item=items["fire"], stage="enrolled",
        enrolled_on=D(2026, 5, 1),
    )
    return dev


@pytest.fixture
def starter(pcn):
    """Dev's new account at Riverside PCN."""
    return make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Dev",
                       family_name="Patel-Riverside")


@pytest.fixture
def exported(sign_in, leaver):
    response = sign_in(leaver).get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return response.content


def read_zip(content):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def make_zip(files: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data if isinstance(data, bytes) else json.dumps(data))
    return buffer.getvalue()


def post_import(client, person, content, name="record.zip"):
    return client.post(IMPORT, {
        "person": person.pk, "file": SimpleUploadedFile(name, content, "application/zip"),
    })


def test_export_holds_json_certificates_and_pdf(exported, leaver):
    files = read_zip(exported)
    assert set(files) == {RECORD_JSON, PDF_NAME,
                          "certificates/information-governance/1-IG_certificate.pdf"}
    document = json.loads(files[RECORD_JSON])
    assert document["format_version"] == FORMAT_VERSION == 1
    assert document["person"]["full_name"] == "Dev Patel"
    assert document["person"]["email"] == leaver.email
    assert document["exporting_pcn"]["name"] == "Hillside PCN"
    ig = document["records"]["information-governance"]
    assert ig["stage"] == "completed" and ig["completed_on"] == "2026-03-10"
    assert ig["cpd_hours"] == "2.5" and ig["verified"] is True
    [certificate] = ig["certificates"]
    assert certificate["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert files[certificate["path"]] == PDF
    assert files[PDF_NAME].startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="portable_record.export").exists()


def test_round_trip_imports_records_and_certificates_unverified(
    sign_in, exported, starter, pcn_manager
):
    response = post_import(sign_in(pcn_manager), starter, exported)
    assert response.status_code == 302
    records = {r.item.code: r for r in LearningRecord.objects.filter(person=starter)}
    assert set(records) == {"information-governance", "fire-safety"}
    ig = records["information-governance"]
    assert ig.imported_from.startswith("Hillside PCN, exported ")
    assert ig.completed_on == D(2026, 3, 10) and str(ig.cpd_hours) == "2.5"
    assert ig.verified_at is None and ig.counts is False  # counts once verified here
    assert LearningRecord.objects.for_people([starter]).counted().count() == 0
    [certificate] = ig.certificates.all()
    assert certificate.owner == starter and certificate.sha256 == hashlib.sha256(PDF).hexdigest()
    with certificate.file.open("rb") as handle:
        assert handle.read() == PDF
    assert AuditEntry.objects.filter(action="learning_record.import").count() == 2
    assert AuditEntry.objects.filter(action="portable_record.import").count() == 1
    services.learning_record_verify(actor=pcn_manager.user, record=ig)
    ig.refresh_from_db()
    assert ig.counts is True


def test_existing_records_are_kept_and_unknown_items_reported(
    sign_in, exported, starter, pcn_manager, items
):
    services.learning_record_save(actor=starter.user, person=starter, item=items["fire"],
                                  stage="planned")
    files = read_zip(exported)
    document = json.loads(files[RECORD_JSON])
    document["records"]["oliver-mcgowan-tier-1"] = {"title": "Oliver McGowan", "stage": "planned"}
    files[RECORD_JSON] = json.dumps(document).encode()
    client = sign_in(pcn_manager)
    response = post_import(client, starter, make_zip(files))
    assert response.status_code == 302
    fire = LearningRecord.objects.get(person=starter, item=items["fire"])
    assert fire.stage == "planned" and fire.imported_from == ""  # not overwritten
    message = str(list(response.wsgi_request._messages)[0])
    assert "1 record (1 certificate) imported" in message
    assert "already exists: Fire safety" in message
    assert "no such item: Oliver McGowan (oliver-mcgowan-tier-1)" in message


def assert_refused(response, message, starter):
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert not LearningRecord.objects.filter(person=starter).exists()
    assert not EvidenceFile.objects.filter(owner=starter).exists()


def test_tampered_certificate_is_refused_and_nothing_imported(
    sign_in, exported, starter, pcn_manager
):
    files = read_zip(exported)
    files["certificates/information-governance/1-IG_certificate.pdf"] = PDF + b"% changed"
    response = post_import(sign_in(pcn_manager), starter, make_zip(files))
    assert_refused(response, "does not match its checksum", starter)


def test_newer_format_version_is_refused_with_a_clear_message(
    sign_in, exported, starter, pcn_manager
):
    files = read_zip(exported)
    document = json.loads(files[RECORD_JSON])
    document["format_version"] = 2
    files[RECORD_JSON] = json.dumps(document).encode()
    response = post_import(sign_in(pcn_manager), starter, make_zip(files))
    assert_refused(response, "This file was made by a newer version of Coordinate", starter)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("not a zip", "not a learning record exported from Coordinate"),
        ("no json", "not a learning record exported from Coordinate"),
        ("bad json", "not a learning record exported from Coordinate"),
        ("traversal", "file name that is not allowed"),
        ("extra file", "not part of a learning record: notes.exe"),
        ("bad date", "completed_on must be a date"),
        ("future date", "cannot be in the future"),
        ("not a certificate", "must be a PDF, PNG or JPEG"),
    ],
)
def test_malformed_files_are_refused_and_nothing_imported(
    sign_in, exported, starter, pcn_manager, change, message
):
    files = read_zip(exported)
    document = json.loads(files[RECORD_JSON])
    certificate = "certificates/information-governance/1-IG_certificate.pdf"
    if change == "no json":
        del files[RECORD_JSON]
    elif change == "bad json":
        files[RECORD_JSON] = b"{not json"
    elif change == "traversal":
        files["../../etc/evil.pdf"] = PDF
    elif change == "extra file":
        files["notes.exe"] = b"MZ"
    elif change == "bad date":
        document["records"]["information-governance"]["completed_on"] = "10/03/2026"
    elif change == "future date":
        document["records"]["information-governance"]["completed_on"] = "2999-01-01"
    elif change == "not a certificate":
        files[certificate] = b"<html>not a pdf</html>"
        entry = document["records"]["information-governance"]["certificates"][0]
        entry["sha256"] = hashlib.sha256(files[certificate]).hexdigest()
    if change in ("bad date", "future date", "not a certificate"):
        files[RECORD_JSON] = json.dumps(document).encode()
    content = b"PK\x03\x04 this is not really a zip" if change == "not a zip" else make_zip(files)
    response = post_import(sign_in(pcn_manager), starter, content)
    assert_refused(response, message, starter)


def test_oversized_member_is_refused(sign_in, exported, starter, pcn_manager, settings):
    settings.EVIDENCE_MAX_BYTES = 10
    response = post_import(sign_in(pcn_manager), starter, exported)
    assert_refused(response, "too large", starter)


def test_only_pcn_managers_import_and_only_for_their_own_people(
    sign_in, exported, starter, care_coordinator, other_coordinator, pcn_manager
):
    assert post_import(sign_in(care_coordinator), starter, exported).status_code == 403
    response = post_import(sign_in(pcn_manager), other_coordinator, exported)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not LearningRecord.objects.filter(person=other_coordinator).exists()


def test_manager_exports_their_persons_record_but_not_another_pcns(
    sign_in, leaver, other_pcn_manager, pcn_manager, care_coordinator
):
    url = reverse("reports:portable_export", args=[leaver.pk])
    assert sign_in(other_pcn_manager).get(url).status_code == 200
    assert sign_in(pcn_manager).get(url).status_code == 404
    # A coordinator cannot use the by-id form for someone else.
    assert sign_in(care_coordinator).get(url).status_code == 404
