"""PCN managers' competency reports, under /competencies/manager/."""

from django.urls import path

from . import heatmap_views as views

app_name = "competency_reports"
urlpatterns = [
    path("heatmap/", views.heatmap, name="heatmap"),
    path("heatmap.csv", views.heatmap_csv, name="heatmap_csv"),
]
