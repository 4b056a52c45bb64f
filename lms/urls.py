from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

from . import views


@login_not_required
def health(request):
    return HttpResponse("ok", content_type="text/plain")


def _to_allauth(pattern_name):
    """A redirect, open to anonymous visitors, to one of allauth's pages (keeps ?next=)."""
    return login_not_required(RedirectView.as_view(pattern_name=pattern_name, query_string=True))


@login_not_required
def admin_sign_in(request):
    """The admin sites' sign-in: anonymous visitors go to allauth's; signed-in people
    sent here lack admin access, so they are refused rather than bounced back and forth."""
    if request.user.is_authenticated:
        raise PermissionDenied
    return _to_allauth("account_login")(request)


# Every sign-in page other than allauth's skips the second factor (STACK.md
# pitfall 1): Wagtail admin's, Wagtail's front-end "private page" sign-in
# (/_util/login/, a plain django.contrib.auth LoginView) and Django admin's.
# All go to allauth's sign-in, as do Wagtail admin's own password-reset pages
# (allauth's reset is rate-limited and does not reveal who has an account).
# These must come before the Wagtail and admin includes. lms/middleware.py
# also undoes any sign-in that skipped the second factor, should one appear.
admin_login_redirects = [
    path("cms/login/", admin_sign_in, name="admin_sign_in"),
    re_path(r"^cms/password_reset/", _to_allauth("account_reset_password")),
    path("django-admin/login/", admin_sign_in),
    path("_util/login/", admin_sign_in),
]
# Belt and braces: even if reached, Django admin's login view never shows its own form.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    *admin_login_redirects,
    path("health/", health, name="health"),
    path("accounts/", include("allauth.urls")),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("people/", include("lms.people_urls")),
    path("learning/", include("lms.learning_urls")),
    path("development/", include("lms.development_urls")),
    path("reports/", include("lms.report_urls")),
    path("competencies/manager/", include("competencies.manager_urls")),
    path("competencies/", include("competencies.urls")),
    path("", include("competencies.assessor_urls")),
    path("supervision/", include("supervision.session_urls")),
    path("safeguarding/", include("supervision.safeguarding_urls")),
    path("reflections/", include("supervision.reflection_urls")),
    path("network-sessions/", include("supervision.network_urls")),
    path("compliance/my-data/", include("lms.compliance.subject_access_urls")),
    path("compliance/", include("lms.compliance.dashboard_urls")),
    path("partners/", include("lms.compliance.partner_urls")),
    path("directory/", include("lms.compliance.directory_urls")),
    path("packs/", include("lms.compliance.pack_urls")),
    path("verify/", include("lms.compliance.verify_urls")),
    path("files/<int:pk>/", views.evidence_file_download, name="evidence_file_download"),
    path("cms/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("", views.home, name="home"),
    path("", include(wagtail_urls)),
]
