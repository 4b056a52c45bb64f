"""Every page that reaches a person's data refuses people outside its scope (ADR 0001).

One care coordinator of our PCN gets a record of every kind (learning record with a
certificate, goal with a comment, evidence file, sign-off requests to a supervisor and to
an external assessor, supervision sessions with an action and an addendum, a safeguarding
discussion, a shared reflection, a peer-network session they are invited to and a calendar
feed). Then a manager and a coordinator of another PCN, an ICB viewer and someone in our
PCN with no role ask for each object's URL, GET and POST: each answer is 403 or 404 (404
for the other PCN's manager wherever the page is one a manager may use), never shows the
coordinator's name, and nothing they POST changes anything.

Our own PCN's manager opens every page a manager may use, except those whose content is
deliberately kept from them (safeguarding text, reflections not shared with them, what was
said in supervision): those refuse our manager too.

`test_every_url_is_covered` walks the URL resolver so a new page with an id in its
address cannot be added without a line here (or a stated reason it needs none).
"""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from competencies import services as competency_services
from competencies.models import EvidenceKind, EvidenceLink, RequestStatus, SignOffRequest
from lms import services
from lms.access import today
from lms.models import AuditEntry, GoalComment, LearningStatus, Person, Role
from supervision import (
    calendar_feed,
    network_services,
    reflection_services,
    safeguarding_services,
    session_services,
)
from supervision.models import (
    RSVP,
    Attendance,
    Audience,
    CadenceSetting,
    NetworkSession,
    NetworkSessionKind,
    Reflection,
    ReflectionComment,
    ReflectionModel,
    ReflectionShare,
    ReflectionStatus,
    SafeguardingAddendum,
    SafeguardingDiscussion,
    SessionAddendum,
    SessionInvitation,
    SessionType,
    SupervisionAction,
    SupervisionSession,
)
from tests.competencies.test_progress_rules import make_framework
from tests.conftest import make_person
from tests.curriculum import curriculum_section, learning_item

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
ATTACKERS = ["other_pcn_manager", "other_coordinator", "icb_viewer", "no_role_person"]


def pdf(name="evidence.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# What was said, written or logged: never shown to anyone outside the conversation.
SECRET = {
    "topics": "Closing cases of housebound patients when their goals are met",
    "notes": "Agreed to hand over to the community nursing team sooner",
    "action": "Write a checklist for closing a case well",
    "confirmed_topics": "Working with the social prescribing link worker on referrals",
    "session_addendum": "Also agreed to shadow the link worker for a morning",
    "concern": "A carer seemed frightened when their relative's visitor arrived",
    "outcome": "Agreed to raise it with the practice safeguarding lead that afternoon",
    "reflection": "I felt unsure whether to interrupt the home visit to ask for help",
    "reflection_comment": "You did the right thing by pausing to check",
}


def supervision_world(*, care_coordinator, supervisor, safeguarding_gp, organiser,
                      facilitator):
    """One record of every supervision kind for the coordinator, through the real services.

    An unconfirmed clinical supervision session recorded by the coordinator with an open
    action, a confirmed one with an addendum, a safeguarding discussion with their
    safeguarding GP, a complete Gibbs reflection shared with the supervisor (with a comment),
    a peer-network session of the coordinator's PCN that started an hour ago (so replies and
    the register are both open) with the coordinator invited, and a calendar feed token.
    """
    cc, as_of = care_coordinator, today()
    session = session_services.supervision_session_record(
        actor=cc.user, recorded_by=cc, care_coordinator=cc, session_type=SessionType.CLINICAL,
        held_on=as_of - datetime.timedelta(days=7), duration_minutes=60,
        supervisors=[supervisor], topics=SECRET["topics"], notes=SECRET["notes"],
        actions=[session_services.AgreedAction(
            description=SECRET["action"], owner=cc, due_on=as_of + datetime.timedelta(days=14),
        )],
        as_of=as_of,
    )
    confirmed = session_services.supervision_session_record(
        actor=cc.user, recorded_by=cc, care_coordinator=cc, session_type=SessionType.CLINICAL,
        held_on=as_of - datetime.timedelta(days=40), duration_minutes=45,
        supervisors=[supervisor], topics=SECRET["confirmed_topics"], as_of=as_of,
    )
    session_services.supervision_session_confirm(
        actor=supervisor.user, session=confirmed, by=supervisor, as_of=as_of,
    )
    session_services.session_addendum_add(
        actor=cc.user, session=confirmed, by=cc, text=SECRET["session_addendum"],
    )
    discussion = safeguarding_services.safeguarding_discussion_record(
        actor=cc.user, care_coordinator=cc, discussed_with=safeguarding_gp,
        discussed_on=as_of - datetime.timedelta(days=3), category="domestic_violence",
        concern=SECRET["concern"], outcome=SECRET["outcome"],
        follow_up_on=as_of + datetime.timedelta(days=10), as_of=as_of,
    )
    texts = dict.fromkeys(reflection_services.text_fields(ReflectionModel.GIBBS),
                          SECRET["reflection"])
    reflection = reflection_services.reflection_save(
        actor=cc.user, author=cc, title="A home visit that went quiet",
        reflected_on=as_of - datetime.timedelta(days=2), model=ReflectionModel.GIBBS,
        status=ReflectionStatus.COMPLETE, texts=texts, as_of=as_of,
    )
    (share,) = reflection_services.reflection_share(
        actor=cc.user, reflection=reflection, people=[supervisor], as_of=as_of,
    )
    reflection_services.reflection_comment_add(
        actor=supervisor.user, reflection=reflection, author=supervisor,
        text=SECRET["reflection_comment"], as_of=as_of,
    )
    starts_at = timezone.now() - datetime.timedelta(hours=1)
    network_session = network_services.network_session_create(
        actor=organiser.user, pcn=cc.pcn, created_by=organiser, facilitator=facilitator,
        kind=NetworkSessionKind.PEER_NETWORK, title="Riverside peer network",
        starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=3),
        venue="Riverside Medical Centre", audience=Audience.PCN,
    )
    (invitation,) = network_services.invitations_send(
        actor=organiser.user, session=network_session, people=[cc], as_of=as_of, notify=False,
    )
    _feed, feed_token = calendar_feed.calendar_feed_create(actor=cc.user, person=cc)
    return {
        "session": session, "action": session.actions.get(), "confirmed_session": confirmed,
        "discussion": discussion, "reflection": reflection, "share": share,
        "network_session": network_session, "invitation": invitation,
        "feed_token": feed_token,
    }


@pytest.fixture
def safeguarding_gp(pcn, care_coordinator):
    return make_person(Role.SAFEGUARDING_GP, pcn=pcn, care_coordinator=care_coordinator,
                       given_name="Priya", family_name="Shah", job_title="GP partner")


@pytest.fixture
def world(care_coordinator, supervisor, pcn_manager, pcn, other_coordinator, other_pcn,
          safeguarding_gp, icb_viewer):
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
    supervision = supervision_world(
        care_coordinator=cc, supervisor=supervisor, safeguarding_gp=safeguarding_gp,
        organiser=pcn_manager, facilitator=pcn_manager,
    )
    # The other PCN's coordinator has a calendar feed of their own.
    _feed, other_feed_token = calendar_feed.calendar_feed_create(
        actor=other_coordinator.user, person=other_coordinator)
    mail.outbox.clear()
    return {
        "person": cc, "pcn": pcn, "item": item, "record": record,
        "certificate": record.certificates.get(), "goal": goal, "framework": framework,
        "competency": competency, "file_link": file_link, "note_link": note_link,
        "evidence_file_id": file_link.object_id, "supervisor_request": supervisor_request,
        "external_request": external_request, "token": token, "other_token": other_token,
        "assignment": assignment, "other_pcn": other_pcn, "supervisor": supervisor,
        "safeguarding_gp": safeguarding_gp, "other_feed_token": other_feed_token,
        "icb_viewer": icb_viewer,
        **supervision,
    }


# Who may use each object URL (the last item of each row in `object_urls`):
# MANAGER: a page a PCN manager uses; our manager opens it, the other PCN's manager gets 404.
# KEPT_FROM_MANAGER: a page a manager may reach, but whose content is deliberately kept from
#   every PCN manager (safeguarding text, reflections not shared with them, what was said in
#   supervision): our manager is refused (403/404) as well; the other PCN's manager gets 404.
# NOT_FOR_MANAGERS: a page only care coordinators or their supporters use (403 or 404).
MANAGER, KEPT_FROM_MANAGER, NOT_FOR_MANAGERS = "manager", "kept from manager", "not managers"


# (url name, args from the world, method, POST data, who may use it: see MANAGER above)
# For the other PCN's manager, everything but NOT_FOR_MANAGERS must be 404, not 403.
def object_urls(w):
    return [*lms_object_urls(w), *supervision_object_urls(w)]


def lms_object_urls(w):
    p, c = w["person"].pk, w["competency"].pk
    today = datetime.date.today()
    return [
        ("people:detail", [p], "get", None, MANAGER),
        ("people:edit", [p], "get", None, MANAGER),
        ("people:edit", [p], "post", {"given_name": "Hacked", "family_name": "Khan",
                                      "email": w["person"].email, "pcn": w["pcn"].pk}, MANAGER),
        ("people:role_add", [p], "get", None, MANAGER),
        ("people:role_add", [p], "post", {"role": Role.PCN_MANAGER,
                                          "starts_on": today.isoformat()}, MANAGER),
        ("people:role_end", [p, w["assignment"].pk], "get", None, MANAGER),
        ("people:role_end", [p, w["assignment"].pk], "post",
         {"ends_on": today.isoformat(), "reason": "x"}, MANAGER),
        ("people:invitation_resend", [p], "post", {}, MANAGER),
        ("learning:record_detail", [w["record"].pk], "get", None, MANAGER),
        ("learning:verify", [w["record"].pk], "post", {}, MANAGER),
        ("learning:person", [p], "get", None, MANAGER),
        ("learning:record_for", [p, w["item"].pk], "get", None, MANAGER),
        ("learning:record_for", [p, w["item"].pk], "post",
         {"stage": LearningStatus.COMPLETED, "completed_on": "2025-05-05"}, MANAGER),
        ("development:goal_edit", [w["goal"].pk], "get", None, NOT_FOR_MANAGERS),
        ("development:goal_edit", [w["goal"].pk], "post", {"title": "Hacked"}, NOT_FOR_MANAGERS),
        ("development:goal_comment", [w["goal"].pk], "get", None, MANAGER),
        ("development:goal_comment", [w["goal"].pk], "post", {"text": "Hacked"}, MANAGER),
        ("development:person_plan", [p], "get", None, MANAGER),
        ("development:person_induction", [p], "get", None, MANAGER),
        ("reports:person_record_csv", [p], "get", None, MANAGER),
        ("reports:person_record_pdf", [p], "get", None, MANAGER),
        ("reports:portable_export", [p], "get", None, MANAGER),
        ("competencies:person", [p], "get", None, MANAGER),
        ("competencies:person_framework", [p, w["framework"].code], "get", None, MANAGER),
        ("competencies:person_competency", [p, c], "get", None, MANAGER),
        ("competencies:review", [w["supervisor_request"].pk], "get", None, MANAGER),
        ("competencies:review", [w["supervisor_request"].pk], "post",
         {"action": "return", "feedback": "Hacked"}, MANAGER),
        ("competencies:review", [w["external_request"].pk], "get", None, MANAGER),
        ("competencies:request_withdraw", [w["supervisor_request"].pk], "post", {}, MANAGER),
        ("competencies:send_link", [w["external_request"].pk], "post", {}, MANAGER),
        ("competencies:evidence_withdraw", [w["note_link"].pk], "post", {}, MANAGER),
        ("evidence_file_download", [w["certificate"].pk], "get", None, MANAGER),
        ("evidence_file_download", [w["evidence_file_id"]], "get", None, MANAGER),
    ]


def _date(prefix, day):
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def supervision_object_urls(w):
    """Supervision sessions, safeguarding logs, reflections and peer sessions: every POST
    would change something (the counts and states checked below) if it were let through."""
    cc, supervisor = w["person"], w["supervisor"]
    s, done, action = w["session"].pk, w["confirmed_session"].pk, w["action"].pk
    d, r, n = w["discussion"].pk, w["reflection"].pk, w["network_session"].pk
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    session_form = {
        "session_type": SessionType.CLINICAL, **_date("held_on", yesterday),
        "duration_minutes": "30", "supervisors": [supervisor.pk], "mode": "in_person",
        "topics": "Hacked",
    }
    reflection_form = {"title": "Hacked", **_date("reflected_on", yesterday),
                       **dict.fromkeys(reflection_services.text_fields(ReflectionModel.GIBBS),
                                       "Hacked")}
    network_form = {
        "kind": NetworkSessionKind.PEER_NETWORK, "title": "Hacked",
        **_date("date", yesterday + datetime.timedelta(days=2)),
        "start_time": "09:00", "end_time": "10:00", "venue": "Elsewhere",
        "audience": Audience.PCN, "facilitator": w["network_session"].facilitator_id,
    }
    return [
        ("supervision:person", [cc.pk], "get", None, MANAGER),
        ("supervision:record_for", [cc.pk], "get", None, NOT_FOR_MANAGERS),
        ("supervision:record_for", [cc.pk], "post", session_form, NOT_FOR_MANAGERS),
        ("supervision:detail", [s], "get", None, MANAGER),
        ("supervision:edit", [s], "get", None, KEPT_FROM_MANAGER),
        ("supervision:edit", [s], "post", session_form, KEPT_FROM_MANAGER),
        ("supervision:withdraw", [s], "get", None, KEPT_FROM_MANAGER),
        ("supervision:withdraw", [s], "post", {"reason": "Hacked"}, KEPT_FROM_MANAGER),
        ("supervision:confirm", [s], "get", None, KEPT_FROM_MANAGER),
        ("supervision:confirm", [s], "post", {"comment": ""}, KEPT_FROM_MANAGER),
        ("supervision:addendum", [done], "get", None, KEPT_FROM_MANAGER),
        ("supervision:addendum", [done], "post", {"text": "Hacked"}, KEPT_FROM_MANAGER),
        ("supervision:action_add", [s], "get", None, KEPT_FROM_MANAGER),
        ("supervision:action_add", [s], "post", {"description": "Hacked", "owner": cc.pk},
         KEPT_FROM_MANAGER),
        ("supervision:action_done", [action], "post", {}, KEPT_FROM_MANAGER),
        ("safeguarding:detail", [d], "get", None, KEPT_FROM_MANAGER),
        ("safeguarding:addendum_add", [d], "get", None, KEPT_FROM_MANAGER),
        ("safeguarding:addendum_add", [d], "post",
         {"addendum-text": "Hacked", "addendum-records_follow_up": "on"}, KEPT_FROM_MANAGER),
        ("safeguarding:withdraw", [d], "get", None, KEPT_FROM_MANAGER),
        ("safeguarding:withdraw", [d], "post", {"reason": "Hacked"}, KEPT_FROM_MANAGER),
        ("reflections:detail", [r], "get", None, KEPT_FROM_MANAGER),
        ("reflections:edit", [r], "get", None, KEPT_FROM_MANAGER),
        ("reflections:edit", [r], "post", reflection_form, KEPT_FROM_MANAGER),
        ("reflections:comment", [r], "post", {"text": "Hacked"}, KEPT_FROM_MANAGER),
        ("reflections:share", [r], "get", None, KEPT_FROM_MANAGER),
        ("reflections:share", [r], "post", {"people": [w["safeguarding_gp"].pk]},
         KEPT_FROM_MANAGER),
        ("reflections:revoke", [r, w["share"].pk], "post", {}, KEPT_FROM_MANAGER),
        ("reflections:archive", [r], "get", None, KEPT_FROM_MANAGER),
        ("reflections:archive", [r], "post", {}, KEPT_FROM_MANAGER),
        ("reflections:restore", [r], "post", {}, KEPT_FROM_MANAGER),
        ("network_sessions:detail", [n], "get", None, MANAGER),
        ("network_sessions:rsvp", [n], "post", {"rsvp": RSVP.NO}, MANAGER),
        ("network_sessions:edit", [n], "get", None, MANAGER),
        ("network_sessions:edit", [n], "post", network_form, MANAGER),
        ("network_sessions:invite", [n], "get", None, MANAGER),
        ("network_sessions:invite", [n], "post", {"supporters": [supervisor.pk]}, MANAGER),
        ("network_sessions:register", [n], "get", None, MANAGER),
        ("network_sessions:register", [n], "post",
         {f"attendance_{cc.pk}": Attendance.ATTENDED, "notes": "Hacked"}, MANAGER),
        ("network_sessions:cancel", [n], "get", None, MANAGER),
        ("network_sessions:cancel", [n], "post", {"reason": "Hacked"}, MANAGER),
    ]


# Who posts each supervision form for real in the control below (the coordinator otherwise).
RIGHTFUL = {
    "supervision:record_for": "supervisor", "supervision:confirm": "supervisor",
    "network_sessions:edit": "pcn_manager", "network_sessions:invite": "pcn_manager",
    "network_sessions:register": "pcn_manager", "network_sessions:cancel": "pcn_manager",
}


def test_control_the_same_posts_from_the_right_person_go_through(request, sign_in, world):
    """Each supervision POST above succeeds for the person it is meant for, so the
    attackers' unchanged records mean they were refused, not that the data was wrong."""
    for name, args, method, data, _who in supervision_object_urls(world):
        if method != "post":
            continue
        client = sign_in(request.getfixturevalue(RIGHTFUL.get(name, "care_coordinator")))
        with transaction.atomic():
            response = client.post(reverse(name, args=args), data)
            transaction.set_rollback(True)
        assert response.status_code == 302, f"{name}: {response.status_code}"
        said = [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]
        assert said and all(level == "success" for level, _ in said), f"{name}: {said}"


def pcn_param_urls(w):
    """Pages that pick a PCN from the query or form: our PCN is not the other manager's."""
    ours = w["pcn"].pk
    return [
        ("development:induction_template", f"?pcn={ours}", "get", None),
        ("development:induction_template", "", "post", {"pcn": ours}),
        ("development:induction_template_regenerate", "", "post", {"pcn": ours}),
        ("supervision:cadence", f"?pcn={ours}", "get", None),
        ("supervision:cadence", "", "post",
         {"pcn": ours, "interval_clinical": "7", "interval_line_management": "7"}),
        ("supervision:load", f"?pcn={ours}", "get", None),
        ("safeguarding:summary", f"?pcn={ours}", "get", None),
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
        **supervision_counts(),
    }
    for name, args, method, data, who in object_urls(world):
        url = reverse(name, args=args)
        response = client.post(url, data) if method == "post" else client.get(url)
        label = f"{attacker_name} {method.upper()} {name} {url}"
        assert response.status_code in (403, 404), f"{label}: {response.status_code}"
        if attacker_name == "other_pcn_manager" and who != NOT_FOR_MANAGERS:
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
    assert_supervision_unchanged(world, before)
    assert mail.outbox == []
    assert AuditEntry.objects.count() == before["audit"]


def supervision_counts():
    return {
        "sessions": SupervisionSession.objects.count(),
        "session_addenda": SessionAddendum.objects.count(),
        "actions": SupervisionAction.objects.count(),
        "safeguarding_addenda": SafeguardingAddendum.objects.count(),
        "reflection_comments": ReflectionComment.objects.count(),
        "shares": ReflectionShare.objects.count(),
        "invitations": SessionInvitation.objects.count(),
    }


def assert_supervision_unchanged(world, before):
    """No session confirmed, withdrawn or changed; no addenda, comments, shares, actions or
    invitations added; the log not withdrawn or followed up; the reflection neither changed
    nor archived; the peer session neither changed nor cancelled; replies and attendance as
    they were; no cadence set."""
    assert supervision_counts() == {key: before[key] for key in supervision_counts()}
    session = SupervisionSession.objects.get(pk=world["session"].pk)
    assert (session.confirmed_at, session.withdrawn_at, session.topics) == \
        (None, None, SECRET["topics"])
    assert SupervisionAction.objects.get(pk=world["action"].pk).done_on is None
    discussion = SafeguardingDiscussion.objects.get(pk=world["discussion"].pk)
    assert (discussion.withdrawn_at, discussion.followed_up_on) == (None, None)
    reflection = Reflection.objects.get(pk=world["reflection"].pk)
    assert (reflection.archived_at, reflection.title) == \
        (None, world["reflection"].title)
    assert ReflectionShare.objects.get(pk=world["share"].pk).revoked_at is None
    network_session = NetworkSession.objects.get(pk=world["network_session"].pk)
    assert (network_session.cancelled_at, network_session.title, network_session.notes) == \
        (None, world["network_session"].title, "")
    invitation = SessionInvitation.objects.get(pk=world["invitation"].pk)
    assert (invitation.rsvp, invitation.attendance) == (RSVP.PENDING, Attendance.UNRECORDED)
    assert not CadenceSetting.objects.exists()


ROLE_PAGES = [
    # (url name, a page for ... [or for any of a tuple of roles]) refused with 403 to someone
    # who holds none of them
    ("people:list", "manager"), ("people:add", "manager"),
    ("learning:mine", "coordinator"), ("learning:verification_queue", "supporter"),
    ("development:plan", "coordinator"), ("development:goal_add", "coordinator"),
    ("development:induction_template", "manager"),
    ("reports:training_matrix", "manager"), ("reports:training_matrix_csv", "manager"),
    ("reports:portable_import", "manager"),
    ("competency_reports:heatmap", "manager"), ("competency_reports:heatmap_csv", "manager"),
    ("competencies:mine", "coordinator"), ("competencies:queue", "supporter"),
    ("supervision:mine", "coordinator"), ("supervision:record", "coordinator"),
    ("supervision:to_confirm", ("coordinator", "supporter")),
    ("supervision:team", ("supporter", "manager")),
    ("supervision:cadence", "manager"), ("supervision:load", "manager"),
    ("safeguarding:mine", "coordinator"), ("safeguarding:log", "coordinator"),
    ("safeguarding:with_you", "safeguarding GP"), ("safeguarding:summary", "manager"),
    ("reflections:shared", "supporter"),
    ("network_sessions:list", ("coordinator", "supporter", "manager")),
    ("network_sessions:calendar", ("coordinator", "supporter", "manager")),
    # Arranging: the managers of a PCN and the supporters of its coordinators.
    ("network_sessions:create", ("supporter", "manager")),
]


def _needs(needs):
    return {needs} if isinstance(needs, str) else set(needs)


def test_role_pages_refuse_people_without_the_role(sign_in, world, no_role_person,
                                                   care_coordinator):
    for person, holds in ((no_role_person, set()), (care_coordinator, {"coordinator"})):
        client = sign_in(person)
        for name, needs in ROLE_PAGES:
            if not _needs(needs) & holds:
                response = client.get(reverse(name))
                assert response.status_code == 403, f"{person} {name}: {response.status_code}"
    # A clinical supervisor is a supporter but not a safeguarding GP; an ICB viewer sees
    # none of the supervision pages.
    client = sign_in(world["supervisor"])
    for name in ("safeguarding:with_you", "safeguarding:summary", "safeguarding:mine",
                 "supervision:mine", "supervision:cadence", "supervision:load"):
        assert client.get(reverse(name)).status_code == 403, f"supervisor {name}"
    client = sign_in(world["icb_viewer"])
    for name, _ in ROLE_PAGES:
        if name.split(":")[0] in ("supervision", "safeguarding", "network_sessions") or \
                name == "reflections:shared":
            assert client.get(reverse(name)).status_code == 403, f"ICB viewer {name}"
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
                 "competency_reports:heatmap_csv", "development:induction_template", "home",
                 "supervision:team", "supervision:load", "supervision:cadence",
                 "safeguarding:summary", "network_sessions:list"):
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
    # Anyone with a person record keeps a reflective diary: these show only their own.
    "reflections:mine", "reflections:archived", "reflections:start", "reflections:add",
    "network_sessions:calendar_feed",  # token; test_calendar_feed and below
}


def _url_names(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _url_names(pattern.url_patterns, pattern.namespace or namespace)
        elif getattr(pattern.callback, "__module__", "").startswith(
            ("lms", "competencies", "supervision")
        ) and not pattern.callback.__module__.startswith("lms.compliance"):
            # The compliance pages have their own: tests/compliance/test_compliance_refusals.py
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
    """The same addresses work for our PCN's manager, so the refusals above are real; the
    pages whose content is kept from managers refuse them as well."""
    client = sign_in(pcn_manager)
    for name, args, method, _data, who in object_urls(world):
        if method != "get" or who == NOT_FOR_MANAGERS:
            continue
        url = reverse(name, args=args)
        response = client.get(url)
        if who == MANAGER:
            assert response.status_code == 200, f"{name} {url}: {response.status_code}"
        else:
            assert response.status_code in (403, 404), f"{name} {url}: {response.status_code}"
            assert_no_secrets(response, f"our manager GET {name}")
    for name, query, method, _data in pcn_param_urls(world):
        if method == "get":
            response = client.get(reverse(name) + query)
            assert response.status_code == 200, f"{name}{query}: {response.status_code}"


def assert_no_secrets(response, label):
    body = response.content.decode()
    for key, text in SECRET.items():
        assert text not in body and text.replace("'", "&#x27;") not in body, \
            f"{label} shows the {key}"


def test_our_manager_sees_that_support_happens_but_not_what_was_said(
    sign_in, world, pcn_manager
):
    """Counts, dates and who, never the safeguarding concern, the reflection or the topics."""
    client = sign_in(pcn_manager)
    person = world["person"]
    pages = {
        "safeguarding summary": reverse("safeguarding:summary"),
        "the coordinator's supervision": reverse("supervision:person", args=[person.pk]),
        "a supervision record": reverse("supervision:detail", args=[world["session"].pk]),
        "a confirmed record": reverse("supervision:detail",
                                      args=[world["confirmed_session"].pk]),
        "supervision cadence": reverse("supervision:team"),
        "the peer session": reverse("network_sessions:detail",
                                    args=[world["network_session"].pk]),
        "home": reverse("home"),
    }
    for label, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, f"{label}: {response.status_code}"
        assert person.family_name in response.content.decode(), f"{label} leaves them out"
        assert_no_secrets(response, label)
    # The summary counts the discussion; the list shows both sessions by date.
    summary = client.get(pages["safeguarding summary"]).context
    (row,) = [r for r in summary["rows"] if r.person.pk == person.pk]
    assert (row.last_12_months, row.latest) == (1, world["discussion"].discussed_on)
    listing = client.get(pages["the coordinator's supervision"]).context
    assert {s.pk for s in listing["page"].object_list} == {
        world["session"].pk, world["confirmed_session"].pk}
    assert not listing["content"] and not listing["actions"]


def test_the_calendar_feed_serves_only_its_owners_sessions(client, world):
    own = client.get(reverse("network_sessions:calendar_feed", args=[world["feed_token"]]))
    assert own.status_code == 200
    assert world["network_session"].title.encode() in own.content
    other = client.get(reverse("network_sessions:calendar_feed",
                               args=[world["other_feed_token"]]))
    assert other.status_code == 200
    assert world["network_session"].title.encode() not in other.content
    assert_no_leak(other, world["person"], "the other coordinator's feed")
    calendar_feed.calendar_feed_revoke(actor=world["person"].user, person=world["person"])
    gone = client.get(reverse("network_sessions:calendar_feed", args=[world["feed_token"]]))
    assert gone.status_code == 404
