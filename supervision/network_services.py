"""Peer-network and MDT sessions: arranging, inviting, replies, the attendance register and the
CPD hours it credits to attendees' learning records. Every write is audited.

Rules:
- A session ends after it starts, on the same day or within 24 hours, and has a venue or an
  online link; its facilitator is someone of the organising PCN.
- Invitees are care coordinators of the organising PCN (of every PCN in the ICB for an
  ICB-wide session) and the people supporting them. Each gets an email with an .ics file.
- The register opens when the session starts and names only invited people. Saving it makes
  each invitee's credited hours match their attendance: attended means the session's CPD hours
  are in their learning record for the session's item; anything else means none are. So
  saving twice credits nothing new, and attended -> absent removes exactly what was added.
- A session is cancelled (with a reason, invitees emailed), never deleted.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from content.models import LearningItemPage
from lms import services as lms_services
from lms.audit import audit_record
from lms.models import LearningRecord, LearningStatus, Person, RoleAssignment

from .calendar_feed import session_ics, site_url
from .models import (
    RSVP,
    Attendance,
    Audience,
    NetworkSession,
    NetworkSessionKind,
    SessionInvitation,
)

#: The curriculum item each kind of session counts towards when it names none of its own
#: (seed_curriculum: "Peer support and ongoing development", and "Ongoing development").
KIND_ITEM_CODES = {
    NetworkSessionKind.PEER_NETWORK: "local-peer-network",
    NetworkSessionKind.WEBINAR: "local-webinars",
    NetworkSessionKind.ACTION_LEARNING: "ongoing-action-learning-sets",
    NetworkSessionKind.MDT: "local-mdt",
    NetworkSessionKind.JOINT_CASELOAD: "local-joint-caseload",
    NetworkSessionKind.REFRESHER: "ongoing-refresher-sessions",
}
#: Kinds whose attendance evidences DES clause 1(b): working closely with SPLWs and HWBCs.
JOINT_WORKING_KINDS = (NetworkSessionKind.JOINT_CASELOAD, NetworkSessionKind.MDT)
MAX_SESSION_HOURS = 24
RECORDED_ATTENDANCE = (Attendance.ATTENDED, Attendance.APOLOGIES, Attendance.ABSENT)
SESSION_FIELDS = (
    "kind", "title", "starts_at", "ends_at", "venue", "online_link", "facilitator",
    "audience", "description", "learning_item", "cpd_hours", "other_attendees",
)
TENTH = Decimal("0.1")


# --- rules ----------------------------------------------------------------------------------------


def session_errors(*, starts_at, ends_at, venue, online_link, facilitator, pcn,
                   cpd_hours=None) -> dict[str, str]:
    """What is wrong with a session's times, place, facilitator and hours, by field."""
    errors = {}
    if starts_at and ends_at:
        if ends_at <= starts_at:
            errors["ends_at"] = "The end time must be after the start time"
        elif ends_at - starts_at > datetime.timedelta(hours=MAX_SESSION_HOURS):
            errors["ends_at"] = f"A session must end within {MAX_SESSION_HOURS} hours of its start"
    if not (venue or "").strip() and not (online_link or "").strip():
        errors["venue"] = "Enter a venue or an online meeting link"
    if facilitator is not None and pcn is not None and facilitator.pcn_id != pcn.pk:
        errors["facilitator"] = f"Choose someone from {pcn.name} to facilitate"
    if cpd_hours is not None and not (0 <= cpd_hours <= MAX_SESSION_HOURS):
        errors["cpd_hours"] = f"CPD hours must be between 0 and {MAX_SESSION_HOURS}"
    return errors


def session_length_hours(session) -> Decimal:
    seconds = Decimal((session.ends_at - session.starts_at).total_seconds())
    return (seconds / 3600).quantize(TENTH, rounding=ROUND_HALF_UP)


def credit_hours(session) -> Decimal:
    """Hours each attendee is credited: the session's CPD hours, else its length (to 0.1 h)."""
    if session.cpd_hours is not None:
        return Decimal(session.cpd_hours).quantize(TENTH, rounding=ROUND_HALF_UP)
    return session_length_hours(session)


def credit_item(session):
    """The curriculum item attendance counts towards: the session's own, else its kind's."""
    if session.learning_item_id:
        return session.learning_item
    return LearningItemPage.objects.live().filter(code=KIND_ITEM_CODES[session.kind]).first()


def facilitator_choices(pcn_ids, as_of: datetime.date):
    """People who may facilitate: everyone with a current role in one of these PCNs."""
    holders = RoleAssignment.objects.current(as_of).values("person_id")
    return (
        Person.objects.active()
        .filter(pcn_id__in=pcn_ids, pk__in=holders)
        .select_related("pcn")
        .order_by("pcn__name", "family_name", "given_name", "pk")
    )


@dataclass
class Invitable:
    """Who may be invited to a session: care coordinators and the people supporting them."""

    coordinators: list = field(default_factory=list)
    supporters: list = field(default_factory=list)  # people, each with `.support_roles`

    @property
    def ids(self) -> set[int]:
        return {p.pk for p in self.coordinators} | {p.pk for p in self.supporters}


def invitable_people(session, as_of: datetime.date) -> Invitable:
    """Care coordinators of the organising PCN (every PCN of its ICB for an ICB-wide session),
    then their supervisors and other supporters; two queries."""
    if session.audience == Audience.ICB:
        where = Q(pcn__icb_id=session.pcn.icb_id)
    else:
        where = Q(pcn_id=session.pcn_id)
    current = RoleAssignment.objects.current(as_of).filter(person__left_on__isnull=True)
    coordinators = {}
    for assignment in (
        current.care_coordinators().filter(where)
        .select_related("person__pcn")
        .order_by("pcn__name", "person__family_name", "person__given_name", "pk")
    ):
        coordinators.setdefault(assignment.person_id, assignment.person)
    supporters = {}
    for assignment in (
        current.support().filter(care_coordinator_id__in=list(coordinators))
        .select_related("person__pcn")
        .order_by("person__family_name", "person__given_name", "pk")
    ):
        if assignment.person_id in coordinators:
            continue
        person = supporters.setdefault(assignment.person_id, assignment.person)
        roles = getattr(person, "support_roles", [])
        label = assignment.get_role_display()
        if label not in roles:
            roles.append(label)
        person.support_roles = roles
    return Invitable(list(coordinators.values()), list(supporters.values()))


# --- arranging ----------------------------------------------------------------------------------


def _locked_session(pk) -> NetworkSession:
    """The session row, locked for this transaction (only its own row: PostgreSQL cannot
    lock the nullable side of a join)."""
    return NetworkSession.objects.select_for_update(of=("self",)).select_related("pcn").get(pk=pk)


def _locked_invitations(session):
    """The session's invitations, locked for this transaction, with their people."""
    return session.invitations.select_related("person").select_for_update(of=("self",))


def _snapshot(session) -> dict:
    data = {name: getattr(session, name) for name in SESSION_FIELDS
            if name not in ("facilitator", "learning_item")}
    data.update(facilitator=session.facilitator_id, learning_item=session.learning_item_id,
                pcn=session.pcn_id, cancelled_at=session.cancelled_at,
                cancelled_reason=session.cancelled_reason)
    return data


def _validate(session) -> None:
    errors = session_errors(
        starts_at=session.starts_at, ends_at=session.ends_at, venue=session.venue,
        online_link=session.online_link, facilitator=session.facilitator, pcn=session.pcn,
        cpd_hours=session.cpd_hours,
    )
    if errors:
        raise ValidationError(errors)


def _clean_text(fields: dict) -> dict:
    return {name: value.strip() if isinstance(value, str) else value
            for name, value in fields.items()}


@transaction.atomic
def network_session_create(*, actor, pcn, created_by: Person, **fields) -> NetworkSession:
    """Arrange a session for `pcn`; the facilitator defaults to the person arranging it."""
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"network_session_create() got unknown fields {sorted(unknown)}")
    fields = _clean_text(fields)
    fields.setdefault("facilitator", created_by)
    now = timezone.now()
    session = NetworkSession(pcn=pcn, created_by=created_by, created_at=now, updated_at=now,
                             **fields)
    _validate(session)
    session.save()
    audit_record(actor=actor, action="network_session.create", obj=session,
                 after=_snapshot(session))
    return session


@transaction.atomic
def network_session_update(*, actor, session: NetworkSession, as_of: datetime.date,
                           notify: bool = True, **fields) -> NetworkSession:
    """Change a session's details. Invitees are emailed when its time or place changes; hours
    already credited follow a change of the CPD hours."""
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"network_session_update() got unknown fields {sorted(unknown)}")
    session = _locked_session(session.pk)
    if session.cancelled_at:
        raise ValidationError("This session was cancelled, so it cannot be changed.")
    before = _snapshot(session)
    old_item = credit_item(session)
    old_hours = credit_hours(session)
    for name, value in _clean_text(fields).items():
        setattr(session, name, value)
    _validate(session)
    credited = session.invitations.filter(cpd_hours_credited__gt=0).exists()
    new_item = credit_item(session)
    if credited and getattr(new_item, "pk", None) != getattr(old_item, "pk", None):
        raise ValidationError({"learning_item": (
            f"Attendees’ CPD hours are already in their records for ‘{old_item.title}’. "
            "Keep that learning item, or mark them not attended first."
        )})
    after = _snapshot(session)
    if after == before:
        return session
    session.updated_at = timezone.now()
    session.save()
    audit_record(actor=actor, action="network_session.update", obj=session, before=before,
                 after=after)
    if credited and credit_hours(session) != old_hours:
        for invitation in _locked_invitations(session):
            _reconcile_credit(actor=actor, session=session, invitation=invitation,
                              item=new_item, as_of=as_of)
    moved = any(before[name] != after[name]
                for name in ("starts_at", "ends_at", "venue", "online_link"))
    if moved and notify:
        _email_invitees(session, notice="changed")
    return session


@transaction.atomic
def network_session_cancel(*, actor, session: NetworkSession, reason: str,
                           now=None, notify: bool = True) -> NetworkSession:
    """Cancel a session, keeping it with who, when and why; invitees are emailed."""
    now = now or timezone.now()
    session = _locked_session(session.pk)
    reason = (reason or "").strip()
    if session.cancelled_at:
        raise ValidationError("This session has already been cancelled.")
    if not reason:
        raise ValidationError({"reason": "Enter why the session is cancelled"})
    if session.invitations.exclude(attendance=Attendance.UNRECORDED).exists():
        raise ValidationError(
            "Attendance has been recorded for this session, so it took place and cannot be "
            "cancelled."
        )
    before = _snapshot(session)
    session.cancelled_at = now
    session.cancelled_reason = reason[:300]
    session.updated_at = now
    session.save(update_fields=["cancelled_at", "cancelled_reason", "updated_at"])
    audit_record(actor=actor, action="network_session.cancel", obj=session, before=before,
                 after=_snapshot(session))
    if notify:
        _email_invitees(session, notice="cancelled")
    return session


# --- invitations and replies ----------------------------------------------------------------------


@transaction.atomic
def invitations_send(*, actor, session: NetworkSession, people, as_of: datetime.date,
                     notify: bool = True) -> list[SessionInvitation]:
    """Invite people who may be invited and are not yet; each new invitee is emailed."""
    session = _locked_session(session.pk)
    if session.cancelled_at:
        raise ValidationError("This session was cancelled, so nobody can be invited.")
    people = list(people)
    allowed = invitable_people(session, as_of).ids
    refused = [p for p in people if p.pk not in allowed]
    if refused:
        raise ValidationError(
            f"{refused[0].full_name} cannot be invited: invite care coordinators of the "
            "session’s audience and the people who support them."
        )
    already = set(session.invitations.values_list("person_id", flat=True))
    now = timezone.now()
    new = SessionInvitation.objects.bulk_create([
        SessionInvitation(session=session, person=person, invited_at=now)
        for person in dict.fromkeys(people) if person.pk not in already
    ])
    if new:
        audit_record(actor=actor, action="network_session.invite", obj=session,
                     after={"invited": [i.person_id for i in new]})
        if notify:
            _email(session, SessionInvitation.objects.filter(pk__in=[i.pk for i in new]),
                   notice="invited")
    return new


@transaction.atomic
def rsvp_record(*, actor, invitation: SessionInvitation, rsvp: str, now=None
                ) -> SessionInvitation:
    """The invitee's reply: attending, not attending or maybe; until the session ends."""
    now = now or timezone.now()
    invitation = (
        SessionInvitation.objects.select_for_update(of=("self",))
        .select_related("session")
        .get(pk=invitation.pk)
    )
    session = invitation.session
    if rsvp not in (RSVP.YES, RSVP.NO, RSVP.MAYBE):
        raise ValidationError({"rsvp": "Choose whether you are attending"})
    if session.cancelled_at:
        raise ValidationError("This session was cancelled.")
    if session.ends_at <= now:
        raise ValidationError("This session has finished, so replies are closed.")
    if invitation.rsvp == rsvp:
        return invitation
    before = {"rsvp": invitation.rsvp}
    invitation.rsvp, invitation.rsvp_at = rsvp, now
    invitation.save(update_fields=["rsvp", "rsvp_at"])
    audit_record(actor=actor, action="network_session.rsvp", obj=invitation, before=before,
                 after={"rsvp": rsvp})
    return invitation


# --- the register and CPD credit ----------------------------------------------------------------


@dataclass
class RegisterOutcome:
    changed: int = 0
    credited: list = field(default_factory=list)  # people whose hours were added
    removed: list = field(default_factory=list)  # people whose hours were taken away
    item: object = None  # the learning item credited, None when the curriculum has none


@transaction.atomic
def register_save(*, actor, recorded_by: Person, session: NetworkSession, attendance: dict,
                  as_of: datetime.date, notes: str | None = None, themes: str | None = None,
                  other_attendees: str | None = None, now=None) -> RegisterOutcome:
    """Record attended, apologies or absent for invitees (by person id), the notes and themes,
    and make each invitee's credited CPD hours match their attendance."""
    now = now or timezone.now()
    session = NetworkSession.objects.select_for_update(of=("self",)).select_related(
        "pcn", "learning_item").get(pk=session.pk)
    if session.cancelled_at:
        raise ValidationError("This session was cancelled, so it has no register.")
    if session.starts_at > now:
        start = timezone.localtime(session.starts_at)
        raise ValidationError(
            f"The register opens when the session starts, at {start:%H:%M} on "
            f"{start:%-d %B %Y}."
        )
    invitations = {
        invitation.person_id: invitation
        for invitation in _locked_invitations(session)
    }
    errors = {}
    for person_id, state in attendance.items():
        if person_id not in invitations:
            errors[f"attendance_{person_id}"] = (
                "This person is not invited to this session, so their attendance cannot be "
                "recorded. Invite them first."
            )
        elif state not in RECORDED_ATTENDANCE:
            errors[f"attendance_{person_id}"] = "Choose attended, apologies or absent"
    if errors:
        raise ValidationError(errors)
    outcome = RegisterOutcome()
    before = {pid: inv.attendance for pid, inv in invitations.items()}
    for person_id, state in attendance.items():
        invitation = invitations[person_id]
        if invitation.attendance != state:
            invitation.attendance = state
            invitation.attendance_recorded_by = recorded_by
            invitation.attendance_recorded_at = now
            invitation.save(update_fields=["attendance", "attendance_recorded_by",
                                           "attendance_recorded_at"])
            outcome.changed += 1
    notes_before = {"notes": session.notes, "themes": session.themes,
                    "other_attendees": session.other_attendees}
    for name, value in (("notes", notes), ("themes", themes),
                        ("other_attendees", other_attendees)):
        if value is not None:
            setattr(session, name, value.strip())
    notes_after = {"notes": session.notes, "themes": session.themes,
                   "other_attendees": session.other_attendees}
    if notes_after != notes_before:
        session.save(update_fields=list(notes_after))
    outcome.item = credit_item(session)
    for invitation in invitations.values():
        delta = _reconcile_credit(actor=actor, session=session, invitation=invitation,
                                  item=outcome.item, as_of=as_of)
        if delta > 0:
            outcome.credited.append(invitation.person)
        elif delta < 0:
            outcome.removed.append(invitation.person)
    after = {pid: inv.attendance for pid, inv in invitations.items()}
    if after != before or notes_after != notes_before:
        audit_record(
            actor=actor, action="network_session.register", obj=session,
            before={"attendance": before, **notes_before},
            after={"attendance": after, **notes_after,
                   "credited": {inv.person_id: inv.cpd_hours_credited
                                for inv in invitations.values()}},
        )
    return outcome


def _hours_text(hours: Decimal) -> str:
    return f"{hours.normalize():f}"


def _reconcile_credit(*, actor, session, invitation, item, as_of) -> Decimal:
    """Make the hours credited for this invitation match its attendance; returns the change."""
    target = credit_hours(session) if invitation.attendance == Attendance.ATTENDED else Decimal(0)
    if item is None:
        target = Decimal(0)  # nothing to credit to; a later save credits once it exists
    delta = target - invitation.cpd_hours_credited
    if delta == 0:
        return delta
    person = invitation.person
    day = timezone.localtime(session.starts_at).date()
    record = LearningRecord.objects.filter(person=person, item=item).first() if item else None
    if item is None:
        # The item was removed from the curriculum after crediting: keep the books straight.
        invitation.cpd_hours_credited = target
        invitation.save(update_fields=["cpd_hours_credited"])
        return delta
    hours = (record.cpd_hours if record and record.cpd_hours is not None else Decimal(0)) + delta
    fields = {"cpd_hours": hours if hours > 0 else None}
    when = f"{session.title} on {day:%-d %B %Y}"
    if delta > 0 and invitation.cpd_hours_credited == 0:
        line = f"Attended {when} ({_hours_text(target)} h)"
    elif delta > 0 or target > 0:
        line = f"CPD hours for {when} changed to {_hours_text(target)} h"
    else:
        line = f"Attendance at {when} no longer recorded ({_hours_text(-delta)} h removed)"
    fields["notes"] = "\n".join(part for part in ((record.notes if record else ""), line) if part)
    if delta > 0 and _completion_moves(record, day):
        fields.update(stage=LearningStatus.COMPLETED, completed_on=day, not_required_reason="")
    lms_services.learning_record_save(actor=actor, person=person, item=item,
                                      as_of=max(as_of, day), **fields)
    invitation.cpd_hours_credited = target
    invitation.save(update_fields=["cpd_hours_credited"])
    return delta


def _completion_moves(record, day) -> bool:
    """Attending completes the item on the session's day, unless it was completed later or
    the record's own dates come after the session."""
    if record is None:
        return True
    if record.stage == LearningStatus.COMPLETED and record.completed_on and \
            record.completed_on >= day:
        return False
    return not any(d and d > day for d in (record.enrolled_on, record.started_on))


# --- DES clause 1(b) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class JointWorking:
    session_id: int
    kind: str
    title: str
    on: datetime.date

    @property
    def kind_label(self):
        return NetworkSessionKind(self.kind).label


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day`, local time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def joint_working_attendance(person_ids, since: datetime.date, until: datetime.date
                             ) -> dict[int, list[JointWorking]]:
    """Each person's attended joint caseload and MDT meetings held from `since` to `until`
    (inclusive), oldest first; one query however many people."""
    result = {person_id: [] for person_id in person_ids}
    rows = (
        SessionInvitation.objects.filter(
            person_id__in=list(result),
            attendance=Attendance.ATTENDED,
            session__kind__in=JOINT_WORKING_KINDS,
            session__cancelled_at__isnull=True,
            # A range on the column, not on its date: the planner can use the index.
            session__starts_at__gte=_start_of(since),
            session__starts_at__lt=_start_of(until + datetime.timedelta(days=1)),
        )
        .order_by("session__starts_at", "session_id")
        .values_list("person_id", "session_id", "session__kind", "session__title",
                     "session__starts_at")
    )
    for person_id, session_id, kind, title, starts_at in rows:
        result[person_id].append(
            JointWorking(session_id, kind, title, timezone.localtime(starts_at).date())
        )
    return result


def last_joint_working(person_id: int, until: datetime.date):
    """The date of the person's latest attended joint caseload or MDT meeting, or None."""
    last = SessionInvitation.objects.filter(
        person_id=person_id, attendance=Attendance.ATTENDED,
        session__kind__in=JOINT_WORKING_KINDS, session__cancelled_at__isnull=True,
        session__starts_at__date__lte=until,
    ).aggregate(last=Max("session__starts_at"))["last"]
    return timezone.localtime(last).date() if last else None


# --- email ---------------------------------------------------------------------------------------

SUBJECTS = {
    "invited": "Invitation: {title}, {day}",
    "changed": "Changed: {title}, {day}",
    "cancelled": "Cancelled: {title}, {day}",
}


def _email_invitees(session, *, notice: str) -> None:
    _email(session, session.invitations.all(), notice=notice)


def _email(session, invitations, *, notice: str) -> None:
    """One email per invitee, plain text and HTML, with the session as an .ics attachment."""
    invitations = list(invitations.select_related("person__user"))
    if not invitations:
        return
    session = NetworkSession.objects.select_related("pcn", "facilitator").get(pk=session.pk)
    ics = session_ics(session)
    start = timezone.localtime(session.starts_at)
    subject = SUBJECTS[notice].format(title=session.title, day=f"{start:%-d %B %Y}")
    context = {"session": session, "notice": notice,
               "session_url": site_url(reverse("network_sessions:detail", args=[session.pk])),
               "starts_at": start, "ends_at": timezone.localtime(session.ends_at)}
    connection = get_connection()
    messages = []
    for invitation in invitations:
        person_context = {**context, "person": invitation.person, "invitation": invitation}
        message = EmailMultiAlternatives(
            subject=subject.replace("\n", " ")[:200],
            body=render_to_string("supervision/email/network_session.txt", person_context),
            to=[invitation.person.user.email],
            connection=connection,
        )
        message.attach_alternative(
            render_to_string("supervision/email/network_session.html", person_context),
            "text/html",
        )
        message.attach("session.ics", ics.decode(), "text/calendar")
        messages.append(message)
    connection.send_messages(messages)
