"""Wagtail admin pages to export a framework as CSV or JSON and to import one from a file.

Reached under /cms/ (Wagtail checks admin access); each view checks the model permission.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .frameworks_io import (
    CSV_COLUMNS,
    FrameworkImportError,
    framework_export_csv,
    framework_export_json,
    framework_import_file,
)
from .models import Framework

MAX_IMPORT_BYTES = 2 * 1024 * 1024
IMPORT_PERMISSIONS = ("competencies.add_framework", "competencies.change_framework",
                      "competencies.add_competency", "competencies.change_competency")


def can_import(user) -> bool:
    return user.has_perms(IMPORT_PERMISSIONS)


def can_export(user) -> bool:
    return user.has_perm("competencies.view_framework")


def framework_export(request, pk, fmt):
    """Download one framework as a .csv or .json file."""
    if not can_export(request.user):
        raise PermissionDenied
    if fmt not in ("csv", "json"):
        raise Http404
    framework = get_object_or_404(Framework, pk=pk)
    if fmt == "csv":
        body, content_type = "\ufeff" + framework_export_csv(framework), "text/csv"
    else:
        body, content_type = framework_export_json(framework), "application/json"
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{framework.code}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


class FrameworkImportForm(forms.Form):
    file = forms.FileField(
        label="Framework file",
        help_text="A .json file exported from Coordinate, or a .csv file with the columns: "
        + ", ".join(CSV_COLUMNS) + ". Learning items are codes separated by ';'.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.json"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                f"The file must be smaller than {filesizeformat(MAX_IMPORT_BYTES)}."
            )
        return upload


class FrameworkImportView(WagtailAdminTemplateMixin, FormView):
    """Upload a framework file; it is imported whole or not at all."""

    form_class = FrameworkImportForm
    template_name = "competencies/admin/framework_import.html"
    page_title = "Import a competency framework"
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not can_import(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("wagtailsnippets_competencies_framework:list"),
             "label": "Frameworks"},
            {"url": "", "label": "Import"},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["csv_columns"] = CSV_COLUMNS
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            result = framework_import_file(
                actor=self.request.user, name=upload.name, content=upload.read()
            )
        except FrameworkImportError as error:
            return self.render_to_response(
                self.get_context_data(form=form, import_errors=error.messages)
            )
        verb = "imported" if result.created else "updated"
        messages.success(self.request, f"{result.framework} {verb} from {upload.name}.")
        return redirect("wagtailsnippets_competencies_framework:edit", result.framework.pk)
