"""What a broker asks the dashboard for in its URL: a date range (days start at midnight in the location's time
zone) and one of their locations, or all."""
from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# The date ranges a broker picks from, in days ending today; days start at midnight in the location's time zone.
RANGE_DAYS = {"today": 1, "7d": 7, "30d": 30, "90d": 90}
RANGE_LABELS = {"today": "Today", "7d": "Past 7 days", "30d": "Past 30 days", "90d": "Past 90 days",
                "custom": "Custom dates"}
DEFAULT_RANGE = "30d"
# The new-leads chart draws a bar a day: a custom range reaches a year at most, within these years.
LONGEST_CUSTOM_RANGE_DAYS = 366
EARLIEST_DAY, LATEST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
LOCATION_ID_LENGTH = 64


@dataclass(frozen=True)
class DashboardFilters:
    """What the broker asked the dashboard for in its URL: a date range, and one of their locations or all.

    Input that cannot be honoured is replaced by the default (the past 30 days, all my locations) and the reason
    kept in `problems`, in the broker's words; whether the location is one of theirs is checked by `dashboard`,
    which reads their locations anyway.
    """

    range: str = DEFAULT_RANGE
    first_day: dt.date | None = None  # a custom range only, both days included
    last_day: dt.date | None = None
    location_id: str | None = None
    problems: tuple[str, ...] = ()

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> DashboardFilters:
        """`?range=today|7d|30d|90d|custom&from=YYYY-MM-DD&to=YYYY-MM-DD&location=<GHL location id>`."""
        problems: list[str] = []
        location_id = (query.get("location") or "").strip() or None
        if location_id is not None and len(location_id) > LOCATION_ID_LENGTH:
            problems.append("That location is not one of yours: showing all your locations.")
            location_id = None
        from_text, to_text = (query.get("from") or "").strip(), (query.get("to") or "").strip()
        chosen = (query.get("range") or "").strip() or ("custom" if from_text or to_text else DEFAULT_RANGE)
        default = f"showing the {RANGE_LABELS[DEFAULT_RANGE].lower()}"
        if chosen in RANGE_DAYS:
            return cls(range=chosen, location_id=location_id, problems=tuple(problems))
        if chosen != "custom":
            problems.append(f"There is no date range called “{chosen[:20]}”: {default}.")
            return cls(location_id=location_id, problems=tuple(problems))
        try:
            first_day, last_day = _day(from_text, "start"), _day(to_text, "end")
        except ValueError as exc:
            problems.append(f"{exc}: {default}.")
            return cls(location_id=location_id, problems=tuple(problems))
        if first_day > last_day:
            problems.append(f"The start date ({first_day:%b %d, %Y}) is after the end date ({last_day:%b %d, %Y}): "
                            f"{default}.")
        elif (last_day - first_day).days >= LONGEST_CUSTOM_RANGE_DAYS:
            problems.append(f"A date range covers {LONGEST_CUSTOM_RANGE_DAYS} days at most: {default}.")
        else:
            return cls("custom", first_day, last_day, location_id, tuple(problems))
        return cls(location_id=location_id, problems=tuple(problems))

    def days(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """The first and last day shown, both included."""
        if self.range == "custom" and self.first_day and self.last_day:
            return self.first_day, self.last_day
        return today - dt.timedelta(days=RANGE_DAYS.get(self.range, RANGE_DAYS[DEFAULT_RANGE]) - 1), today


def _day(text: str, which: str) -> dt.date:
    if not text:
        raise ValueError(f"A custom range needs an {which} date" if which == "end" else
                         f"A custom range needs a {which} date")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"The {which} date “{text[:20]}” is not a date (year-month-day)") from None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(f"The {which} date {day.isoformat()} is out of range (years {EARLIEST_DAY.year} to "
                         f"{LATEST_DAY.year})") from None
    return day


def dashboard_timezone(names: Sequence[str]) -> zoneinfo.ZoneInfo | dt.timezone:
    """Days start at midnight where the brokerage is; with brokerages in several time zones, in UTC.

    The lead list's "came in" filter uses this too, so a tile and the list it opens count the same days.
    """
    distinct = set(names)
    if len(distinct) == 1:
        try:
            return zoneinfo.ZoneInfo(distinct.pop())
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return dt.UTC


def day_bounds(tz: dt.tzinfo, first_day: dt.date, last_day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The instants from midnight of the first day to midnight after the last, in `tz`."""
    return (dt.datetime.combine(first_day, dt.time.min, tzinfo=tz),
            dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
