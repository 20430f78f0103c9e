"""Who hears of an event: the active subscriptions to it whose person may still see the location."""
from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from alerts.models import Subscription
from leads.models import Location, LocationMembership


def subscriptions_for(event: str, location: Location | None) -> QuerySet[Subscription]:
    """A location's event goes to its subscriptions and the install-wide ones; an install-wide event (the nightly
    run, Claude's account) to every subscription to it. A person who left the location (no membership, or a
    deactivated account) hears nothing more of it: the lead's name is theirs no longer."""
    subscriptions = Subscription.objects.filter(active=True, events__contains=[event]).select_related("user")
    if location is not None:
        subscriptions = subscriptions.filter(Q(location=location) | Q(location__isnull=True))
        member = LocationMembership.objects.filter(user=OuterRef("user"), location=location)
    else:
        member = LocationMembership.objects.filter(user=OuterRef("user"), location=OuterRef("location"))
    still_there = Q(user__isnull=True) | Q(user__is_active=True) & (Q(user__is_superuser=True) | Exists(member))
    return subscriptions.filter(still_there).order_by("id")
