"""The lead's local time: which time zone and state a lead is in, and when the bot may start a text there.

Quiet hours are the law where the lead is, not where the brokerage is: the TCPA allows calls and texts the
bot starts itself between 8:00 and 21:00 at the called party's location, and Florida, Oklahoma and Washington
end the day at 20:00. The time zone comes from the contact (GHL's), else from the phone's area code or the
lead's ZIP, else the location's. The tables are data in bots/data/, read once; no network.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bots.config import BotConfig
from leads.models import Contact, Location

DATA_DIR = Path(__file__).resolve().parent / "data"
# +1 NXX NXX XXXX: a North American number; the area code never starts with 0 or 1.
_NANP = re.compile(r"^(?:\+?1)?([2-9]\d{2})[2-9]\d{6}$")
_ZIP = re.compile(r"^(\d{3})\d{2}(?:-?\d{4})?$")


@dataclass(frozen=True)
class Region:
    """Where a table row puts a number or a ZIP: a two-letter state (or province) and its time zone."""

    state: str
    zone: str


@dataclass(frozen=True)
class LeadLocale:
    """The lead's time zone (and which source gave it), and every state we have evidence the lead is in."""

    zone: ZoneInfo
    zone_source: str  # "contact", "area code", "ZIP" or "location"
    states: frozenset[str]


@dataclass(frozen=True)
class SendingWindow:
    """Hours of the lead's local day when the bot may start a text: [start_hour, end_hour)."""

    start_hour: int
    end_hour: int

    def describe(self) -> str:
        return f"{self.start_hour}:00 to {self.end_hour}:00"


def locale_of(contact: Contact, location: Location) -> LeadLocale:
    area = region_of_phone(contact.phone)
    zip_region = region_of_zip(contact.postal_code)
    states = frozenset(region.state for region in (area, zip_region) if region is not None)
    for source, name in (("contact", contact.timezone), ("area code", area and area.zone),
                         ("ZIP", zip_region and zip_region.zone), ("location", location.timezone)):
        zone = _zone(name or "")
        if zone is not None:
            return LeadLocale(zone, source, states)
    return LeadLocale(ZoneInfo("UTC"), "none", states)


def sending_window(locale: LeadLocale, config: BotConfig) -> SendingWindow:
    """The strictest window of every state the lead may be in: a Florida area code with a Texas ZIP ends at 20:00."""
    early = any(state in config.early_end_states for state in locale.states)
    end = min(config.sending_window_end_hour, config.early_end_hour) if early else config.sending_window_end_hour
    return SendingWindow(config.sending_window_start_hour, end)


def is_within_window(now: dt.datetime, locale: LeadLocale, window: SendingWindow) -> bool:
    local = now.astimezone(locale.zone)
    return window.start_hour <= local.hour < window.end_hour


def next_window_start(now: dt.datetime, locale: LeadLocale, window: SendingWindow) -> dt.datetime:
    """`now` when it is inside the window, else the next opening: today's start before it, tomorrow's after it."""
    if is_within_window(now, locale, window):
        return now
    local = now.astimezone(locale.zone)
    day = local.date() if local.hour < window.start_hour else local.date() + dt.timedelta(days=1)
    # 8:00 never falls in a DST gap (US and Canadian clocks change at 2:00), so this is a real instant.
    return dt.datetime.combine(day, dt.time(window.start_hour), tzinfo=locale.zone)


def local_day_start(now: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """Midnight of the lead's current day, as an aware instant: the daily cap counts from here."""
    return dt.datetime.combine(now.astimezone(zone).date(), dt.time(0), tzinfo=zone)


def region_of_phone(phone: str) -> Region | None:
    digits = re.sub(r"[^\d+]", "", phone or "")
    match = _NANP.match(digits)
    return _area_codes().get(match.group(1)) if match else None


def region_of_zip(postal_code: str) -> Region | None:
    match = _ZIP.match((postal_code or "").strip())
    if not match:
        return None
    prefix = int(match.group(1))
    for first, last, region in _zip_ranges():
        if first <= prefix <= last:
            return region
    return None


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _rows(filename: str) -> Iterator[dict[str, str]]:
    with (DATA_DIR / filename).open(newline="") as handle:
        yield from csv.DictReader(line for line in handle if not line.startswith("#"))


@cache
def _area_codes() -> dict[str, Region]:
    return {row["area_code"]: Region(row["region"], row["time_zone"]) for row in _rows("area_codes.csv")}


@cache
def _zip_ranges() -> tuple[tuple[int, int, Region], ...]:
    return tuple((int(row["first"]), int(row["last"]), Region(row["state"], row["time_zone"]))
                 for row in _rows("zip_prefixes.csv"))
