"""Editable reference data in the Wagtail admin: framework versions."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import FrameworkVersion


class FrameworkVersionViewSet(SnippetViewSet):
    model = FrameworkVersion
    icon = "list-ol"
    menu_label = "Framework versions"
    add_to_admin_menu = True
    list_display = ["name", "version", "code", "effective_from", "effective_to"]
    search_fields = ["name", "version", "code"]


register_snippet(FrameworkVersionViewSet)
