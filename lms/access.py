"""Who may see and do what: the one place access rules live.

Every view that shows people or their records gets its queryset from here.
Scopes come from current role assignments only, so ending a role ends access.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from .models import SUPPORT_ROLES, Person, Role, RoleAssignment

#: Roles that must use two-factor authentication before opening anyone's records.
MFA_REQUIRED_ROLES = frozenset(
    {
        *SUPPORT_ROLES,
        Role.PCN_MANAGER,
        Role.ICB_VIEWER,
        Role.CURRICULUM_EDITOR,
        Role.CURRICULUM_APPROVER,
    }
)


@dataclass(frozen=True)
class Scope:
    """What one user's current role assignments let them reach."""

    person_id: int | None = None
    roles: frozenset = frozenset()
    coordinator_pcn_ids: frozenset = frozenset()
    supervisee_ids: frozenset = frozenset()
    managed_pcn_ids: frozenset = frozenset()
    icb_ids: frozenset = frozenset()
    support_roles_by_supervisee: dict = field(default_factory=dict)
    #: Whether the user has a TOTP authenticator (read with the roles, for the MFA rule).
    has_totp: bool = False

    @property
    def is_care_coordinator(self):
        return Role.CARE_COORDINATOR in self.roles

    @property
    def is_supporter(self):
        return bool(self.supervisee_ids)

    @property
    def is_pcn_manager(self):
        return bool(self.managed_pcn_ids)

    @property
    def is_icb_viewer(self):
        return bool(self.icb_ids)

    @property
    def is_curriculum_editor(self):
        return Role.CURRICULUM_EDITOR in self.roles

    @property
    def is_curriculum_approver(self):
        return Role.CURRICULUM_APPROVER in self.roles

    @property
    def needs_mfa(self):
        return bool(self.roles & MFA_REQUIRED_ROLES)


def today() -> datetime.date:
    return timezone.localdate()


def _scope_rows(user, as_of: datetime.date) -> list[tuple]:
    """One query for everything a request's access checks need: the user's person (if they
    have not left), whether they have a TOTP authenticator, and a row per role assignment in
    force on `as_of` (`RoleAssignmentQuerySet.current`; role columns None when they hold none).

    Every signed-in request runs it, so it is written out: the ORM took about 1.5 ms of CPU
    to build this query and 0.1 ms to run it (docs/performance.md)."""
    from allauth.mfa.models import Authenticator

    person, role = Person._meta, RoleAssignment._meta
    sql = (
        f"SELECT p.{person.pk.column}, EXISTS(SELECT 1 FROM {Authenticator._meta.db_table} a"
        " WHERE a.user_id = p.user_id AND a.type = %s),"
        " r.role, r.pcn_id, r.icb_id, r.care_coordinator_id"
        f" FROM {person.db_table} p LEFT JOIN {role.db_table} r ON r.person_id = p.id"
        " AND r.starts_on <= %s AND (r.ends_on IS NULL OR r.ends_on > %s)"
        " WHERE p.user_id = %s AND p.left_on IS NULL"
    )
    day = connection.ops.adapt_datefield_value(as_of)
    with connection.cursor() as cursor:
        cursor.execute(sql, [Authenticator.Type.TOTP, day, day, user.pk])
        return [(pk, bool(has_totp), *rest) for pk, has_totp, *rest in cursor.fetchall()]


def scope_for(user, as_of: datetime.date | None = None) -> Scope:
    """The user's scope today, computed once per request (one query) and kept on the user
    object."""
    if not user.is_authenticated:
        return Scope()
    as_of = as_of or today()
    cached = getattr(user, "_lms_scope", None)
    if cached is not None and cached[0] == as_of:
        return cached[1]
    rows = _scope_rows(user, as_of)
    if not rows:
        scope = Scope()
    else:
        assignments = [row[2:] for row in rows if row[2] is not None]
        supervisees: dict[int, set] = {}
        for role, _pcn_id, _icb_id, coordinator_id in assignments:
            if role in SUPPORT_ROLES and coordinator_id:
                supervisees.setdefault(coordinator_id, set()).add(role)
        scope = Scope(
            person_id=rows[0][0],
            roles=frozenset(a[0] for a in assignments),
            coordinator_pcn_ids=frozenset(
                a[1] for a in assignments if a[0] == Role.CARE_COORDINATOR
            ),
            supervisee_ids=frozenset(supervisees),
            managed_pcn_ids=frozenset(a[1] for a in assignments if a[0] == Role.PCN_MANAGER),
            icb_ids=frozenset(a[2] for a in assignments if a[0] == Role.ICB_VIEWER),
            support_roles_by_supervisee={k: frozenset(v) for k, v in supervisees.items()},
            has_totp=rows[0][1],
        )
    user._lms_scope = (as_of, scope)
    return scope


def people_visible_to(user, as_of=None):
    """People whose staff details this user may see: self, supervisees, PCN staff, ICB staff."""
    scope = scope_for(user, as_of)
    if scope.person_id is None:
        return Person.objects.none()
    condition = Q(pk=scope.person_id) | Q(pk__in=scope.supervisee_ids)
    if scope.managed_pcn_ids:
        condition |= Q(pcn_id__in=scope.managed_pcn_ids)
    if scope.icb_ids:
        condition |= Q(pcn__icb_id__in=scope.icb_ids)
    return Person.objects.filter(condition)


def record_owners_visible_to(user, as_of=None):
    """People whose personal records (learning, supervision, portfolio) this user may open.

    ICB viewers see staff lists and aggregates, never individual records.
    """
    scope = scope_for(user, as_of)
    if scope.person_id is None:
        return Person.objects.none()
    condition = Q(pk=scope.person_id) | Q(pk__in=scope.supervisee_ids)
    if scope.managed_pcn_ids:
        condition |= Q(pcn_id__in=scope.managed_pcn_ids)
    return Person.objects.filter(condition)


def people_manageable_by(user, as_of=None):
    """People a PCN manager may edit and assign roles to: their PCNs' people."""
    scope = scope_for(user, as_of)
    return Person.objects.filter(pcn_id__in=scope.managed_pcn_ids)


def pcns_managed_by(user, as_of=None):
    from .models import PCN

    return PCN.objects.filter(pk__in=scope_for(user, as_of).managed_pcn_ids)


def get_visible_or_404(queryset, **lookup):
    """Fetch from an access-scoped queryset; anything outside the scope is simply not found."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError):
        raise Http404 from None


def require(condition: bool):
    """Refuse with 403 when the user lacks the role for a page."""
    if not condition:
        raise PermissionDenied


def must_set_up_mfa(user) -> bool:
    """Staff whose roles need two-factor authentication and who have not set it up."""
    if not settings.MFA_REQUIRED_FOR_STAFF:
        return False
    scope = scope_for(user)
    return scope.needs_mfa and not scope.has_totp
