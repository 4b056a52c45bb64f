from django.urls import path

from . import reflection_views as views

app_name = "reflections"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("archived/", views.archived, name="archived"),
    path("shared/", views.shared, name="shared"),
    path("new/", views.start, name="start"),
    path("new/<slug:model>/", views.add, name="add"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/comments/", views.comment, name="comment"),
    path("<int:pk>/share/", views.share, name="share"),
    path("<int:pk>/shares/<int:share_id>/revoke/", views.revoke, name="revoke"),
    path("<int:pk>/archive/", views.archive, name="archive"),
    path("<int:pk>/restore/", views.restore, name="restore"),
]
