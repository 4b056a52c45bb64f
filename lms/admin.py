"""Django admin for service staff: organisations only. People and roles change through the
product's own pages so that every change goes through a service and is audited."""

from django.contrib import admin

from .models import ICB, PCN, AuditEntry, Practice


@admin.register(ICB)
class ICBAdmin(admin.ModelAdmin):
    list_display = ["name", "ods_code"]
    search_fields = ["name", "ods_code"]


class PracticeInline(admin.TabularInline):
    model = Practice
    extra = 0


@admin.register(PCN)
class PCNAdmin(admin.ModelAdmin):
    list_display = ["name", "ods_code", "icb"]
    list_filter = ["icb"]
    search_fields = ["name", "ods_code"]
    inlines = [PracticeInline]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is never edited."""

    list_display = ["at", "actor", "action", "object_repr"]
    list_filter = ["action"]
    search_fields = ["object_repr", "object_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
