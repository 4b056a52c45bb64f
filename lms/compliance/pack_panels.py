"""Home-page panel for PCN managers: evidence packs being built, and those finished in the last
7 days. Two queries however many packs there are.

Registered by importing this module from the compliance AppConfig.ready().
"""

import datetime

from django.db.models import Q
from django.utils import timezone

from lms.panels import home_panel

from .models import IssuedPack, PackStatus

RECENT_DAYS = 7
PANEL_ROWS = 5


@home_panel(order=72)
def manager_packs(request, scope, as_of):
    """Packs of the manager's PCNs that are queued or running, or finished (ready or failed)
    in the last 7 days; nothing when there are none."""
    if not scope.is_pcn_manager:
        return None
    since = timezone.make_aware(
        datetime.datetime.combine(as_of - datetime.timedelta(days=RECENT_DAYS), datetime.time())
    )
    packs = (
        IssuedPack.objects.filter(pcn_id__in=scope.managed_pcn_ids)
        .filter(
            Q(status__in=[PackStatus.QUEUED, PackStatus.RUNNING])
            | Q(status=PackStatus.DONE, issued_at__gte=since)
            | Q(status=PackStatus.FAILED, requested_at__gte=since)
        )
        .select_related("pcn", "person")
        .order_by("-requested_at", "-pk")
    )
    rows = list(packs[:PANEL_ROWS])
    if not rows:
        return None
    total = len(rows) if len(rows) < PANEL_ROWS else packs.count()
    return "compliance/packs/_panel.html", {"packs": rows, "total": total}
