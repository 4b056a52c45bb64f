"""The attendance register: when it opens, who it names, its notes, the CPD hours it credits to
learning records (once, and taken off again), and DES 1(b) joint working attendance."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from lms import services as lms_services
from lms.models import AuditEntry, LearningRecord, LearningStatus, Role
from supervision import network_services as services
from supervision.models import Attendance, NetworkSessionKind
from tests.conftest import make_person
from tests.curriculum import curriculum_section, learning_item
from tests.supervision import test_network_sessions as shared
from tests.supervision.test_network_sessions import (
    AS_OF,
    NOW,
    arrange,
    at,
    invite,
)

pytestmark = pytest.mark.django_db

frozen, kind_items = shared.frozen, shared.kind_items

NHS_NUMBER = "943 476 5919"  # a valid NHS number (modulus 11)


@pytest.fixture
def ben(pcn):
    return make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Ben", family_name="Okafor")


@pytest.fixture
def held(pcn_manager, care_coordinator, ben, kind_items):
    """A 1.5-hour peer network held last week, both coordinators invited."""
    session = arrange(pcn_manager, days=-7)
    invite(session, care_coordinator, ben)
    return session


def register_url(session):
    return reverse("network_sessions:register", args=[session.pk])


def record_for(person, kind_items, kind=NetworkSessionKind.PEER_NETWORK):
    return LearningRecord.objects.filter(person=person, item=kind_items[kind]).first()


def save(session, attendance, actor=None, **kwargs):
    actor = actor or session.created_by
    return services.register_save(actor=actor.user, recorded_by=actor, session=session,
                                  attendance={p.pk: state for p, state in attendance.items()},
                                  as_of=kwargs.pop("as_of", AS_OF), **kwargs)


# --- the page ------------------------------------------------------------------------------------


def test_the_facilitator_takes_the_register_and_attendees_get_cpd_hours(
        frozen, sign_in, pcn_manager, held, care_coordinator, ben, kind_items):
    client = sign_in(pcn_manager)
    page = client.get(register_url(held)).content.decode()
    assert "Amira Khan" in page and "Ben Okafor" in page
    assert "Saving adds 1.5 CPD hours" in page

    response = client.post(register_url(held), {
        f"attendance_{care_coordinator.pk}": "attended",
        f"attendance_{ben.pk}": "apologies",
        "themes": "Frailty, loneliness", "notes": "Shared good practice on frailty reviews.",
        "other_attendees": "Sam Carter (SPLW)",
    })

    assert response.status_code == 302
    held.refresh_from_db()
    assert (held.themes, held.other_attendees) == ("Frailty, loneliness", "Sam Carter (SPLW)")
    attended = held.invitations.get(person=care_coordinator)
    assert attended.attendance == Attendance.ATTENDED
    assert attended.attendance_recorded_by == pcn_manager
    assert attended.cpd_hours_credited == Decimal("1.5")
    assert held.invitations.get(person=ben).attendance == Attendance.APOLOGIES
    record = record_for(care_coordinator, kind_items)
    assert record.cpd_hours == Decimal("1.5")
    assert record.stage == LearningStatus.COMPLETED
    assert record.completed_on == datetime.date(2026, 3, 3)
    assert record.notes == "Attended Riverside peer network on 3 March 2026 (1.5 h)"
    assert record_for(ben, kind_items) is None
    assert AuditEntry.objects.filter(action="network_session.register").count() == 1
    detail = client.get(response["Location"]).content.decode()
    assert "The register has been saved. CPD hours added to the learning records of 1 person." \
        in detail
    assert "Frailty, loneliness" in detail
    # The coordinator sees their attendance and hours on the session page.
    page = sign_in(care_coordinator).get(response["Location"]).content.decode()
    assert "1.5 CPD hours added to your learning record." in page


def test_before_the_session_starts_the_register_is_closed(
        frozen, sign_in, pcn_manager, care_coordinator, kind_items):
    session = arrange(pcn_manager, days=0, hours=1)  # 14:00 today; it is midday
    invite(session, care_coordinator)
    client = sign_in(pcn_manager)
    page = client.get(register_url(session)).content.decode()
    assert "You can take the register once the session starts, at 14:00 on 10 March 2026." \
        in page
    assert "Save the register" not in page

    response = client.post(register_url(session),
                           {f"attendance_{care_coordinator.pk}": "attended"})

    assert response.status_code == 200
    assert "The register opens when the session starts, at 14:00 on 10 March 2026." in \
        response.content.decode()
    assert session.invitations.get().attendance == Attendance.UNRECORDED
    assert not LearningRecord.objects.exists()
    with time_machine.travel(at(0, 14, 5), tick=False):
        assert "Save the register" in client.get(register_url(session)).content.decode()


def test_attendance_for_someone_not_invited_is_a_field_error_and_nothing_is_saved(
        frozen, sign_in, pcn_manager, held, care_coordinator, pcn):
    stranger = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Chloe",
                           family_name="Evans")
    client = sign_in(pcn_manager)

    response = client.post(register_url(held), {
        f"attendance_{care_coordinator.pk}": "attended",
        f"attendance_{stranger.pk}": "attended",
        "notes": "We talked about discharge planning.",
    })

    form = response.context["form"]
    assert response.status_code == 200
    assert form.errors[f"attendance_{stranger.pk}"] == [
        "This person is not invited to this session, so their attendance cannot be recorded. "
        "Invite them first."]
    html = response.content.decode()
    assert "We talked about discharge planning." in html
    assert f'name="attendance_{care_coordinator.pk}" type="radio" value="attended" checked' \
        in html
    assert not held.invitations.exclude(attendance=Attendance.UNRECORDED).exists()
    assert not LearningRecord.objects.exists()
    held.refresh_from_db()
    assert held.notes == ""


def test_the_service_refuses_attendance_for_someone_not_invited(held, pcn_manager, pcn):
    stranger = make_person(Role.CARE_COORDINATOR, pcn=pcn)
    with pytest.raises(services.ValidationError) as refused:
        save(held, {stranger: "attended"}, now=NOW)
    assert f"attendance_{stranger.pk}" in refused.value.message_dict


def test_notes_with_a_patient_identifier_are_refused_and_kept(
        frozen, sign_in, pcn_manager, held, care_coordinator):
    client = sign_in(pcn_manager)
    notes = f"Discussed the patient with NHS number {NHS_NUMBER}."
    response = client.post(register_url(held), {f"attendance_{care_coordinator.pk}": "attended",
                                                 "notes": notes})
    assert response.status_code == 200
    assert "NHS number" in response.context["form"].errors["notes"][0]
    assert notes in response.content.decode()
    assert held.invitations.get(person=care_coordinator).attendance == Attendance.UNRECORDED


def test_a_bad_attendance_value_is_a_field_error(frozen, sign_in, pcn_manager, held,
                                                 care_coordinator):
    response = sign_in(pcn_manager).post(register_url(held),
                                         {f"attendance_{care_coordinator.pk}": "present"})
    assert response.context["form"].errors[f"attendance_{care_coordinator.pk}"] == [
        "Choose attended, apologies or absent"]


@pytest.mark.parametrize("who", ["care_coordinator", "supervisor"])
def test_only_the_facilitator_or_a_pcn_manager_takes_the_register(
        frozen, request, sign_in, held, who):
    # The supervisor may arrange sessions for this PCN, but is not this one's facilitator.
    client = sign_in(request.getfixturevalue(who))
    assert client.get(register_url(held)).status_code == 403


def test_a_facilitator_who_is_not_a_manager_takes_the_register(
        frozen, sign_in, pcn_manager, supervisor, care_coordinator, kind_items):
    session = arrange(pcn_manager, days=-1, facilitator=supervisor)
    invite(session, care_coordinator)
    response = sign_in(supervisor).post(register_url(session),
                                        {f"attendance_{care_coordinator.pk}": "attended"})
    assert response.status_code == 302
    assert session.invitations.get().attendance_recorded_by == supervisor


@pytest.mark.parametrize("who", ["other_pcn_manager", "other_coordinator"])
def test_another_pcn_cannot_take_our_register(frozen, request, sign_in, held, care_coordinator,
                                              who):
    client = sign_in(request.getfixturevalue(who))
    response = client.post(register_url(held),
                           {f"attendance_{care_coordinator.pk}": "attended"})
    assert response.status_code == 404
    assert held.invitations.get(person=care_coordinator).attendance == Attendance.UNRECORDED


def test_the_register_page_runs_the_same_queries_for_2_and_12_invitees(
        frozen, sign_in, pcn_manager, held, pcn, django_assert_num_queries):
    client = sign_in(pcn_manager)
    client.get(register_url(held))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as two:
        client.get(register_url(held))
    invite(held, *[make_person(Role.CARE_COORDINATOR, pcn=pcn) for _ in range(10)])
    with django_assert_num_queries(len(two.captured_queries)):
        assert client.get(register_url(held)).status_code == 200


# --- CPD credit -----------------------------------------------------------------------------------


def test_saving_the_same_register_twice_credits_nothing_new(held, care_coordinator, kind_items):
    save(held, {care_coordinator: "attended"}, now=NOW)
    outcome = save(held, {care_coordinator: "attended"}, now=NOW)
    assert outcome.credited == [] and outcome.changed == 0
    record = record_for(care_coordinator, kind_items)
    assert record.cpd_hours == Decimal("1.5")
    assert record.notes.count("Attended") == 1
    assert held.invitations.get(person=care_coordinator).cpd_hours_credited == Decimal("1.5")


def test_attended_then_absent_takes_off_exactly_the_hours_credited(
        held, care_coordinator, kind_items):
    item = kind_items[NetworkSessionKind.PEER_NETWORK]
    lms_services.learning_record_save(
        actor=care_coordinator.user, person=care_coordinator, item=item,
        stage=LearningStatus.COMPLETED, completed_on=datetime.date(2026, 1, 20),
        cpd_hours=Decimal("2.0"), notes="January network.", as_of=AS_OF,
    )
    save(held, {care_coordinator: "attended"}, now=NOW)
    record = record_for(care_coordinator, kind_items)
    assert record.cpd_hours == Decimal("3.5")
    assert record.completed_on == datetime.date(2026, 3, 3)

    outcome = save(held, {care_coordinator: "absent"}, now=NOW)

    assert outcome.removed == [care_coordinator]
    record.refresh_from_db()
    assert record.cpd_hours == Decimal("2.0")
    assert record.notes.splitlines() == [
        "January network.",
        "Attended Riverside peer network on 3 March 2026 (1.5 h)",
        "Attendance at Riverside peer network on 3 March 2026 no longer recorded (1.5 h removed)",
    ]
    assert held.invitations.get(person=care_coordinator).cpd_hours_credited == 0
    # And back again: credited once more, exactly.
    save(held, {care_coordinator: "attended"}, now=NOW)
    record.refresh_from_db()
    assert record.cpd_hours == Decimal("3.5")


def test_a_later_completion_is_kept(held, care_coordinator, kind_items):
    lms_services.learning_record_save(
        actor=care_coordinator.user, person=care_coordinator,
        item=kind_items[NetworkSessionKind.PEER_NETWORK], stage=LearningStatus.COMPLETED,
        completed_on=datetime.date(2026, 3, 9), as_of=AS_OF,
    )
    save(held, {care_coordinator: "attended"}, now=NOW)
    record = record_for(care_coordinator, kind_items)
    assert record.completed_on == datetime.date(2026, 3, 9)
    assert record.cpd_hours == Decimal("1.5")


def test_the_sessions_own_learning_item_and_cpd_hours_are_used(
        pcn_manager, care_coordinator, kind_items):
    item = learning_item(curriculum_section("Cohort"), "cohort-frailty", title="Frailty")
    session = arrange(pcn_manager, days=-2, learning_item=item, cpd_hours=Decimal("2.25"))
    invite(session, care_coordinator)
    save(session, {care_coordinator: "attended"}, now=NOW)
    record = LearningRecord.objects.get(person=care_coordinator)
    assert record.item == item
    assert record.cpd_hours == Decimal("2.3")  # learning records keep one decimal place


def test_changing_the_cpd_hours_after_the_register_moves_the_credit(
        held, pcn_manager, care_coordinator, kind_items):
    save(held, {care_coordinator: "attended"}, now=NOW)
    services.network_session_update(actor=pcn_manager.user, session=held, as_of=AS_OF,
                                    cpd_hours=Decimal("1"))
    assert record_for(care_coordinator, kind_items).cpd_hours == Decimal("1.0")
    assert held.invitations.get(person=care_coordinator).cpd_hours_credited == Decimal("1.0")


def test_the_learning_item_cannot_change_once_hours_are_credited(
        held, pcn_manager, care_coordinator, kind_items):
    save(held, {care_coordinator: "attended"}, now=NOW)
    other = learning_item(curriculum_section("Other"), "other-item")
    with pytest.raises(services.ValidationError) as refused:
        services.network_session_update(actor=pcn_manager.user, session=held, as_of=AS_OF,
                                        learning_item=other)
    assert "learning_item" in refused.value.message_dict


def test_without_a_curriculum_item_nothing_is_credited_and_the_register_says_so(
        frozen, sign_in, pcn_manager, care_coordinator):
    session = arrange(pcn_manager, days=-1)
    invite(session, care_coordinator)
    client = sign_in(pcn_manager)
    response = client.post(register_url(session),
                           {f"attendance_{care_coordinator.pk}": "attended"}, follow=True)
    assert "No CPD hours were credited" in response.content.decode()
    assert session.invitations.get().cpd_hours_credited == 0
    assert not LearningRecord.objects.exists()


def test_a_session_with_attendance_cannot_be_cancelled(held, pcn_manager, care_coordinator):
    save(held, {care_coordinator: "attended"}, now=NOW)
    with pytest.raises(services.ValidationError):
        services.network_session_cancel(actor=pcn_manager.user, session=held, reason="Oops")


# --- DES 1(b) ----------------------------------------------------------------------------------


def test_joint_working_attendance_lists_attended_joint_caseload_and_mdt_meetings(
        pcn_manager, care_coordinator, ben, kind_items, django_assert_num_queries):
    def held_on(days, kind, title, state="attended", person=care_coordinator):
        session = arrange(pcn_manager, days=days, kind=kind, title=title)
        invite(session, person)
        save(session, {person: state}, now=NOW)
        return session

    joint = held_on(-30, NetworkSessionKind.JOINT_CASELOAD, "Joint caseload")
    mdt = held_on(-10, NetworkSessionKind.MDT, "MDT meeting")
    held_on(-5, NetworkSessionKind.PEER_NETWORK, "Peer network")  # not joint working
    held_on(-3, NetworkSessionKind.MDT, "Missed MDT", state="absent")
    held_on(-60, NetworkSessionKind.MDT, "Too early")
    bens = held_on(-8, NetworkSessionKind.JOINT_CASELOAD, "Ben's meeting", person=ben)
    held_on(-1, NetworkSessionKind.JOINT_CASELOAD, "Too late")

    with django_assert_num_queries(1):
        result = services.joint_working_attendance(
            [care_coordinator.pk, ben.pk, 999999],
            since=datetime.date(2026, 2, 1), until=datetime.date(2026, 3, 8),
        )

    assert [(w.session_id, w.on, w.kind_label) for w in result[care_coordinator.pk]] == [
        (joint.pk, datetime.date(2026, 2, 8), "Joint caseload meeting with SPLWs and HWBCs"),
        (mdt.pk, datetime.date(2026, 2, 28), "MDT meeting"),
    ]
    assert [w.session_id for w in result[ben.pk]] == [bens.pk]
    assert result[999999] == []
