from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.people_list, name="list"),
    path("add/", views.person_add, name="add"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/roles/add/", views.role_add, name="role_add"),
    path("<int:pk>/roles/<int:assignment_pk>/end/", views.role_end, name="role_end"),
    path("<int:pk>/invitation/", views.invitation_resend, name="invitation_resend"),
]
