"""The audit trail in the admin: who did what, when and through what, for the user's locations only, newest first.
Nothing here is written by hand: console.audit_trail and console.broker_actions write it."""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from audit.models import AuditEntry
from console.admin.base import CappedCountPaginator, LocationScopedAdmin, ScopedLocationFilter


class PersonFilter(admin.SimpleListFilter):
    """Entries by the person who acted, among those who acted in the user's locations."""

    title = "who"
    parameter_name = "who"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        entries = model_admin.get_queryset(request)
        names = entries.order_by("username").values_list("username", flat=True).distinct()
        return [(name, name) for name in names]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(username=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(LocationScopedAdmin):
    """Every broker action, attributed: pause, hand-off, status and settings changes, drafts, erasures."""

    list_display = ("created_at", "username", "action", "lead_link", "summary", "channel", "location")
    list_filter = ("action", PersonFilter, "created_at", "channel", ScopedLocationFilter)
    list_select_related = ("location",)
    search_fields = ("summary",)
    ordering = ("-created_at", "-id")
    date_hierarchy = "created_at"
    list_per_page = 50
    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    actions = None
    readonly_fields = ("created_at", "username", "action", "channel", "location", "lead_link", "summary",
                       "changed_fields")
    fields = readonly_fields

    # The record of what people did: nobody writes, changes or deletes it here, superusers included.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.display(description="lead")
    def lead_link(self, entry: AuditEntry) -> str:
        if entry.lead_id is None:
            return "-"
        return format_html('<a href="{}">Lead {}</a>', reverse("admin:leads_contact_change", args=[entry.lead_id]),
                           entry.lead_id)

    @admin.display(description="what changed")
    def changed_fields(self, entry: AuditEntry) -> str:
        if not entry.changes:
            return "-"
        rows = format_html_join("", "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
                                ((name, before, after) for name, (before, after) in entry.changes.items()))
        return format_html("<table><tr><th>field</th><th>before</th><th>after</th></tr>{}</table>", rows)
