from django.urls import path

from . import pack_views as views

app_name = "packs"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("pcn/<int:pcn_id>/", views.pcn, name="pcn"),
    path("pcn/<int:pcn_id>/coordinator/", views.pcn_coordinator_pack,
         name="pcn_coordinator_pack"),
    path("pcn/<int:pcn_id>/csv/", views.pcn_csv, name="pcn_csv"),
    path("<int:pack_id>/", views.detail, name="detail"),
    path("<int:pack_id>/download/", views.download, name="download"),
]
