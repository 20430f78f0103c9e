"""Locations, their members and listings, and the GHL traffic: what was written to GHL and every webhook received.
The GHL token never appears: it is not editable, so no form has it, and no list or page names it."""
from __future__ import annotations

import io
from functools import partial
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from console import broker_actions
from console.admin.base import CappedCountPaginator, LocationScopedAdmin, ScopedLocationFilter, SuperuserOnlyAdmin
from console.admin.connect import LocationConnectionsAdmin
from console.audit_trail import admin_actor
from console.bot_settings import bot_settings_page
from leads.access import scope_of
from leads.models import (
    Location,
    LocationMembership,
    OutboxMessage,
    Property,
    WebhookEvent,
)

# Rows of a skipped-line report shown after a listing import; the rest are counted, not listed.
IMPORT_ERRORS_SHOWN = 10


@admin.register(OutboxMessage)
class OutboxMessageAdmin(LocationScopedAdmin):
    """Everything we wrote, or tried to write, to GHL: find the texts that were held back or failed, and why."""

    list_display = ("created_at", "contact", "kind", "status", "status_reason", "attempts", "next_attempt_at")
    list_filter = ("status", "kind", ScopedLocationFilter)
    list_select_related = ("contact",)
    ordering = ("-id",)
    list_per_page = 50
    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    members_may_add = False
    members_may_delete = False
    actions = ("retry_deliveries",)
    readonly_fields = ("contact", "kind", "status", "status_reason", "body", "payload", "attempts", "failures",
                       "failing_since", "next_attempt_at", "last_error", "ghl_message_id", "created_at", "sent_at")
    fields = readonly_fields

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not self.scope(request).is_broker_anywhere:
            actions.pop("retry_deliveries", None)  # sending a text again is the broker's call
        return actions

    @admin.action(description="Retry the selected failed or parked deliveries")
    def retry_deliveries(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        retried = broker_actions.retry_deliveries(self.scope(request).filter_for_brokers(queryset),
                                                  by=admin_actor(request))
        self.message_user(request, f"{retried} failed or parked write(s) to GHL sent again (texts pass the "
                                   "compliance gate again); the others were not failed or parked.", messages.SUCCESS)


# -- listings ----------------------------------------------------------------------------------------


class ListingImportForm(forms.Form):
    file = forms.FileField(help_text="A CSV with RESO column names: ListingId, ListPrice, UnparsedAddress, City, ...")
    location = forms.ModelChoiceField(
        queryset=Location.objects.none(), help_text="The brokerage these listings belong to"
    )

    def __init__(self, *args: Any, locations: QuerySet[Location], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The form's own copy of `location` above.
        cast("forms.ModelChoiceField[Location]", self.fields["location"]).queryset = locations


@admin.register(Property)
class PropertyAdmin(LocationScopedAdmin):
    """The listings the buyer bot matches. Brokers add, edit and import them; agents look them up."""

    brokers_only = True
    list_display = ("address", "city", "list_price", "beds", "baths", "status", "location")
    list_filter = ("status", ScopedLocationFilter, "beds")
    search_fields = ("listing_id", "address", "city", "postal_code", "neighbourhood")
    list_select_related = ("location",)
    ordering = ("-updated_at",)
    list_per_page = 50
    show_full_result_count = False
    change_list_template = "admin/leads/property/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="leads_property_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        scope = self.scope(request)
        if not scope.is_broker_anywhere:
            raise PermissionDenied
        locations = scope.filter_for_brokers(Location.objects.all(), "")
        form = ListingImportForm(request.POST or None, request.FILES or None, locations=locations)
        if request.method == "POST" and form.is_valid():
            stream = io.TextIOWrapper(form.cleaned_data["file"].file, encoding="utf-8-sig", errors="replace")
            report = broker_actions.import_listings(stream, form.cleaned_data["location"], by=admin_actor(request))
            self.message_user(
                request, f"Listings imported: {report.imported} new, {report.updated} updated, "
                f"{len(report.skipped)} skipped.", messages.SUCCESS if not report.skipped else messages.WARNING,
            )
            for skipped in report.skipped[:IMPORT_ERRORS_SHOWN]:
                self.message_user(request, f"Skipped {skipped}", messages.WARNING)
            return HttpResponseRedirect(reverse("admin:leads_property_changelist"))
        context = {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta,
                   "title": "Import listings from CSV"}
        return TemplateResponse(request, "admin/leads/property/import.html", context)


# -- locations and who belongs to them ---------------------------------------------------------------------


class MembershipInline(admin.TabularInline):
    model = LocationMembership
    extra = 0
    autocomplete_fields = ("user",)
    verbose_name = "member"

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return scope_of(request.user).is_member_anywhere

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return scope_of(request.user).everything

    has_change_permission = has_add_permission
    has_delete_permission = has_add_permission


@admin.register(Location)
class LocationAdmin(LocationConnectionsAdmin):
    """A brokerage (GHL sub-account): its settings, the kill switch, and who works there. Never its token: it is
    typed in on the connection pages (console.admin.connect) and never shown."""

    location_field = ""
    brokers_only = True
    members_may_add = False
    members_may_delete = False
    list_display = ("name", "id", "timezone", "sending_paused", "connection")
    fields = ("id", "name", "timezone", "calendar_id", "sending_paused", "bot_settings_link", "workflow_secret")
    inlines = (MembershipInline,)
    search_fields = ("name", "id")
    actions = ("make_workflow_secret",)

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> tuple[str, ...]:
        # The calendar is picked from GHL's own list ("Change calendar"), never typed: a mistyped id fails only
        # when a lead tries to book.
        shown = ("calendar_id", "bot_settings_link", "workflow_secret")
        return ("id", *shown) if obj is not None else shown

    def get_urls(self) -> list[URLPattern]:
        page = self.admin_site.admin_view(partial(bot_settings_page, self.admin_site))
        return [path("<path:location_id>/bot-settings/", page, name="leads_location_bot_settings"), *super().get_urls()]

    @admin.display(description="bot settings")
    def bot_settings_link(self, location: Location) -> str:
        # Edited on their own page, where every value is checked before it is kept (console.bot_settings).
        if not location.pk:  # the add page: a location's id is its GHL id, empty until typed in
            return "Once the location is saved."
        return format_html('<a class="button" href="{}">Edit the bot settings</a>',
                           reverse("admin:leads_location_bot_settings", args=[location.pk]))

    @admin.display(description="workflow secret")
    def workflow_secret(self, location: Location) -> str:
        if location.workflow_secret_hash:
            return ("Set (only its hash is kept). To replace it, select this location in the list and run "
                    "\"Make a new workflow secret\".")
        if settings.GHL_WORKFLOW_WEBHOOK_SECRET and location.id == settings.GHL_LOCATION_ID:
            return "Not set: this install's GHL_WORKFLOW_WEBHOOK_SECRET is this location's (list action to make one)."
        return "Not set: GHL workflow posts for this location are refused until one is made (list action)."

    @admin.action(description="Make a new workflow secret (replaces the current one; shown once)")
    def make_workflow_secret(self, request: HttpRequest, queryset: QuerySet[Location]) -> HttpResponse | None:
        """The secret this location's GHL workflows send in X-Webhook-Secret. Only its hash is kept, so this page
        is the one chance to copy it; making another retires it."""
        locations = list(self.scope(request).filter_for_brokers(queryset, "")[:2])
        if len(locations) != 1:
            self.message_user(request, "Select exactly one location you run.", messages.ERROR)
            return None
        location = locations[0]
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "location": location,
                   "title": "New workflow secret",
                   "secret": broker_actions.make_workflow_secret(location, by=admin_actor(request)),
                   "webhook_url": request.build_absolute_uri(reverse("ghl-workflow-webhook"))}
        response = TemplateResponse(request, "admin/leads/location/workflow_secret.html", context)
        response["Cache-Control"] = "no-store"
        return response


@admin.register(WebhookEvent)
class WebhookEventAdmin(SuperuserOnlyAdmin):
    """GHL's deliveries as received, for whoever runs the install: the ones that failed say why."""

    list_display = ("received_at", "event_type", "location_id", "processed_at", "attempts", "error")
    list_filter = ("event_type", "source")
    ordering = ("-id",)
    show_full_result_count = False
    actions = ("retry_parked_events",)
    readonly_fields = ("webhook_id", "event_type", "location_id", "message_id", "source", "payload", "received_at",
                       "processed_at", "attempts", "error")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.action(description="Retry the selected parked events (failed too often, never applied)")
    def retry_parked_events(self, request: HttpRequest, queryset: QuerySet[WebhookEvent]) -> None:
        retried = broker_actions.retry_webhook_events(queryset.values_list("pk", flat=True), by=admin_actor(request))
        self.message_user(request, f"{retried} parked event(s) handed to the worker again.", messages.SUCCESS)
