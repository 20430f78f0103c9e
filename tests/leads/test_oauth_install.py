"""The GHL marketplace app: the install (authorization code, through the fake GHL's OAuth endpoints), the access
token renewed before it expires (by beat and by the client builder, under the row lock), and a refused renewal
marking the location for reconnection without asking GHL again."""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import connection
from django.test import Client
from django.utils import timezone

from leads import oauth as oauth_views
from leads.connection_tasks import renew_expiring_ghl_tokens
from leads.connections import NeedsReconnection, renew_access_token
from leads.ghl.connect import ghl_client_for
from leads.ghl.errors import GHLFinalError, GHLRetryableError
from leads.models import Location, TokenSource
from tests.fakes.ghl import FakeGHL

LOCATION = "AlphaRealtyLoc00001A"
NOTHING_DONE = {"renewed": 0, "need_reconnection": 0, "unavailable": 0, "app_misconfigured": 0}
APP = ("jorgebot-app-client-id", "jorgebot-app-client-secret")
CALLBACK = "http://testserver/integrations/ghl/oauth/callback/"


@pytest.fixture
def ghl(db: None, settings: Any) -> Iterator[FakeGHL]:
    """GHL with our marketplace app registered; API calls need a token its OAuth endpoint issued."""
    with FakeGHL(api_token="pit-nobody-has", location_id=LOCATION, oauth_app=APP) as fake:
        fake.location_name = "Alpha Realty Austin"
        fake.calendars.append({"id": "cal_consults", "name": "Buyer consultations", "isActive": True})
        settings.GHL_API_BASE_URL = fake.url
        settings.GHL_OAUTH_CLIENT_ID, settings.GHL_OAUTH_CLIENT_SECRET = APP
        settings.GHL_OAUTH_REDIRECT_URL = CALLBACK
        settings.GHL_OAUTH_AUTHORIZE_URL = f"{fake.url}/oauth/chooselocation"
        yield fake


@pytest.fixture
def owner_client(client: Client, owner: Any) -> Client:
    client.force_login(owner)
    return client


def start(client: Client) -> str:
    """Open the install page; the URL GHL's location picker is sent to."""
    response = client.get("/integrations/ghl/install/")
    assert response.status_code == 302
    return str(response["Location"])


def approve_at_ghl(authorize_url: str) -> str:
    """The person picks the location and approves the app at GHL; the callback path GHL sends them back to."""
    answer = httpx.get(authorize_url, follow_redirects=False, timeout=5)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["location"])
    return f"{back.path}?{back.query}"


def install(client: Client) -> Location:
    response = client.get(approve_at_ghl(start(client)))
    assert response.status_code == 302, response.content
    return Location.objects.get(id=LOCATION)


def stored(location_id: str, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM leads_location WHERE id = %s", [location_id])
        return str(cursor.fetchone()[0])


def token_calls(ghl: FakeGHL) -> list[str]:
    return [c.form["grant_type"] for c in ghl.calls_to("POST", "/oauth/token")]


# -- the install -------------------------------------------------------------------------------------------


def test_the_owner_installs_the_app_and_the_location_is_connected(ghl: FakeGHL, owner_client: Client) -> None:
    authorize_url = start(owner_client)
    query = parse_qs(urlsplit(authorize_url).query)
    assert {name: values[0] for name, values in query.items() if name != "state"} == {
        "response_type": "code", "client_id": APP[0], "redirect_uri": CALLBACK,
        "scope": "conversations.readonly conversations/message.write contacts.readonly contacts.write "
                 "calendars.readonly calendars/events.write locations.readonly",
    }

    response = owner_client.get(approve_at_ghl(authorize_url))

    assert response.status_code == 302
    assert response["Location"] == f"/admin/leads/location/{LOCATION}/change/"
    location = Location.objects.get(id=LOCATION)
    issued = ghl.calls_to("POST", "/oauth/token")[0]
    assert issued.form["grant_type"] == "authorization_code" and issued.form["user_type"] == "Location"
    assert (location.name, location.token_source, location.reconnect_needed_since) == (
        "Alpha Realty Austin", TokenSource.MARKETPLACE_APP, None
    )
    assert location.api_token.startswith("at_") and location.refresh_token.startswith("rt_")
    assert location.token_expires_at is not None
    assert dt.timedelta(hours=23) < location.token_expires_at - timezone.now() <= dt.timedelta(seconds=86399)
    # encrypted at rest, both tokens
    assert not stored(LOCATION, "api_token").startswith("at_")
    assert not stored(LOCATION, "refresh_token").startswith("rt_")
    # and the access token works: the fake takes only tokens it issued
    ghl_client_for(location).send_sms("contact_maria", "Hi Maria!")
    assert ghl.sms_sent("contact_maria") == ["Hi Maria!"]


def test_only_a_signed_in_superuser_may_install(ghl: FakeGHL, client: Client, alpha_broker: Any) -> None:
    staff = get_user_model().objects.create_user("staffer", password="staffer-password", is_staff=True)

    anonymous = client.get("/integrations/ghl/install/")
    client.force_login(alpha_broker)
    broker = client.get("/integrations/ghl/install/")
    client.force_login(staff)
    staffer = client.get("/integrations/ghl/install/")

    assert anonymous.status_code == broker.status_code == 302
    assert anonymous["Location"].startswith("/admin/login/")
    assert staffer.status_code == 403


def test_with_the_app_not_set_up_both_pages_are_not_found(ghl: FakeGHL, owner_client: Client, settings: Any) -> None:
    settings.GHL_OAUTH_CLIENT_ID = ""

    assert owner_client.get("/integrations/ghl/install/").status_code == 404
    assert owner_client.get("/integrations/ghl/oauth/callback/?code=x&state=y").status_code == 404


def test_a_callback_with_a_forged_state_is_refused(ghl: FakeGHL, owner_client: Client) -> None:
    callback = approve_at_ghl(start(owner_client))
    code = parse_qs(urlsplit(callback).query)["code"][0]
    forged = signing.dumps({"nonce": "guessed", "user": 1}, salt="someone-else")

    response = owner_client.get("/integrations/ghl/oauth/callback/", {"code": code, "state": forged})

    assert response.status_code == 400
    assert token_calls(ghl) == [] and not Location.objects.exists()


def test_a_callback_started_in_another_session_is_refused(ghl: FakeGHL, owner_client: Client) -> None:
    callback = approve_at_ghl(start(owner_client))
    other_owner = get_user_model().objects.create_superuser("owner2", password="owner2-password")
    other = Client()
    other.force_login(other_owner)

    response = other.get(callback)

    assert response.status_code == 400
    assert b"not started in this session" in response.content
    assert token_calls(ghl) == [] and not Location.objects.exists()


def test_a_callback_is_used_once(ghl: FakeGHL, owner_client: Client) -> None:
    callback = approve_at_ghl(start(owner_client))
    assert owner_client.get(callback).status_code == 302

    assert owner_client.get(callback).status_code == 400
    assert token_calls(ghl) == ["authorization_code"]


def test_a_declined_install_changes_nothing(ghl: FakeGHL, owner_client: Client) -> None:
    start(owner_client)

    response = owner_client.get("/integrations/ghl/oauth/callback/", {"error": "access_denied"})

    assert response.status_code == 400
    assert token_calls(ghl) == [] and not Location.objects.exists()


def test_a_callback_without_a_code_changes_nothing(ghl: FakeGHL, owner_client: Client) -> None:
    callback = approve_at_ghl(start(owner_client))
    state = parse_qs(urlsplit(callback).query)["state"][0]

    response = owner_client.get("/integrations/ghl/oauth/callback/", {"state": state})

    assert response.status_code == 400
    assert token_calls(ghl) == [] and not Location.objects.exists()


def test_a_callback_after_the_time_to_install_is_refused(
    ghl: FakeGHL, owner_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    callback = approve_at_ghl(start(owner_client))
    # No time at all to come back: the state is stale on arrival.
    monkeypatch.setattr(oauth_views, "STATE_MAX_AGE_SECONDS", -1)

    response = owner_client.get(callback)

    assert response.status_code == 400
    assert b"took too long" in response.content
    assert token_calls(ghl) == [] and not Location.objects.exists()


def test_an_install_at_the_agency_level_is_refused(ghl: FakeGHL, owner_client: Client) -> None:
    ghl.agency_install = True

    response = owner_client.get(approve_at_ghl(start(owner_client)))

    assert response.status_code == 400
    assert b"install it from a sub-account" in response.content
    assert not Location.objects.exists()


def test_a_code_ghl_refuses_asks_to_start_again(ghl: FakeGHL, owner_client: Client) -> None:
    callback = approve_at_ghl(start(owner_client))
    state = parse_qs(urlsplit(callback).query)["state"][0]

    response = owner_client.get("/integrations/ghl/oauth/callback/", {"code": "code_stale", "state": state})

    assert response.status_code == 400
    assert b"start the install again" in response.content
    assert not Location.objects.exists()


def test_ghl_down_at_the_install_saves_nothing_and_says_to_try_again(ghl: FakeGHL, owner_client: Client) -> None:
    callback = approve_at_ghl(start(owner_client))
    ghl.fail_next(503, path_prefix="/oauth/token")

    response = owner_client.get(callback)

    assert response.status_code == 503
    assert b"Try again" in response.content
    assert not Location.objects.exists()


def test_credentials_ghl_refuses_are_the_operators_to_fix(ghl: FakeGHL, owner_client: Client, settings: Any) -> None:
    callback = approve_at_ghl(start(owner_client))
    settings.GHL_OAUTH_CLIENT_SECRET = "rotated-in-ghl-but-not-here"

    response = owner_client.get(callback)

    assert response.status_code == 400
    assert b"GHL_OAUTH_CLIENT_SECRET" in response.content
    assert not Location.objects.exists()


def test_a_reinstall_keeps_the_locations_settings_and_clears_the_reconnection_mark(
    ghl: FakeGHL, owner_client: Client
) -> None:
    Location.objects.create(
        id=LOCATION, name="Alpha (Austin team)", calendar_id="cal_consults", token_source=TokenSource.MARKETPLACE_APP,
        reconnect_needed_since=timezone.now(),
    )

    location = install(owner_client)

    assert (location.name, location.calendar_id, location.reconnect_needed_since) == (
        "Alpha (Austin team)", "cal_consults", None
    )


# -- renewal ---------------------------------------------------------------------------------------------------


def test_beat_renews_a_token_about_to_expire_and_keeps_the_new_refresh_token(
    ghl: FakeGHL, owner_client: Client
) -> None:
    ghl.access_token_seconds = 3600  # inside the two-hour margin
    first = install(owner_client)
    ghl.access_token_seconds = 86399

    report = renew_expiring_ghl_tokens()

    renewed = Location.objects.get(id=LOCATION)
    assert report == {**NOTHING_DONE, "renewed": 1}
    assert token_calls(ghl) == ["authorization_code", "refresh_token"]
    assert ghl.calls_to("POST", "/oauth/token")[1].form["refresh_token"] == first.refresh_token
    assert renewed.api_token != first.api_token and renewed.refresh_token != first.refresh_token
    assert renewed.token_expires_at is not None
    assert renewed.token_expires_at - timezone.now() > dt.timedelta(hours=23)
    # the next sweep finds nothing due
    assert renew_expiring_ghl_tokens() == NOTHING_DONE


def test_a_client_built_on_a_token_about_to_expire_renews_it_first(ghl: FakeGHL, owner_client: Client) -> None:
    ghl.access_token_seconds = 120  # inside the client's five minutes
    first = install(owner_client)
    ghl.access_token_seconds = 86399

    ghl_client_for(first).send_sms("contact_maria", "Hi")

    renewed = Location.objects.get(id=LOCATION)
    assert token_calls(ghl) == ["authorization_code", "refresh_token"]
    assert ghl.calls_to("POST", "/conversations/messages")[0].headers["authorization"] == f"Bearer {renewed.api_token}"


def test_ghl_down_at_renewal_uses_a_token_still_valid_and_retries_an_expired_one(
    ghl: FakeGHL, owner_client: Client
) -> None:
    ghl.access_token_seconds = 120
    location = install(owner_client)
    ghl.fail_next(503, times=2, path_prefix="/oauth/token")

    ghl_client_for(location).send_sms("contact_maria", "Still valid")
    Location.objects.filter(id=LOCATION).update(token_expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(GHLRetryableError):
        ghl_client_for(Location.objects.get(id=LOCATION))

    assert ghl.sms_sent("contact_maria") == ["Still valid"]
    assert Location.objects.get(id=LOCATION).reconnect_needed_since is None


def test_a_refused_renewal_marks_the_location_and_is_not_asked_again(ghl: FakeGHL, owner_client: Client) -> None:
    ghl.access_token_seconds = 60
    install(owner_client)
    ghl.revoke_install()  # uninstalled in GHL

    report = renew_expiring_ghl_tokens()

    location = Location.objects.get(id=LOCATION)
    assert report == {**NOTHING_DONE, "need_reconnection": 1}
    assert location.reconnect_needed_since is not None
    # neither beat nor a worker asks GHL again: a worker's call fails at once, as a final GHL error
    assert renew_expiring_ghl_tokens() == NOTHING_DONE
    with pytest.raises(GHLFinalError, match="install the app again"):
        ghl_client_for(location)
    with pytest.raises(NeedsReconnection):
        renew_access_token(LOCATION, dt.timedelta(hours=2))
    assert token_calls(ghl) == ["authorization_code", "refresh_token"]


def test_credentials_refused_at_renewal_leave_the_location_unmarked(
    ghl: FakeGHL, owner_client: Client, settings: Any
) -> None:
    ghl.access_token_seconds = 60
    location = install(owner_client)
    settings.GHL_OAUTH_CLIENT_SECRET = "rotated-in-ghl-but-not-here"

    report = renew_expiring_ghl_tokens()

    assert report == {**NOTHING_DONE, "app_misconfigured": 1}
    assert Location.objects.get(id=LOCATION).reconnect_needed_since is None
    with pytest.raises(GHLFinalError, match="GHL_OAUTH_CLIENT_SECRET"):
        ghl_client_for(location)


@pytest.mark.django_db(transaction=True)
def test_two_workers_renewing_at_once_spend_the_refresh_token_once(ghl: FakeGHL, settings: Any) -> None:
    # given an installed location whose token is due (installed through the service: no session needed)
    from leads.connections import install_marketplace_app

    ghl.access_token_seconds = 60
    code = parse_qs(urlsplit(approve_at_ghl(
        f"{ghl.url}/oauth/chooselocation?response_type=code&client_id={APP[0]}&redirect_uri={CALLBACK}"
    )).query)["code"][0]
    install_marketplace_app(code)
    ghl.access_token_seconds = 86399
    # GHL answering slowly widens the window in which both would refresh without the row lock
    ghl.delay_seconds = 0.3
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def renew() -> None:
        barrier.wait()
        try:
            renew_access_token(LOCATION, dt.timedelta(hours=2))
            outcomes.append("renewed")
        except NeedsReconnection:
            outcomes.append("needs reconnection")
        finally:
            connection.close()

    workers = [threading.Thread(target=renew) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=20)

    assert outcomes == ["renewed", "renewed"]
    assert token_calls(ghl) == ["authorization_code", "refresh_token"]
    assert Location.objects.get(id=LOCATION).reconnect_needed_since is None
