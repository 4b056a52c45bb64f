"""Navigation that fits the signed-in user's roles."""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf
from django.urls import reverse as _reverse

from .access import scope_for
from .models import Role


def reverse(name: str) -> str:
    """A navigation link's address: the same for every request under one script prefix and
    URLconf, so worked out once per process (each page drew ~20 with reverse())."""
    return _reverse_once(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@functools.lru_cache(maxsize=256)
def _reverse_once(name: str, script_prefix: str, urlconf) -> str:
    return _reverse(name, urlconf=urlconf)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    scope = scope_for(user)
    links = [("Home", reverse("home")), ("Curriculum", "/curriculum/")]
    if scope.is_care_coordinator:
        links.append(("Your learning", reverse("learning:mine")))
        links.append(("Your competencies", reverse("competencies:mine")))
        links.append(("Development plan", reverse("development:plan")))
    if scope.is_care_coordinator:
        links.append(("Supervision", reverse("supervision:mine")))
        links.append(("Reflections", reverse("reflections:mine")))
        links.append(("Safeguarding", reverse("safeguarding:mine")))
    if scope.is_supporter:
        links.append(("Sign-off requests", reverse("competencies:queue")))
        links.append(("Supervisees", reverse("supervision:team")))
        links.append(("Shared reflections", reverse("reflections:shared")))
    if _is_safeguarding_gp(scope):
        links.append(("Safeguarding discussions", reverse("safeguarding:with_you")))
    if scope.is_care_coordinator or scope.is_supporter or scope.is_pcn_manager:
        links.append(("Peer sessions", reverse("network_sessions:list")))
        links.append(("Partner organisations", reverse("partners:index")))
    if scope.is_care_coordinator:
        links.append(("Your DES compliance", reverse("compliance:mine")))
    if scope.is_supporter or scope.is_pcn_manager:
        links.append(("Certificates to verify", reverse("learning:verification_queue")))
    if scope.is_pcn_manager:
        links.append(("People", reverse("people:list")))
        links.append(("Training matrix", reverse("reports:training_matrix")))
        links.append(("Competencies", reverse("competency_reports:heatmap")))
        links.append(("Supervision cadence", reverse("supervision:team")))
        links.append(("Safeguarding", reverse("safeguarding:summary")))
        links.append(("DES compliance", reverse("compliance:dashboard")))
        links.append(("Directory", reverse("directory:manage_index")))
        links.append(("Evidence packs", reverse("packs:index")))
    if scope.is_icb_viewer:
        links.append(("DES compliance", reverse("compliance:icb")))
    if scope.is_curriculum_editor or scope.is_curriculum_approver:
        links.append(("Edit curriculum", reverse("wagtailadmin_home")))
    path = request.path
    # The link whose address is the longest prefix of this page's is the current one.
    matches = [url for _, url in links if path == url or (url != "/" and path.startswith(url))]
    current = max(matches, key=len) if matches else None
    return {
        "nav_links": [
            {"label": label, "url": url, "current": url == current} for label, url in links
        ],
        "scope": scope,
    }


def _is_safeguarding_gp(scope) -> bool:
    roles_held = scope.support_roles_by_supervisee.values()
    return any(Role.SAFEGUARDING_GP in roles for roles in roles_held)
