"""Navigation that fits the signed-in user's roles."""

from django.urls import reverse

from .access import scope_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    scope = scope_for(user)
    links = [("Home", reverse("home")), ("Curriculum", "/curriculum/")]
    if scope.is_pcn_manager:
        links.append(("People", reverse("people:list")))
    if scope.is_curriculum_editor or scope.is_curriculum_approver:
        links.append(("Edit curriculum", reverse("wagtailadmin_home")))
    path = request.path
    return {
        "nav_links": [
            {
                "label": label,
                "url": url,
                "current": path == url or (url != "/" and path.startswith(url)),
            }
            for label, url in links
        ],
        "scope": scope,
    }
