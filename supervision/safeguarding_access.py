"""Who may read safeguarding discussions (DES clause 6), built on lms.access scopes.

The text of a log (concern, outcome, addenda) is read only by the care coordinator who
logged it and by safeguarding GPs: any current safeguarding GP of that coordinator, and
the GP it was discussed with while they still hold a safeguarding GP role (ending the
role ends access, as everywhere in lms.access). Clinical supervisors, line managers and
PCN managers never reach the text; a PCN manager sees counts and dates only, through
`coordinators_summarised_for`.
"""

import datetime

from django.db.models import Q

from lms.access import scope_for
from lms.models import Person, Role, RoleAssignment

from .models import SafeguardingDiscussion


def safeguarding_supervisee_ids(scope) -> frozenset:
    """Care coordinators for whom this scope's person is currently a safeguarding GP."""
    return frozenset(
        coordinator_id
        for coordinator_id, roles in scope.support_roles_by_supervisee.items()
        if Role.SAFEGUARDING_GP in roles
    )


def is_safeguarding_gp(scope) -> bool:
    return bool(safeguarding_supervisee_ids(scope))


def may_open_safeguarding_pages(scope) -> bool:
    """Roles for which a safeguarding page can exist at all; anyone else is refused (403).

    Within these roles a log the user may not read is simply not found (404).
    """
    return scope.is_care_coordinator or scope.is_supporter or scope.is_pcn_manager


def discussions_readable_by(user, as_of: datetime.date | None = None):
    """Safeguarding discussions whose text this user may read."""
    scope = scope_for(user, as_of)
    if scope.person_id is None:
        return SafeguardingDiscussion.objects.none()
    condition = Q(care_coordinator_id=scope.person_id)
    gp_for = safeguarding_supervisee_ids(scope)
    if gp_for:
        condition |= Q(care_coordinator_id__in=gp_for) | Q(discussed_with_id=scope.person_id)
    return SafeguardingDiscussion.objects.filter(condition)


def discussions_with_gp(user, as_of: datetime.date | None = None):
    """What a safeguarding GP sees: logs of their coordinators and logs discussed with them.

    Empty for anyone who is not currently a safeguarding GP.
    """
    scope = scope_for(user, as_of)
    gp_for = safeguarding_supervisee_ids(scope)
    if not gp_for:
        return SafeguardingDiscussion.objects.none()
    return SafeguardingDiscussion.objects.filter(
        Q(care_coordinator_id__in=gp_for) | Q(discussed_with_id=scope.person_id)
    )


def named_safeguarding_gps(care_coordinator_id: int, as_of: datetime.date):
    """The people currently named as this coordinator's safeguarding GP, by name."""
    return (
        Person.objects.active()
        .filter(
            pk__in=RoleAssignment.objects.current(as_of)
            .filter(role=Role.SAFEGUARDING_GP, care_coordinator_id=care_coordinator_id)
            .values("person_id")
        )
        .select_related("user")
        .order_by("family_name", "given_name", "pk")
    )


def coordinators_summarised_for(user, pcn_id: int, as_of: datetime.date):
    """The care coordinators of one managed PCN whose counts a manager may see, by name.

    People with a current care coordinator role in that PCN; empty for a PCN not managed.
    """
    scope = scope_for(user, as_of)
    if pcn_id not in scope.managed_pcn_ids:
        return Person.objects.none()
    return Person.objects.filter(
        pk__in=RoleAssignment.objects.current(as_of)
        .care_coordinators()
        .filter(pcn_id=pcn_id)
        .values("person_id")
    ).order_by("family_name", "given_name", "pk")
