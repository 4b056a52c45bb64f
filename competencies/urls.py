from django.urls import path

from . import views

app_name = "competencies"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("frameworks/<slug:code>/", views.framework, name="framework"),
    path("<int:competency_id>/", views.competency, name="competency"),
    path("evidence/<int:pk>/withdraw/", views.evidence_withdraw, name="evidence_withdraw"),
    path("queue/", views.queue, name="queue"),
    path("requests/<int:pk>/", views.review, name="review"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("requests/<int:pk>/send-link/", views.send_link, name="send_link"),
    path("people/<int:person_id>/", views.person, name="person"),
    path("people/<int:person_id>/frameworks/<slug:code>/", views.person_framework,
         name="person_framework"),
    path("people/<int:person_id>/competencies/<int:competency_id>/", views.person_competency,
         name="person_competency"),
]
