from django.urls import path

from . import session_views as views

app_name = "supervision"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("record/", views.record, name="record"),
    path("to-confirm/", views.to_confirm, name="to_confirm"),
    path("team/", views.team, name="team"),
    path("cadence/", views.cadence_settings, name="cadence"),
    path("supervisor-load/", views.load, name="load"),
    path("people/<int:person_id>/", views.person, name="person"),
    path("people/<int:person_id>/record/", views.record_for, name="record_for"),
    path("sessions/<int:session_id>/", views.detail, name="detail"),
    path("sessions/<int:session_id>/change/", views.edit, name="edit"),
    path("sessions/<int:session_id>/withdraw/", views.withdraw, name="withdraw"),
    path("sessions/<int:session_id>/confirm/", views.confirm, name="confirm"),
    path("sessions/<int:session_id>/addendum/", views.addendum, name="addendum"),
    path("sessions/<int:session_id>/actions/add/", views.action_add, name="action_add"),
    path("actions/<int:action_id>/done/", views.action_done, name="action_done"),
]
