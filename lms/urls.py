from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

from . import views


@login_not_required
def health(request):
    return HttpResponse("ok", content_type="text/plain")


# Wagtail's and Django admin's own sign-in pages skip the second factor
# (STACK.md pitfall 1), so both go to allauth's sign-in, before their includes.
admin_login_redirects = [
    path(
        "cms/login/",
        login_not_required(RedirectView.as_view(pattern_name="account_login", query_string=True)),
    ),
    path(
        "django-admin/login/",
        login_not_required(RedirectView.as_view(pattern_name="account_login", query_string=True)),
    ),
]

urlpatterns = [
    *admin_login_redirects,
    path("health/", health, name="health"),
    path("accounts/", include("allauth.urls")),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("people/", include("lms.people_urls")),
    path("cms/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("", views.home, name="home"),
    path("", include(wagtail_urls)),
]
