"""Who may see and do what with reflections, built on lms.access scopes.

- A reflection is private to its author. Nobody else reaches it (404) unless the author
  has shared it with them, the share is not revoked, and they still support the author
  (a current support role for them: clinical supervisor, line manager, first point of
  contact or safeguarding GP). Ending the role ends access, as everywhere else.
- A PCN manager is not a support role, so they never see reflection text unless they
  also hold a support role for the author and the author shared it with them. ICB
  viewers never see individual records.
- Only the author edits, shares, revokes, archives and restores. An archived reflection
  is seen by its author only.
"""

import datetime

from django.db.models import Exists, OuterRef, Q

from lms.access import scope_for
from lms.models import SUPPORT_ROLES, Person, RoleAssignment

from .models import Reflection, ReflectionComment, ReflectionShare


def may_write_reflections(scope) -> bool:
    """Anyone with a person record keeps a reflective diary (the navigation offers it to
    care coordinators)."""
    return scope.person_id is not None


def own_reflections(user):
    """The user's own reflections, current and archived."""
    scope = scope_for(user)
    if scope.person_id is None:
        return Reflection.objects.none()
    return Reflection.objects.filter(author_id=scope.person_id)


def live_shares_for(scope):
    """Shares to this user that are not revoked, of current reflections by people they
    currently support."""
    if scope.person_id is None or not scope.supervisee_ids:
        return ReflectionShare.objects.none()
    return ReflectionShare.objects.filter(
        shared_with_id=scope.person_id,
        revoked_at__isnull=True,
        reflection__archived_at__isnull=True,
        reflection__author_id__in=scope.supervisee_ids,
    )


def shared_with_user(user):
    """Reflections shared with the user that they may read now."""
    scope = scope_for(user)
    return Reflection.objects.filter(
        Exists(live_shares_for(scope).filter(reflection_id=OuterRef("pk")))
    )


def reflections_visible_to(user):
    """Every reflection the user may open: their own, and those shared with them."""
    scope = scope_for(user)
    if scope.person_id is None:
        return Reflection.objects.none()
    return Reflection.objects.filter(
        Q(author_id=scope.person_id)
        | Exists(live_shares_for(scope).filter(reflection_id=OuterRef("pk")))
    )


def is_author(scope, reflection: Reflection) -> bool:
    return scope.person_id is not None and reflection.author_id == scope.person_id


def commented_by(person_id: int):
    """An Exists() for annotating reflections: has this person commented on it?"""
    return Exists(
        ReflectionComment.objects.filter(reflection_id=OuterRef("pk"), author_id=person_id)
    )


def share_candidates(author: Person, as_of: datetime.date):
    """People who currently hold a support role for the author: whom they may share with."""
    holders = (
        RoleAssignment.objects.current(as_of)
        .filter(care_coordinator=author, role__in=SUPPORT_ROLES)
        .values("person_id")
    )
    return Person.objects.active().filter(pk__in=holders).exclude(pk=author.pk)


def support_roles_of(author: Person, as_of: datetime.date) -> dict[int, list[str]]:
    """{person id: ["GP clinical supervisor", ...]} for the author's current supporters."""
    roles: dict[int, list[str]] = {}
    for assignment in (
        RoleAssignment.objects.current(as_of)
        .filter(care_coordinator=author, role__in=SUPPORT_ROLES)
        .order_by("role")
    ):
        roles.setdefault(assignment.person_id, []).append(assignment.get_role_display())
    return roles
