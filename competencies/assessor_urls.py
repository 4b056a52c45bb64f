"""External assessors' single-use links, at the site root (services reverse "assessor_link")."""

from django.urls import path

from . import assessor_views as views

urlpatterns = [
    path("assess/<str:token>/", views.assessor_link, name="assessor_link"),
    path("assess/<str:token>/files/<int:evidence_id>/", views.assessor_link_file,
         name="assessor_link_file"),
]
