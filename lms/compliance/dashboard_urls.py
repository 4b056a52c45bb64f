from django.urls import path

from . import dashboard_views as views

app_name = "compliance"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("me/", views.my_compliance, name="mine"),
    path("people/<int:person_id>/", views.person_compliance, name="person"),
    path("people/<int:person_id>/<str:code>/", views.requirement_evidence, name="requirement"),
    path("icb/", views.icb_dashboard, name="icb"),
    path("icb/pcns/<int:pcn_id>/", views.icb_pcn, name="icb_pcn"),
]
