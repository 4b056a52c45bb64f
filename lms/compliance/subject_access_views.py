"""Subject access: a care coordinator downloads everything held about them.

Only the person themself: the page always shows the signed-in coordinator's own data and
takes no person id. A request made on someone's behalf (by a PCN manager, say) is handled
outside the product, so other roles are refused (403).
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from lms.access import get_visible_or_404, record_owners_visible_to, require, scope_for, today

from .subject_access import AREAS, export_file_name, subject_access_export


@require_http_methods(["GET", "POST"])
def my_data(request):
    """GET: what the download holds. POST: the zip, as an attachment (audited)."""
    scope = scope_for(request.user)
    require(scope.is_care_coordinator)
    person = get_visible_or_404(
        record_owners_visible_to(request.user).select_related("pcn"), pk=scope.person_id
    )
    if request.method == "POST":
        content = subject_access_export(actor=request.user, person=person)
        response = HttpResponse(content, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{export_file_name(today())}"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
    return render(request, "compliance/subject_access/my_data.html", {
        "person": person,
        "areas": [title for _key, title in AREAS],
        "crumbs": [("Home", reverse("home")),
                   ("Your DES compliance", reverse("compliance:mine"))],
    })
