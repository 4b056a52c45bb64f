"""External assessor links: one request, one decision, no account; clear pages once unusable."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from competencies import services
from competencies.models import (
    AssessorLink,
    Competency,
    Domain,
    EvidenceKind,
    Framework,
    RequestStatus,
    SignOff,
)
from lms import services as lms_services
from tests.curriculum import curriculum_section, learning_item

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PRIVATE_WORDS = ("Amira", "Khan", "Explains care plans", "I have explained", "Home visit")


@pytest.fixture
def framework(db):
    framework = Framework.objects.create(
        code="pcc-2025", name="Personalised care", version="2025", evidence_kinds_required=1,
    )
    domain = Domain.objects.create(framework=framework, code="relationships",
                                   name="Relationships", sort_order=1)
    Competency.objects.create(
        framework=framework, domain=domain, code="care-plans", title="Explains care plans",
        descriptor="Explains a personalised care and support plan.", target_level=3,
    )
    return framework


@pytest.fixture
def competency(framework):
    return framework.competencies.get()


@pytest.fixture
def evidence(care_coordinator, competency):
    user = care_coordinator.user
    record = lms_services.learning_record_save(
        actor=user, person=care_coordinator,
        item=learning_item(curriculum_section(), "pcsp", title="Personalised care planning"),
        stage="completed", completed_on=datetime.date(2025, 3, 4),
    )
    return {
        "observation": services.evidence_link_add(
            actor=user, person=care_coordinator, competency=competency,
            kind=EvidenceKind.OBSERVATION, description="Home visit",
            note="Talked Mrs B through her plan in plain words."),
        "record": services.evidence_link_add(
            actor=user, person=care_coordinator, competency=competency,
            kind=EvidenceKind.LEARNING_RECORD, target=record),
        "file": services.evidence_link_add(
            actor=user, person=care_coordinator, competency=competency,
            kind=EvidenceKind.FILE,
            uploaded_file=SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")),
    }


@pytest.fixture
def sign_off_request(care_coordinator, competency, evidence):
    services.self_assessment_record(
        actor=care_coordinator.user, person=care_coordinator, competency=competency, level=3,
        narrative="I have explained twelve care plans this quarter.",
    )
    return services.sign_off_request_create(
        actor=care_coordinator.user, person=care_coordinator, competency=competency,
        assessor_name="Dr Sam Okafor", assessor_role="GP partner",
        assessor_email="Sam.Okafor@oaktree.example",
    )


def send(sign_off_request, actor, now=None):
    _link, token = services.assessor_link_send(actor=actor, request=sign_off_request, now=now)
    return f"/assess/{token}/"


@pytest.fixture
def url(sign_off_request, care_coordinator):
    return send(sign_off_request, care_coordinator.user)


def sign_off_data(**extra):
    return {"decision": "sign_off", "level": "3", "comment": "Watched two reviews; clear.",
            "assessor_name": "Dr Sam Okafor", "assessor_role": "GP partner, Oak Tree", **extra}


def assert_private(response):
    assert response["X-Robots-Tag"].startswith("noindex")
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]


def assert_no_request_data(response):
    body = response.content.decode()
    for words in PRIVATE_WORDS:
        assert words not in body
    assert 'name="decision"' not in body


# --- The email and the page -------------------------------------------------------------


def test_the_email_carries_the_link_and_only_the_hash_is_stored(url, sign_off_request):
    assert mail.outbox[-1].to == ["sam.okafor@oaktree.example"]
    assert url in mail.outbox[-1].body
    token = url.split("/")[2]
    assert not AssessorLink.objects.filter(token_hash=token).exists()
    assert AssessorLink.objects.get(request=sign_off_request).token_hash != token


def test_the_page_shows_the_request_its_evidence_and_the_form(client, url, evidence):
    response = client.get(url)
    assert response.status_code == 200
    assert_private(response)
    body = response.content.decode()
    for words in ("Amira Khan", "Explains care plans", "Personalised care (2025)",
                  "I have explained twelve care plans", "level 3: Competent",
                  "Home visit", "Talked Mrs B through her plan",
                  "Personalised care planning", "completed 4 March 2025", "plan.pdf"):
        assert words in body
    assert 'value="Dr Sam Okafor"' in body and 'value="GP partner"' in body
    for level, label in ((1, "Level 1: Not yet demonstrated"), (4, "Level 4: Proficient")):
        assert f'value="{level}"' in body and label in body
    assert "Sign out" not in body  # nobody is signed in


def test_a_file_in_the_requests_evidence_downloads_while_the_link_is_usable(
    client, url, evidence
):
    file_url = f"{url}files/{evidence['file'].pk}/"
    response = client.get(file_url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF
    assert_private(response)
    # Other evidence ids (not files, or not in this request) are not found.
    assert client.get(f"{url}files/{evidence['observation'].pk}/").status_code == 404
    assert client.get(f"{url}files/999999/").status_code == 404
    client.post(url, sign_off_data())
    assert client.get(file_url).status_code == 410


def test_files_outside_the_request_are_not_served(client, url, care_coordinator, competency):
    later = services.evidence_link_add(
        actor=care_coordinator.user, person=care_coordinator, competency=competency,
        kind=EvidenceKind.FILE,
        uploaded_file=SimpleUploadedFile("later.pdf", PDF, content_type="application/pdf"))
    assert client.get(f"{url}files/{later.pk}/").status_code == 404


# --- Decisions ----------------------------------------------------------------------------


def test_signing_off_through_the_link(client, url, sign_off_request):
    response = client.post(url, sign_off_data())
    assert response.status_code == 200
    assert "Your decision has been recorded" in response.content.decode()
    assert_private(response)
    assert_no_request_data(response)
    sign_off = SignOff.objects.get(request=sign_off_request)
    assert sign_off.level == 3
    assert sign_off.signed_by is None
    assert sign_off.assessor_name == "Dr Sam Okafor"
    assert sign_off.assessor_role == "GP partner, Oak Tree"
    assert sign_off.assessor_email == "sam.okafor@oaktree.example"
    assert sign_off.rater_key == "email:sam.okafor@oaktree.example"
    assert sign_off.comment == "Watched two reviews; clear."
    sign_off_request.refresh_from_db()
    assert sign_off_request.status == RequestStatus.SIGNED_OFF
    assert sign_off_request.decided_by is None
    assert AssessorLink.objects.get(request=sign_off_request).used_at is not None


def test_a_browser_post_works_under_no_referrer(url, sign_off_request):
    """With `Referrer-Policy: no-referrer` browsers send `Origin: null`; the view must not
    depend on CSRF cookies or origins (it trusts only the token)."""
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(url)
    assert "csrftoken" not in page.cookies
    response = browser.post(url, sign_off_data(), HTTP_ORIGIN="null")
    assert response.status_code == 200
    assert SignOff.objects.filter(request=sign_off_request).exists()


def test_returning_through_the_link(client, url, sign_off_request):
    response = client.post(url, {"decision": "return", "comment": "Add an observation.",
                                 "assessor_name": "Dr Sam Okafor"})
    assert response.status_code == 200
    sign_off_request.refresh_from_db()
    assert sign_off_request.status == RequestStatus.RETURNED
    assert sign_off_request.feedback == "Add an observation."
    assert not SignOff.objects.exists()
    assert AssessorLink.objects.get(request=sign_off_request).used_at is not None


@pytest.mark.parametrize("data, field, message", [
    ({"level": ""}, "level", "Choose the level you are signing it off at"),
    ({"comment": ""}, "comment", "Enter your comments or feedback"),
    ({"assessor_name": ""}, "assessor_name", "Enter your full name"),
    ({"decision": ""}, "decision", "Choose whether to sign it off or return it"),
    ({"level": "9"}, "level", "Select a valid choice"),
])
def test_an_incomplete_form_keeps_the_assessor_on_the_page(
    client, url, sign_off_request, data, field, message
):
    response = client.post(url, sign_off_data(**data))
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    body = response.content.decode()
    assert body.count("There is a problem") == 1
    assert "<title>Error: " in body
    assert not SignOff.objects.exists()
    assert AssessorLink.objects.get(request=sign_off_request).used_at is None


# --- Unusable links -------------------------------------------------------------------------


def test_a_used_link_shows_410_and_no_data(client, url):
    client.post(url, sign_off_data())
    for response in (client.get(url), client.post(url, sign_off_data(level="4"))):
        assert response.status_code == 410
        assert "This link has already been used" in response.content.decode()
        assert_private(response)
        assert_no_request_data(response)
    assert SignOff.objects.get().level == 3


def test_a_link_expires_after_30_days(client, url):
    with time_machine.travel(timezone.now() + datetime.timedelta(days=29, hours=23)):
        assert client.get(url).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=30, minutes=1)):
        response = client.get(url)
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()
        assert_no_request_data(response)
        assert client.post(url, sign_off_data()).status_code == 410
    assert not SignOff.objects.exists()


@override_settings(ASSESSOR_LINK_VALID_DAYS=7)
def test_the_validity_is_configurable(client, sign_off_request, care_coordinator):
    url = send(sign_off_request, care_coordinator.user)
    assert AssessorLink.objects.get().expires_at - AssessorLink.objects.get().created_at == (
        datetime.timedelta(days=7))
    with time_machine.travel(timezone.now() + datetime.timedelta(days=7, minutes=1)):
        assert client.get(url).status_code == 410


def test_a_renewed_link_replaces_the_old_one(client, url, sign_off_request, care_coordinator):
    new_url = send(sign_off_request, care_coordinator.user)
    assert new_url != url
    response = client.get(url)
    assert response.status_code == 410
    assert "This link has been replaced" in response.content.decode()
    assert_no_request_data(response)
    assert client.post(url, sign_off_data()).status_code == 410
    assert client.get(new_url).status_code == 200
    assert client.post(new_url, sign_off_data()).status_code == 200
    assert SignOff.objects.count() == 1


def test_a_link_to_a_closed_request_shows_410(client, url, sign_off_request, care_coordinator):
    services.sign_off_request_withdraw(actor=care_coordinator.user, request=sign_off_request)
    response = client.get(url)
    assert response.status_code == 410
    assert "This review is no longer needed" in response.content.decode()
    assert_no_request_data(response)


@pytest.mark.parametrize("token", ["nonsense", "x" * 43])
def test_an_unknown_or_tampered_token_is_not_found(client, url, token):
    response = client.get(f"/assess/{token}/")
    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()
    assert_private(response)
    assert_no_request_data(response)
    tampered = url.split("/")[2][:-1] + ("A" if not url.endswith("A/") else "B")
    assert client.get(f"/assess/{tampered}/").status_code == 404


# --- Never a sign-in ---------------------------------------------------------------------------


def test_a_link_never_signs_anyone_in(client, url, care_coordinator):
    client.get(url)
    client.post(url, sign_off_data())
    assert SESSION_KEY not in client.session
    home = client.get("/")
    assert home.status_code == 302 and "/accounts/login/" in home["Location"]


def test_a_signed_in_visitor_is_not_recorded_as_the_signer(
    sign_in, supervisor, url, sign_off_request
):
    client = sign_in(supervisor)
    assert client.post(url, sign_off_data()).status_code == 200
    sign_off = SignOff.objects.get()
    assert sign_off.signed_by is None
    assert sign_off.assessor_email == "sam.okafor@oaktree.example"
    assert client.session[SESSION_KEY] == str(supervisor.user.pk)  # unchanged, not swapped


def test_the_link_address_is_a_long_random_token(url):
    assert re.fullmatch(r"/assess/[A-Za-z0-9_-]{43}/", url)
