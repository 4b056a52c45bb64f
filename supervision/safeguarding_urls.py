from django.urls import path

from . import safeguarding_views as views

app_name = "safeguarding"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("log/", views.log, name="log"),
    path("with-you/", views.with_you, name="with_you"),
    path("pcn/", views.summary, name="summary"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/addenda/", views.addendum_add, name="addendum_add"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
