from django.urls import path

from . import subject_access_views as views

app_name = "subject_access"

urlpatterns = [
    path("", views.my_data, name="mine"),
]
