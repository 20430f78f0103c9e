"""Connecting a location in the admin, against the fake GHL: the owner connects one and picks its calendar; a broker
replaces their location's token and changes its calendar; every refusal is shown on the form with nothing kept;
nobody reaches another location's connection; and the token never comes back in a page."""
from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.views.debug import SafeExceptionReporterFilter

from leads.models import Location, LocationMembership, MemberRole, TokenSource
from tests.admin.conftest import AdminAs
from tests.fakes.ghl import FakeGHL

NEW_LOCATION = "GammaRealtyLoc0001C"
TOKEN = "pit-gamma-3f9a-secret"
CALENDARS = [
    {"id": "cal_consults", "name": "Buyer consultations", "isActive": True},
    {"id": "cal_listings", "name": "Listing appointments", "isActive": False},
]
CONNECT = "/admin/leads/location/connect/"
LIST = "/admin/leads/location/"


@pytest.fixture
def ghl(db: None, settings: Any) -> Iterator[FakeGHL]:
    """GHL as the location being connected sees it: one good token, two calendars."""
    settings.GHL_API_TOKEN = settings.GHL_LOCATION_ID = settings.GHL_CALENDAR_ID = ""
    with FakeGHL(api_token=TOKEN, location_id=NEW_LOCATION) as fake:
        fake.location_name = "Gamma Realty Denver"
        fake.location_timezone = "America/Denver"
        fake.calendars.extend(CALENDARS)
        settings.GHL_API_BASE_URL = fake.url
        yield fake


@pytest.fixture
def alpha_on_ghl(ghl: FakeGHL, alpha_realty: Location) -> Location:
    """The fake GHL serves Alpha Realty instead: a location already connected, whose token a broker replaces."""
    ghl.location_id = alpha_realty.id
    return alpha_realty


def connect(browser: Client, location_id: str = NEW_LOCATION, token: str = TOKEN, name: str = "") -> str:
    response = browser.post(CONNECT, {"location_id": location_id, "token": token, "name": name})
    assert response.status_code == 200, response.content[:2000]
    return text(response)


def text(response: Any) -> str:
    """The page as a person reads it (Django escapes the apostrophe in "location's")."""
    return html.unescape(response.content.decode())


def token_of(location_id: str) -> str:
    return Location.objects.get(id=location_id).api_token


# -- connecting a new location -----------------------------------------------------------------------------------


def test_the_owner_connects_a_location_and_picks_its_calendar(admin_as: AdminAs, owner: Any, ghl: FakeGHL) -> None:
    browser = admin_as(owner)
    assert f'href="{CONNECT}"' in text(browser.get(LIST))
    assert 'type="password"' in text(browser.get(CONNECT))

    # when the owner types the location id, its token and a name
    picker = connect(browser, f" {NEW_LOCATION} ", TOKEN, name="Gamma (Denver team)")

    # then the location is kept with the token, and its calendars (the ones GHL just listed) are offered
    location = Location.objects.get(id=NEW_LOCATION)
    assert (location.name, location.timezone, location.api_token, location.token_source) == (
        "Gamma (Denver team)", "America/Denver", TOKEN, TokenSource.PRIVATE_INTEGRATION)
    assert "Gamma (Denver team) is connected: GHL accepted the token" in picker
    assert 'value="cal_consults"' in picker and "Buyer consultations" in picker
    assert "Listing appointments (inactive in GHL)" in picker
    assert [call.path for call in ghl.calls] == [f"/locations/{NEW_LOCATION}", "/calendars/"]

    # when they pick the consultations calendar
    picked = browser.post(f"/admin/leads/location/{NEW_LOCATION}/calendar/", {"calendar": "cal_consults"})

    # then the bot books into it, and the list shows the new location and how it is connected
    assert picked.status_code == 302 and picked["Location"] == LIST
    assert Location.objects.get(id=NEW_LOCATION).calendar_id == "cal_consults"
    listing = text(browser.get(LIST))
    assert "Gamma (Denver team) books its calls into the calendar you picked (cal_consults)." in listing
    assert NEW_LOCATION in listing and "Private Integration token" in listing
    assert TOKEN not in picker + listing


def test_a_refused_token_is_shown_on_the_form_and_nothing_is_kept(admin_as: AdminAs, owner: Any, ghl: FakeGHL) -> None:
    page = connect(admin_as(owner), token="pit-typo-secret")

    assert "GHL refused this token: check that it was copied whole" in page
    assert "pit-typo-secret" not in page
    assert not Location.objects.filter(id=NEW_LOCATION).exists()


def test_the_token_is_kept_out_of_error_reports(admin_as: AdminAs, owner: Any, alpha_on_ghl: Location) -> None:
    browser = admin_as(owner)

    posts = [browser.post(CONNECT, {"location_id": NEW_LOCATION, "token": "pit-typo-secret"}),
             browser.post(f"/admin/leads/location/{alpha_on_ghl.id}/token/", {"token": "pit-typo-secret"})]

    # What Django's 500 email and error page show of the form: everything but the token.
    shown = [SafeExceptionReporterFilter().get_post_parameters(post.wsgi_request) for post in posts]
    assert [parameters["token"] for parameters in shown] == [SafeExceptionReporterFilter.cleansed_substitute] * 2
    assert shown[0]["location_id"] == NEW_LOCATION


def test_a_token_that_does_not_open_the_location_is_refused(admin_as: AdminAs, owner: Any, ghl: FakeGHL) -> None:
    page = connect(admin_as(owner), location_id="DeltaHomesLoc00001D")

    assert "This token does not open location DeltaHomesLoc00001D" in page
    assert TOKEN not in page
    assert not Location.objects.exists()


def test_ghl_down_says_to_try_again_and_keeps_nothing(
    admin_as: AdminAs, owner: Any, ghl: FakeGHL, settings: Any
) -> None:
    settings.GHL_MAX_ATTEMPTS = 2
    ghl.fail_next(503, times=2)

    page = connect(admin_as(owner))

    assert "GHL did not answer (status 503); nothing was saved. Try again in a minute." in page
    assert TOKEN not in page
    assert not Location.objects.exists()


def test_an_empty_token_is_refused_before_asking_ghl(admin_as: AdminAs, owner: Any, ghl: FakeGHL) -> None:
    page = connect(admin_as(owner), token="   ")

    assert "This field is required." in page
    assert ghl.calls == [] and not Location.objects.exists()


def test_a_location_already_connected_is_not_connected_again(
    admin_as: AdminAs, owner: Any, alpha_on_ghl: Location
) -> None:
    page = connect(admin_as(owner), location_id=alpha_on_ghl.id)

    assert f"Location {alpha_on_ghl.id} is already connected: replace its token instead." in page
    assert token_of(alpha_on_ghl.id) == "alpha-token"


def test_an_agent_connects_no_location(admin_as: AdminAs, alpha_agent: Any, ghl: FakeGHL) -> None:
    browser = admin_as(alpha_agent)

    assert f'href="{CONNECT}"' not in text(browser.get(LIST))
    assert browser.get(CONNECT).status_code == 403
    assert browser.post(CONNECT, {"location_id": NEW_LOCATION, "token": TOKEN}).status_code == 403
    assert ghl.calls == [] and not Location.objects.filter(id=NEW_LOCATION).exists()


def test_a_broker_connects_a_second_location_and_runs_it(admin_as: AdminAs, alpha_broker: Any, ghl: FakeGHL) -> None:
    browser = admin_as(alpha_broker)

    # when a broker connects another GHL location with its token
    listed = text(browser.get(LIST))
    connect(browser)

    # then it is kept with the token, and she is its broker (she holds its GHL token), with no one else let in
    assert f'href="{CONNECT}"' in listed
    assert token_of(NEW_LOCATION) == TOKEN
    assert list(LocationMembership.objects.filter(location_id=NEW_LOCATION).values_list("user", "role")) == [
        (alpha_broker.pk, MemberRole.BROKER)
    ]


# -- replacing a token -------------------------------------------------------------------------------------------


def test_a_broker_replaces_their_locations_token(admin_as: AdminAs, alpha_broker: Any, alpha_on_ghl: Location) -> None:
    browser = admin_as(alpha_broker)
    change = f"/admin/leads/location/{alpha_on_ghl.id}/change/"
    assert f'href="/admin/leads/location/{alpha_on_ghl.id}/token/"' in text(browser.get(change))

    response = browser.post(f"/admin/leads/location/{alpha_on_ghl.id}/token/", {"token": TOKEN}, follow=True)

    page = text(response)
    assert response.redirect_chain == [(change, 302)]
    assert "new token is kept: GHL accepted it" in page
    assert token_of(alpha_on_ghl.id) == TOKEN
    assert TOKEN not in page


def test_a_refused_replacement_keeps_the_old_token(
    admin_as: AdminAs, alpha_broker: Any, alpha_on_ghl: Location
) -> None:
    response = admin_as(alpha_broker).post(f"/admin/leads/location/{alpha_on_ghl.id}/token/", {"token": "pit-revoked"})

    page = text(response)
    assert response.status_code == 200
    assert "GHL refused this token" in page and "pit-revoked" not in page and "alpha-token" not in page
    assert token_of(alpha_on_ghl.id) == "alpha-token"


def test_a_replacement_says_when_the_booking_calendar_is_gone(
    admin_as: AdminAs, alpha_broker: Any, alpha_on_ghl: Location
) -> None:
    Location.objects.filter(pk=alpha_on_ghl.pk).update(calendar_id="cal_deleted")

    response = admin_as(alpha_broker).post(f"/admin/leads/location/{alpha_on_ghl.id}/token/", {"token": TOKEN},
                                           follow=True)

    assert "The booking calendar cal_deleted is not one of this location's calendars" in text(response)


def test_a_broker_of_another_location_cannot_replace_its_token_by_a_forged_post(
    admin_as: AdminAs, beta_broker: Any, alpha_on_ghl: Location, ghl: FakeGHL
) -> None:
    browser = admin_as(beta_broker)

    token_page = browser.post(f"/admin/leads/location/{alpha_on_ghl.id}/token/", {"token": TOKEN})
    calendar_page = browser.post(f"/admin/leads/location/{alpha_on_ghl.id}/calendar/", {"calendar": "cal_consults"})

    # Outside their locations Alpha does not exist for them: 404, as anywhere else in the admin.
    assert (token_page.status_code, calendar_page.status_code) == (404, 404)
    stored = Location.objects.get(id=alpha_on_ghl.id)
    assert (stored.api_token, stored.calendar_id) == ("alpha-token", "")
    assert ghl.calls == []


def test_an_agent_sees_the_location_but_not_its_connection(
    admin_as: AdminAs, alpha_agent: Any, alpha_on_ghl: Location, ghl: FakeGHL
) -> None:
    browser = admin_as(alpha_agent)

    assert "replace-token" not in text(browser.get(f"/admin/leads/location/{alpha_on_ghl.id}/change/"))
    assert browser.post(f"/admin/leads/location/{alpha_on_ghl.id}/token/", {"token": TOKEN}).status_code == 403
    assert browser.get(f"/admin/leads/location/{alpha_on_ghl.id}/calendar/").status_code == 403
    assert token_of(alpha_on_ghl.id) == "alpha-token" and ghl.calls == []


# -- changing the calendar ---------------------------------------------------------------------------------------


def test_a_broker_changes_the_calendar_from_ghls_list(
    admin_as: AdminAs, alpha_broker: Any, alpha_on_ghl: Location, ghl: FakeGHL
) -> None:
    ghl.api_token = "alpha-token"
    browser = admin_as(alpha_broker)
    calendar = f"/admin/leads/location/{alpha_on_ghl.id}/calendar/"

    page = text(browser.get(calendar))
    picked = browser.post(calendar, {"calendar": "cal_listings"})

    assert "Buyer consultations" in page and "Listing appointments (inactive in GHL)" in page
    assert picked.status_code == 302
    assert Location.objects.get(id=alpha_on_ghl.id).calendar_id == "cal_listings"


def test_a_calendar_ghl_does_not_list_is_refused(
    admin_as: AdminAs, alpha_broker: Any, alpha_on_ghl: Location, ghl: FakeGHL
) -> None:
    ghl.api_token = "alpha-token"
    Location.objects.filter(pk=alpha_on_ghl.pk).update(calendar_id="cal_consults")

    response = admin_as(alpha_broker).post(f"/admin/leads/location/{alpha_on_ghl.id}/calendar/",
                                           {"calendar": "cal_forged"})

    page = text(response)
    assert response.status_code == 200
    assert "Calendar cal_forged is not one of this location's calendars in GHL." in page
    assert 'value="cal_consults" checked' in page
    assert Location.objects.get(id=alpha_on_ghl.id).calendar_id == "cal_consults"


def test_the_location_page_does_not_take_a_typed_calendar_id(
    admin_as: AdminAs, alpha_broker: Any, alpha_on_ghl: Location
) -> None:
    Location.objects.filter(pk=alpha_on_ghl.pk).update(calendar_id="cal_consults")
    page = f"/admin/leads/location/{alpha_on_ghl.id}/change/"
    browser = admin_as(alpha_broker)

    # when the change form is posted with a calendar id typed in (or forged)
    shown = text(browser.get(page))
    browser.post(page, {"name": alpha_on_ghl.name, "timezone": alpha_on_ghl.timezone, "calendar_id": "cal_typo",
                        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"})

    # then the field is not a box on the page and the calendar stays GHL's: it is picked from GHL's list only
    assert 'name="calendar_id"' not in shown
    assert Location.objects.get(id=alpha_on_ghl.id).calendar_id == "cal_consults"


def test_ghl_down_on_the_calendar_page_says_so(
    admin_as: AdminAs, alpha_broker: Any, alpha_on_ghl: Location, ghl: FakeGHL, settings: Any
) -> None:
    ghl.api_token = "alpha-token"
    settings.GHL_MAX_ATTEMPTS = 2
    ghl.fail_next(503, times=2)

    page = text(admin_as(alpha_broker).get(f"/admin/leads/location/{alpha_on_ghl.id}/calendar/"))

    assert 'id="calendars-unavailable"' in page and "Try again in a minute" in page
    assert 'id="calendar-form"' not in page


def test_a_location_without_a_token_is_told_to_get_one(admin_as: AdminAs, owner: Any, ghl: FakeGHL) -> None:
    Location.objects.create(id="NoTokenLoc000000001", name="Added by hand")

    page = text(admin_as(owner).get("/admin/leads/location/NoTokenLoc000000001/calendar/"))

    assert "Added by hand has no GHL token yet" in page
    assert ghl.calls == []


def test_the_list_says_how_each_location_is_connected(
    admin_as: AdminAs, owner: Any, alpha_realty: Location, beta_homes: Location, settings: Any
) -> None:
    settings.GHL_LOCATION_ID, settings.GHL_API_TOKEN = alpha_realty.id, "pit-from-the-environment"
    Location.objects.create(id="NoTokenLoc000000001", name="Added by hand")
    Location.objects.create(id="AppLoc0000000000001", name="On the app", api_token="at-1",
                            token_source=TokenSource.MARKETPLACE_APP)

    rows = text(admin_as(owner).get(LIST)).split("<tr")

    def connection_of(name: str) -> str:
        row = next(row for row in rows if f">{name}</a>" in row)
        cell = row.split('class="field-connection">')[1].split("</td>")[0]
        return re.sub(r"<[^>]+>", "", cell).strip()

    assert connection_of(alpha_realty.name) == "This installation's GHL_API_TOKEN"
    assert connection_of("Beta Homes") == "Private Integration token"
    assert connection_of("Added by hand") == "Not connected: no GHL token"
    assert connection_of("On the app") == "GHL marketplace app"


def test_replacing_the_installations_own_location_token_says_the_environment_wins(
    admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location, settings: Any
) -> None:
    settings.GHL_LOCATION_ID, settings.GHL_API_TOKEN = alpha_realty.id, "pit-from-the-environment"

    page = text(admin_as(alpha_broker).get(f"/admin/leads/location/{alpha_realty.id}/token/"))

    words = " ".join(re.sub(r"<[^>]+>", "", page).split())
    assert "use this installation's GHL_API_TOKEN setting, which wins over a token kept here" in words
    assert "pit-from-the-environment" not in page


# -- the marketplace app and reconnection ------------------------------------------------------------------------


def test_a_location_ghl_refused_to_renew_is_flagged_on_the_list_and_its_page(
    admin_as: AdminAs, owner: Any, alpha_realty: Location, settings: Any
) -> None:
    settings.GHL_OAUTH_CLIENT_ID, settings.GHL_OAUTH_CLIENT_SECRET = "app-id", "app-secret"
    settings.GHL_OAUTH_REDIRECT_URL = "http://testserver/integrations/ghl/oauth/callback/"
    refused_at = dt.datetime(2026, 12, 7, 12, 30, tzinfo=dt.UTC)
    Location.objects.filter(pk=alpha_realty.pk).update(
        token_source=TokenSource.MARKETPLACE_APP, reconnect_needed_since=refused_at)
    browser = admin_as(owner)

    listing = text(browser.get(LIST))
    page = text(browser.get(f"/admin/leads/location/{alpha_realty.id}/change/"))

    # Half past noon UTC is still December 7 from UTC-12 to UTC+11, whichever zone the reader has; the hour varies.
    warning = re.compile(r"GHL refused to renew access on Dec\. 7, 2026, [0-9:]+ [ap]\.m\.: install the app again\.")
    assert warning.search(listing) and warning.search(page)
    assert 'href="/integrations/ghl/install/"' in listing and "Install from the GHL marketplace" in listing


def test_the_marketplace_install_is_offered_only_when_set_up_and_only_to_the_owner(
    admin_as: AdminAs, owner: Any, alpha_broker: Any, settings: Any
) -> None:
    settings.GHL_OAUTH_CLIENT_ID = settings.GHL_OAUTH_CLIENT_SECRET = settings.GHL_OAUTH_REDIRECT_URL = ""
    assert "marketplace-install" not in text(admin_as(owner).get(LIST))

    settings.GHL_OAUTH_CLIENT_ID, settings.GHL_OAUTH_CLIENT_SECRET = "app-id", "app-secret"
    settings.GHL_OAUTH_REDIRECT_URL = "http://testserver/integrations/ghl/oauth/callback/"
    assert "marketplace-install" in text(admin_as(owner).get(LIST))
    assert "marketplace-install" not in text(admin_as(alpha_broker).get(LIST))
