"""Evidence pack pages through the real engine: who may ask for, follow and download which
pack; a coordinator's pack built in the request; a PCN pack queued, built in the background
and shown once; "as at" validation; hostile input; query counts (issue 7, points 5-7)."""

import datetime
import io

import pypdf
import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lms.compliance import engine, pack_panels, packs, tasks
from lms.compliance.models import IssuedPack, PackKind, PackStatus
from lms.models import AuditEntry, Role
from tests.compliance.builders import compliant_coordinator, coordinator, days, des_curriculum
from tests.conftest import make_person
from tests.factories import PCNFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 11, 14)
BUILD = tasks.build_pcn_pack


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2025, 11, 14, 12, 0), tick=False):
        yield


@pytest.fixture
def compliant(pcn):
    return compliant_coordinator(pcn, TODAY, given_name="Zephyrine", family_name="Quillfeather")


@pytest.fixture
def curriculum(db):
    return des_curriculum(framework=False)


def date_fields(prefix, day):
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month),
            f"{prefix}_year": str(day.year)}


def made_pack(pcn, *, kind=PackKind.PCN, person=None, status=PackStatus.DONE, as_of=TODAY,
              requested_by=None, fingerprint="a" * 64, requested_at=None):
    pack = IssuedPack(kind=kind, pcn=pcn, person=person, as_of=as_of, contract_year="2025/26",
                      status=status, requested_by=requested_by,
                      requested_at=requested_at or timezone.now())
    if status == PackStatus.DONE:
        pack.fingerprint, pack.issued_at, pack.progress = fingerprint, timezone.now(), 100
        pack.file.save("evidence-pack.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    pack.save()
    return pack


def pdf_text(content: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages)


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- who may reach which page ---------------------------------------------------------------


@pytest.fixture
def our_packs(pcn, care_coordinator, pcn_manager):
    return {
        "pcn": made_pack(pcn, requested_by=pcn_manager.user),
        "coordinator": made_pack(pcn, kind=PackKind.COORDINATOR, person=care_coordinator,
                                 requested_by=pcn_manager.user, fingerprint="b" * 64),
    }


def urls_for(pcn, our_packs):
    return [
        ("get", reverse("packs:pcn", args=[pcn.pk])),
        ("post", reverse("packs:pcn", args=[pcn.pk])),
        ("post", reverse("packs:pcn_coordinator_pack", args=[pcn.pk])),
        ("get", reverse("packs:pcn_csv", args=[pcn.pk])),
        ("get", reverse("packs:detail", args=[our_packs["pcn"].pk])),
        ("get", reverse("packs:download", args=[our_packs["pcn"].pk])),
        ("get", reverse("packs:detail", args=[our_packs["coordinator"].pk])),
        ("get", reverse("packs:download", args=[our_packs["coordinator"].pk])),
    ]


def test_another_pcns_manager_finds_none_of_our_packs(sign_in, other_pcn_manager, pcn,
                                                      our_packs):
    client = sign_in(other_pcn_manager)
    for method, url in urls_for(pcn, our_packs):
        response = getattr(client, method)(url, {"pcn-as_of_day": "1"} if method == "post"
                                           else {})
        assert response.status_code == 404, url
    assert IssuedPack.objects.count() == 2


@pytest.mark.parametrize("who", ["icb_viewer", "supervisor", "no_role_person"])
def test_people_without_a_manager_or_coordinator_role_are_refused(request, sign_in, who, pcn,
                                                                  our_packs):
    client = sign_in(request.getfixturevalue(who))
    for method, url in [*urls_for(pcn, our_packs), ("get", reverse("packs:index")),
                        ("get", reverse("packs:mine")), ("post", reverse("packs:mine"))]:
        response = getattr(client, method)(url)
        assert response.status_code == 403, (who, url)
        assert b"Amira Khan" not in response.content
    assert IssuedPack.objects.count() == 2


def test_a_coordinator_reaches_only_their_own_packs(sign_in, care_coordinator, pcn,
                                                    other_coordinator, our_packs):
    client = sign_in(care_coordinator)
    own = our_packs["coordinator"]
    assert client.get(reverse("packs:detail", args=[own.pk])).status_code == 200
    download = client.get(reverse("packs:download", args=[own.pk]))
    assert download.status_code == 200
    for method, url in urls_for(pcn, our_packs)[:4]:
        assert getattr(client, method)(url).status_code == 403, url
    for name in ("detail", "download"):
        url = reverse(f"packs:{name}", args=[our_packs["pcn"].pk])
        assert client.get(url).status_code == 404
    assert client.get(reverse("packs:index")).url == reverse("packs:mine")
    other = sign_in(other_coordinator)
    for name in ("detail", "download"):
        assert other.get(reverse(f"packs:{name}", args=[own.pk])).status_code == 404


def test_the_manager_reaches_every_pack_of_their_pcn(sign_in, pcn_manager, pcn, our_packs):
    client = sign_in(pcn_manager)
    assert client.get(reverse("packs:index")).url == reverse("packs:pcn", args=[pcn.pk])
    page = client.get(reverse("packs:pcn", args=[pcn.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Whole PCN" in html and "Amira Khan" in html
    for pack in our_packs.values():
        response = client.get(reverse("packs:download", args=[pack.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]


def test_a_manager_of_several_pcns_chooses_one(sign_in, pcn, other_pcn, pcn_manager):
    from tests.factories import RoleAssignmentFactory

    RoleAssignmentFactory(person=pcn_manager, role=Role.PCN_MANAGER, pcn=other_pcn,
                          starts_on=datetime.date(2025, 1, 6))
    response = sign_in(pcn_manager).get(reverse("packs:index"))
    assert response.status_code == 200
    assert pcn.name in response.content.decode() and other_pcn.name in response.content.decode()


def test_a_pack_not_finished_or_whose_file_is_lost_has_no_download(sign_in, pcn_manager, pcn):
    pack = made_pack(pcn, status=PackStatus.RUNNING)
    client = sign_in(pcn_manager)
    assert client.get(reverse("packs:download", args=[pack.pk])).status_code == 404
    lost = made_pack(pcn)
    lost.file.storage.delete(lost.file.name)
    assert client.get(reverse("packs:download", args=[lost.pk])).status_code == 404


# --- one coordinator's pack, built in the request ----------------------------------------------


def test_the_manager_downloads_a_coordinators_pack_built_on_request(sign_in, pcn_manager, pcn,
                                                                    compliant):
    response = sign_in(pcn_manager).post(
        reverse("packs:pcn_coordinator_pack", args=[pcn.pk]),
        {"one-person": compliant.pk, **date_fields("one-as_of", TODAY)},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="evidence-pack-Zephyrine-Quillfeather-2025-11-14.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    pack = IssuedPack.objects.get()
    assert (pack.kind, pack.person, pack.status, pack.requested_by) == (
        PackKind.COORDINATOR, compliant, PackStatus.DONE, pcn_manager.user)
    assert pack.fingerprint in pdf_text(response.content).replace("\n", "")
    assert pack.file.read() == response.content
    assert AuditEntry.objects.filter(action="evidence_pack.issue",
                                     object_id=str(pack.pk)).exists()


def test_a_coordinator_downloads_their_own_pack(sign_in, compliant):
    client = sign_in(compliant)
    assert client.get(reverse("packs:mine")).status_code == 200
    response = client.post(reverse("packs:mine"), date_fields("as_of", TODAY))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pack = IssuedPack.objects.get()
    assert (pack.person, pack.pcn, pack.requested_by) == (compliant, compliant.pcn,
                                                          compliant.user)
    html = client.get(reverse("packs:mine")).content.decode()
    assert reverse("packs:download", args=[pack.pk]) in html


def test_a_coordinator_of_another_pcn_is_not_in_the_managers_list(sign_in, pcn_manager, pcn,
                                                                 other_coordinator):
    response = sign_in(pcn_manager).post(
        reverse("packs:pcn_coordinator_pack", args=[pcn.pk]),
        {"one-person": other_coordinator.pk, **date_fields("one-as_of", TODAY)},
    )
    assert response.status_code == 200
    assert "Choose a care coordinator from the list" in response.content.decode()
    assert not IssuedPack.objects.exists()


def test_a_date_when_the_person_was_not_a_coordinator_is_refused(sign_in, pcn_manager, pcn,
                                                                 curriculum):
    late = coordinator(pcn, started_on=datetime.date(2025, 10, 1), given_name="Lena",
                       family_name="Late")
    response = sign_in(pcn_manager).post(
        reverse("packs:pcn_coordinator_pack", args=[pcn.pk]),
        {"one-person": late.pk, **date_fields("one-as_of", datetime.date(2025, 9, 1))},
    )
    html = response.content.decode()
    assert "Lena Late was not a care coordinator of Riverside PCN on 1 September 2025" in html
    assert 'value="9"' in html  # the typed month is kept
    assert not IssuedPack.objects.exists()


# --- "as at" validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("15", "11", "2025", "‘As at’ date must be today or in the past"),
        ("1", "1", "2025", "‘As at’ date must be on or after 6 January 2025, when Riverside "
                           "PCN started"),
        ("1", "3", "2024", "There are no DES requirements for 1 March 2024"),
        ("31", "2", "2025", "Enter a real date"),
        ("", "", "", "Enter the ‘as at’ date"),
        ("1", "13", "20x5", "Enter a real date"),
        ("<script>", "1", "2025", "Enter a real date"),
    ],
)
def test_a_bad_as_at_date_is_refused_next_to_the_field_with_the_input_kept(
        sign_in, pcn_manager, care_coordinator, pcn, day, month, year, message):
    client = sign_in(pcn_manager)
    response = client.post(reverse("packs:pcn", args=[pcn.pk]), {
        "pcn-as_of_day": day, "pcn-as_of_month": month, "pcn-as_of_year": year})
    assert response.status_code == 200
    html = response.content.decode()
    assert message.replace("‘", "&lsquo;") in html or message in html
    assert html.count(message) + html.count(message.replace("‘", "&lsquo;")) >= 2  # summary too
    assert "<title>Error: " in html
    assert 'id="id_pcn-as_of_day"' in html
    if year:
        assert f'value="{year}"' in html
    assert "<script>" not in html.split('id="maincontent"')[1].split("</main>")[0]
    assert not IssuedPack.objects.exists()


def test_the_own_pack_form_refuses_a_date_before_the_coordinator_started(sign_in,
                                                                          care_coordinator):
    response = sign_in(care_coordinator).post(
        reverse("packs:mine"), date_fields("as_of", datetime.date(2024, 12, 1)))
    assert response.status_code == 200
    assert "You were not a care coordinator on 1 December 2024" in response.content.decode()
    assert not IssuedPack.objects.exists()


def test_a_pcn_with_nobody_yet_cannot_have_a_pack(sign_in):
    empty = PCNFactory(name="Empty PCN")
    manager = make_person(Role.PCN_MANAGER, pcn=empty)
    # The manager's own role is the PCN's first: move it later than the date asked for.
    manager.role_assignments.update(starts_on=datetime.date(2025, 6, 1))
    response = sign_in(manager).post(reverse("packs:pcn", args=[empty.pk]),
                                     date_fields("pcn-as_of", datetime.date(2025, 5, 1)))
    assert "when Empty PCN started" in response.content.decode()


# --- a PCN pack in the background ----------------------------------------------------------------


def test_a_pcn_pack_is_queued_built_in_the_background_and_offered_for_download(
        sign_in, pcn_manager, pcn, compliant):
    client = sign_in(pcn_manager)
    response = client.post(reverse("packs:pcn", args=[pcn.pk]),
                           date_fields("pcn-as_of", TODAY))
    pack = IssuedPack.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("packs:detail", args=[pack.pk])
    assert messages_of(response) == [
        "The evidence pack for Riverside PCN as at 14 November 2025 is being built."]
    # Tests run the task at once (ImmediateBackend): the pack is ready.
    assert (pack.kind, pack.status, pack.progress) == (PackKind.PCN, PackStatus.DONE, 100)
    assert pack.fingerprint == packs.content_fingerprint(packs.pcn_pack_content(pcn, TODAY))
    html = client.get(response.url).content.decode()
    assert "Ready" in html and 'http-equiv="refresh"' not in html
    assert reverse("packs:download", args=[pack.pk]) in html
    assert pack.fingerprint in html
    download = client.get(reverse("packs:download", args=[pack.pk]))
    text = pdf_text(b"".join(download.streaming_content))
    assert "Zephyrine Quillfeather" in text
    assert {"evidence_pack.request", "evidence_pack.issue"} <= set(
        AuditEntry.objects.values_list("action", flat=True))


@pytest.fixture
def not_run(monkeypatch):
    """Queue without running: as with the database backend before a worker picks it up."""
    queued = []
    monkeypatch.setattr(tasks, "build_pcn_pack", type("Queue", (), {"enqueue": queued.append}))
    return queued


def test_the_task_takes_a_queued_pack_through_running_to_done(pcn, pcn_manager, compliant,
                                                              monkeypatch, not_run):
    pack, created = packs.pcn_pack_request(actor=pcn_manager.user, pcn=pcn, as_of=TODAY)
    assert created and pack.status == PackStatus.QUEUED and not_run == [pack.pk]
    progress = []
    real = packs._set_progress
    monkeypatch.setattr(packs, "_set_progress",
                        lambda pack_id, percent: (progress.append(percent),
                                                  real(pack_id, percent)))
    BUILD.call(pack.pk)
    pack.refresh_from_db()
    assert (pack.status, pack.progress, pack.error) == (PackStatus.DONE, 100, "")
    assert progress == [80, 95]  # one coordinator, then the PDF
    assert pack.file.read().startswith(b"%PDF-") and pack.issued_at is not None
    # Delivered twice: the second run leaves the finished pack alone.
    name = pack.file.name
    BUILD.call(pack.pk)
    pack.refresh_from_db()
    assert pack.file.name == name and pack.status == PackStatus.DONE


def test_the_page_reloads_itself_while_the_pack_is_built(sign_in, pcn_manager, pcn):
    pack = made_pack(pcn, status=PackStatus.RUNNING)
    IssuedPack.objects.filter(pk=pack.pk).update(progress=40)
    html = sign_in(pcn_manager).get(reverse("packs:detail", args=[pack.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="5">' in html
    assert "40% done" in html and "reloads itself every 5 seconds" in html
    assert reverse("packs:download", args=[pack.pk]) not in html


def test_a_failed_build_is_recorded_and_shown(sign_in, pcn, pcn_manager, curriculum,
                                              monkeypatch, not_run, caplog):
    pack, _ = packs.pcn_pack_request(actor=pcn_manager.user, pcn=pcn, as_of=TODAY)

    def broken(*args, **kwargs):
        raise packs.pack_pdf.segno.DataOverflowError("too much")

    monkeypatch.setattr(packs.pack_pdf, "qr_data_uri", broken)
    BUILD.call(pack.pk)
    pack.refresh_from_db()
    assert pack.status == PackStatus.FAILED
    assert pack.error.startswith("The pack could not be built (DataOverflowError)")
    assert "Evidence pack" in caplog.text
    html = sign_in(pcn_manager).get(reverse("packs:detail", args=[pack.pk])).content.decode()
    assert "The pack could not be built" in html and "Failed" in html
    # A failed pack does not block asking again.
    again, created = packs.pcn_pack_request(actor=pcn_manager.user, pcn=pcn, as_of=TODAY)
    assert created and again.pk != pack.pk


def test_asking_again_while_one_is_being_built_shows_that_one(sign_in, pcn_manager, pcn,
                                                             curriculum, not_run):
    running = made_pack(pcn, status=PackStatus.RUNNING)
    response = sign_in(pcn_manager).post(reverse("packs:pcn", args=[pcn.pk]),
                                         date_fields("pcn-as_of", TODAY))
    assert response.url == reverse("packs:detail", args=[running.pk])
    assert "already being built" in messages_of(response)[0]
    assert IssuedPack.objects.count() == 1 and not_run == []
    # Another date, a finished pack, or a one-coordinator pack are no obstacle.
    other, created = packs.pcn_pack_request(actor=pcn_manager.user, pcn=pcn,
                                            as_of=TODAY - days(1))
    assert created and other.pk != running.pk


def test_two_racing_requests_make_one_pack(pcn, pcn_manager, curriculum, monkeypatch, not_run):
    first, _ = packs.pcn_pack_request(actor=pcn_manager.user, pcn=pcn, as_of=TODAY)
    # The second request's check ran before the first committed: it saw nothing running.
    real = packs._in_progress
    calls = []

    def blind_at_first(pcn_, as_of):
        calls.append(1)
        return IssuedPack.objects.none() if len(calls) <= 2 else real(pcn_, as_of)

    monkeypatch.setattr(packs, "_in_progress", blind_at_first)
    second, created = packs.pcn_pack_request(actor=pcn_manager.user, pcn=pcn, as_of=TODAY)
    assert not created and second.pk == first.pk
    assert IssuedPack.objects.count() == 1 and not_run == [first.pk]


def test_the_database_refuses_a_second_pack_in_progress(pcn):
    made_pack(pcn, status=PackStatus.QUEUED)
    with pytest.raises(IntegrityError), transaction.atomic():
        made_pack(pcn, status=PackStatus.RUNNING)
    made_pack(pcn, status=PackStatus.DONE)  # finished ones are not limited
    made_pack(pcn, status=PackStatus.QUEUED, as_of=TODAY - days(1))


def test_a_pack_stuck_for_over_an_hour_is_given_up(pcn, pcn_manager, curriculum, not_run):
    stuck = made_pack(pcn, status=PackStatus.RUNNING,
                      requested_at=timezone.now() - datetime.timedelta(hours=2))
    pack, created = packs.pcn_pack_request(actor=pcn_manager.user, pcn=pcn, as_of=TODAY)
    assert created and pack.pk != stuck.pk
    stuck.refresh_from_db()
    assert stuck.status == PackStatus.FAILED and "stopped without finishing" in stuck.error


# --- CSV form errors, hostile input --------------------------------------------------------------


def test_the_csv_form_shows_its_errors_on_the_page(sign_in, pcn_manager, pcn, care_coordinator):
    client = sign_in(pcn_manager)
    response = client.get(reverse("packs:pcn_csv", args=[pcn.pk]),
                          {"csv-report": "everything", **date_fields("csv-as_of", TODAY)})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "Choose which data to download" in response.content.decode()


@pytest.mark.parametrize("query", [
    {"page": "-1"}, {"page": "x" * 500}, {"page": "99999"}, {"one-person": "'; DROP"},
])
def test_hostile_query_strings_do_not_break_the_pages(sign_in, pcn_manager, pcn, query):
    client = sign_in(pcn_manager)
    assert client.get(reverse("packs:pcn", args=[pcn.pk]), query).status_code == 200


def test_hostile_posts_get_field_errors(sign_in, pcn_manager, pcn, care_coordinator):
    client = sign_in(pcn_manager)
    response = client.post(reverse("packs:pcn_coordinator_pack", args=[pcn.pk]),
                           {"one-person": "1 OR 1=1", "one-as_of_day": "\x00"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose a care coordinator from the list" in html
    assert client.get(reverse("packs:pcn_coordinator_pack", args=[pcn.pk])).status_code == 405
    assert client.get(reverse("packs:detail", args=[2**40])).status_code == 404
    assert client.get("/packs/pcn/99999999999/").status_code == 404


# --- lists and the home panel: queries do not grow with the data ---------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_pack_list_costs_the_same_queries_for_3_and_30_packs(sign_in, pcn_manager, pcn,
                                                                 care_coordinator):
    client = sign_in(pcn_manager)
    url = reverse("packs:pcn", args=[pcn.pk])
    for n in range(3):
        made_pack(pcn, kind=PackKind.COORDINATOR, person=care_coordinator,
                  requested_by=pcn_manager.user, as_of=TODAY - days(n))
    small = count_queries(client, url)
    for n in range(3, 30):
        made_pack(pcn, kind=PackKind.COORDINATOR, person=make_person(
            Role.CARE_COORDINATOR, pcn=pcn), requested_by=pcn_manager.user,
            as_of=TODAY - days(n))
    assert count_queries(client, url) == small
    html = client.get(url).content.decode()
    assert "30 packs, newest first" in html and "Page 2 of 2" in html


def test_the_managers_home_panel_shows_packs_being_built_and_recently_ready(
        sign_in, pcn_manager, pcn, other_pcn, care_coordinator):
    made_pack(pcn, status=PackStatus.RUNNING)
    made_pack(pcn, kind=PackKind.COORDINATOR, person=care_coordinator)
    old = made_pack(pcn, as_of=TODAY - days(30), fingerprint="c" * 64)
    IssuedPack.objects.filter(pk=old.pk).update(issued_at=timezone.now() - days(8))
    made_pack(other_pcn, status=PackStatus.QUEUED)
    html = sign_in(pcn_manager).get(reverse("home")).content.decode()
    panel = html[html.index("<h2>Evidence packs</h2>"):]
    panel = panel[:panel.index("All evidence packs")]
    assert "Being built: 0%" in panel and "Amira Khan as at 14 November 2025" in panel
    assert "15 October 2025" not in panel and "Hillside" not in panel

    from lms.access import scope_for

    request = type("R", (), {"user": pcn_manager.user})()
    scope = scope_for(pcn_manager.user, TODAY)
    with CaptureQueriesContext(connection) as captured:
        pack_panels.manager_packs(request, scope, TODAY)
    assert len(captured) == 1  # fewer than 5 rows: no count needed
    for n in range(8):
        made_pack(pcn, status=PackStatus.DONE, as_of=TODAY - days(40 + n))
    with CaptureQueriesContext(connection) as captured:
        _template, context = pack_panels.manager_packs(request, scope, TODAY)
    assert len(captured) == 2 and len(context["packs"]) == 5 and context["total"] == 10


def test_nobody_but_managers_gets_the_panel(care_coordinator, icb_viewer):
    from lms.access import scope_for

    for person in (care_coordinator, icb_viewer):
        request = type("R", (), {"user": person.user})()
        assert pack_panels.manager_packs(request, scope_for(person.user, TODAY), TODAY) is None


def test_engine_rules_apply_to_the_year_of_the_date(pcn, compliant):
    content = packs.coordinator_pack_content(compliant, pcn, datetime.date(2025, 3, 31))
    assert content["contract_year"] == "2024/25"
    assert content["requirements"][0]["clause"].startswith("Network Contract DES 2024/25")
    assert engine.requirement_set_for(datetime.date(2025, 3, 31)).contract_year == "2024/25"


HOSTILE = ["x" * 10_000, ("ẞ𝓧😀\u202e" * 500)[:2000], "<script>alert(1)</script>", "-1",
           "999999", "' OR 1=1 --", "1.5e308", "\x00", ""]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_in_every_field_give_field_errors_and_no_500(sign_in, pcn_manager, pcn,
                                                                  care_coordinator, value):
    client = sign_in(pcn_manager)
    good = {
        "packs:pcn": date_fields("pcn-as_of", TODAY),
        "packs:pcn_coordinator_pack": {"one-person": str(care_coordinator.pk),
                                       **date_fields("one-as_of", TODAY)},
    }
    for name, fields in good.items():
        for field in fields:
            response = client.post(reverse(name, args=[pcn.pk]), {**fields, field: value})
            assert response.status_code == 200, (name, field)
            html = response.content.decode()
            assert "nhsuk-error-message" in html, (name, field)
            assert "<script>alert(1)</script>" not in html
    csv_fields = {"csv-report": "hours", **date_fields("csv-as_of", TODAY)}
    for field in csv_fields:
        response = client.get(reverse("packs:pcn_csv", args=[pcn.pk]),
                              {**csv_fields, field: value})
        assert response.status_code == 200
        assert "nhsuk-error-message" in response.content.decode(), field
    assert not IssuedPack.objects.exists()
