"""Home-page panels for safeguarding discussions; each runs at most three small queries.

Registered by importing this module from SupervisionConfig.ready().
"""

import datetime

from lms.models import RoleAssignment
from lms.panels import home_panel

from .models import SafeguardingDiscussion
from .safeguarding_access import discussions_with_gp, is_safeguarding_gp

#: Follow-ups due within this many days are shown, with every overdue one.
DUE_WITHIN_DAYS = 14
#: Discussions with a GP in this many days are counted on their panel.
RECENT_DAYS = 30
PANEL_ROWS = 5


def _first_rows(queryset):
    """Up to PANEL_ROWS rows, and how many there are in all: two queries, whatever the data."""
    return list(queryset[:PANEL_ROWS]), queryset.count()


def _mark_overdue(rows, as_of):
    for row in rows:
        row.is_overdue = row.follow_up_on < as_of
    return rows


@home_panel(order=64, per_person=True)
def coordinator_follow_ups(request, scope, as_of):
    """A coordinator's safeguarding follow-ups due in the next 14 days or overdue."""
    if not scope.is_care_coordinator:
        return None
    due = (
        SafeguardingDiscussion.objects.filter(care_coordinator_id=scope.person_id)
        .follow_ups_due_by(as_of + datetime.timedelta(days=DUE_WITHIN_DAYS))
        .order_by("follow_up_on", "pk")
    )
    rows, total = _first_rows(due)
    if not rows:
        return None
    return "supervision/safeguarding/_panel_coordinator.html", {
        "follow_ups": _mark_overdue(rows, as_of), "total": total, "as_of": as_of,
    }


@home_panel(order=65)
def safeguarding_gp_panel(request, scope, as_of):
    """A safeguarding GP's discussions in the last 30 days and follow-ups due."""
    if not is_safeguarding_gp(scope):
        return None
    theirs = discussions_with_gp(request.user, as_of)
    recent = theirs.current().filter(
        discussed_on__gt=as_of - datetime.timedelta(days=RECENT_DAYS),
        discussed_on__lte=as_of,
    ).count()
    due = (
        theirs.follow_ups_due_by(as_of + datetime.timedelta(days=DUE_WITHIN_DAYS))
        .select_related("care_coordinator")
        .order_by("follow_up_on", "pk")
    )
    rows, total = _first_rows(due)
    return "supervision/safeguarding/_panel_gp.html", {
        "recent": recent, "follow_ups": _mark_overdue(rows, as_of), "total": total,
        "recent_days": RECENT_DAYS,
    }


@home_panel(order=66)
def manager_overdue_follow_ups(request, scope, as_of):
    """'N safeguarding follow-ups overdue' for a PCN manager, only when there are some."""
    if not scope.is_pcn_manager:
        return None
    coordinators = (
        RoleAssignment.objects.current(as_of)
        .care_coordinators()
        .filter(pcn_id__in=scope.managed_pcn_ids)
        .values("person_id")
    )
    overdue = (
        SafeguardingDiscussion.objects.follow_ups_overdue(as_of)
        .filter(care_coordinator_id__in=coordinators)
        .count()
    )
    if not overdue:
        return None
    return "supervision/safeguarding/_panel_manager.html", {"overdue": overdue}
