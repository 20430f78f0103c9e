"""Who sees which location: the one place the admin and the API ask before showing or changing anything.

A superuser sees every location. Anyone else sees the locations they hold a `LocationMembership` in,
as a broker or an agent, and nothing of the others: not even that a lead there exists.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Model, QuerySet

from leads.models import LocationMembership, MemberRole

M = TypeVar("M", bound=Model)

_CACHE_ATTRIBUTE = "_jorgebot_location_scope"


@dataclass(frozen=True)
class LocationScope:
    """The locations one user may see, and their role in each. Built once per request (see `scope_of`)."""

    everything: bool
    roles: dict[str, str]

    @property
    def location_ids(self) -> list[str]:
        return sorted(self.roles)

    @property
    def is_member_anywhere(self) -> bool:
        return self.everything or bool(self.roles)

    @property
    def is_broker_anywhere(self) -> bool:
        return self.everything or MemberRole.BROKER in self.roles.values()

    def can_see(self, location_id: str | None) -> bool:
        return self.everything or (location_id is not None and location_id in self.roles)

    def is_broker_of(self, location_id: str | None) -> bool:
        return self.everything or (location_id is not None and self.roles.get(location_id) == MemberRole.BROKER)

    def broker_location_ids(self) -> list[str]:
        return sorted(location for location, role in self.roles.items() if role == MemberRole.BROKER)

    def filter(self, queryset: QuerySet[M], location_field: str = "location") -> QuerySet[M]:
        """Only the rows of the locations this user may see; `location_field` is the path to the Location
        ("" when the rows are locations)."""
        if self.everything:
            return queryset
        return queryset.filter(**{_lookup(location_field): self.location_ids})

    def filter_for_brokers(self, queryset: QuerySet[M], location_field: str = "location") -> QuerySet[M]:
        if self.everything:
            return queryset
        return queryset.filter(**{_lookup(location_field): self.broker_location_ids()})


def _lookup(location_field: str) -> str:
    return f"{location_field}_id__in" if location_field else "pk__in"


NOBODY = LocationScope(everything=False, roles={})


def scope_of(user: AbstractBaseUser | AnonymousUser | Any) -> LocationScope:
    """The user's scope, read once and kept on the user object (which lives as long as the request)."""
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    scope = _read_scope(user)
    try:
        setattr(user, _CACHE_ATTRIBUTE, scope)
    except AttributeError:  # AnonymousUser allows attributes; a frozen stand-in might not
        pass
    return scope


def _read_scope(user: Any) -> LocationScope:
    if user is None or not user.is_authenticated or not user.is_active:
        return NOBODY
    if user.is_superuser:
        return LocationScope(everything=True, roles={})
    memberships: Iterable[tuple[str, str]] = LocationMembership.objects.filter(user=user).values_list(
        "location_id", "role"
    )
    return LocationScope(everything=False, roles=dict(memberships))


def location_id_of(obj: Model, location_field: str) -> str | None:
    """The id of the location an object belongs to, following `location_field` (`"location"`,
    `"contact__location"`); with no field, the object is a location itself. None when the path ends empty."""
    if not location_field:
        return str(obj.pk)
    target: Any = obj
    for part in location_field.split("__"):
        target = getattr(target, part, None)
    return None if target is None else str(target.pk)
