"""Every page that reaches a person's data refuses people outside its scope (ADR 0001).

One care coordinator of our PCN gets a record of every kind (learning record with a
certificate, goal with a comment, evidence file, sign-off requests to a supervisor and to
an external assessor). Then a manager and a coordinator of another PCN, an ICB viewer and
someone in our PCN with no role ask for each object's URL, GET and POST: each answer is
403 or 404 (404 for the other PCN's manager wherever the page is one a manager may use),
never shows the coordinator's name, and nothing they POST changes anything.

`test_every_url_is_covered` walks the URL resolver so a new page with an id in its
address cannot be added without a line here (or a stated reason it needs none).
"""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, reverse

from competencies import services as competency_services
from competencies.models import EvidenceKind, EvidenceLink, RequestStatus, SignOffRequest
from lms import services
from lms.models import AuditEntry, GoalComment, LearningStatus, Person, Role
from tests.competencies.test_progress_rules import make_framework
from tests.curriculum import curriculum_section, learning_item

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
ATTACKERS = ["other_pcn_manager", "other_coordinator", "icb_viewer", "no_role_person"]


def pdf(name="evidence.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def world(care_coordinator, supervisor, pcn_manager, pcn, other_coordinator, other_pcn):
    """One object of every kind, all belonging to our PCN's care coordinator."""
    cc = care_coordinator
    item = learning_item(curriculum_section(), "safeguarding", title="Safeguarding adults")
    record = services.learning_record_save(
        actor=cc.user, person=cc, item=item, stage=LearningStatus.COMPLETED,
        completed_on=datetime.date(2025, 3, 4), certificate=pdf("certificate.pdf"),
    )
    goal = services.development_goal_save(actor=cc.user, person=cc, title="Lead a huddle")
    services.goal_comment_add(actor=supervisor.user, goal=goal, author=supervisor,
                              text="Good aim.")
    framework = make_framework(count=2)
    competency = framework.competencies.order_by("sort_order").first()
    competency_services.self_assessment_record(
        actor=cc.user, person=cc, competency=competency, level=2, narrative="I plan care.",
    )
    file_link = competency_services.evidence_link_add(
        actor=cc.user, person=cc, competency=competency, kind=EvidenceKind.FILE,
        uploaded_file=pdf(), description="Care plan audit",
    )
    note_link = competency_services.evidence_link_add(
        actor=cc.user, person=cc, competency=competency, kind=EvidenceKind.OBSERVATION,
        note="Ran a case review.",
    )
    supervisor_request = competency_services.sign_off_request_create(
        actor=cc.user, person=cc, competency=competency, reviewer=supervisor,
    )
    external_request = competency_services.sign_off_request_create(
        actor=cc.user, person=cc, competency=competency, assessor_name="Dr Ext",
        assessor_email="ext@example.org",
    )
    _link, token = competency_services.assessor_link_send(actor=cc.user, request=external_request)
    # The other PCN's coordinator has an external request of their own, with a usable link.
    other_request = competency_services.sign_off_request_create(
        actor=other_coordinator.user, person=other_coordinator, competency=competency,
        assessor_name="Dr Other", assessor_email="other@example.org",
    )
    _other_link, other_token = competency_services.assessor_link_send(
        actor=other_coordinator.user, request=other_request
    )
    assignment = cc.role_assignments.get(role=Role.CARE_COORDINATOR)
    mail.outbox.clear()
    return {
        "person": cc, "pcn": pcn, "item": item, "record": record,
        "certificate": record.certificates.get(), "goal": goal, "framework": framework,
        "competency": competency, "file_link": file_link, "note_link": note_link,
        "evidence_file_id": file_link.object_id, "supervisor_request": supervisor_request,
        "external_request": external_request, "token": token, "other_token": other_token,
        "assignment": assignment, "other_pcn": other_pcn,
    }


# (url name, args from the world, method, POST data, a page only care coordinators use)
# For the other PCN's manager, everything not coordinator-only must be 404, not 403.
def object_urls(w):
    p, c = w["person"].pk, w["competency"].pk
    today = datetime.date.today()
    return [
        ("people:detail", [p], "get", None, False),
        ("people:edit", [p], "get", None, False),
        ("people:edit", [p], "post", {"given_name": "Hacked", "family_name": "Khan",
                                      "email": w["person"].email, "pcn": w["pcn"].pk}, False),
        ("people:role_add", [p], "get", None, False),
        ("people:role_add", [p], "post", {"role": Role.PCN_MANAGER,
                                          "starts_on": today.isoformat()}, False),
        ("people:role_end", [p, w["assignment"].pk], "get", None, False),
        ("people:role_end", [p, w["assignment"].pk], "post",
         {"ends_on": today.isoformat(), "reason": "x"}, False),
        ("people:invitation_resend", [p], "post", {}, False),
        ("learning:record_detail", [w["record"].pk], "get", None, False),
        ("learning:verify", [w["record"].pk], "post", {}, False),
        ("learning:person", [p], "get", None, False),
        ("learning:record_for", [p, w["item"].pk], "get", None, False),
        ("learning:record_for", [p, w["item"].pk], "post",
         {"stage": LearningStatus.COMPLETED, "completed_on": "2025-05-05"}, False),
        ("development:goal_edit", [w["goal"].pk], "get", None, True),
        ("development:goal_edit", [w["goal"].pk], "post", {"title": "Hacked"}, True),
        ("development:goal_comment", [w["goal"].pk], "get", None, False),
        ("development:goal_comment", [w["goal"].pk], "post", {"text": "Hacked"}, False),
        ("development:person_plan", [p], "get", None, False),
        ("development:person_induction", [p], "get", None, False),
        ("reports:person_record_csv", [p], "get", None, False),
        ("reports:person_record_pdf", [p], "get", None, False),
        ("reports:portable_export", [p], "get", None, False),
        ("competencies:person", [p], "get", None, False),
        ("competencies:person_framework", [p, w["framework"].code], "get", None, False),
        ("competencies:person_competency", [p, c], "get", None, False),
        ("competencies:review", [w["supervisor_request"].pk], "get", None, False),
        ("competencies:review", [w["supervisor_request"].pk], "post",
         {"action": "return", "feedback": "Hacked"}, False),
        ("competencies:review", [w["external_request"].pk], "get", None, False),
        ("competencies:request_withdraw", [w["supervisor_request"].pk], "post", {}, False),
        ("competencies:send_link", [w["external_request"].pk], "post", {}, False),
        ("competencies:evidence_withdraw", [w["note_link"].pk], "post", {}, False),
        ("evidence_file_download", [w["certificate"].pk], "get", None, False),
        ("evidence_file_download", [w["evidence_file_id"]], "get", None, False),
    ]


def pcn_param_urls(w):
    """Pages that pick a PCN from the query or form: our PCN is not the other manager's."""
    ours = w["pcn"].pk
    return [
        ("development:induction_template", f"?pcn={ours}", "get", None),
        ("development:induction_template", "", "post", {"pcn": ours}),
        ("development:induction_template_regenerate", "", "post", {"pcn": ours}),
    ]


def assert_no_leak(response, person, label):
    body = b"".join(response) if response.streaming else response.content
    for text in (person.given_name, person.family_name, person.email):
        assert text.encode() not in body, f"{label} shows {text!r}"


@pytest.mark.parametrize("attacker_name", ATTACKERS)
def test_object_urls_refuse_people_outside_the_scope(request, sign_in, world, attacker_name):
    attacker = request.getfixturevalue(attacker_name)
    client = sign_in(attacker)
    person = world["person"]
    before = {
        "name": person.given_name, "goal": world["goal"].title,
        "comments": GoalComment.objects.count(), "audit": AuditEntry.objects.count(),
    }
    for name, args, method, data, coordinator_only in object_urls(world):
        url = reverse(name, args=args)
        response = client.post(url, data) if method == "post" else client.get(url)
        label = f"{attacker_name} {method.upper()} {name} {url}"
        assert response.status_code in (403, 404), f"{label}: {response.status_code}"
        if attacker_name == "other_pcn_manager" and not coordinator_only:
            assert response.status_code == 404, f"{label}: {response.status_code}"
        assert_no_leak(response, person, label)
    for name, query, method, data in pcn_param_urls(world):
        url = reverse(name) + query
        response = client.post(url, data) if method == "post" else client.get(url)
        label = f"{attacker_name} {method.upper()} {name}{query}"
        expected = 404 if attacker_name == "other_pcn_manager" else 403
        assert response.status_code == expected, f"{label}: {response.status_code}"
        assert_no_leak(response, person, label)

    # Nothing they posted changed anything, sent anything or was written to the audit trail.
    person.refresh_from_db()
    world["record"].refresh_from_db()
    world["goal"].refresh_from_db()
    world["assignment"].refresh_from_db()
    assert person.given_name == before["name"]
    assert world["goal"].title == before["goal"]
    assert GoalComment.objects.count() == before["comments"]
    assert world["record"].verified_at is None
    assert world["assignment"].ends_on is None
    assert not Person.objects.filter(role_assignments__role=Role.PCN_MANAGER,
                                     pk=person.pk).exists()
    assert SignOffRequest.objects.get(pk=world["supervisor_request"].pk).status == \
        RequestStatus.PENDING
    assert EvidenceLink.objects.get(pk=world["note_link"].pk).withdrawn_at is None
    assert not world["person"].invitations.exists()
    assert mail.outbox == []
    assert AuditEntry.objects.count() == before["audit"]


ROLE_PAGES = [
    # (url name, a page for ...) refused with 403 to someone who lacks the role
    ("people:list", "manager"), ("people:add", "manager"),
    ("learning:mine", "coordinator"), ("learning:verification_queue", "supporter"),
    ("development:plan", "coordinator"), ("development:goal_add", "coordinator"),
    ("development:induction_template", "manager"),
    ("reports:training_matrix", "manager"), ("reports:training_matrix_csv", "manager"),
    ("reports:portable_import", "manager"),
    ("competency_reports:heatmap", "manager"), ("competency_reports:heatmap_csv", "manager"),
    ("competencies:mine", "coordinator"), ("competencies:queue", "supporter"),
]


def test_role_pages_refuse_people_without_the_role(sign_in, world, no_role_person,
                                                   care_coordinator):
    for person, refused in ((no_role_person, {"manager", "coordinator", "supporter"}),
                            (care_coordinator, {"manager", "supporter"})):
        client = sign_in(person)
        for name, needs in ROLE_PAGES:
            if needs in refused:
                response = client.get(reverse(name))
                assert response.status_code == 403, f"{person} {name}: {response.status_code}"
    client = sign_in(no_role_person)
    for name, args in (("competencies:framework", [world["framework"].code]),
                       ("competencies:competency", [world["competency"].pk]),
                       ("learning:record", [world["item"].pk])):
        assert client.get(reverse(name, args=args)).status_code == 403, name


def test_the_other_managers_lists_and_exports_leave_our_people_out(
    sign_in, world, other_pcn_manager, other_coordinator
):
    client = sign_in(other_pcn_manager)
    for name in ("people:list", "learning:verification_queue", "reports:training_matrix",
                 "reports:training_matrix_csv", "competency_reports:heatmap",
                 "competency_reports:heatmap_csv", "development:induction_template", "home"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert_no_leak(response, world["person"], name)
    # ...while their own coordinator is there (the lists are not simply empty).
    assert other_coordinator.family_name in client.get(
        reverse("reports:training_matrix_csv")).content.decode()


def test_assessor_link_serves_only_its_own_requests_files(client, world):
    own = reverse("assessor_link_file", args=[world["token"], world["file_link"].pk])
    assert client.get(own).status_code == 200
    other = reverse("assessor_link_file", args=[world["other_token"], world["file_link"].pk])
    assert client.get(other).status_code == 404
    page = client.get(reverse("assessor_link", args=[world["other_token"]]))
    assert page.status_code == 200
    assert_no_leak(page, world["person"], "other request's assessor page")


def test_learning_item_page_shows_only_your_own_record(sign_in, world, other_coordinator):
    client = sign_in(other_coordinator)
    body = client.get(world["item"].get_url()).content.decode()
    assert "You have not recorded this yet." in body
    assert reverse("learning:record_detail", args=[world["record"].pk]) not in body
    assert "4 March 2025" not in body


def test_admin_pages_refuse_people_without_admin_access(sign_in, world, other_pcn_manager):
    client = sign_in(other_pcn_manager)
    for url in ("/cms/", reverse("competencies_framework_export",
                                 args=[world["framework"].pk, "csv"]),
                reverse("competencies_framework_import"),
                reverse("wagtailsnippets_competencies_framework:list"),
                "/django-admin/"):
        response = client.get(url)
        assert response.status_code in (302, 403), f"{url}: {response.status_code}"
        if response.status_code == 302:
            assert "/accounts/login" in response["Location"] or "/cms/login" in \
                response["Location"] or "login" in response["Location"], url


# Pages with no person or PCN in the address, or reached by a secret token, and where
# their own refusals are tested.
EXEMPT = {
    "admin_sign_in", "health", "home", "invitation_accept",  # test_people / test_home
    "reports:my_record_csv", "reports:my_record_pdf",  # the signed-in person's own record
    "assessor_link", "assessor_link_file",  # token; test_assessor_links and above
    "wagtailsnippets_competencies_framework:list_results",  # Wagtail admin permissions
}


def _url_names(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _url_names(pattern.url_patterns, pattern.namespace or namespace)
        elif getattr(pattern.callback, "__module__", "").startswith(("lms", "competencies")):
            if pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_is_covered():
    covered = {name for name, *_ in object_urls(_Names())}
    covered |= {name for name, *_ in pcn_param_urls(_Names())}
    covered |= {name for name, _needs in ROLE_PAGES}
    covered |= {"competencies:framework", "competencies:competency", "learning:record",
                "competencies_framework_export", "competencies_framework_import",
                "wagtailsnippets_competencies_framework:list"}
    missing = set(_url_names(get_resolver().url_patterns)) - covered - EXEMPT
    assert not missing, f"URLs with no cross-PCN or role check here: {sorted(missing)}"


class _Names(dict):
    """Stands in for the world when only the URL names are wanted."""

    def __missing__(self, key):
        return _Anything()


class _Anything:
    pk = 0
    code = "x"
    email = ""

    def __getattr__(self, name):
        return self



def test_control_our_manager_opens_every_object_url(sign_in, world, pcn_manager):
    """The same addresses work for our PCN's manager, so the refusals above are real."""
    client = sign_in(pcn_manager)
    for name, args, method, _data, coordinator_only in object_urls(world):
        if method == "get" and not coordinator_only:
            url = reverse(name, args=args)
            assert client.get(url).status_code == 200, f"{name} {url}"
    response = client.get(reverse("development:induction_template") + f"?pcn={world['pcn'].pk}")
    assert response.status_code == 200
