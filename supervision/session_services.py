"""Every write about supervision sessions, their actions and cadence, each with its audit entry.

A record is written by either party and confirmed by the other. Until then the recorder
may change it (each change audited with before and after) or withdraw it (kept, with who,
when and why). Once confirmed it is locked: corrections are addenda. Marking an agreed
action done is not a change to the record, so it is allowed after confirmation.

Free text is checked for patient identifiers here as well as in the forms, so no caller
can save what the guard would stop.
"""

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from competencies.models import Competency, EvidenceKind, EvidenceLink, FrameworkStatus
from competencies.services import evidence_link_add
from lms.audit import audit_record
from lms.models import Person

from .cadence import expected_interval, intervals_by_pcn
from .identifier_guard import find_identifiers, identifier_message
from .models import (
    CadenceSetting,
    Mode,
    SessionAddendum,
    SessionType,
    SupervisionAction,
    SupervisionSession,
)
from .session_access import confirming_party_ids, current_supporters

EARLIEST_SESSION = datetime.date(2000, 1, 1)
MAX_DURATION_MINUTES = 600
TOPICS_MAX_LENGTH = 5000
NOTES_MAX_LENGTH = 10000
ACTION_MAX_LENGTH = 300
COMMENT_MAX_LENGTH = 2000
ADDENDUM_MAX_LENGTH = 5000
REASON_MAX_LENGTH = 300
NEXT_SESSION_MAX_DAYS = 366
ACTION_DUE_MAX_DAYS = 2 * 366
MAX_INTERVAL_DAYS = 365


@dataclass(frozen=True)
class AgreedAction:
    """An action agreed in a session: what, who, and by when (optional)."""

    description: str
    owner: Person
    due_on: datetime.date | None = None


# --- checks ----------------------------------------------------------------------------------


def _check_text(errors, name, value, *, max_length, required=""):
    value = value or ""
    if not value.strip():
        if required:
            errors[name] = required
        return
    if len(value) > max_length:
        errors[name] = f"Must be {max_length:,} characters or fewer"
        return
    findings = find_identifiers(value)
    if findings:
        errors[name] = identifier_message(findings)


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _people(people) -> list[Person]:
    unique = {person.pk: person for person in people}
    return sorted(unique.values(), key=lambda p: (p.family_name, p.given_name, p.pk))


def _check_session(
    errors,
    *,
    care_coordinator,
    recorded_by,
    session_type,
    held_on,
    duration_minutes,
    supervisors,
    mode,
    topics,
    notes,
    competencies,
    goals,
    next_session_on,
    as_of,
):
    if session_type not in SessionType.values:
        errors["session_type"] = "Select the type of session"
    if mode not in Mode.values:
        errors["mode"] = "Select how the session was held"
    if held_on is None:
        errors["held_on"] = "Enter the date of the session"
    elif held_on > as_of:
        errors["held_on"] = "The date of the session must be today or in the past"
    elif held_on < EARLIEST_SESSION:
        errors["held_on"] = "The date of the session must be after 1 January 2000"
    if (
        not isinstance(duration_minutes, int)
        or not 1 <= duration_minutes <= MAX_DURATION_MINUTES
    ):
        errors["duration_minutes"] = (
            f"Enter how long the session lasted, from 1 to {MAX_DURATION_MINUTES} minutes"
        )
    supporter_ids = set(
        current_supporters(care_coordinator.pk, as_of).values_list("pk", flat=True)
    )
    chosen = {person.pk for person in supervisors}
    if not chosen:
        errors["supervisors"] = "Select at least one supervisor who was in the session"
    elif not chosen <= supporter_ids:
        errors["supervisors"] = "Select only people who currently support this care coordinator"
    elif recorded_by.pk != care_coordinator.pk and recorded_by.pk not in chosen:
        errors["supervisors"] = "Include yourself: you can only record a session you were in"
    if recorded_by.pk != care_coordinator.pk and recorded_by.pk not in supporter_ids:
        errors["supervisors"] = "Only the care coordinator or their supervisors record sessions"
    _check_text(errors, "topics", topics, max_length=TOPICS_MAX_LENGTH,
                required="Enter the topics discussed")
    _check_text(errors, "notes", notes, max_length=NOTES_MAX_LENGTH)
    if competencies:
        active = set(
            Competency.objects.filter(
                pk__in=[c.pk for c in competencies], framework__status=FrameworkStatus.ACTIVE
            ).values_list("pk", flat=True)
        )
        if active != {c.pk for c in competencies}:
            errors["competencies"] = "Select competencies of a framework in use"
    if any(goal.person_id != care_coordinator.pk for goal in goals):
        errors["goals"] = "Select goals from the care coordinator’s own development plan"
    if next_session_on is not None and held_on is not None:
        if next_session_on <= held_on:
            errors["next_session_on"] = "The next session must be after this session"
        elif next_session_on > held_on + datetime.timedelta(days=NEXT_SESSION_MAX_DAYS):
            errors["next_session_on"] = "The next session must be within a year of this one"


def _check_action(errors, prefix, action: AgreedAction, *, owners: set, held_on):
    """Errors under `<prefix>description`, `<prefix>owner` and `<prefix>due_on`."""
    _check_text(errors, f"{prefix}description", action.description,
                max_length=ACTION_MAX_LENGTH, required="Enter the action")
    if action.owner is None or action.owner.pk not in owners:
        errors[f"{prefix}owner"] = (
            "Choose the care coordinator or one of the session’s supervisors"
        )
    if action.due_on is not None and held_on is not None:
        if action.due_on < held_on:
            errors[f"{prefix}due_on"] = (
                "An action cannot be due before the session it was agreed in"
            )
        elif action.due_on > held_on + datetime.timedelta(days=ACTION_DUE_MAX_DAYS):
            errors[f"{prefix}due_on"] = "An action must be due within two years of the session"


# --- snapshots for the audit trail and the history shown on the record ----------------------


def session_snapshot(session: SupervisionSession) -> dict:
    """Everything a party can change before confirmation, with names for the history."""
    supervisors = _people(session.supervisors.all())
    return {
        "care_coordinator": session.care_coordinator_id,
        "session_type": session.session_type,
        "held_on": session.held_on,
        "duration_minutes": session.duration_minutes,
        "supervisor_ids": [p.pk for p in supervisors],
        "supervisors": [p.full_name for p in supervisors],
        "mode": session.mode,
        "topics": session.topics,
        "notes": session.notes,
        "competency_ids": sorted(c.pk for c in session.competencies.all()),
        "competencies": sorted(c.title for c in session.competencies.all()),
        "goal_ids": sorted(g.pk for g in session.goals.all()),
        "goals": sorted(g.title for g in session.goals.all()),
        "next_session_on": session.next_session_on,
        "confirmed": session.confirmed_at is not None,
        "withdrawn": session.withdrawn_at is not None,
    }


def _action_snapshot(action: SupervisionAction) -> dict:
    return {
        "session": action.session_id,
        "description": action.description,
        "owner": action.owner_id,
        "due_on": action.due_on,
        "done_on": action.done_on,
        "done_recorded_by": action.done_recorded_by_id,
    }


# --- sessions --------------------------------------------------------------------------------


@transaction.atomic
def supervision_session_record(
    *,
    actor,
    recorded_by: Person,
    care_coordinator: Person,
    session_type: str,
    held_on: datetime.date,
    duration_minutes: int,
    supervisors,
    mode: str = Mode.IN_PERSON,
    topics: str,
    notes: str = "",
    competencies=(),
    goals=(),
    actions=(),
    next_session_on: datetime.date | None = None,
    as_of: datetime.date,
) -> SupervisionSession:
    """Either party records a session; the other party is then asked to confirm it."""
    supervisors, competencies, goals = list(supervisors), list(competencies), list(goals)
    actions = [a for a in actions if a is not None]
    errors = {}
    _check_session(
        errors, care_coordinator=care_coordinator, recorded_by=recorded_by,
        session_type=session_type, held_on=held_on, duration_minutes=duration_minutes,
        supervisors=supervisors, mode=mode, topics=topics, notes=notes,
        competencies=competencies, goals=goals, next_session_on=next_session_on, as_of=as_of,
    )
    owners = {care_coordinator.pk} | {p.pk for p in supervisors}
    for number, action in enumerate(actions, start=1):
        _check_action(errors, f"action{number}_", action, owners=owners, held_on=held_on)
    _raise(errors)
    now = timezone.now()
    session = SupervisionSession.objects.create(
        care_coordinator=care_coordinator,
        session_type=session_type,
        held_on=held_on,
        duration_minutes=duration_minutes,
        mode=mode,
        topics=topics.strip(),
        notes=(notes or "").strip(),
        next_session_on=next_session_on,
        recorded_by=recorded_by,
        recorded_at=now,
        updated_at=now,
    )
    session.supervisors.set(supervisors)
    session.competencies.set(competencies)
    session.goals.set(goals)
    audit_record(actor=actor, action="supervision_session.record", obj=session,
                 after=session_snapshot(session))
    for action in actions:
        _action_create(actor=actor, session=session, action=action)
    return session


def _action_create(*, actor, session, action: AgreedAction) -> SupervisionAction:
    row = SupervisionAction.objects.create(
        session=session,
        description=action.description.strip(),
        owner=action.owner,
        due_on=action.due_on,
    )
    audit_record(actor=actor, action="supervision_action.add", obj=row,
                 after=_action_snapshot(row))
    return row


def _refuse_if_locked(session: SupervisionSession, what: str):
    if session.withdrawn_at is not None:
        raise ValidationError(f"This record was withdrawn, so it cannot be {what}.")
    if session.confirmed_at is not None:
        raise ValidationError(
            f"This record has been confirmed, so it cannot be {what}. Add an addendum instead."
        )


def _lock_row(session: SupervisionSession) -> SupervisionSession:
    """Re-read the session under a row lock, so two people cannot both change it."""
    return SupervisionSession.objects.select_for_update().get(pk=session.pk)


@transaction.atomic
def supervision_session_update(
    *,
    actor,
    session: SupervisionSession,
    by: Person,
    session_type: str,
    held_on: datetime.date,
    duration_minutes: int,
    supervisors,
    mode: str,
    topics: str,
    notes: str = "",
    competencies=(),
    goals=(),
    next_session_on: datetime.date | None = None,
    as_of: datetime.date,
) -> SupervisionSession:
    """The recorder corrects their record before it is confirmed; the audit keeps both."""
    session = _lock_row(session)
    if by.pk != session.recorded_by_id:
        raise ValidationError("Only the person who recorded this session can change it.")
    _refuse_if_locked(session, "changed")
    supervisors, competencies, goals = list(supervisors), list(competencies), list(goals)
    errors = {}
    _check_session(
        errors, care_coordinator=session.care_coordinator, recorded_by=by,
        session_type=session_type, held_on=held_on, duration_minutes=duration_minutes,
        supervisors=supervisors, mode=mode, topics=topics, notes=notes,
        competencies=competencies, goals=goals, next_session_on=next_session_on, as_of=as_of,
    )
    open_owners = set(
        session.actions.filter(done_on__isnull=True).values_list("owner_id", flat=True)
    )
    allowed = {session.care_coordinator_id} | {p.pk for p in supervisors}
    if not open_owners <= allowed and "supervisors" not in errors:
        errors["supervisors"] = (
            "Keep the supervisors who own agreed actions, or the actions lose their owner"
        )
    _raise(errors)
    before = session_snapshot(session)
    session.session_type = session_type
    session.held_on = held_on
    session.duration_minutes = duration_minutes
    session.mode = mode
    session.topics = topics.strip()
    session.notes = (notes or "").strip()
    session.next_session_on = next_session_on
    session.updated_at = timezone.now()
    session.save()
    session.supervisors.set(supervisors)
    session.competencies.set(competencies)
    session.goals.set(goals)
    after = session_snapshot(session)
    if after != before:
        audit_record(actor=actor, action="supervision_session.update", obj=session,
                     before=before, after=after)
    return session


@transaction.atomic
def supervision_session_withdraw(
    *, actor, session: SupervisionSession, by: Person, reason: str
) -> SupervisionSession:
    """The recorder withdraws an unconfirmed record made in error; it is kept and shown."""
    session = _lock_row(session)
    if by.pk != session.recorded_by_id:
        raise ValidationError("Only the person who recorded this session can withdraw it.")
    _refuse_if_locked(session, "withdrawn")
    errors = {}
    _check_text(errors, "reason", reason, max_length=REASON_MAX_LENGTH,
                required="Enter why you are withdrawing this record")
    _raise(errors)
    before = session_snapshot(session)
    session.withdrawn_at = timezone.now()
    session.withdrawn_by = by
    session.withdrawn_reason = reason.strip()
    session.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    audit_record(actor=actor, action="supervision_session.withdraw", obj=session,
                 before=before, after={**session_snapshot(session), "reason": reason.strip()})
    return session


@transaction.atomic
def supervision_session_confirm(
    *, actor, session: SupervisionSession, by: Person, comment: str = "",
    as_of: datetime.date,
) -> SupervisionSession:
    """The other party confirms the record is accurate: it is locked, and each linked
    competency gets the session as evidence (once)."""
    session = _lock_row(session)
    if by.pk == session.recorded_by_id:
        raise ValidationError("You recorded this session, so the other party confirms it.")
    _refuse_if_locked(session, "confirmed again")
    parties = confirming_party_ids(session)
    if by.pk != session.care_coordinator_id:
        parties &= set(
            current_supporters(session.care_coordinator_id, as_of).values_list("pk", flat=True)
        )
    if by.pk not in parties:
        raise ValidationError("Only the other party to this session can confirm it.")
    errors = {}
    _check_text(errors, "comment", comment, max_length=COMMENT_MAX_LENGTH)
    _raise(errors)
    session.confirmed_at = timezone.now()
    session.confirmed_by = by
    session.confirmation_comment = (comment or "").strip()
    session.save(update_fields=["confirmed_at", "confirmed_by", "confirmation_comment"])
    audit_record(actor=actor, action="supervision_session.confirm", obj=session,
                 after={"confirmed_by": by.pk, "comment": session.confirmation_comment})
    _add_evidence(actor=actor, session=session)
    return session


def _add_evidence(*, actor, session: SupervisionSession):
    competencies = list(session.competencies.select_related("framework"))
    if not competencies:
        return
    already = set(
        EvidenceLink.objects.current()
        .filter(
            person_id=session.care_coordinator_id,
            content_type=ContentType.objects.get_for_model(SupervisionSession),
            object_id=session.pk,
        )
        .values_list("competency_id", flat=True)
    )
    for competency in competencies:
        if competency.pk in already:
            continue
        evidence_link_add(
            actor=actor, person=session.care_coordinator, competency=competency,
            kind=EvidenceKind.SUPERVISION_SESSION, target=session, description=str(session),
        )


@transaction.atomic
def session_addendum_add(
    *, actor, session: SupervisionSession, by: Person, text: str
) -> SessionAddendum:
    """Either party adds a correction or addition to a confirmed record; never edited."""
    session = _lock_row(session)
    if session.withdrawn_at is not None:
        raise ValidationError("This record was withdrawn, so it takes no addenda.")
    if session.confirmed_at is None:
        raise ValidationError(
            "This record is not confirmed yet: the person who recorded it can still change it."
        )
    errors = {}
    _check_text(errors, "text", text, max_length=ADDENDUM_MAX_LENGTH,
                required="Enter the addendum")
    _raise(errors)
    addendum = SessionAddendum.objects.create(session=session, text=text.strip(), added_by=by)
    audit_record(actor=actor, action="supervision_session.addendum", obj=addendum,
                 after={"session": session.pk, "text": addendum.text, "added_by": by.pk})
    return addendum


# --- actions ---------------------------------------------------------------------------------


@transaction.atomic
def supervision_action_add(
    *, actor, session: SupervisionSession, action: AgreedAction
) -> SupervisionAction:
    """A party adds an action agreed in the session (also after confirmation)."""
    if session.withdrawn_at is not None:
        raise ValidationError("This record was withdrawn, so it takes no new actions.")
    owners = {session.care_coordinator_id} | {p.pk for p in session.supervisors.all()}
    errors = {}
    _check_action(errors, "", action, owners=owners, held_on=session.held_on)
    _raise(errors)
    return _action_create(actor=actor, session=session, action=action)


@transaction.atomic
def supervision_action_done(
    *, actor, action: SupervisionAction, by: Person, as_of: datetime.date
) -> SupervisionAction:
    """Mark an action done today; marking it again changes nothing."""
    action = SupervisionAction.objects.select_for_update().select_related("session").get(
        pk=action.pk
    )
    if action.session.withdrawn_at is not None:
        raise ValidationError("This record was withdrawn, so its actions are closed.")
    if action.done_on is not None:
        return action
    before = _action_snapshot(action)
    action.done_on = as_of
    action.done_recorded_by = by
    action.save(update_fields=["done_on", "done_recorded_by"])
    audit_record(actor=actor, action="supervision_action.done", obj=action, before=before,
                 after=_action_snapshot(action))
    return action


# --- cadence ---------------------------------------------------------------------------------


def effective_intervals(pcn) -> dict[str, int | None]:
    """Every session type's interval for a PCN: its setting, else the default (or None)."""
    settings = intervals_by_pcn([pcn.pk]).get(pcn.pk, {})
    return {t: expected_interval(settings, t) for t in SessionType.values}


@transaction.atomic
def cadence_settings_save(*, actor, pcn, intervals: dict) -> dict[str, int | None]:
    """A PCN manager sets the expected days between sessions of each type (None: none)."""
    errors = {}
    for session_type, days in intervals.items():
        if session_type not in SessionType.values:
            raise ValidationError(f"Unknown session type {session_type!r}.")
        if days is not None and (
            not isinstance(days, int) or not 1 <= days <= MAX_INTERVAL_DAYS
        ):
            errors[session_type] = f"Enter a number of days from 1 to {MAX_INTERVAL_DAYS}"
    _raise(errors)
    before = effective_intervals(pcn)
    now = timezone.now()
    for session_type, days in intervals.items():
        CadenceSetting.objects.update_or_create(
            pcn=pcn, session_type=session_type,
            defaults={"interval_days": days, "updated_by": actor, "updated_at": now},
        )
    after = effective_intervals(pcn)
    if after != before:
        audit_record(actor=actor, action="supervision_cadence.save", obj=pcn,
                     before=before, after=after)
    return after
