"""The bench's URLconf: every URL of the product plus the bench-only reference page.

Used only by `lms.settings.bench` (gunicorn during `make bench`) and by `manage.py bench`
itself, never by a deployment.
"""

from django.urls import include, path

from . import views

urlpatterns = [
    path("bench/wagtail-starter/", views.wagtail_starter_home, name="bench_wagtail_starter"),
    path("", include("lms.urls")),
]
