"""Connecting a location in headless Chromium, against the fake GHL: the installation's owner opens "Connect a
location" from the locations list, mistypes the token (told so, nothing kept, the box empty again), types it right,
picks the calendar the bot books into, and finds the location in the list."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from leads.models import Location
from tests.browser.conftest import Console
from tests.fakes.ghl import FakeGHL

LOCATION = "GammaRealtyLoc0001C"
TOKEN = "pit-gamma-3f9a-secret"


@pytest.fixture
def ghl(settings: Any) -> Iterator[FakeGHL]:
    settings.GHL_API_TOKEN = settings.GHL_LOCATION_ID = settings.GHL_CALENDAR_ID = ""
    with FakeGHL(api_token=TOKEN, location_id=LOCATION) as fake:
        fake.location_name = "Gamma Realty Denver"
        fake.location_timezone = "America/Denver"
        fake.calendars.extend([{"id": "cal_consults", "name": "Buyer consultations", "isActive": True},
                               {"id": "cal_listings", "name": "Listing appointments", "isActive": True}])
        settings.GHL_API_BASE_URL = fake.url
        yield fake


@pytest.mark.django_db(transaction=True)
def test_the_owner_connects_a_location_and_picks_its_calendar(
    live_server: Any, page: Any, console: Console, screenshot: Any, owner: Any, ghl: FakeGHL
) -> None:
    # given the owner signs in and opens the locations
    page.goto(f"{live_server.url}/admin/login/?next=/admin/leads/location/")
    page.fill("#id_username", "owner")
    page.fill("#id_password", "owner-password")
    page.click("input[type=submit]")
    page.click("#connect-location")

    # when they paste a token with a character missing
    page.fill("#id_location_id", LOCATION)
    page.fill("#id_token", TOKEN[:-1])
    with page.expect_navigation():
        page.click("#token-form input[type=submit]")

    # then GHL's refusal is on the form, nothing is kept, and the token is not filled back in
    assert "GHL refused this token" in page.inner_text("#connect-refused")
    assert page.input_value("#id_token") == "" and page.input_value("#id_location_id") == LOCATION
    assert not Location.objects.exists()

    # when they paste it whole
    page.fill("#id_token", TOKEN)
    with page.expect_navigation():
        page.click("#token-form input[type=submit]")

    # then the calendars GHL lists are offered, and they pick the consultations one
    assert "Gamma Realty Denver is connected" in page.inner_text(".messagelist")
    screenshot("connect-location-calendar")
    page.get_by_label("Buyer consultations").check()
    with page.expect_navigation():
        page.click("#calendar-form input[type=submit]")

    # and find the location in the list, connected, its calls booked into that calendar
    screenshot("connect-location-listed")
    assert "books its calls into the calendar you picked (cal_consults)" in page.inner_text(".messagelist")
    row = page.locator("#result_list tbody tr", has_text="Gamma Realty Denver")
    assert LOCATION in row.inner_text() and "Private Integration token" in row.inner_text()
    location = Location.objects.get(id=LOCATION)
    assert (location.api_token, location.calendar_id) == (TOKEN, "cal_consults")
    assert TOKEN not in page.content()
    assert console.errors == []
