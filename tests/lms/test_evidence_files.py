"""Evidence uploads: type by content, size limit, private storage, permission-checked download."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lms import services
from lms.files import EvidenceUploadField, validate_evidence_upload
from lms.models import AuditEntry

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def upload(name, content, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("certificate.pdf", b"<html><script>alert(1)</script></html>", "must be a PDF"),
        ("drawing.svg", b"<svg onload='alert(1)'/>", "must be a PDF, PNG or JPEG"),
        ("setup.pdf", b"MZ\x90\x00\x03" + b"\x00" * 50, "must be a PDF, PNG or JPEG"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(name, content, message):
    with pytest.raises(ValidationError, match=message):
        validate_evidence_upload(upload(name, content))


def test_size_limit(settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match="smaller than"):
        validate_evidence_upload(upload("big.pdf", PDF + b"0" * 2000))


def test_type_comes_from_content_not_name():
    field = EvidenceUploadField()
    cleaned = field.clean(upload("photo.pdf", PNG, "application/pdf"))
    assert cleaned.detected_content_type == "image/png"


@pytest.mark.django_db
def test_stored_file_downloads_only_for_people_who_may_see_the_owner(
    sign_in, care_coordinator, supervisor, other_pcn_manager, pcn_manager, no_role_person,
    icb_viewer, client,
):
    evidence = services.evidence_file_store(
        actor=care_coordinator.user,
        owner=care_coordinator,
        uploaded_file=upload("../../Care certificate <b>.pdf", PDF),
    )
    assert evidence.original_name == "Care_certificate_b.pdf"
    assert evidence.content_type == "application/pdf"
    assert AuditEntry.objects.filter(action="evidence.upload").exists()
    url = reverse("evidence_file_download", args=[evidence.pk])

    for allowed in (care_coordinator, supervisor, pcn_manager):
        response = sign_in(allowed).get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF

    for refused in (other_pcn_manager, no_role_person, icb_viewer):
        assert sign_in(refused).get(url).status_code == 404


@pytest.mark.django_db
def test_a_file_no_longer_held_is_not_found_not_an_error(sign_in, care_coordinator, client):
    evidence = services.evidence_file_store(
        actor=care_coordinator.user, owner=care_coordinator, uploaded_file=upload("c.pdf", PDF))
    evidence.file.storage.delete(evidence.file.name)  # as apply_retention does
    response = sign_in(care_coordinator).get(reverse("evidence_file_download",
                                                     args=[evidence.pk]))
    assert response.status_code == 404
