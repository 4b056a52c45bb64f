"""Supervision sessions: recording, the patient-identifier guard, confirmation and the lock,
addenda, withdrawal, actions and the audit trail (services).

The shared fixtures and helpers here (a frozen clock, a line manager, `recorded`) are
imported by the other test_session_* modules.
"""

import datetime

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from competencies.models import EvidenceKind, EvidenceLink, FrameworkStatus
from lms import services as lms_services
from lms.models import AuditEntry, Role
from supervision import session_services as services
from supervision.models import (
    Mode,
    SessionAddendum,
    SessionType,
    SupervisionAction,
    SupervisionSession,
)
from supervision.session_services import AgreedAction
from tests.competencies.test_progress_rules import make_framework
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2025, 6, 2)
HELD_ON = datetime.date(2025, 5, 27)
NHS_NUMBER = "943 476 5919"  # a valid NHS number (modulus 11)
TOPICS = "Caseload review; setting boundaries with a demanding family; escalation routes."


@pytest.fixture
def frozen():
    """Every page and service sees 2 June 2025, mid-morning."""
    with time_machine.travel(datetime.datetime(2025, 6, 2, 10, 0), tick=False):
        yield AS_OF


@pytest.fixture
def line_manager(pcn, care_coordinator):
    return make_person(Role.LINE_MANAGER, pcn=pcn, care_coordinator=care_coordinator,
                       given_name="Fiona", family_name="Reid", job_title="Practice manager")


@pytest.fixture
def framework(db):
    framework = make_framework("session-test", count=3)
    framework.status = FrameworkStatus.ACTIVE
    framework.save()
    return framework


def recorded(cc, recorder, supervisors, **overrides):
    """A session recorded through the service, with sensible defaults."""
    as_of = overrides.pop("as_of", AS_OF)
    values = {
        "session_type": SessionType.CLINICAL,
        "held_on": HELD_ON,
        "duration_minutes": 60,
        "mode": Mode.VIDEO,
        "topics": TOPICS,
        "notes": "",
        "competencies": (),
        "goals": (),
        "actions": (),
        "next_session_on": None,
    }
    values.update(overrides)
    return services.supervision_session_record(
        actor=recorder.user, recorded_by=recorder, care_coordinator=cc, supervisors=supervisors,
        as_of=as_of, **values,
    )


def confirmed(session, by, comment=""):
    return services.supervision_session_confirm(
        actor=by.user, session=session, by=by, comment=comment, as_of=AS_OF
    )


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- recording -------------------------------------------------------------------------------


def test_a_coordinator_records_a_session_with_actions_and_it_waits_for_confirmation(
    care_coordinator, supervisor
):
    cc = care_coordinator
    session = recorded(cc, cc, [supervisor], next_session_on=datetime.date(2025, 6, 24),
                       actions=[AgreedAction("Read the local escalation policy", cc,
                                             datetime.date(2025, 6, 10)),
                                AgreedAction("Send the referral pathway", supervisor)])
    assert session.recorded_by == cc and not session.is_locked
    assert list(session.supervisors.all()) == [supervisor]
    assert list(SupervisionSession.objects.awaiting_confirmation()) == [session]
    assert [(a.description, a.owner, a.due_on) for a in session.actions.order_by("pk")] == [
        ("Read the local escalation policy", cc, datetime.date(2025, 6, 10)),
        ("Send the referral pathway", supervisor, None),
    ]
    entry = AuditEntry.objects.get(action="supervision_session.record")
    assert entry.after["topics"] == TOPICS and entry.after["supervisors"] == ["Grace Hughes"]
    assert AuditEntry.objects.filter(action="supervision_action.add").count() == 2


def test_a_session_whose_topics_hold_an_nhs_number_is_not_saved(care_coordinator, supervisor):
    with pytest.raises(ValidationError) as excinfo:
        recorded(care_coordinator, care_coordinator, [supervisor],
                 topics=f"Talked about patient {NHS_NUMBER} and their carer.")
    assert "NHS number" in errors_of(excinfo)["topics"][0]
    assert "943 476 5919" in errors_of(excinfo)["topics"][0]
    assert not SupervisionSession.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="supervision").exists()


def test_notes_and_action_text_are_guarded_too(care_coordinator, supervisor):
    with pytest.raises(ValidationError) as excinfo:
        recorded(care_coordinator, care_coordinator, [supervisor], notes="Lives at SW1A 1AA.",
                 actions=[AgreedAction(f"Chase {NHS_NUMBER}", care_coordinator)])
    errors = errors_of(excinfo)
    assert "postcode" in errors["notes"][0]
    assert "NHS number" in errors["action1_description"][0]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"held_on": datetime.date(2025, 6, 3)}, "held_on", "today or in the past"),
        ({"held_on": datetime.date(1999, 12, 31)}, "held_on", "after 1 January 2000"),
        ({"duration_minutes": 0}, "duration_minutes", "from 1 to 600"),
        ({"duration_minutes": 601}, "duration_minutes", "from 1 to 600"),
        ({"topics": "   "}, "topics", "Enter the topics"),
        ({"topics": "x" * 5001}, "topics", "5,000 characters"),
        ({"next_session_on": HELD_ON}, "next_session_on", "after this session"),
        ({"next_session_on": datetime.date(2026, 6, 1)}, "next_session_on", "within a year"),
        ({"session_type": "tea"}, "session_type", "Select the type"),
        ({"mode": "carrier pigeon"}, "mode", "Select how"),
    ],
)
def test_bad_values_are_refused_with_a_message_for_the_field(
    care_coordinator, supervisor, overrides, field, message
):
    with pytest.raises(ValidationError) as excinfo:
        recorded(care_coordinator, care_coordinator, [supervisor], **overrides)
    assert message in errors_of(excinfo)[field][0]
    assert not SupervisionSession.objects.exists()


def test_supervisors_must_currently_support_the_coordinator(
    care_coordinator, supervisor, other_coordinator, pcn_manager
):
    cc = care_coordinator
    for chosen in ([], [pcn_manager], [other_coordinator]):
        with pytest.raises(ValidationError) as excinfo:
            recorded(cc, cc, chosen)
        assert "supervisors" in errors_of(excinfo)
    # Ending the role ends it: a former supervisor cannot be named on a new record.
    assignment = supervisor.role_assignments.get()
    lms_services.role_end(actor=None, assignment=assignment, ends_on=AS_OF, reason="Left")
    with pytest.raises(ValidationError):
        recorded(cc, cc, [supervisor])


def test_a_supervisor_records_only_sessions_they_were_in(
    care_coordinator, supervisor, line_manager, pcn_manager
):
    cc = care_coordinator
    with pytest.raises(ValidationError) as excinfo:
        recorded(cc, line_manager, [supervisor])
    assert "Include yourself" in errors_of(excinfo)["supervisors"][0]
    with pytest.raises(ValidationError):
        recorded(cc, pcn_manager, [supervisor])  # not a supporter at all
    session = recorded(cc, line_manager, [line_manager, supervisor],
                       session_type=SessionType.LINE_MANAGEMENT)
    assert session.recorded_by == line_manager


def test_action_owners_are_the_coordinator_or_the_sessions_supervisors(
    care_coordinator, supervisor, line_manager
):
    cc = care_coordinator
    with pytest.raises(ValidationError) as excinfo:
        recorded(cc, cc, [supervisor], actions=[AgreedAction("Book a room", line_manager)])
    assert "action1_owner" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        recorded(cc, cc, [supervisor],
                 actions=[AgreedAction("Book a room", cc, HELD_ON - datetime.timedelta(days=1))])
    assert "before the session" in errors_of(excinfo)["action1_due_on"][0]


def test_competencies_must_be_in_use_and_goals_the_coordinators_own(
    care_coordinator, supervisor, other_coordinator, framework
):
    cc = care_coordinator
    draft = make_framework("draft-one", count=1)
    draft.status = FrameworkStatus.DRAFT
    draft.save()
    with pytest.raises(ValidationError) as excinfo:
        recorded(cc, cc, [supervisor], competencies=[draft.competencies.get()])
    assert "competencies" in errors_of(excinfo)
    someone_elses = lms_services.development_goal_save(
        actor=None, person=other_coordinator, title="Not yours")
    with pytest.raises(ValidationError) as excinfo:
        recorded(cc, cc, [supervisor], goals=[someone_elses])
    assert "goals" in errors_of(excinfo)


# --- confirmation and the lock -------------------------------------------------------------


def test_the_recorder_cannot_confirm_their_own_record(care_coordinator, supervisor):
    session = recorded(care_coordinator, care_coordinator, [supervisor])
    with pytest.raises(ValidationError, match="other party"):
        confirmed(session, care_coordinator)
    session = recorded(care_coordinator, supervisor, [supervisor])
    with pytest.raises(ValidationError, match="other party"):
        confirmed(session, supervisor)
    assert not SupervisionSession.objects.confirmed().exists()


def test_only_the_other_party_confirms(care_coordinator, supervisor, line_manager):
    cc = care_coordinator
    by_cc = recorded(cc, cc, [supervisor])
    # The line manager supports Amira but was not in this session.
    with pytest.raises(ValidationError):
        confirmed(by_cc, line_manager)
    confirmed(by_cc, supervisor, comment="Accurate.")
    by_cc.refresh_from_db()
    assert by_cc.confirmed_by == supervisor and by_cc.confirmation_comment == "Accurate."
    by_supervisor = recorded(cc, supervisor, [supervisor], held_on=HELD_ON - datetime.timedelta(1))
    with pytest.raises(ValidationError):
        confirmed(by_supervisor, line_manager)
    confirmed(by_supervisor, cc)
    assert SupervisionSession.objects.confirmed().count() == 2


def test_a_former_supervisor_cannot_confirm(care_coordinator, supervisor):
    session = recorded(care_coordinator, care_coordinator, [supervisor])
    lms_services.role_end(actor=None, assignment=supervisor.role_assignments.get(),
                          ends_on=AS_OF, reason="Left the practice")
    with pytest.raises(ValidationError):
        confirmed(session, supervisor)


def test_a_confirmed_record_is_locked_and_corrected_only_by_addenda(
    care_coordinator, supervisor
):
    cc = care_coordinator
    session = recorded(cc, cc, [supervisor])
    with pytest.raises(ValidationError, match="not confirmed yet"):
        services.session_addendum_add(actor=cc.user, session=session, by=cc, text="Too early")
    confirmed(session, supervisor)
    with pytest.raises(ValidationError, match="confirmed"):
        services.supervision_session_update(
            actor=cc.user, session=session, by=cc, session_type=SessionType.CLINICAL,
            held_on=HELD_ON, duration_minutes=90, supervisors=[supervisor], mode=Mode.VIDEO,
            topics="Changed after the event", as_of=AS_OF,
        )
    with pytest.raises(ValidationError, match="confirmed"):
        services.supervision_session_withdraw(actor=cc.user, session=session, by=cc,
                                              reason="Second thoughts")
    with pytest.raises(ValidationError, match="confirmed"):
        confirmed(session, supervisor)
    session.refresh_from_db()
    assert session.topics == TOPICS and session.duration_minutes == 60
    assert session.withdrawn_at is None

    first = services.session_addendum_add(actor=cc.user, session=session, by=cc,
                                          text="The session lasted 90 minutes, not 60.")
    second = services.session_addendum_add(actor=supervisor.user, session=session,
                                           by=supervisor, text="Agreed.")
    assert list(session.addenda.all()) == [first, second]
    assert [a.added_by for a in session.addenda.all()] == [cc, supervisor]
    with pytest.raises(ValidationError) as excinfo:
        services.session_addendum_add(actor=cc.user, session=session, by=cc,
                                      text=f"Patient {NHS_NUMBER}")
    assert "text" in errors_of(excinfo)
    assert SessionAddendum.objects.count() == 2


def test_confirming_makes_the_session_evidence_once_per_competency(
    care_coordinator, supervisor, framework
):
    cc = care_coordinator
    competencies = list(framework.competencies.order_by("sort_order")[:2])
    session = recorded(cc, cc, [supervisor], competencies=competencies)
    assert not EvidenceLink.objects.exists()  # not before confirmation
    confirmed(session, supervisor)
    links = EvidenceLink.objects.filter(
        person=cc, kind=EvidenceKind.SUPERVISION_SESSION,
        content_type=ContentType.objects.get_for_model(SupervisionSession), object_id=session.pk,
    )
    assert sorted(link.competency_id for link in links) == sorted(c.pk for c in competencies)
    assert {link.description for link in links} == {"Clinical supervision on 27 May 2025"}


def test_the_recorder_changes_an_unconfirmed_record_and_the_audit_keeps_before_and_after(
    care_coordinator, supervisor
):
    cc = care_coordinator
    session = recorded(cc, cc, [supervisor])
    services.supervision_session_update(
        actor=cc.user, session=session, by=cc, session_type=SessionType.CLINICAL,
        held_on=HELD_ON, duration_minutes=45, supervisors=[supervisor], mode=Mode.PHONE,
        topics="Caseload review only.", as_of=AS_OF,
    )
    entry = AuditEntry.objects.get(action="supervision_session.update")
    assert (entry.before["duration_minutes"], entry.after["duration_minutes"]) == (60, 45)
    assert (entry.before["topics"], entry.after["topics"]) == (TOPICS, "Caseload review only.")
    assert (entry.before["mode"], entry.after["mode"]) == (Mode.VIDEO, Mode.PHONE)
    with pytest.raises(ValidationError, match="Only the person who recorded"):
        services.supervision_session_update(
            actor=supervisor.user, session=session, by=supervisor,
            session_type=SessionType.CLINICAL, held_on=HELD_ON, duration_minutes=5,
            supervisors=[supervisor], mode=Mode.PHONE, topics="Mine now", as_of=AS_OF,
        )


def test_withdrawing_keeps_the_record_with_who_when_and_why(care_coordinator, supervisor):
    cc = care_coordinator
    session = recorded(cc, cc, [supervisor])
    with pytest.raises(ValidationError) as excinfo:
        services.supervision_session_withdraw(actor=cc.user, session=session, by=cc, reason="")
    assert "reason" in errors_of(excinfo)
    with pytest.raises(ValidationError, match="Only the person who recorded"):
        services.supervision_session_withdraw(actor=supervisor.user, session=session,
                                              by=supervisor, reason="Not mine")
    services.supervision_session_withdraw(actor=cc.user, session=session, by=cc,
                                          reason="Recorded twice")
    session.refresh_from_db()
    assert session.withdrawn_by == cc and session.withdrawn_reason == "Recorded twice"
    assert SupervisionSession.objects.count() == 1
    assert not SupervisionSession.objects.current().exists()
    with pytest.raises(ValidationError, match="withdrawn"):
        confirmed(session, supervisor)


# --- actions ---------------------------------------------------------------------------------


def test_actions_are_marked_done_also_after_confirmation_and_only_once(
    care_coordinator, supervisor
):
    cc = care_coordinator
    session = recorded(cc, cc, [supervisor],
                       actions=[AgreedAction("Shadow a social prescriber", cc)])
    confirmed(session, supervisor)
    action = session.actions.get()
    services.supervision_action_done(actor=supervisor.user, action=action, by=supervisor,
                                     as_of=AS_OF)
    services.supervision_action_done(actor=cc.user, action=action, by=cc,
                                     as_of=AS_OF + datetime.timedelta(days=1))
    action.refresh_from_db()
    assert (action.done_on, action.done_recorded_by) == (AS_OF, supervisor)
    assert AuditEntry.objects.filter(action="supervision_action.done").count() == 1
    assert not SupervisionAction.objects.open().exists()


def test_an_action_is_added_to_a_confirmed_session(care_coordinator, supervisor):
    cc = care_coordinator
    session = recorded(cc, cc, [supervisor])
    confirmed(session, supervisor)
    services.supervision_action_add(
        actor=supervisor.user, session=session,
        action=AgreedAction("Book the next session", supervisor, AS_OF),
    )
    assert session.actions.get().owner == supervisor
    with pytest.raises(ValidationError) as excinfo:
        services.supervision_action_add(
            actor=cc.user, session=session, action=AgreedAction(f"Ring {NHS_NUMBER}", cc))
    assert "description" in errors_of(excinfo)


def test_actions_of_a_withdrawn_record_are_closed(care_coordinator, supervisor):
    cc = care_coordinator
    session = recorded(cc, cc, [supervisor], actions=[AgreedAction("Something", cc, AS_OF)])
    services.supervision_session_withdraw(actor=cc.user, session=session, by=cc,
                                          reason="Wrong coordinator")
    assert not SupervisionAction.objects.open().exists()
    with pytest.raises(ValidationError, match="withdrawn"):
        services.supervision_action_done(actor=cc.user, action=session.actions.get(), by=cc,
                                         as_of=AS_OF)


# --- cadence settings ------------------------------------------------------------------------


def test_cadence_settings_are_saved_and_audited(pcn, pcn_manager):
    after = services.cadence_settings_save(
        actor=pcn_manager.user, pcn=pcn,
        intervals={SessionType.CLINICAL: 14, SessionType.LINE_MANAGEMENT: None},
    )
    assert after[SessionType.CLINICAL] == 14 and after[SessionType.LINE_MANAGEMENT] is None
    entry = AuditEntry.objects.get(action="supervision_cadence.save")
    assert entry.before["clinical"] == 31 and entry.after["clinical"] == 14
    assert entry.before["line_management"] == 42 and entry.after["line_management"] is None
    with pytest.raises(ValidationError):
        services.cadence_settings_save(actor=pcn_manager.user, pcn=pcn,
                                       intervals={SessionType.CLINICAL: 0})
    # Saving the same again writes no audit entry.
    services.cadence_settings_save(actor=pcn_manager.user, pcn=pcn,
                                   intervals={SessionType.CLINICAL: 14})
    assert AuditEntry.objects.filter(action="supervision_cadence.save").count() == 1
