"""Home-page panels: sign-off requests waiting for a supervisor, a coordinator's progress."""

from lms.panels import home_panel

from .models import Framework


@home_panel(order=40)
def my_competencies(request, scope, as_of):
    """'Your competencies: N of M met' for a care coordinator, per framework in use."""
    if not scope.is_care_coordinator:
        return None
    from .views import framework_progress

    summaries = framework_progress(scope.person_id, Framework.objects.active())
    if not summaries:
        return None
    return "competencies/_panel_mine.html", {"summaries": summaries}


@home_panel(order=50)
def sign_off_queue(request, scope, as_of):
    """'Sign-off requests: N waiting' for anyone with requests addressed to them (one COUNT)."""
    if not scope.is_supporter:
        return None
    from .views import waiting_for

    waiting = waiting_for(scope).count()
    if not waiting:
        return None
    return "competencies/_panel_queue.html", {"waiting": waiting}
