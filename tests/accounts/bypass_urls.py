"""The project's URLs plus sign-in views that skip the second factor, unredirected.

Used to check that lms.middleware undoes such a sign-in should one ever be exposed.
"""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path
from wagtail.admin.views import account as wagtail_account

from lms.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("raw-django-login/", login_not_required(auth_views.LoginView.as_view(
        template_name="wagtailcore/login.html"))),
    path("raw-wagtail-login/", login_not_required(wagtail_account.LoginView.as_view())),
    *project_urlpatterns,
]
