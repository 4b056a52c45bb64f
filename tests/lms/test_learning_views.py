"""Recording learning, correcting it with history kept, verifying certificates, who may see what."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from content.models import Kind
from lms import services
from lms.models import EvidenceFile, LearningRecord, LearningStatus, Role, add_months
from tests.conftest import make_person
from tests.curriculum import curriculum_section, learning_item

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
D = datetime.date


def date_fields(name, day):
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month),
            f"{name}_year": str(day.year)}


def pdf(name="certificate.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def record_data(**overrides):
    data = {
        "stage": LearningStatus.ENROLLED,
        **date_fields("enrolled_on", D(2025, 9, 1)),
        "provider": "Health Coaching Ltd",
        "provider_pci_assured": "on",
        "cpd_hours": "",
        "hours_out_of_practice": "",
        "notes": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def section(db):
    return curriculum_section()


@pytest.fixture
def course(section):
    return learning_item(section, "pci-health-coaching", kind=Kind.PCI_COURSE,
                         title="Health coaching skills", provider="PCI-assured provider",
                         pci_assured=True)


@pytest.fixture
def fire_safety(section):
    return learning_item(section, "cstf-fire-safety", title="Fire safety", refresher_months=24)


def save(person, item, actor=None, **fields):
    return services.learning_record_save(
        actor=(actor or person).user, person=person, item=item, **fields
    )


def completed_record(person, item, certificate=True):
    return save(person, item, stage=LearningStatus.COMPLETED, completed_on=D(2025, 10, 1),
                certificate=pdf() if certificate else None)


# --- recording ---------------------------------------------------------------------------


def test_coordinator_records_enrolment_then_completion_with_a_certificate(
    sign_in, care_coordinator, course
):
    client = sign_in(care_coordinator)
    url = reverse("learning:record", args=[course.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, record_data(), follow=True)
    record = LearningRecord.objects.get(person=care_coordinator, item=course)
    assert response.redirect_chain[-1][0] == reverse("learning:record_detail", args=[record.pk])
    assert "Your record for Health coaching skills has been saved" in response.content.decode()
    assert record.stage == LearningStatus.ENROLLED
    assert record.enrolled_on == D(2025, 9, 1)
    assert record.provider_pci_assured

    data = record_data(stage=LearningStatus.COMPLETED, **date_fields("completed_on",
                       D(2025, 11, 20)), cpd_hours="14", hours_out_of_practice="7.5",
                       certificate=pdf())
    response = client.post(url, data, follow=True)
    html = response.content.decode()
    record.refresh_from_db()
    assert record.stage == LearningStatus.COMPLETED
    assert record.completed_on == D(2025, 11, 20)
    assert str(record.cpd_hours) == "14.0"
    certificate = record.certificates.get()
    assert certificate.content_type == "application/pdf"
    assert reverse("evidence_file_download", args=[certificate.pk]) in html
    assert LearningRecord.objects.filter(person=care_coordinator).count() == 1

    mine = client.get(reverse("learning:mine")).content.decode()
    assert "Health coaching skills" in mine
    assert "Qualified" in mine  # DES 1(a) from the completed PCI course
    assert "20 November 2025" in mine


def test_future_completion_date_is_a_field_error_and_typing_is_kept(
    sign_in, care_coordinator, course
):
    future = timezone.localdate() + datetime.timedelta(days=10)
    data = record_data(stage=LearningStatus.COMPLETED, notes="Typed notes kept",
                       **date_fields("completed_on", future))
    response = sign_in(care_coordinator).post(
        reverse("learning:record", args=[course.pk]), data
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in html
    assert "There is a problem" in html
    assert 'href="#id_completed_on_day"' in html
    assert "The date cannot be in the future" in html
    assert "Typed notes kept" in html
    assert f'value="{future.year}"' in html
    assert 'value="Health Coaching Ltd"' in html
    assert not LearningRecord.objects.exists()


def test_html_disguised_as_a_pdf_is_refused_and_nothing_is_saved(
    sign_in, care_coordinator, course
):
    data = record_data(
        notes="Still here",
        certificate=pdf("certificate.pdf", b"<html><script>alert(1)</script></html>"),
    )
    response = sign_in(care_coordinator).post(
        reverse("learning:record", args=[course.pk]), data
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The selected file must be a PDF, PNG or JPEG" in html
    assert 'id="id_certificate-error"' in html  # the message sits next to the field
    assert "Still here" in html
    assert 'value="Health Coaching Ltd"' in html
    assert not LearningRecord.objects.exists()
    assert not EvidenceFile.objects.exists()


def test_a_bad_file_and_a_bad_date_are_both_reported_at_once(sign_in, care_coordinator, course):
    future = timezone.localdate() + datetime.timedelta(days=10)
    data = record_data(stage=LearningStatus.COMPLETED, **date_fields("completed_on", future),
                       certificate=pdf("certificate.pdf", b"<html></html>"))
    html = sign_in(care_coordinator).post(
        reverse("learning:record", args=[course.pk]), data
    ).content.decode()
    assert "The selected file must be a PDF, PNG or JPEG" in html
    assert "The date cannot be in the future" in html
    assert not LearningRecord.objects.exists()


def test_a_second_record_for_the_same_item_opens_the_existing_one(
    sign_in, care_coordinator, course
):
    record = save(care_coordinator, course, stage=LearningStatus.ENROLLED,
                  enrolled_on=D(2025, 9, 1), notes="First notes")
    client = sign_in(care_coordinator)
    response = client.get(reverse("learning:record", args=[course.pk]))
    html = response.content.decode()
    assert "Change your record" in html
    assert "First notes" in html
    assert 'value="2025"' in html

    client.post(reverse("learning:record", args=[course.pk]),
                record_data(stage=LearningStatus.IN_PROGRESS,
                            **date_fields("started_on", D(2025, 9, 15))))
    assert LearningRecord.objects.get().pk == record.pk
    record.refresh_from_db()
    assert record.stage == LearningStatus.IN_PROGRESS


def test_history_keeps_the_earlier_value_after_a_correction(
    sign_in, care_coordinator, fire_safety
):
    record = completed_record(care_coordinator, fire_safety, certificate=False)
    client = sign_in(care_coordinator)
    client.post(
        reverse("learning:record", args=[fire_safety.pk]),
        record_data(stage=LearningStatus.COMPLETED, enrolled_on_day="", enrolled_on_month="",
                    enrolled_on_year="", **date_fields("completed_on", D(2025, 10, 3))),
    )
    html = client.get(reverse("learning:record_detail", args=[record.pk])).content.decode()
    history = html[html.index("<h2>History</h2>"):]
    assert "Recorded" in history and "Changed" in history
    assert "<del>1 October 2025</del>" in history
    assert "3 October 2025" in history
    assert history.count("Amira Khan") == 2


def test_manager_records_for_someone_in_their_pcn(sign_in, pcn_manager, care_coordinator, course):
    url = reverse("learning:record_for", args=[care_coordinator.pk, course.pk])
    response = sign_in(pcn_manager).post(url, record_data(), follow=True)
    assert "Amira Khan’s record for Health coaching skills has been saved" in (
        response.content.decode()
    )
    record = LearningRecord.objects.get()
    assert record.person == care_coordinator
    assert record.created_by == pcn_manager.user


# --- verification ----------------------------------------------------------------------------


def test_supervisor_verifies_a_certificate_and_the_record_shows_who_and_when(
    sign_in, supervisor, care_coordinator, fire_safety
):
    record = completed_record(care_coordinator, fire_safety)
    client = sign_in(supervisor)
    queue = client.get(reverse("learning:verification_queue")).content.decode()
    assert "Fire safety" in queue and "Amira Khan" in queue

    detail = client.get(reverse("learning:record_detail", args=[record.pk])).content.decode()
    assert "Verify certificate" in detail

    response = client.post(reverse("learning:verify", args=[record.pk]), follow=True)
    html = response.content.decode()
    record.refresh_from_db()
    assert record.verified_by == supervisor.user
    assert f"Verified by Grace Hughes on {record.verified_at:%-d %B %Y}" in html
    assert "Verify certificate" not in html
    queue = client.get(reverse("learning:verification_queue")).content.decode()
    assert "There are no certificates waiting to be verified" in queue


def test_a_coordinator_cannot_verify_their_own_record(sign_in, care_coordinator, fire_safety):
    record = completed_record(care_coordinator, fire_safety)
    client = sign_in(care_coordinator)
    detail = client.get(reverse("learning:record_detail", args=[record.pk])).content.decode()
    assert "Verify certificate" not in detail
    assert client.post(reverse("learning:verify", args=[record.pk])).status_code == 403
    assert client.get(reverse("learning:verification_queue")).status_code == 403
    record.refresh_from_db()
    assert record.verified_at is None


def test_a_manager_cannot_verify_their_own_record(sign_in, pcn_manager, fire_safety):
    record = completed_record(pcn_manager, fire_safety)
    response = sign_in(pcn_manager).post(reverse("learning:verify", args=[record.pk]),
                                         follow=True)
    assert "You cannot verify your own learning record" in response.content.decode()
    record.refresh_from_db()
    assert record.verified_at is None


# --- who may see what ----------------------------------------------------------------------


def _urls(record, person, item):
    return {
        "person": ("get", reverse("learning:person", args=[person.pk])),
        "detail": ("get", reverse("learning:record_detail", args=[record.pk])),
        "verify": ("post", reverse("learning:verify", args=[record.pk])),
        "record_for": ("get", reverse("learning:record_for", args=[person.pk, item.pk])),
    }


def test_another_pcns_manager_gets_not_found_everywhere(
    sign_in, other_pcn_manager, care_coordinator, fire_safety
):
    record = completed_record(care_coordinator, fire_safety)
    client = sign_in(other_pcn_manager)
    for name, (method, url) in _urls(record, care_coordinator, fire_safety).items():
        response = getattr(client, method)(url)
        assert response.status_code == 404, name
        assert "Khan" not in response.content.decode()
    queue = client.get(reverse("learning:verification_queue")).content.decode()
    assert "Khan" not in queue
    record.refresh_from_db()
    assert record.verified_at is None


def test_people_without_the_role_are_refused(
    sign_in, no_role_person, icb_viewer, supervisor, care_coordinator, fire_safety
):
    record = completed_record(care_coordinator, fire_safety)
    for person in (no_role_person, icb_viewer):
        client = sign_in(person)
        for url in (reverse("learning:mine"), reverse("learning:record", args=[fire_safety.pk]),
                    reverse("learning:verification_queue")):
            assert client.get(url).status_code == 403, url
        for name, (method, url) in _urls(record, care_coordinator, fire_safety).items():
            expected = 403 if name == "record_for" else 404
            assert getattr(client, method)(url).status_code == expected, name
    # A supervisor sees the coordinator's learning but may not record it or their own.
    client = sign_in(supervisor)
    assert client.get(reverse("learning:person", args=[care_coordinator.pk])).status_code == 200
    url = reverse("learning:record_for", args=[care_coordinator.pk, fire_safety.pk])
    assert client.get(url).status_code == 403
    assert client.get(reverse("learning:mine")).status_code == 403


def test_a_coordinator_cannot_open_another_coordinators_learning(
    sign_in, care_coordinator, pcn, fire_safety
):
    colleague = make_person(Role.CARE_COORDINATOR, pcn=pcn)
    record = completed_record(colleague, fire_safety)
    client = sign_in(care_coordinator)
    assert client.get(reverse("learning:person", args=[colleague.pk])).status_code == 404
    assert client.get(reverse("learning:record_detail", args=[record.pk])).status_code == 404


# --- the pages ------------------------------------------------------------------------------


def test_empty_state_points_to_the_curriculum(sign_in, care_coordinator):
    html = sign_in(care_coordinator).get(reverse("learning:mine")).content.decode()
    assert "You have not recorded any learning yet" in html
    assert 'href="/curriculum/"' in html
    assert "No PCI training recorded" in html or "Not recorded" in html


def test_learning_due_to_expire_within_30_days_is_said_in_words(
    sign_in, care_coordinator, fire_safety, section
):
    as_of = timezone.localdate()
    completed_on = add_months(as_of, -24) + datetime.timedelta(days=12)
    save(care_coordinator, fire_safety, stage=LearningStatus.COMPLETED, completed_on=completed_on)
    ig = learning_item(section, "cstf-ig", title="Information governance", refresher_months=12)
    save(care_coordinator, ig, stage=LearningStatus.COMPLETED,
         completed_on=add_months(as_of, -13))
    html = sign_in(care_coordinator).get(reverse("learning:mine")).content.decode()
    expires_on = add_months(completed_on, 24)
    assert "Expiring within 30 days" in html
    assert f"expires on {expires_on:%-d %B %Y} (in {(expires_on - as_of).days} days)" in html
    assert '<strong class="nhsuk-tag nhsuk-tag--red">Expired</strong>' in html


def test_records_can_be_filtered_by_kind(sign_in, care_coordinator, course, fire_safety):
    save(care_coordinator, course, stage=LearningStatus.PLANNED)
    save(care_coordinator, fire_safety, stage=LearningStatus.PLANNED)
    client = sign_in(care_coordinator)
    html = client.get(reverse("learning:mine")).content.decode()
    assert "Health coaching skills" in html and "Fire safety" in html
    filtered = client.get(reverse("learning:mine"), {"kind": Kind.PCI_COURSE}).content.decode()
    assert "Health coaching skills" in filtered and "Fire safety" not in filtered


def test_item_page_shows_your_status_and_records_in_one_step(
    sign_in, care_coordinator, fire_safety
):
    client = sign_in(care_coordinator)
    html = client.get(fire_safety.url).content.decode()
    assert "You have not recorded this yet" in html
    assert f'action="{reverse("learning:record", args=[fire_safety.pk])}"' in html
    assert 'enctype="multipart/form-data"' in html

    data = {"quick": "1", "stage": LearningStatus.COMPLETED,
            **date_fields("on", D(2025, 10, 1)), "certificate": pdf()}
    response = client.post(reverse("learning:record", args=[fire_safety.pk]), data, follow=True)
    assert response.redirect_chain[-1][0] == fire_safety.url
    html = response.content.decode()
    assert "Your record for Fire safety has been saved" in html
    assert '<strong class="nhsuk-tag nhsuk-tag--green">Completed</strong>' in html
    assert "1 October 2025" in html
    assert "1 October 2027" in html  # expiry: a two-year refresher
    record = LearningRecord.objects.get()
    assert record.completed_on == D(2025, 10, 1)
    assert record.certificates.count() == 1


def test_one_step_form_errors_show_on_the_record_page(sign_in, care_coordinator, fire_safety):
    data = {"quick": "1", "stage": LearningStatus.COMPLETED}
    response = sign_in(care_coordinator).post(
        reverse("learning:record", args=[fire_safety.pk]), data
    )
    html = response.content.decode()
    assert "Enter the date you completed it" in html
    assert 'href="#id_on_day"' in html
    assert not LearningRecord.objects.exists()


def test_item_page_hook_adds_one_query(sign_in, care_coordinator, supervisor, fire_safety):
    from content.models import LEARNER_STATUS_HOOK
    from lms.access import scope_for
    from lms.wagtail_hooks import learner_status

    assert LEARNER_STATUS_HOOK == "content_learner_status"
    save(care_coordinator, fire_safety, stage=LearningStatus.PLANNED)

    request = RequestFactory().get("/")
    request.user = care_coordinator.user
    scope_for(request.user)  # the page's navigation needs the scope anyway
    with CaptureQueriesContext(connection) as queries:
        html = learner_status(request, fire_safety)
    assert len(queries) == 1
    assert "Planned" in html
    request.user = supervisor.user
    assert "verify their certificates" in learner_status(request, fire_safety)


# --- query counts ------------------------------------------------------------------------------


def _assert_flat(client, url, add_more, django_assert_num_queries):
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add_more()
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200
    return response


def _items(section, prefix, count, **fields):
    return [learning_item(section, f"{prefix}-{n}", **fields) for n in range(count)]


def test_learning_pages_keep_query_count_flat(
    sign_in, care_coordinator, supervisor, section, django_assert_num_queries
):
    first, *others = _items(section, "subject", 8, refresher_months=36)
    completed_record(care_coordinator, first)

    def add_more():
        for item in others:
            completed_record(care_coordinator, item)

    response = _assert_flat(sign_in(care_coordinator), reverse("learning:mine"), add_more,
                            django_assert_num_queries)
    assert len(response.context["page"].object_list) == 8

    client = sign_in(supervisor)
    more = _items(section, "topic", 6, kind=Kind.ELFH_COURSE)

    def add_even_more():
        for item in more:
            completed_record(care_coordinator, item)

    _assert_flat(client, reverse("learning:person", args=[care_coordinator.pk]), add_even_more,
                 django_assert_num_queries)


def test_verification_queue_keeps_query_count_flat_and_pages(
    sign_in, pcn_manager, pcn, section, django_assert_num_queries
):
    items = _items(section, "course", 30)
    coordinators = [make_person(Role.CARE_COORDINATOR, pcn=pcn) for _ in range(2)]
    completed_record(coordinators[0], items[0])

    def add_more():
        for item in items[1:]:
            completed_record(coordinators[1], item)

    response = _assert_flat(sign_in(pcn_manager), reverse("learning:verification_queue"),
                            add_more, django_assert_num_queries)
    assert len(response.context["page"].object_list) == 25
    assert "Page 2 of 2" in response.content.decode()
