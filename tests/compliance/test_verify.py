"""The public /verify/ page (issue 7, points 5 and 7, and "bad input"): a known fingerprint
shows that Coordinate issued the pack, when, how often and for which PCN, with no personal
data; an unknown or malformed one gets "not issued by this system" and nothing else."""

import datetime

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from lms.compliance import packs
from lms.compliance.models import IssuedPack, PackKind, PackStatus
from tests.compliance.builders import compliant_coordinator

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 11, 14)
FINGERPRINT = "3f" * 32
NOT_ISSUED = "This fingerprint was not issued by this system"


def issued_pack(pcn, person=None, *, fingerprint=FINGERPRINT, when=None, kind=PackKind.PCN,
                requested_by=None, status=PackStatus.DONE):
    when = when or timezone.make_aware(datetime.datetime(2025, 11, 14, 10, 5))
    pack = IssuedPack(kind=kind, pcn=pcn, person=person, as_of=TODAY, contract_year="2025/26",
                      status=status, progress=100, fingerprint=fingerprint, requested_at=when,
                      issued_at=when, requested_by=requested_by)
    pack.file.save("evidence-pack.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    pack.save()
    return pack


def page(client, url, params=None):
    response = client.get(url, params or {})
    return response.status_code, response.content.decode()


def test_a_known_fingerprint_shows_who_issued_what_and_when_without_personal_data(
        client, pcn, care_coordinator, pcn_manager):
    issued_pack(pcn, care_coordinator, kind=PackKind.COORDINATOR,
                requested_by=pcn_manager.user)
    issued_pack(pcn, care_coordinator, kind=PackKind.COORDINATOR, requested_by=pcn_manager.user,
                when=timezone.make_aware(datetime.datetime(2025, 11, 20, 16, 45)))
    status, html = page(client, reverse("verify:fingerprint", args=[FINGERPRINT]))
    assert status == 200
    assert "Issued by Coordinate" in html
    for words in (pcn.name, pcn.ods_code, "One care coordinator", "14 November 2025",
                  "2025/26", "14 November 2025, 10:05", "20 November 2025, 16:45"):
        assert words in html, words
    assert ">2 (last on" in html
    main = html[html.index('id="maincontent"'):]
    for personal in (care_coordinator.given_name, care_coordinator.family_name,
                     care_coordinator.user.email, pcn_manager.family_name,
                     pcn_manager.user.email, pcn.icb.name):
        assert personal not in main, personal
    assert NOT_ISSUED not in html


def test_anyone_may_verify_without_signing_in(client, pcn):
    issued_pack(pcn)
    status, html = page(client, reverse("verify:index"), {"fingerprint": FINGERPRINT})
    assert status == 200 and "Issued by Coordinate" in html
    assert "Whole PCN" in html
    assert page(client, reverse("verify:index"))[0] == 200


def test_a_signed_in_user_verifies_too(sign_in, pcn, icb_viewer):
    issued_pack(pcn)
    status, html = page(sign_in(icb_viewer), reverse("verify:fingerprint", args=[FINGERPRINT]))
    assert status == 200 and "Issued by Coordinate" in html


@pytest.mark.parametrize("typed", [
    FINGERPRINT.upper(),
    " ".join(FINGERPRINT[i:i + 8] for i in range(0, 64, 8)),
    f"  {FINGERPRINT}\n",
])
def test_spaces_line_breaks_and_capitals_do_not_matter(client, pcn, typed):
    issued_pack(pcn)
    status, html = page(client, reverse("verify:index"), {"fingerprint": typed})
    assert status == 200 and "Issued by Coordinate" in html


@pytest.mark.parametrize("fingerprint", [
    "0" * 64,  # well formed, never issued
    FINGERPRINT[:-1],  # one short
    FINGERPRINT + "0",  # one too many
    "g" * 64,  # not hex
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "x" * 5000,
    "%00",
])
def test_unknown_or_malformed_fingerprints_are_not_issued_with_no_detail(client, pcn,
                                                                       fingerprint):
    issued_pack(pcn)
    for url, params, status in ((reverse("verify:index"), {"fingerprint": fingerprint}, 200),
                                (f"/verify/{fingerprint}/", None, 404)):
        response = client.get(url, params or {})
        html = response.content.decode()
        assert response.status_code == status, url
        assert NOT_ISSUED in html
        assert "Issued by Coordinate" not in html
        assert pcn.name not in html and pcn.ods_code not in html
        assert "<script>alert(1)</script>" not in html
        assert "Verify an evidence pack" in html  # the page itself, not an error page


def test_a_pack_not_finished_verifies_as_not_issued(client, pcn):
    pack = issued_pack(pcn, status=PackStatus.RUNNING)
    IssuedPack.objects.filter(pk=pack.pk).update(issued_at=None)
    status, html = page(client, reverse("verify:fingerprint", args=[FINGERPRINT]))
    assert status == 404 and NOT_ISSUED in html


def test_an_empty_form_asks_for_the_fingerprint(client):
    status, html = page(client, reverse("verify:index"), {"fingerprint": "   "})
    assert status == 200
    assert "Enter the fingerprint printed on the pack" in html
    assert "<title>Error: " in html
    assert NOT_ISSUED not in html


def test_the_fingerprint_printed_on_a_real_pack_verifies(client, pcn, pcn_manager):
    with time_machine.travel(datetime.datetime(2025, 11, 14, 12, 0), tick=False):
        person = compliant_coordinator(pcn, TODAY, given_name="Zephyrine",
                                       family_name="Quillfeather")
        pack, _pdf = packs.coordinator_pack_issue(actor=pcn_manager.user, person=person,
                                                  pcn=pcn, as_of=TODAY)
    status, html = page(client, packs.verify_url(pack.fingerprint).removeprefix(
        "http://127.0.0.1:8000"))
    assert status == 200 and "Issued by Coordinate" in html
    assert "Zephyrine" not in html and "Quillfeather" not in html
