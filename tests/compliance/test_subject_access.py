"""Subject access: a care coordinator downloads everything held about them, and only them."""

import io
import json
import zipfile

import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms.compliance.subject_access import AREAS, DATA_JSON, SUMMARY_PDF, subject_access_export
from lms.models import AuditEntry, EvidenceFile, Role
from tests.compliance.personal_data import fill, pdf_bytes
from tests.conftest import make_person

pytestmark = pytest.mark.django_db
URL = reverse("subject_access:mine")


def read_zip(content):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture
def amira(care_coordinator, supervisor):
    fill(care_coordinator, 2, supporter=supervisor, tag="amira")
    return care_coordinator


@pytest.fixture
def dev(other_coordinator, other_pcn):
    """A coordinator of another PCN whose supervisor is also Amira's safeguarding GP."""
    gp = make_person(Role.SAFEGUARDING_GP, pcn=other_pcn, care_coordinator=other_coordinator,
                     given_name="Sam", family_name="Gp")
    fill(other_coordinator, 2, supporter=gp, tag="devpatel")
    return other_coordinator


def test_page_explains_what_is_included_and_who_may_ask(sign_in, care_coordinator):
    response = sign_in(care_coordinator).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Download all your data" in html
    assert "A PCN manager cannot download it for you" in html
    for _key, title in AREAS:
        assert title in html


def test_reachable_from_your_des_compliance(sign_in, care_coordinator):
    response = sign_in(care_coordinator).get(reverse("compliance:mine"), follow=True)
    assert URL in response.content.decode()


def test_zip_holds_json_pdf_and_own_files_and_nothing_of_another_person(sign_in, amira, dev):
    response = sign_in(amira).post(URL, {"person": dev.pk})  # a person id is ignored
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="your-data-')
    files = read_zip(response.content)
    pdf_text = " ".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(files[SUMMARY_PDF])).pages
    )
    assert "Your data: Amira Khan" in pdf_text
    assert "Learning records (2)" in pdf_text and "Item amira 0" in pdf_text
    assert "Patel" not in pdf_text

    document = json.loads(files[DATA_JSON])
    assert document["format_version"] == 1
    assert document["person"]["full_name"] == "Amira Khan"
    assert document["person"]["account"]["email"] == amira.email
    areas = document["areas"]
    assert set(areas) == {key for key, _title in AREAS}
    for key in ("learning_records", "uploaded_files", "induction_plan", "development_goals",
                "self_assessments", "evidence_links", "sign_off_requests", "sign_offs",
                "supervision_sessions", "safeguarding_discussions", "reflections",
                "network_sessions", "directory_listings", "practice_awareness"):
        assert len(areas[key]) == 2, key
    assert areas["roles"][0]["role"] == Role.CARE_COORDINATOR
    assert [row["person"] for row in areas["support_named_for_you"]] == ["Grace Hughes"]
    session = areas["supervision_sessions"][0]
    assert session["actions"] and session["addenda"] and session["supervisors"] == [
        "Grace Hughes"]
    discussion = areas["safeguarding_discussions"][0]
    assert discussion["concern"].startswith("Concern amira") and discussion["addenda"]
    reflection = areas["reflections"][0]
    assert reflection["shares"] and reflection["comments"]
    assert areas["development_goals"][0]["comments"]
    actions = {row["action"] for row in areas["audit_entries"]}
    assert {"evidence.upload", "test.touch"} <= actions

    # Every uploaded file of hers, byte for byte; none of his.
    mine = EvidenceFile.objects.filter(owner=amira)
    listed = {row["path_in_zip"] for row in areas["uploaded_files"]}
    assert len(listed) == mine.count() == 2
    for path in listed:
        assert files[path].startswith(pdf_bytes("amira"))
    assert set(files) == {DATA_JSON, SUMMARY_PDF, *listed}
    everything = b"".join(files.values()) + files[DATA_JSON]
    assert b"devpatel" not in everything and b"Patel" not in everything
    assert "token_hash" not in files[DATA_JSON].decode()


def test_each_download_is_audited(sign_in, care_coordinator):
    client = sign_in(care_coordinator)
    client.post(URL)
    client.post(URL)
    entries = AuditEntry.objects.filter(action="subject_access.download")
    assert entries.count() == 2
    entry = entries.last()
    assert entry.object_type == "lms.person" and entry.object_id == str(care_coordinator.pk)
    assert entry.actor == care_coordinator.user


def test_another_coordinator_gets_only_their_own(sign_in, amira, dev):
    files = read_zip(sign_in(dev).post(URL).content)
    document = json.loads(files[DATA_JSON])
    assert document["person"]["full_name"] == "Dev Patel"
    text = files[DATA_JSON].decode()
    assert "amira" not in text and "Amira" not in text and "Khan" not in text
    # Amira's discussions with a shared GP are not his (only his own logs).
    assert all(row["care_coordinator_id"] == dev.pk
               for row in document["areas"]["safeguarding_discussions"])


@pytest.mark.parametrize("who", ["pcn_manager", "supervisor", "icb_viewer",
                                 "other_pcn_manager", "no_role_person"])
def test_other_roles_are_refused(request, sign_in, amira, who):
    client = sign_in(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403
    assert client.post(URL).status_code == 403
    assert not AuditEntry.objects.filter(action="subject_access.download").exists()


def test_anonymous_is_sent_to_sign_in(client, amira):
    for response in (client.get(URL), client.post(URL)):
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    assert not AuditEntry.objects.filter(action="subject_access.download").exists()


def test_query_count_does_not_grow_with_rows(pcn, supervisor, care_coordinator):
    busy = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Busy", family_name="Bee")
    fill(care_coordinator, 1, supporter=supervisor, tag="one")
    fill(busy, 4, supporter=supervisor, tag="four")

    def queries(person):
        with CaptureQueriesContext(connection) as captured:
            subject_access_export(actor=person.user, person=person)
        return len(captured)

    assert queries(busy) == queries(care_coordinator)
