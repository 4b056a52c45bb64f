"""Home-page panels for network sessions: a person's next sessions with their reply, and the
registers a facilitator or PCN manager still has to take. One query each.

Registered with lms.panels when supervision/apps.py imports this module in ready().
"""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from lms.panels import home_panel

from .models import Attendance, NetworkSession, SessionInvitation
from .network_access import may_use_sessions

UPCOMING_SHOWN = 3
#: Sessions that started this many days ago or less still ask for their register.
REGISTER_DAYS = 14
REGISTERS_SHOWN = 10


@home_panel(order=60)
def upcoming_sessions(request, scope, as_of):
    """A coordinator's (or invited supporter's) next three sessions, with their reply."""
    if scope.person_id is None or not (scope.is_care_coordinator or scope.is_supporter):
        return None
    from .network_views import tag_invitation

    invitations = list(
        SessionInvitation.objects.filter(
            person_id=scope.person_id,
            session__cancelled_at__isnull=True,
            session__ends_at__gte=timezone.now(),
        )
        .select_related("session__pcn")
        .order_by("session__starts_at", "pk")[:UPCOMING_SHOWN]
    )
    if not invitations and not scope.is_care_coordinator:
        return None
    return "supervision/network/panel_upcoming.html", {
        "invitations": [tag_invitation(invitation) for invitation in invitations],
    }


@home_panel(order=65)
def registers_to_take(request, scope, as_of):
    """Sessions started in the last 14 days whose register still has people unmarked, for
    their facilitator and the organising PCN's managers."""
    if scope.person_id is None or not may_use_sessions(scope):
        return None
    now = timezone.now()
    where = Q(facilitator_id=scope.person_id)
    if scope.managed_pcn_ids:
        where |= Q(pcn_id__in=scope.managed_pcn_ids)
    sessions = list(
        NetworkSession.objects.current()
        .filter(where, starts_at__lte=now,
                starts_at__gte=now - datetime.timedelta(days=REGISTER_DAYS))
        .annotate(unmarked=Count("invitations",
                                 filter=Q(invitations__attendance=Attendance.UNRECORDED)))
        .filter(unmarked__gt=0)
        .select_related("pcn")
        .order_by("starts_at", "pk")[:REGISTERS_SHOWN]
    )
    if not sessions:
        return None
    return "supervision/network/panel_registers.html", {"sessions": sessions}
