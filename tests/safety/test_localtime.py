"""The lead's local time: area code and ZIP tables, which source wins, and the sending window's math."""
from __future__ import annotations

import csv
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bots import localtime
from bots.config import BotConfig
from leads.models import Contact, Location
from tests.safety.conftest import at

CONFIG = BotConfig()


def locale(phone: str = "", postal_code: str = "", contact_zone: str = "", location_zone: str = "America/Chicago"
           ) -> localtime.LeadLocale:
    contact = Contact(phone=phone, postal_code=postal_code, timezone=contact_zone)
    return localtime.locale_of(contact, Location(timezone=location_zone))


@pytest.mark.parametrize(("phone", "state", "zone"), [
    ("+15125550143", "TX", "America/Chicago"),
    ("+13055550100", "FL", "America/New_York"),
    ("+18505550100", "FL", "America/Chicago"),  # Pensacola keeps Central time
    ("+12065550100", "WA", "America/Los_Angeles"),
    ("+14055550100", "OK", "America/Chicago"),
    ("+16025550100", "AZ", "America/Phoenix"),
    ("+19155550100", "TX", "America/Denver"),  # El Paso
    ("(909) 555-0101", "CA", "America/Los_Angeles"),
    ("9095550101", "CA", "America/Los_Angeles"),
    ("+18085550100", "HI", "Pacific/Honolulu"),
    ("+14165550100", "ON", "America/Toronto"),
])
def test_an_area_code_names_the_state_and_time_zone(phone: str, state: str, zone: str) -> None:
    assert localtime.region_of_phone(phone) == localtime.Region(state, zone)


@pytest.mark.parametrize("phone", ["", "+442071234567", "+1555", "+11235550100", "not a phone"])
def test_a_number_outside_north_america_or_malformed_has_no_region(phone: str) -> None:
    assert localtime.region_of_phone(phone) is None


@pytest.mark.parametrize(("postal_code", "state", "zone"), [
    ("33101", "FL", "America/New_York"),
    ("32501", "FL", "America/Chicago"),
    ("98101-1234", "WA", "America/Los_Angeles"),
    ("73301", "TX", "America/Chicago"),
    ("79901", "TX", "America/Denver"),
    ("91730", "CA", "America/Los_Angeles"),
    ("74103", "OK", "America/Chicago"),
    ("99501", "AK", "America/Anchorage"),
])
def test_a_zip_names_the_state_and_time_zone(postal_code: str, state: str, zone: str) -> None:
    assert localtime.region_of_zip(postal_code) == localtime.Region(state, zone)


@pytest.mark.parametrize("postal_code", ["", "1234", "ABCDE", "09012"])  # 090 is a military (AE) prefix
def test_an_unknown_zip_has_no_region(postal_code: str) -> None:
    assert localtime.region_of_zip(postal_code) is None


def test_every_zone_in_the_tables_is_a_real_time_zone_and_no_area_code_appears_twice() -> None:
    codes: list[str] = []
    for name, code_column in (("area_codes.csv", "area_code"), ("zip_prefixes.csv", None)):
        with (localtime.DATA_DIR / name).open() as handle:
            for row in csv.DictReader(line for line in handle if not line.startswith("#")):
                ZoneInfo(row["time_zone"])
                if code_column:
                    codes.append(row[code_column])
    assert len(codes) == len(set(codes)) > 400


def test_the_contacts_own_time_zone_wins_then_the_area_code_then_the_zip_then_the_location() -> None:
    assert locale("+13055550100", "98101", "America/Denver").zone.key == "America/Denver"
    assert locale("+13055550100", "98101").zone.key == "America/New_York"
    assert locale("", "98101").zone.key == "America/Los_Angeles"
    assert locale("", "").zone_source == "location"
    assert locale("", "", "Not/AZone").zone.key == "America/Chicago"


@pytest.mark.parametrize(("phone", "postal_code", "end_hour"), [
    ("+13055550100", "", 20),  # Florida
    ("+14055550100", "", 20),  # Oklahoma
    ("+12065550100", "", 20),  # Washington
    ("+15125550143", "33101", 20),  # a Texas number living in Florida
    ("+15125550143", "", 21),
    ("", "", 21),
])
def test_florida_oklahoma_and_washington_end_the_day_at_eight(phone: str, postal_code: str, end_hour: int) -> None:
    assert localtime.sending_window(locale(phone, postal_code), CONFIG) == localtime.SendingWindow(8, end_hour)


def test_a_time_inside_the_window_opens_at_once() -> None:
    lead = locale("+15125550143")
    noon = at("America/Chicago", 2026, 6, 10, 12)
    assert localtime.next_window_start(noon, lead, localtime.sending_window(lead, CONFIG)) == noon


def test_late_evening_waits_for_eight_the_next_morning_in_the_leads_zone() -> None:
    lead = locale("+13055550100")  # Miami, from a Chicago brokerage
    ten_pm = at("America/New_York", 2026, 6, 10, 22)
    opens = localtime.next_window_start(ten_pm, lead, localtime.sending_window(lead, CONFIG))
    assert opens == at("America/New_York", 2026, 6, 11, 8)


def test_early_morning_waits_for_eight_the_same_day() -> None:
    lead = locale("+12065550100")
    six_am = at("America/Los_Angeles", 2026, 6, 10, 6, 30)
    opens = localtime.next_window_start(six_am, lead, localtime.sending_window(lead, CONFIG))
    assert opens == at("America/Los_Angeles", 2026, 6, 10, 8)


def test_eight_thirty_pm_is_closed_in_florida_and_open_in_texas() -> None:
    half_past_eight = at("America/Chicago", 2026, 6, 10, 20, 30)
    florida_panhandle, texas = locale("+18505550100"), locale("+15125550143")
    assert not localtime.is_within_window(half_past_eight, florida_panhandle,
                                          localtime.sending_window(florida_panhandle, CONFIG))
    assert localtime.is_within_window(half_past_eight, texas, localtime.sending_window(texas, CONFIG))


def test_the_window_opens_at_eight_local_on_the_morning_clocks_spring_forward() -> None:
    lead = locale("+15125550143")
    saturday_night = at("America/Chicago", 2026, 3, 7, 23)  # DST starts at 2:00 on Sunday March 8
    opens = localtime.next_window_start(saturday_night, lead, localtime.sending_window(lead, CONFIG))
    assert opens.astimezone(ZoneInfo("America/Chicago")).hour == 8
    assert opens.astimezone(dt.UTC) == dt.datetime(2026, 3, 8, 13, tzinfo=dt.UTC)


def test_the_local_day_starts_at_the_leads_midnight() -> None:
    late_utc = dt.datetime(2026, 6, 11, 3, tzinfo=dt.UTC)  # still June 10 in Los Angeles
    start = localtime.local_day_start(late_utc, ZoneInfo("America/Los_Angeles"))
    assert start == at("America/Los_Angeles", 2026, 6, 10, 0)
