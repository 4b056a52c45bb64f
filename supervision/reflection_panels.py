"""Home-page panels for reflective practice; each runs one COUNT query.

Registered by importing this module from SupervisionConfig.ready().
"""

from lms.panels import home_panel

from .models import Reflection, ReflectionStatus
from .reflection_access import commented_by, live_shares_for


@home_panel(order=72)
def shared_reflections_waiting(request, scope, as_of):
    """A supporter's count of reflections shared with them that they have not commented on."""
    if not scope.is_supporter:
        return None
    waiting = (
        Reflection.objects.filter(pk__in=live_shares_for(scope).values("reflection_id"))
        .exclude(commented_by(scope.person_id))
        .count()
    )
    if not waiting:
        return None
    return "supervision/reflections/_panel_shared.html", {"waiting": waiting}


@home_panel(order=74, per_person=True)
def draft_reflections(request, scope, as_of):
    """A care coordinator's count of draft reflections."""
    if not scope.is_care_coordinator:
        return None
    drafts = (
        Reflection.objects.current()
        .filter(author_id=scope.person_id, status=ReflectionStatus.DRAFT)
        .count()
    )
    if not drafts:
        return None
    return "supervision/reflections/_panel_drafts.html", {"drafts": drafts}
