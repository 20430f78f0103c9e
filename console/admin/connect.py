"""Connecting GHL locations from the admin: "Connect a location", a location's "Replace token" and "Change
calendar" pages, and what the locations list and page say about each location's connection.

Every check and every write is leads.connections'; these pages ask it and show its answers. A token is typed into
a password box and never sent back: not on a refusal, not on success, not in an error report.
"""
from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import formats, timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.debug import sensitive_post_parameters

from console import audit_trail
from console.admin.base import LocationScopedAdmin
from leads.connections import (
    CannotConnect,
    choose_calendar,
    connect_location,
    location_calendars,
    marketplace_app_enabled,
    replace_token,
)
from leads.ghl.client import GHLCalendar
from leads.models import Location, TokenSource

# Out of Django's error reports (the 500 email, the debug page): the one field a token is typed into.
_keeps_token_out_of_error_reports = method_decorator(sensitive_post_parameters("token"))


def _token_field() -> forms.CharField:
    return forms.CharField(
        label="Private Integration token",
        max_length=2000,
        # Never rendered back (render_value=False), and not offered for a browser's saved passwords.
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
        help_text="In GHL: Settings, Private Integrations, with the contacts, conversations, calendars and "
                  "location scopes. GHL is asked before anything is kept; the token is never shown again.",
    )


class ConnectLocationForm(forms.Form):
    location_id = forms.CharField(
        label="GHL location id", max_length=64, help_text="In GHL: Settings, Business Profile (Location ID)."
    )
    token = _token_field()
    name = forms.CharField(label="Name", max_length=200, required=False,
                           help_text="Empty: the location's name in GHL.")


class ReplaceTokenForm(forms.Form):
    token = _token_field()


def reconnect_warning(location: Location) -> str:
    """What a location whose marketplace access GHL refused to renew shows on the list and its page; "" if none."""
    if location.reconnect_needed_since is None:
        return ""
    when = formats.date_format(timezone.localtime(location.reconnect_needed_since), "DATETIME_FORMAT")
    return f"GHL refused to renew access on {when}: install the app again."


class LocationConnectionsAdmin(LocationScopedAdmin):
    """The locations admin's connection pages; LocationAdmin builds on it."""

    change_list_template = "admin/leads/location/change_list.html"
    change_form_template = "admin/leads/location/change_form.html"

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("connect/", view(self.connect_view), name="leads_location_connect"),
            path("<path:object_id>/token/", view(self.replace_token_view), name="leads_location_replace_token"),
            path("<path:object_id>/calendar/", view(self.calendar_view), name="leads_location_calendar"),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        owner = self.scope(request).everything
        context = {"may_connect": self.scope(request).is_broker_anywhere,
                   "marketplace_install": owner and marketplace_app_enabled(),
                   **(extra_context or {})}
        return super().changelist_view(request, context)

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], add: bool = False, change: bool = False,
        form_url: str = "", obj: Location | None = None,
    ) -> HttpResponse:
        context["reconnect_warning"] = reconnect_warning(obj) if obj is not None else ""
        context["marketplace_install"] = self.scope(request).everything and marketplace_app_enabled()
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="connection")
    def connection(self, location: Location) -> str:
        warning = reconnect_warning(location)
        if warning:
            return format_html('<strong class="reconnect-needed">{}</strong>', warning)
        if settings.GHL_API_TOKEN and location.id == settings.GHL_LOCATION_ID:
            return "This installation's GHL_API_TOKEN"
        if not location.api_token:
            return "Not connected: no GHL token"
        if location.token_source == TokenSource.MARKETPLACE_APP:
            return "GHL marketplace app"
        return "Private Integration token"

    # -- the pages -----------------------------------------------------------------------------------------------

    @_keeps_token_out_of_error_reports
    def connect_view(self, request: HttpRequest) -> HttpResponse:
        """A new location, checked with GHL before it is kept; then its calendar is picked. The owner of the
        installation, or a broker, who becomes the new location's broker: holding a GHL token of the location is
        the proof of running it. Agents work leads and connect nothing."""
        scope = self.scope(request)
        if not scope.is_broker_anywhere:
            raise PermissionDenied
        form = ConnectLocationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                connected = connect_location(
                    form.cleaned_data["location_id"], form.cleaned_data["token"], form.cleaned_data["name"],
                    broker=None if scope.everything else audit_trail.signed_in_user(request),
                )
            except CannotConnect as refusal:
                form.add_error(None, refusal.message)
            else:
                audit_trail.record_save(audit_trail.admin_actor(request), connected.location, added=True,
                                        location_id=connected.location.pk)
                self.message_user(request, f"{connected.location} is connected: GHL accepted the token. Pick the "
                                           "calendar its calls are booked into.", messages.SUCCESS)
                # The calendars GHL just listed: the picker needs no second call.
                return self._calendar_page(request, connected.location, connected.calendars)
        return self._page(request, "admin/leads/location/token_form.html", "Connect a location", form=form)

    @_keeps_token_out_of_error_reports
    def replace_token_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """A new token for a location, checked as a new connection is; on a refusal the old one stays."""
        location = self._location_run_by(request, object_id)
        form = ReplaceTokenForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            audit_trail.remember_stored_values(location)
            try:
                connected = replace_token(location, form.cleaned_data["token"])
            except CannotConnect as refusal:
                form.add_error(None, refusal.message)
            else:
                # After GHL's answer, not in one transaction with it: the check is a call to GHL.
                audit_trail.record_save(audit_trail.admin_actor(request), location, added=False,
                                        location_id=location.pk)
                self.message_user(request, f"{location}'s new token is kept: GHL accepted it.", messages.SUCCESS)
                if location.calendar_id and location.calendar_id not in {c.id for c in connected.calendars}:
                    self.message_user(request, f"The booking calendar {location.calendar_id} is not one of this "
                                               "location's calendars in GHL: change the calendar.", messages.WARNING)
                return HttpResponseRedirect(reverse("admin:leads_location_change", args=[location.pk]))
        return self._page(request, "admin/leads/location/token_form.html", f"Replace the token of {location}",
                          form=form, location=location,
                          # GHL_API_TOKEN wins for its location (leads.connections.token_for_calls).
                          install_token_wins=bool(settings.GHL_API_TOKEN) and location.id == settings.GHL_LOCATION_ID)

    def calendar_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Pick, from GHL's list, the calendar the location's calls are booked into."""
        location = self._location_run_by(request, object_id)
        refusal = ""
        if request.method == "POST":
            audit_trail.remember_stored_values(location)
            try:
                choose_calendar(location, request.POST.get("calendar", ""))
            except CannotConnect as error:
                refusal = error.message
            else:
                audit_trail.record_save(audit_trail.admin_actor(request), location, added=False,
                                        location_id=location.pk)
                chosen = (f"its calls into the calendar you picked ({location.calendar_id})" if location.calendar_id
                          else "no calls: no calendar is picked")
                self.message_user(request, f"{location} books {chosen}.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:leads_location_changelist"))
        try:
            calendars = location_calendars(location)
        except CannotConnect as error:
            return self._page(request, "admin/leads/location/calendar.html", f"The calendar of {location}",
                              location=location, refusal=refusal, unavailable=error.message)
        return self._calendar_page(request, location, calendars, refusal)

    # -- helpers -------------------------------------------------------------------------------------------------

    def _location_run_by(self, request: HttpRequest, object_id: str) -> Location:
        """The location, if this user runs it. Outside their locations it does not exist for them (404, as in the
        rest of the admin); an agent of it may look but not change its connection (403)."""
        scope = self.scope(request)
        location = scope.filter(Location.objects.all(), "").filter(pk=unquote(object_id)).first()
        if location is None:
            raise Http404("No such location")
        if not scope.is_broker_of(location.pk):
            raise PermissionDenied
        return location

    def _calendar_page(
        self, request: HttpRequest, location: Location, calendars: list[GHLCalendar], refusal: str = ""
    ) -> HttpResponse:
        return self._page(request, "admin/leads/location/calendar.html", f"The calendar of {location}",
                          location=location, calendars=calendars, refusal=refusal,
                          listed=location.calendar_id in {c.id for c in calendars},
                          # bots.booking books into it when the location has none.
                          install_calendar=settings.GHL_CALENDAR_ID)

    def _page(self, request: HttpRequest, template: str, title: str, **context: Any) -> HttpResponse:
        return TemplateResponse(request, template, {**self.admin_site.each_context(request), "opts": self.model._meta,
                                                    "title": title, **context})
