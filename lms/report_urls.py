from django.urls import path

from . import report_views as views

app_name = "reports"
urlpatterns = [
    path("training-matrix/", views.training_matrix_view, name="training_matrix"),
    path("training-matrix.csv", views.training_matrix_csv, name="training_matrix_csv"),
    path("my-record.csv", views.my_record_csv, name="my_record_csv"),
    path("my-record.pdf", views.my_record_pdf, name="my_record_pdf"),
    path("people/<int:person_id>/record.csv", views.person_record_csv, name="person_record_csv"),
    path("people/<int:person_id>/record.pdf", views.person_record_pdf, name="person_record_pdf"),
    # One name, two forms: your own record, or (PCN managers) a person's by id.
    path("portable-record/export/", views.portable_export, name="portable_export"),
    path("people/<int:person_id>/portable-record/export/", views.portable_export,
         name="portable_export"),
    path("portable-record/import/", views.portable_import, name="portable_import"),
]
