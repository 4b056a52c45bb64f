from django.urls import path

from . import partner_views as views

app_name = "partners"

urlpatterns = [
    path("", views.register_index, name="index"),
    path("pcn/<int:pcn_pk>/", views.partner_list, name="list"),
    path("pcn/<int:pcn_pk>/new/", views.partner_create, name="create"),
    path("<int:pk>/", views.partner_detail, name="detail"),
    path("<int:pk>/edit/", views.partner_edit, name="edit"),
    path("<int:pk>/check/", views.check_record, name="check"),
    path("<int:pk>/archive/", views.partner_archive, name="archive"),
    path("<int:pk>/restore/", views.partner_restore, name="restore"),
]
