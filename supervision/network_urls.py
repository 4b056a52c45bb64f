from django.urls import path

from . import network_views as views

app_name = "network_sessions"

urlpatterns = [
    path("", views.session_list, name="list"),
    path("new/", views.session_create, name="create"),
    path("<int:pk>/", views.session_detail, name="detail"),
    path("<int:pk>/reply/", views.session_rsvp, name="rsvp"),
    path("<int:pk>/edit/", views.session_edit, name="edit"),
    path("<int:pk>/invite/", views.session_invite, name="invite"),
    path("<int:pk>/register/", views.session_register, name="register"),
    path("<int:pk>/cancel/", views.session_cancel, name="cancel"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed_ics, name="calendar_feed"),
]
