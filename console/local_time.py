"""The time zone each console user reads times in, made current for their pages, and the lead's clock beside it.

A user's zone is the one they chose (leads.UserPreferences), else their first location's, else (an install's owner
with no location) the install's GHL location's, else settings.TIME_ZONE. It is worked out when they sign in and kept
in the cache (Redis) for ZONE_KEPT_SECONDS, forgotten when their choice, their memberships or a location of theirs
changes: building the query that reads it on every page cost the page a tenth of its Python calls (3,500 of 36,000
on the dashboard).
"""
from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from leads.models import Location, LocationMembership, UserPreferences


@functools.cache
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
    return with_time_zones(get_user_model()._default_manager.filter(pk=user.pk)).get()


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


# Kept until what decides it changes (their choice, their memberships, a location's zone: saved through the ORM,
# each a signal below); an hour at most, for what changes without one (a bulk update).
ZONE_KEPT_SECONDS = 3600


def _kept_key(user_id: Any) -> str:
    # The settings a zone may fall back to are part of the key: a change to them is a new key.
    return f"jorgebot:time-zone:{settings.GHL_LOCATION_ID}:{settings.TIME_ZONE}:{user_id}"


def kept_zone(user: Any) -> zoneinfo.ZoneInfo:
    """The user's zone from the cache; worked out (one query) and kept when it is not there."""
    zone = zone_named(cache.get(_kept_key(user.pk)))
    if zone is None:
        zone = zone_of(user)
        cache.set(_kept_key(user.pk), zone.key, ZONE_KEPT_SECONDS)
    return zone


def keep_zones_of(user_ids: Iterable[Any]) -> None:
    """Work out again, in one query, the zones of users whose choice or locations changed, and keep them: the
    saving pays for it, not their next page."""
    users = with_time_zones(get_user_model()._default_manager.filter(pk__in=list(user_ids)))
    cache.set_many({_kept_key(user.pk): zone_of(user).key for user in users}, ZONE_KEPT_SECONDS)


@receiver(user_logged_in, dispatch_uid="console.local_time.keep_zone_at_sign_in")
def _keep_zone_at_sign_in(sender: Any, user: Any, **_: Any) -> None:
    keep_zones_of([user.pk])


@receiver([post_save, post_delete], sender=UserPreferences, dispatch_uid="console.local_time.preferences_changed")
@receiver([post_save, post_delete], sender=LocationMembership, dispatch_uid="console.local_time.membership_changed")
def _keep_zone_of_user(sender: Any, instance: Any, **_: Any) -> None:
    keep_zones_of([instance.user_id])


@receiver(post_save, sender=Location, dispatch_uid="console.local_time.location_saved")
def _keep_zones_of_members(sender: Any, instance: Location, **_: Any) -> None:
    members = instance.memberships.values_list("user_id", flat=True)
    if instance.pk == settings.GHL_LOCATION_ID:
        # The install's own location is also the zone of those who belong to none (its owner).
        members = members.union(
            get_user_model()._default_manager.filter(location_memberships__isnull=True).values_list("pk", flat=True)
        )
    keep_zones_of(members)


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
            timezone.activate(kept_zone(request.user))


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
