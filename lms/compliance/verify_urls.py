from django.urls import path

from . import verify_views as views

app_name = "verify"

urlpatterns = [
    path("", views.verify, name="index"),
    # Anything after /verify/, slashes included, gets the verify page's answer, not an error page.
    path("<path:fingerprint>/", views.verify_fingerprint, name="fingerprint"),
]
