"""Who may see and do what with supervision sessions, built on lms.access scopes.

- Records reach a user only through `sessions_visible_to(user)`: their own (a care
  coordinator), their current supervisees', and their managed PCNs' coordinators'.
  Anything else is not found (404).
- The content of a record (topics, notes, linked competencies and goals, agreed actions,
  the confirmation comment, addenda and the history of edits) is between the coordinator
  and the people supporting them: `may_read_content` is true only for the coordinator and
  their current supporters. A PCN manager who is not one of them sees when, what type,
  how long, with whom and whether it is confirmed, never what was said.
- The parties of a session are the coordinator and its supervisors who still support the
  coordinator (ending the role ends access). Either party records; the other confirms;
  only the recorder edits or withdraws, and only before confirmation.
"""

import datetime

from django.db.models import F, Q

from lms.access import record_owners_visible_to, scope_for
from lms.models import SUPPORT_ROLES, Person, Role, RoleAssignment

from .models import SupervisionSession


def may_open_session_pages(scope) -> bool:
    """Roles for which supervision pages exist at all; others (ICB viewers) are refused."""
    return scope.is_care_coordinator or scope.is_supporter or scope.is_pcn_manager


def coordinators_with_sessions_visible_to(user, as_of: datetime.date | None = None):
    """Care coordinators (now or before) whose supervision records this user may open."""
    return (
        record_owners_visible_to(user, as_of)
        .filter(role_assignments__role=Role.CARE_COORDINATOR)
        .distinct()
    )


def sessions_visible_to(user, as_of: datetime.date | None = None):
    """Supervision sessions this user may open (some only as dates and types)."""
    return SupervisionSession.objects.filter(
        care_coordinator__in=record_owners_visible_to(user, as_of)
    )


def may_read_content(scope, care_coordinator_id: int) -> bool:
    """Topics, notes, actions and addenda: the coordinator and their current supporters only.

    A PCN manager sees that sessions happened, never what was discussed.
    """
    if scope.person_id is None:
        return False
    return care_coordinator_id == scope.person_id or care_coordinator_id in scope.supervisee_ids


def supporter_ids(session: SupervisionSession) -> set[int]:
    """Ids of the session's supervisors (from a prefetched or fresh list)."""
    return {person.pk for person in session.supervisors.all()}


def is_party(scope, session: SupervisionSession) -> bool:
    """The coordinator, or one of the session's supervisors who still supports them."""
    if scope.person_id is None:
        return False
    if session.care_coordinator_id == scope.person_id:
        return True
    return (
        session.care_coordinator_id in scope.supervisee_ids
        and scope.person_id in supporter_ids(session)
    )


def may_edit(scope, session: SupervisionSession) -> bool:
    """The recorder, while they are still a party (the lock is checked by the service)."""
    return session.recorded_by_id == scope.person_id and is_party(scope, session)


def confirming_party_ids(session: SupervisionSession) -> set[int]:
    """Who may confirm: the coordinator when a supervisor recorded it, else its supervisors."""
    if session.recorded_by_id == session.care_coordinator_id:
        return supporter_ids(session)
    return {session.care_coordinator_id}


def may_confirm(scope, session: SupervisionSession) -> bool:
    """The other party: never the recorder, and a supervisor only while still supporting."""
    return (
        scope.person_id is not None
        and scope.person_id != session.recorded_by_id
        and scope.person_id in confirming_party_ids(session)
        and is_party(scope, session)
    )


def may_mark_action_done(scope, action) -> bool:
    """The action's owner while still a party, or any party of its session."""
    return is_party(scope, action.session)


def current_supporters(care_coordinator_id: int, as_of: datetime.date):
    """People currently holding a support role for this coordinator, by name."""
    return (
        Person.objects.filter(
            pk__in=RoleAssignment.objects.current(as_of)
            .filter(role__in=SUPPORT_ROLES, care_coordinator_id=care_coordinator_id)
            .values("person_id")
        )
        .exclude(pk=care_coordinator_id)
        .order_by("family_name", "given_name", "pk")
    )


def awaiting_confirmation_by(user, as_of: datetime.date | None = None):
    """Current, unconfirmed records that this user is the one to confirm.

    A supervisor confirms what their current supervisee recorded and named them in; a
    coordinator confirms what a supervisor recorded about them.
    """
    scope = scope_for(user, as_of)
    if scope.person_id is None:
        return SupervisionSession.objects.none()
    condition = Q(
        care_coordinator_id__in=scope.supervisee_ids,
        recorded_by_id=F("care_coordinator_id"),
        supervisors__pk=scope.person_id,
    )
    if scope.is_care_coordinator:
        condition |= Q(care_coordinator_id=scope.person_id) & ~Q(recorded_by_id=scope.person_id)
    return SupervisionSession.objects.awaiting_confirmation().filter(
        pk__in=SupervisionSession.objects.filter(condition).values("pk")
    )
