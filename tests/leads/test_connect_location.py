"""Connecting a location with a Private Integration token, checked against the fake GHL before anything is kept;
picking its calendar; and GHL_API_TOKEN, the single-location shortcut, honoured when it changes."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from leads.connections import (
    AlreadyConnected,
    CalendarsNotReadable,
    GHLUnavailable,
    MissingDetails,
    NotConnected,
    TokenRefused,
    UnknownCalendar,
    WrongLocation,
    choose_calendar,
    connect_location,
    location_calendars,
    replace_token,
)
from leads.ghl.connect import ghl_client_for
from leads.models import Location, TokenSource
from tests.fakes.ghl import FakeGHL

LOCATION = "AlphaRealtyLoc00001A"
TOKEN = "pit-alpha-7c1e-secret"
CALENDARS = [
    {"id": "cal_consults", "name": "Buyer consultations", "isActive": True},
    {"id": "cal_listings", "name": "Listing appointments", "isActive": False},
]


@pytest.fixture
def ghl(db: None, settings: Any) -> Iterator[FakeGHL]:
    """GHL as a broker's location sees it: one location, one good token, two calendars."""
    with FakeGHL(api_token=TOKEN, location_id=LOCATION) as fake:
        fake.location_name = "Alpha Realty Austin"
        fake.location_timezone = "America/Chicago"
        fake.calendars.extend(CALENDARS)
        settings.GHL_API_BASE_URL = fake.url
        yield fake


def test_a_broker_connects_a_location_and_is_offered_its_calendars(ghl: FakeGHL) -> None:
    connected = connect_location(f" {LOCATION} ", f"{TOKEN}\n")

    location = Location.objects.get(id=LOCATION)
    assert (location.name, location.timezone, location.api_token, location.token_source) == (
        "Alpha Realty Austin", "America/Chicago", TOKEN, TokenSource.PRIVATE_INTEGRATION
    )
    assert connected.location == location
    assert [(c.id, c.name, c.is_active) for c in connected.calendars] == [
        ("cal_consults", "Buyer consultations", True), ("cal_listings", "Listing appointments", False)
    ]
    # The fake refuses a call without the right Version header, so both calls answering proves them.
    assert [(c.method, c.path, c.headers["authorization"]) for c in ghl.calls] == [
        ("GET", f"/locations/{LOCATION}", f"Bearer {TOKEN}"), ("GET", "/calendars/", f"Bearer {TOKEN}")
    ]


def test_the_name_a_broker_gives_wins_over_ghls(ghl: FakeGHL) -> None:
    connect_location(LOCATION, TOKEN, name="Alpha (Austin team)")

    assert Location.objects.get(id=LOCATION).name == "Alpha (Austin team)"


def test_a_token_ghl_refuses_saves_nothing(ghl: FakeGHL) -> None:
    with pytest.raises(TokenRefused, match="GHL refused this token") as refused:
        connect_location(LOCATION, "pit-typo")

    assert not refused.value.retryable
    assert not Location.objects.exists()


@pytest.mark.parametrize("status", [403, 404, 422])
def test_a_token_for_another_location_saves_nothing(ghl: FakeGHL, status: int) -> None:
    ghl.fail_next(status, path_prefix="/locations/")

    with pytest.raises(WrongLocation, match=f"does not open location {LOCATION}"):
        connect_location(LOCATION, TOKEN)

    assert not Location.objects.exists()


def test_a_location_id_the_token_does_not_open_saves_nothing(ghl: FakeGHL) -> None:
    with pytest.raises(WrongLocation, match="does not open location BetaHomesLoc0000001B"):
        connect_location("BetaHomesLoc0000001B", TOKEN)

    assert not Location.objects.exists()


def test_ghl_down_saves_nothing_and_says_to_try_again(ghl: FakeGHL, settings: Any) -> None:
    settings.GHL_MAX_ATTEMPTS = 2
    ghl.fail_next(503, times=2)

    with pytest.raises(GHLUnavailable, match="Try again in a minute") as unavailable:
        connect_location(LOCATION, TOKEN)

    assert unavailable.value.retryable
    assert not Location.objects.exists()


def test_a_token_that_may_not_read_calendars_saves_nothing(ghl: FakeGHL) -> None:
    ghl.fail_next(401, path_prefix="/calendars/")

    with pytest.raises(CalendarsNotReadable, match="calendar scopes"):
        connect_location(LOCATION, TOKEN)

    assert not Location.objects.exists()


@pytest.mark.parametrize(("location_id", "token"), [("", TOKEN), (LOCATION, "  ")])
def test_a_missing_id_or_token_is_refused_before_asking_ghl(ghl: FakeGHL, location_id: str, token: str) -> None:
    with pytest.raises(MissingDetails):
        connect_location(location_id, token)

    assert ghl.calls == []


def test_a_connected_location_is_not_connected_twice(ghl: FakeGHL) -> None:
    Location.objects.create(id=LOCATION, name="Alpha", api_token="pit-current")

    with pytest.raises(AlreadyConnected, match="replace its token"):
        connect_location(LOCATION, TOKEN)

    assert Location.objects.get(id=LOCATION).api_token == "pit-current"
    assert ghl.calls == []


def test_replacing_a_token_keeps_the_old_one_when_ghl_refuses_the_new(ghl: FakeGHL) -> None:
    location = Location.objects.create(id=LOCATION, name="Alpha", api_token=TOKEN)

    with pytest.raises(TokenRefused):
        replace_token(location, "pit-revoked")

    assert Location.objects.get(id=LOCATION).api_token == TOKEN


def test_replacing_a_token_moves_an_app_location_to_the_new_token(ghl: FakeGHL) -> None:
    from django.utils import timezone

    location = Location.objects.create(
        id=LOCATION, name="Alpha", api_token="at_old", refresh_token="rt_old", token_expires_at=timezone.now(),
        token_source=TokenSource.MARKETPLACE_APP, reconnect_needed_since=timezone.now(),
    )

    connected = replace_token(location, TOKEN)

    stored = Location.objects.get(id=LOCATION)
    assert (stored.api_token, stored.token_source, stored.refresh_token) == (TOKEN, TokenSource.PRIVATE_INTEGRATION, "")
    assert stored.token_expires_at is None and stored.reconnect_needed_since is None
    assert [c.id for c in connected.calendars] == ["cal_consults", "cal_listings"]


def test_a_broker_picks_one_of_the_locations_calendars(ghl: FakeGHL) -> None:
    location = Location.objects.create(id=LOCATION, name="Alpha", api_token=TOKEN)

    choose_calendar(location, "cal_consults")

    assert Location.objects.get(id=LOCATION).calendar_id == "cal_consults"


def test_a_calendar_not_in_the_location_is_refused(ghl: FakeGHL) -> None:
    location = Location.objects.create(id=LOCATION, name="Alpha", api_token=TOKEN, calendar_id="cal_consults")

    with pytest.raises(UnknownCalendar, match="cal_other"):
        choose_calendar(location, "cal_other")

    assert Location.objects.get(id=LOCATION).calendar_id == "cal_consults"


def test_a_location_without_a_token_is_told_so_without_asking_ghl(ghl: FakeGHL) -> None:
    location = Location.objects.create(id=LOCATION, name="Alpha")

    with pytest.raises(NotConnected, match="Alpha has no GHL token yet"):
        location_calendars(location)

    assert ghl.calls == []


def test_a_location_connected_here_sends_with_its_own_token(ghl: FakeGHL) -> None:
    location = connect_location(LOCATION, TOKEN).location

    ghl_client_for(Location.objects.get(id=location.id)).send_sms("contact_maria", "Hi Maria!")

    assert ghl.sms_sent("contact_maria") == ["Hi Maria!"]


# -- GHL_API_TOKEN: the single-location install ----------------------------------------------------------------


def test_the_environment_token_wins_for_the_configured_location_and_a_change_is_honoured(
    ghl: FakeGHL, settings: Any
) -> None:
    # given the location was created with the token of the day it was installed
    location = Location.objects.create(id=LOCATION, name="Main location", api_token="pit-from-install-day")
    settings.GHL_LOCATION_ID = LOCATION
    settings.GHL_API_TOKEN = TOKEN

    ghl_client_for(location).send_sms("contact_maria", "First")
    # when the operator rotates the token in GHL and in the environment
    ghl.api_token = settings.GHL_API_TOKEN = "pit-rotated"
    ghl_client_for(location).send_sms("contact_maria", "Second")

    # then each text went with the environment's token of its time
    texts = ghl.calls_to("POST", "/conversations/messages")
    assert [(c.headers["authorization"], c.status) for c in texts] == [
        (f"Bearer {TOKEN}", 201), ("Bearer pit-rotated", 201)
    ]


def test_other_locations_keep_their_own_token(ghl: FakeGHL, settings: Any) -> None:
    settings.GHL_LOCATION_ID = "SomeOtherLocation01"
    settings.GHL_API_TOKEN = "pit-of-the-other-location"
    location = Location.objects.create(id=LOCATION, name="Alpha", api_token=TOKEN)

    ghl_client_for(location).send_sms("contact_maria", "Hi")

    assert [c.headers["authorization"] for c in ghl.calls] == [f"Bearer {TOKEN}"]
