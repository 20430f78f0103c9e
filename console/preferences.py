"""A console user's own preferences: the time zone they read times in."""
from __future__ import annotations

from typing import Any

from django import forms

from console.local_time import known_zone_names
from leads.models import UserPreferences


class UnknownTimeZone(ValueError):
    """A time zone name zoneinfo does not know: final, the same name fails every time."""


def choose_time_zone(user: Any, name: str) -> UserPreferences:
    """Keep the zone `user` reads times in; an empty name goes back to their location's. The row is made on the
    first choice."""
    name = name.strip()
    if name and name not in known_zone_names():
        raise UnknownTimeZone(
            f"“{name[:64]}” is not a time zone we know. Pick one from the list, written like America/Chicago, "
            "or leave it empty for your location's."
        )
    preferences, _ = UserPreferences.objects.update_or_create(user=user, defaults={"time_zone": name})
    return preferences


class TimeZoneForm(forms.Form):
    time_zone = forms.CharField(
        max_length=64, required=False, label="Show times in",
        help_text="An IANA time zone, e.g. America/Los_Angeles. Empty: your location's.",
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def save(self) -> UserPreferences | None:
        """The choice kept, or None with the reason on the form."""
        try:
            return choose_time_zone(self.user, self.cleaned_data["time_zone"])
        except UnknownTimeZone as exc:
            self.add_error("time_zone", str(exc))
            return None
