from django.urls import path

from . import development_views as views

app_name = "development"
urlpatterns = [
    path("", views.plan, name="plan"),
    path("goals/add/", views.goal_add, name="goal_add"),
    path("goals/<int:goal_id>/edit/", views.goal_edit, name="goal_edit"),
    path("goals/<int:goal_id>/comment/", views.goal_comment, name="goal_comment"),
    path("people/<int:person_id>/plan/", views.person_plan, name="person_plan"),
    path("people/<int:person_id>/induction/", views.person_induction, name="person_induction"),
    path("induction-template/", views.induction_template, name="induction_template"),
    path(
        "induction-template/regenerate/",
        views.induction_template_regenerate,
        name="induction_template_regenerate",
    ),
]
