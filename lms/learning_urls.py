from django.urls import path

from . import learning_views as views

app_name = "learning"
urlpatterns = [
    path("", views.my_learning, name="mine"),
    path("items/<int:item_id>/", views.record_mine, name="record"),
    path("records/<int:pk>/", views.record_detail, name="record_detail"),
    path("records/<int:pk>/verify/", views.record_verify, name="verify"),
    path("people/<int:person_id>/", views.person_learning, name="person"),
    path(
        "people/<int:person_id>/items/<int:item_id>/",
        views.record_for_person,
        name="record_for",
    ),
    path("verification/", views.verification_queue, name="verification_queue"),
]
