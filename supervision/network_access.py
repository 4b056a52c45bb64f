"""Who may see, arrange and take the register of peer-network and MDT sessions.

Built on lms.access. A session is visible to the people invited to it, its facilitator and
the people who may arrange sessions for its organising PCN (its PCN managers and the current
supervisors, line managers, first points of contact and safeguarding GPs of its care
coordinators). An ICB-wide session organised by another PCN is visible only to those invited.
Views refuse a page for a role the user lacks with 403 and a session outside their reach
with 404 (lms.access conventions).
"""

from django.db.models import Q

from lms.access import scope_for
from lms.models import Person

from .models import NetworkSession, SessionInvitation


def may_use_sessions(scope) -> bool:
    """Care coordinators, their supporters and PCN managers use the session pages."""
    return scope.is_care_coordinator or scope.is_supporter or scope.is_pcn_manager


def organiser_pcn_ids(user, as_of=None) -> frozenset:
    """PCNs whose sessions this user may arrange: those they manage, and the PCNs of the care
    coordinators they currently support (at most one query, kept for the request)."""
    scope = scope_for(user, as_of)
    cached = getattr(user, "_network_organiser_pcns", None)
    if cached is not None and cached[0] == scope:
        return cached[1]
    pcn_ids = set(scope.managed_pcn_ids)
    if scope.supervisee_ids:
        pcn_ids |= set(
            Person.objects.filter(pk__in=scope.supervisee_ids, pcn__isnull=False)
            .values_list("pcn_id", flat=True)
        )
    result = frozenset(pcn_ids)
    user._network_organiser_pcns = (scope, result)
    return result


def sessions_visible_to(user, as_of=None):
    """Sessions this user is invited to or facilitates, and their organising PCNs' sessions."""
    scope = scope_for(user, as_of)
    if scope.person_id is None or not may_use_sessions(scope):
        return NetworkSession.objects.none()
    invited = SessionInvitation.objects.filter(person_id=scope.person_id).values("session_id")
    condition = Q(pk__in=invited) | Q(facilitator_id=scope.person_id)
    pcn_ids = organiser_pcn_ids(user, as_of)
    if pcn_ids:
        condition |= Q(pcn_id__in=pcn_ids)
    return NetworkSession.objects.filter(condition)


def can_arrange(user, session) -> bool:
    """Arrange, invite to and cancel: the organising PCN's managers and supporters."""
    return session.pcn_id in organiser_pcn_ids(user)


def can_edit(user, session) -> bool:
    """Change the details: the organisers and the facilitator."""
    return can_arrange(user, session) or session.facilitator_id == scope_for(user).person_id


def can_take_register(user, session) -> bool:
    """Take the register: the facilitator or a PCN manager of the organising PCN."""
    scope = scope_for(user)
    return session.facilitator_id == scope.person_id or session.pcn_id in scope.managed_pcn_ids
