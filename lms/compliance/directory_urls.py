from django.urls import path

from . import directory_views as views

app_name = "directory"

# The manager's pages come first: a PCN's ODS code is never "manage", "entries" or
# "awareness".
urlpatterns = [
    path("manage/", views.manage_index, name="manage_index"),
    path("manage/<int:pcn_pk>/", views.manage, name="manage"),
    path("manage/<int:pcn_pk>/coordinators/<int:person_pk>/list/", views.entry_create,
         name="entry_create"),
    path("entries/<int:pk>/edit/", views.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/unlist/", views.entry_unlist, name="entry_unlist"),
    path("awareness/", views.awareness_index, name="awareness_index"),
    path("awareness/<int:pcn_pk>/", views.awareness, name="awareness"),
    path("awareness/practices/<int:practice_pk>/", views.awareness_practice,
         name="awareness_practice"),
    path("awareness/practices/<int:practice_pk>/record/", views.awareness_record,
         name="awareness_record"),
    path("<str:ods_code>/", views.public_directory, name="public"),
    path("<str:ods_code>/photos/<int:entry_pk>/", views.public_photo, name="photo"),
]
