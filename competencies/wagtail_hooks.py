"""Competency frameworks in the Wagtail admin: frameworks (with domains) and competencies.

Curriculum editors get add/change/view on them from seed_frameworks; nobody but a
superuser deletes (a framework people are assessed against is retired, not deleted).
"""

from django import forms
from django.template.loader import render_to_string
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import HeaderButton, ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet, SnippetViewSetGroup

from content.models import ITEM_PANELS_HOOK, LearningItemPage

from . import admin_views
from .models import Competency, Framework


class FrameworkForm(WagtailAdminModelForm):
    def clean(self):
        cleaned = super().clean()
        # A domain with competencies cannot go (they would be orphaned): say so, not a 500.
        formset = self.formsets.get("domains")
        for form in getattr(formset, "deleted_forms", []):
            domain = form.instance
            if domain.pk and domain.competencies.exists():
                self.add_error(None, f"The domain '{domain.name}' still has competencies: "
                               "move or remove them first.")
        return cleaned


class FrameworkIndexView(IndexView):
    """The framework list, with Import in the header and Export on each row."""

    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if admin_views.can_import(self.request.user):
            buttons.append(HeaderButton(
                "Import", url=reverse("competencies_framework_import"), icon_name="upload"
            ))
        return buttons

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if admin_views.can_export(self.request.user):
            for fmt in ("csv", "json"):
                buttons.append(ListingButton(
                    f"Export as {fmt.upper()}",
                    url=reverse("competencies_framework_export", args=[instance.pk, fmt]),
                    icon_name="download", priority=60,
                ))
        return buttons


class FrameworkViewSet(SnippetViewSet):
    model = Framework
    icon = "list-ol"
    menu_label = "Frameworks"
    index_view_class = FrameworkIndexView
    list_display = ["name", "version", "code", "status", Column(
        "competency_count", label="Competencies",
        accessor=lambda framework: framework.competency_count,
    )]
    list_filter = ["status"]
    search_fields = ["name", "version", "code", "description"]
    copy_view_enabled = False
    edit_handler = ObjectList([
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("version"), FieldPanel("code"),
             FieldPanel("status"), FieldPanel("description")],
            heading="Framework",
        ),
        MultiFieldPanel(
            [FieldPanel("scale"), FieldPanel("signoffs_required"),
             FieldPanel("evidence_kinds_required")],
            heading="Scale and the rule for met",
        ),
        InlinePanel("domains", heading="Domains", label="Domain"),
    ], base_form_class=FrameworkForm)

    def get_queryset(self, request):
        from django.db.models import Count

        return Framework.objects.annotate(competency_count=Count("competencies"))


def _item_label(item):
    return f"{item.code}: {item.title}"


class CompetencyForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "domain" in self.fields:
            self.fields["domain"].queryset = self.fields["domain"].queryset.select_related(
                "framework").order_by("framework__name", "framework__version", "sort_order")
            self.fields["domain"].label_from_instance = (
                lambda domain: f"{domain.framework}: {domain.name}"
            )
        if "learning_items" in self.fields:
            field = self.fields["learning_items"]
            field.queryset = LearningItemPage.objects.order_by("code")
            field.label_from_instance = _item_label
            field.widget = forms.CheckboxSelectMultiple()
            field.widget.choices = field.choices


def _learning_items(competency):
    return ", ".join(item.code for item in competency.learning_items.all()) or "None"


class CompetencyViewSet(SnippetViewSet):
    model = Competency
    icon = "tick-inverse"
    menu_label = "Competencies"
    list_display = [
        "title", "code", "framework", "domain",
        Column("target", label="Target",
               accessor=lambda c: f"{c.target_level}: {c.target_label}"),
        Column("learning_items", label="Learning items", accessor=_learning_items),
    ]
    list_filter = ["framework"]
    search_fields = ["title", "code", "descriptor"]
    copy_view_enabled = False
    edit_handler = ObjectList([
        FieldPanel("framework"),
        FieldPanel("domain", help_text="A domain of the same framework."),
        FieldPanel("code"),
        FieldPanel("title"),
        FieldPanel("descriptor"),
        FieldPanel("target_level"),
        FieldPanel("target_by"),
        FieldPanel("sort_order"),
        FieldPanel("learning_items", heading="Learning that builds this competency"),
    ], base_form_class=CompetencyForm)

    def get_queryset(self, request):
        return Competency.objects.select_related("framework", "domain").prefetch_related(
            "learning_items"
        )


class CompetencyFrameworksGroup(SnippetViewSetGroup):
    menu_label = "Competency frameworks"
    menu_icon = "list-ol"
    menu_order = 300
    items = (FrameworkViewSet, CompetencyViewSet)


register_snippet(CompetencyFrameworksGroup)


@hooks.register("register_admin_urls")
def register_framework_io_urls():
    return [
        path("competency-frameworks/import/", admin_views.FrameworkImportView.as_view(),
             name="competencies_framework_import"),
        path("competency-frameworks/<int:pk>/export.<str:fmt>",
             admin_views.framework_export, name="competencies_framework_export"),
    ]


@hooks.register(ITEM_PANELS_HOOK)
def competencies_this_item_builds(request, page):
    """'Competencies this builds' on a learning item page (content cannot import us)."""
    return render_to_string(
        "competencies/includes/item_competencies.html", {"page": page}, request=request
    )
