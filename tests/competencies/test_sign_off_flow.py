"""The coordinator's and supervisor's sign-off flow through the pages, and who may do what."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from competencies import services
from competencies.models import (
    EvidenceKind,
    EvidenceLink,
    RequestStatus,
    SelfAssessment,
    SignOff,
    SignOffRequest,
)
from lms import services as lms_services
from lms.models import LearningStatus, Role
from tests.competencies.test_progress_rules import add_competency, make_framework
from tests.conftest import START, make_person
from tests.curriculum import curriculum_section, learning_item
from tests.factories import RoleAssignmentFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def framework(db):
    return make_framework(count=3)


@pytest.fixture
def competency(framework):
    return framework.competencies.order_by("sort_order").first()


@pytest.fixture
def course(competency):
    item = learning_item(curriculum_section(), "care-planning", title="Personalised care planning")
    competency.learning_items.add(item)
    return item


def competency_url(competency):
    return reverse("competencies:competency", args=[competency.pk])


def completed_record(person, item):
    return lms_services.learning_record_save(
        actor=person.user, person=person, item=item, stage=LearningStatus.COMPLETED,
        completed_on=datetime.date(2025, 3, 4),
        certificate=SimpleUploadedFile("certificate.pdf", PDF, content_type="application/pdf"),
    )


def ask(person, competency, reviewer):
    return services.sign_off_request_create(
        actor=person.user, person=person, competency=competency, reviewer=reviewer,
    )


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- the whole flow ------------------------------------------------------------------------


def test_coordinator_assesses_adds_evidence_asks_and_supervisor_signs_off(
    sign_in, care_coordinator, supervisor, framework, competency, course
):
    record = completed_record(care_coordinator, course)
    client = sign_in(care_coordinator)
    html = page(client, reverse("competencies:mine"))
    assert "0 of 3 met" in html
    assert "Not started" in html
    assert "Domain 1" in html

    html = page(client, competency_url(competency))
    assert "Does thing 1 well." in html
    assert "Level 3: Competent" in html
    assert "By the end of induction" in html
    assert f'href="{course.url}"' in html
    assert 'name="assess-level"' in html

    response = client.post(competency_url(competency), {
        "action": "self_assess", "assess-level": "3",
        "assess-narrative": "I explain care plans to patients every week.",
    }, follow=True)
    html = response.content.decode()
    assert "Your self-assessment has been saved" in html
    assert "level 3: Competent" in html
    assert "In progress" in html

    assert f'<option value="{record.pk}"' in page(client, competency_url(competency))
    client.post(competency_url(competency),
                {"action": "evidence_record", "record-record": str(record.pk)})
    # Offered once: it leaves the list of records to add.
    assert f'<option value="{record.pk}"' not in page(client, competency_url(competency))
    client.post(competency_url(competency), {
        "action": "evidence_file", "file-description": "Feedback from the frailty team",
        "file-file": SimpleUploadedFile("feedback.pdf", PDF, content_type="application/pdf"),
    })
    response = client.post(competency_url(competency), {
        "action": "evidence_observation",
        "observation-note": "Grace watched me agree a plan with a carer.",
    }, follow=True)
    assert "has been added to your evidence" in response.content.decode()
    links = {link.kind: link for link in EvidenceLink.objects.filter(person=care_coordinator)}
    assert set(links) == {EvidenceKind.LEARNING_RECORD, EvidenceKind.FILE,
                          EvidenceKind.OBSERVATION}

    response = client.post(competency_url(competency), {
        "action": "request_supervisor", "supervisor-reviewer": str(supervisor.pk),
    }, follow=True)
    html = response.content.decode()
    assert "You have asked Grace Hughes to review this competency" in html
    assert "Requested" in html
    request = SignOffRequest.objects.get()
    assert request.reviewer == supervisor
    assert request.evidence.count() == 3

    client = sign_in(supervisor)
    assert "Sign-off requests: 1 waiting" in page(client, reverse("home"))
    html = page(client, reverse("competencies:queue"))
    assert "Amira Khan" in html and "Competency 1" in html
    assert reverse("competencies:review", args=[request.pk]) in html

    html = page(client, reverse("competencies:review", args=[request.pk]))
    assert "I explain care plans to patients every week." in html
    assert "Personalised care planning" in html  # the learning record's item
    certificate = record.certificates.get()
    assert reverse("evidence_file_download", args=[certificate.pk]) in html
    assert reverse("evidence_file_download", args=[links[EvidenceKind.FILE].object_id]) in html
    assert "Grace watched me agree a plan with a carer." in html
    assert 'name="sign_off-level"' in html

    response = client.post(reverse("competencies:review", args=[request.pk]), {
        "action": "sign_off", "sign_off-level": "3",
        "sign_off-comment": "Seen planning care with a carer; confident and clear.",
    }, follow=True)
    assert response.redirect_chain[-1][0] == reverse("competencies:queue")
    html = response.content.decode()
    assert "You have signed off Amira Khan at level 3 (Competent)" in html
    assert "No sign-off requests are waiting for you" in html
    assert "Sign-off requests:" not in page(client, reverse("home"))

    client = sign_in(care_coordinator)
    html = page(client, reverse("competencies:mine"))
    assert "1 of 3 met" in html
    assert ">Met<" in html
    html = page(client, competency_url(competency))
    assert "Signed off by Grace Hughes, GP partner" in html
    assert "Seen planning care with a carer" in html
    assert "Evidence at the time (3)" in html
    assert "Feedback from the frailty team" in html


def test_home_panel_counts_competencies_met_for_a_coordinator(
    sign_in, care_coordinator, framework
):
    html = page(sign_in(care_coordinator), reverse("home"))
    assert "Your competencies" in html
    assert "0 of 3 met" in html


def test_returned_request_shows_the_feedback(
    sign_in, care_coordinator, supervisor, competency
):
    request = ask(care_coordinator, competency, supervisor)
    client = sign_in(supervisor)
    url = reverse("competencies:review", args=[request.pk])
    response = client.post(url, {"action": "return", "return-feedback": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error:" in html
    assert "Say what is missing or what to do next" in html

    client.post(url, {"action": "return",
                      "return-feedback": "Add an observation from a home visit."})
    request.refresh_from_db()
    assert request.status == RequestStatus.RETURNED

    html = page(sign_in(care_coordinator), competency_url(competency))
    assert "Returned" in html
    assert "Add an observation from a home visit." in html


def test_signing_a_withdrawn_request_says_so_and_changes_nothing(
    sign_in, care_coordinator, supervisor, competency
):
    request = ask(care_coordinator, competency, supervisor)
    client = sign_in(care_coordinator)
    response = client.post(reverse("competencies:request_withdraw", args=[request.pk]),
                           follow=True)
    assert "has been withdrawn" in response.content.decode()

    client = sign_in(supervisor)
    url = reverse("competencies:review", args=[request.pk])
    assert 'name="sign_off-level"' not in page(client, url)
    response = client.post(url, {"action": "sign_off", "sign_off-level": "3",
                                 "sign_off-comment": "Good."}, follow=True)
    html = response.content.decode()
    assert "This request has already been withdrawn. Nothing was changed." in html
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN
    assert not SignOff.objects.exists()
    assert "No sign-off requests are waiting" in page(client, reverse("competencies:queue"))


def test_sign_off_form_errors_are_shown_and_nothing_is_saved(
    sign_in, care_coordinator, supervisor, competency
):
    request = ask(care_coordinator, competency, supervisor)
    response = sign_in(supervisor).post(reverse("competencies:review", args=[request.pk]),
                                        {"action": "sign_off", "sign_off-comment": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Select a level" in html
    assert 'href="#id_sign_off-level' in html
    assert not SignOff.objects.exists()


def test_coordinator_form_errors_are_shown_next_to_the_form(
    sign_in, care_coordinator, competency
):
    client = sign_in(care_coordinator)
    response = client.post(competency_url(competency), {
        "action": "evidence_file",
        "file-file": SimpleUploadedFile("notes.pdf", b"<html></html>"),
    })
    html = response.content.decode()
    assert "<title>Error:" in html
    assert "The selected file must be a PDF, PNG or JPEG" in html
    response = client.post(competency_url(competency),
                           {"action": "self_assess", "assess-level": "9",
                            "assess-narrative": " "})
    html = response.content.decode()
    assert "Select a valid choice" in html or "Choose a level" in html
    assert not EvidenceLink.objects.exists()
    assert not SelfAssessment.objects.exists()


def test_withdrawing_evidence_keeps_it_and_stops_offering_it(
    sign_in, care_coordinator, competency
):
    link = services.evidence_link_add(actor=care_coordinator.user, person=care_coordinator,
                                      competency=competency, kind=EvidenceKind.OBSERVATION,
                                      note="Seen on a home visit.")
    client = sign_in(care_coordinator)
    response = client.post(reverse("competencies:evidence_withdraw", args=[link.pk]),
                           follow=True)
    assert "is no longer offered as evidence" in response.content.decode()
    link.refresh_from_db()
    assert link.withdrawn_at is not None
    assert "Seen on a home visit." not in page(client, competency_url(competency))


def test_external_assessor_request_emails_a_link_and_can_be_renewed(
    sign_in, care_coordinator, pcn_manager, supervisor, competency
):
    client = sign_in(care_coordinator)
    response = client.post(competency_url(competency), {
        "action": "request_external", "external-assessor_name": "Sam Rivers",
        "external-assessor_role": "Social prescribing lead",
        "external-assessor_email": "sam@example.org",
    }, follow=True)
    assert "We have emailed Sam Rivers a link" in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["sam@example.org"]
    request = SignOffRequest.objects.get()
    assert request.is_external

    renew = reverse("competencies:send_link", args=[request.pk])
    assert "Send a new link" in page(client, competency_url(competency))
    client.post(renew)
    assert len(mail.outbox) == 2
    assert request.links.filter(revoked_at__isnull=False).count() == 1

    manager = sign_in(pcn_manager)
    person_page = reverse("competencies:person_competency",
                          args=[care_coordinator.pk, competency.pk])
    assert "Send a new link" in page(manager, person_page)
    manager.post(renew)
    assert len(mail.outbox) == 3

    assert sign_in(supervisor).post(renew).status_code == 403


# --- who may do what -------------------------------------------------------------------------


def every_url(care_coordinator, competency, framework, request, link):
    return {
        "mine": (reverse("competencies:mine"), 403),
        "framework": (reverse("competencies:framework", args=[framework.code]), 403),
        "competency": (competency_url(competency), 403),
        "queue": (reverse("competencies:queue"), 403),
        "review": (reverse("competencies:review", args=[request.pk]), 404),
        "person": (reverse("competencies:person", args=[care_coordinator.pk]), 404),
        "person_framework": (reverse("competencies:person_framework",
                                     args=[care_coordinator.pk, framework.code]), 404),
        "person_competency": (reverse("competencies:person_competency",
                                      args=[care_coordinator.pk, competency.pk]), 404),
    }, {
        "evidence_withdraw": reverse("competencies:evidence_withdraw", args=[link.pk]),
        "request_withdraw": reverse("competencies:request_withdraw", args=[request.pk]),
        "send_link": reverse("competencies:send_link", args=[request.pk]),
        "review": reverse("competencies:review", args=[request.pk]),
    }


@pytest.mark.parametrize("who", ["other_pcn_manager", "no_role_person"])
def test_people_outside_the_scope_are_refused_everywhere(
    request, who, sign_in, care_coordinator, supervisor, framework, competency
):
    link = services.evidence_link_add(actor=care_coordinator.user, person=care_coordinator,
                                      competency=competency, kind=EvidenceKind.OBSERVATION,
                                      note="Seen.")
    sign_off_request = ask(care_coordinator, competency, supervisor)
    client = sign_in(request.getfixturevalue(who))
    pages, posts = every_url(care_coordinator, competency, framework, sign_off_request, link)
    for name, (url, status) in pages.items():
        assert client.get(url).status_code == status, name
    for name, url in posts.items():
        assert client.post(url, {"action": "sign_off", "sign_off-level": "3",
                                 "sign_off-comment": "x"}).status_code == 404, name
    sign_off_request.refresh_from_db()
    link.refresh_from_db()
    assert sign_off_request.status == RequestStatus.PENDING
    assert link.withdrawn_at is None


def test_a_supervisor_of_someone_else_gets_not_found(
    sign_in, pcn, care_coordinator, supervisor, framework, competency
):
    other = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Other", family_name="Cc")
    other_supervisor = make_person(Role.CLINICAL_SUPERVISOR, pcn=pcn, care_coordinator=other)
    request = ask(care_coordinator, competency, supervisor)
    client = sign_in(other_supervisor)
    url = reverse("competencies:review", args=[request.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "sign_off", "sign_off-level": "3",
                             "sign_off-comment": "x"}).status_code == 404
    assert client.get(reverse("competencies:person",
                              args=[care_coordinator.pk])).status_code == 404
    assert "No sign-off requests are waiting" in page(client, reverse("competencies:queue"))
    assert not SignOff.objects.exists()


def test_a_coordinator_cannot_sign_off_their_own_request(
    sign_in, care_coordinator, supervisor, competency
):
    request = ask(care_coordinator, competency, supervisor)
    client = sign_in(care_coordinator)
    url = reverse("competencies:review", args=[request.pk])
    html = page(client, url)  # they may look at it
    assert 'name="sign_off-level"' not in html
    for data in ({"action": "sign_off", "sign_off-level": "4", "sign_off-comment": "Me."},
                 {"action": "return", "return-feedback": "No."}):
        assert client.post(url, data).status_code == 403
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING
    assert not SignOff.objects.exists()


def test_pcn_manager_and_other_supporters_may_look_but_not_decide(
    sign_in, pcn, care_coordinator, supervisor, pcn_manager, framework, competency
):
    line_manager = make_person(Role.LINE_MANAGER, pcn=pcn, care_coordinator=care_coordinator)
    request = ask(care_coordinator, competency, supervisor)
    url = reverse("competencies:review", args=[request.pk])
    for viewer in (pcn_manager, line_manager):
        client = sign_in(viewer)
        html = page(client, url)
        assert "Competency 1" in html and 'name="sign_off-level"' not in html
        assert client.post(url, {"action": "sign_off", "sign_off-level": "3",
                                 "sign_off-comment": "x"}).status_code == 403
        html = page(client, reverse("competencies:person", args=[care_coordinator.pk]))
        assert "Amira Khan’s competencies" in html and "0 of 3 met" in html
    assert sign_in(pcn_manager).get(reverse("competencies:queue")).status_code == 403
    assert not SignOff.objects.exists()


# --- query counts ----------------------------------------------------------------------------


def _assert_flat(client, url, add_more, django_assert_num_queries):
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add_more()
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200
    return response


def test_queue_keeps_query_count_flat_and_pages(
    sign_in, pcn, care_coordinator, supervisor, framework, django_assert_num_queries
):
    competencies = list(framework.competencies.all())
    ask(care_coordinator, competencies[0], supervisor)

    def add_more():
        for n in range(9):
            coordinator = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name=f"Cc{n}")
            RoleAssignmentFactory(person=supervisor, role=Role.CLINICAL_SUPERVISOR, pcn=pcn,
                                  care_coordinator=coordinator, starts_on=START)
            for item in competencies:
                ask(coordinator, item, supervisor)

    response = _assert_flat(sign_in(supervisor), reverse("competencies:queue"), add_more,
                            django_assert_num_queries)
    assert len(response.context["page"].object_list) == 25
    html = response.content.decode()
    assert "Page 2 of 2" in html
    assert "28 waiting for your review" in html
    # Oldest first: the first request made is at the top.
    assert response.context["page"].object_list[0].person == care_coordinator


def test_framework_and_overview_pages_keep_query_count_flat(
    sign_in, care_coordinator, supervisor, framework, django_assert_num_queries
):
    domain = framework.domains.first()

    def add_more():
        for n in range(3, 12):
            item = add_competency(framework, domain, n)
            services.self_assessment_record(actor=care_coordinator.user,
                                            person=care_coordinator, competency=item,
                                            level=2, narrative="Doing it.")
            services.evidence_link_add(actor=care_coordinator.user, person=care_coordinator,
                                       competency=item, kind=EvidenceKind.OBSERVATION,
                                       note="Seen.")
            request = ask(care_coordinator, item, supervisor)
            if n % 2:
                services.sign_off_record(actor=supervisor.user, request=request, level=3,
                                         comment="Seen.")

    client = sign_in(care_coordinator)
    response = _assert_flat(client, reverse("competencies:framework", args=[framework.code]),
                            add_more, django_assert_num_queries)
    assert "5 of 12 met" in response.content.decode()
    more = make_framework("second", count=2)

    def add_even_more():
        for n in range(2, 8):
            add_competency(more, more.domains.first(), n)

    response = _assert_flat(client, reverse("competencies:mine"), add_even_more,
                            django_assert_num_queries)
    assert "0 of 8 met" in response.content.decode()
    _assert_flat(sign_in(supervisor),
                 reverse("competencies:person_framework", args=[care_coordinator.pk, "second"]),
                 lambda: add_competency(more, more.domains.first(), 20),
                 django_assert_num_queries)
