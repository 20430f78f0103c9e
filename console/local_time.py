"""The time zone each console user reads times in, made current for their pages, and the lead's clock beside it.

A user's zone is the one they chose (leads.UserPreferences), else their first location's, else (an install's owner
with no location) the install's GHL location's, else settings.TIME_ZONE. The names it is decided from are read with
the user, in the query that signs every request in (console.auth): no page pays a query for its time zone.
"""
from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from leads.models import Location, LocationMembership, UserPreferences


@cache
def known_zone_names() -> frozenset[str]:
    """Every IANA name this machine's zoneinfo knows ("America/Chicago", "UTC"); read from disk once."""
    return frozenset(zoneinfo.available_timezones())


def zone_named(name: str | None) -> zoneinfo.ZoneInfo | None:
    return zoneinfo.ZoneInfo(name) if name and name in known_zone_names() else None


def with_time_zones(users: QuerySet[Any]) -> QuerySet[Any]:
    """The users, each with the names their zone is decided from, in the same query."""
    first_location = (
        LocationMembership.objects.filter(user=OuterRef("pk")).order_by("created_at", "pk").values("location__timezone")
    )
    return users.annotate(
        chosen_time_zone=Subquery(UserPreferences.objects.filter(user=OuterRef("pk")).values("time_zone")[:1]),
        first_location_time_zone=Subquery(first_location[:1]),
        install_time_zone=Subquery(Location.objects.filter(pk=settings.GHL_LOCATION_ID).values("timezone")[:1]),
    )


def _zone_names(user: Any) -> Any:
    if hasattr(user, "first_location_time_zone"):
        return user
    # A user read some other way than console.auth's sign-in (a script, a test's own object): one query.
    return with_time_zones(type(user)._default_manager.filter(pk=user.pk)).get()


def default_zone_of(user: Any) -> zoneinfo.ZoneInfo:
    """The zone a user reads times in until they choose one: their location's (the first they joined)."""
    names = _zone_names(user)
    for name in (names.first_location_time_zone, names.install_time_zone, settings.TIME_ZONE):
        zone = zone_named(name)
        if zone is not None:
            return zone
    return zoneinfo.ZoneInfo("UTC")


def chosen_zone_name(user: Any) -> str:
    """The zone the user chose, "" when they left it to their location."""
    return _zone_names(user).chosen_time_zone or ""


def zone_of(user: Any) -> zoneinfo.ZoneInfo:
    """The zone a user reads times in: their choice, else their location's."""
    return zone_named(_zone_names(user).chosen_time_zone) or default_zone_of(user)


class LocalTimeMiddleware:
    """Makes the signed-in user's zone the current one on the console's pages, so every time there (Django's own
    fields, the lead list, the lead's page) reads in it. The API keeps UTC: its times are ISO 8601 with offsets,
    the same whoever asks and however they sign in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            # The zone is per thread: the next request on it starts from UTC again.
            timezone.deactivate()

    def process_view(self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any) -> None:
        match = request.resolver_match
        if match is not None and admin.site.name in match.namespaces and request.user.is_authenticated:
            timezone.activate(zone_of(request.user))


def clock_text(local: dt.datetime) -> str:
    """"8:05 PM": a US broker's clock."""
    return f"{local:%I:%M %p}".lstrip("0")


def moment_text(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """"Dec 7, 8:05 PM PST": a time with its day and the zone's abbreviation, so nobody wonders whose clock."""
    local = moment.astimezone(zone)
    return f"{local:%b} {local.day}, {clock_text(local)} {local:%Z}"


def lead_time_text(moment: dt.datetime, lead_zone: dt.tzinfo, reader_zone: dt.tzinfo) -> str | None:
    """"8:05 PM the lead's time" when the lead's clock reads otherwise than the reader's at that moment (with the
    day when it is another day there); None when both clocks read the same."""
    theirs, mine = moment.astimezone(lead_zone), moment.astimezone(reader_zone)
    if theirs.utcoffset() == mine.utcoffset():
        return None
    day = "" if theirs.date() == mine.date() else f"{theirs:%b} {theirs.day}, "
    return f"{day}{clock_text(theirs)} the lead's time"
