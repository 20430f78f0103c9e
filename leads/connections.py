"""Connecting a GHL location: its token checked against GHL before anything is kept, and its calendar picked.

Two ways in. A Private Integration token a broker copies from GHL (`connect_location`, `replace_token`), kept
until replaced. Or GHL's marketplace app (`install_marketplace_app`, from leads.oauth): an access token that
expires within a day, renewed with a single-use refresh token (`renew_access_token`) by beat and by the client
builder (leads/ghl/connect.py). A refused renewal marks the location as needing a new install.

Every failure is a `CannotConnect` whose `message` a broker can act on; `retryable` says whether trying again
later can help. Nothing is saved when a check fails. The installation's own GHL_API_TOKEN still wins for
GHL_LOCATION_ID (`token_for_calls`), so changing that setting is honoured.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from leads.ghl.client import GHLCalendar, GHLClient, GHLLocation
from leads.ghl.errors import GHLError
from leads.ghl.oauth import GHLOAuth, GrantRefused, TokenGrant
from leads.models import Location, LocationMembership, MemberRole, TokenSource

logger = logging.getLogger(__name__)

# A client is built on an access token with at least this long to live, or the token is renewed first: long
# enough for a turn's few calls, short enough that beat (GHL_OAUTH_REFRESH_MARGIN_SECONDS) does nearly all renewals.
CLIENT_RENEW_MARGIN = dt.timedelta(minutes=5)


class CannotConnect(Exception):
    """The location was not connected (or changed): `message` says why, in words a broker can act on."""

    retryable = False

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class MissingDetails(CannotConnect):
    """The location id or the token is empty."""


class AlreadyConnected(CannotConnect):
    """A location with this id exists: its token is changed with `replace_token`, not connected twice."""


class TokenRefused(CannotConnect):
    """GHL answered 401: the token is wrong, deleted, or rotated in GHL."""


class WrongLocation(CannotConnect):
    """GHL answered 403, 404 or 422 for the location: the token belongs to another location, or the id is wrong."""


class CalendarsNotReadable(CannotConnect):
    """GHL accepted the token for the location but refused its calendars: the token lacks the calendar scopes."""


class NotConnected(CannotConnect):
    """The location has no GHL token yet (added without one): it must be given one before GHL can be asked."""


class UnknownCalendar(CannotConnect):
    """The calendar picked is not one of the location's calendars in GHL."""


class InstallRefused(CannotConnect):
    """The marketplace install could not be completed (a used or expired code, an agency-level install)."""


class AppMisconfigured(CannotConnect):
    """The marketplace app is not set up here, or GHL refused its credentials: the operator's settings to fix."""


class NeedsReconnection(CannotConnect):
    """GHL refused to renew the marketplace app's access: only installing the app again fixes it."""


class GHLUnavailable(CannotConnect):
    """GHL did not answer (timeouts, 429, 5xx): nothing was saved, and trying again later can help."""

    retryable = True


@dataclass(frozen=True)
class ConnectedLocation:
    """A location GHL accepted the token for, with its calendars to pick the booking calendar from."""

    location: Location
    calendars: list[GHLCalendar]


# -- Private Integration tokens ------------------------------------------------------------------------------


def connect_location(
    location_id: str, token: str, name: str | None = None, broker: User | None = None
) -> ConnectedLocation:
    """Add a location with its Private Integration token, once GHL has accepted the token for it; `broker`, who
    connected it, becomes its broker in the same transaction (the token is their proof of running it in GHL).

    `name` defaults to the location's name in GHL; the time zone is GHL's. Raises MissingDetails,
    AlreadyConnected, TokenRefused, WrongLocation, CalendarsNotReadable or GHLUnavailable, having saved nothing.
    """
    location_id, token = _required(location_id, token)
    if Location.objects.filter(id=location_id).exists():
        raise AlreadyConnected(f"Location {location_id} is already connected: replace its token instead.")
    profile, calendars = check_token(location_id, token)
    try:
        with transaction.atomic():
            location = Location.objects.create(
                id=location_id,
                name=(name or "").strip() or profile.name or location_id,
                timezone=_zone_name(profile.timezone),
                api_token=token,
                token_source=TokenSource.PRIVATE_INTEGRATION,
            )
            if broker is not None:
                LocationMembership.objects.create(user=broker, location=location, role=MemberRole.BROKER)
    except IntegrityError:
        # Someone connected it meanwhile.
        raise AlreadyConnected(f"Location {location_id} is already connected: replace its token instead.") from None
    logger.info("connected location %s with a Private Integration token", location_id)
    return ConnectedLocation(location, calendars)


def replace_token(location: Location, token: str) -> ConnectedLocation:
    """Give a location a new Private Integration token, checked as a new connection is; the old one is dropped.

    Also how a location that needs reconnection, or ran on the marketplace app, moves to a Private Integration.
    """
    _, token = _required(location.id, token)
    _, calendars = check_token(location.id, token)
    location.api_token = token
    location.token_source = TokenSource.PRIVATE_INTEGRATION
    location.refresh_token = ""
    location.token_expires_at = None
    location.reconnect_needed_since = None
    location.save(update_fields=[*_TOKEN_FIELDS, "updated_at"])
    logger.info("replaced the token of location %s", location.id)
    return ConnectedLocation(location, calendars)


def check_token(location_id: str, token: str) -> tuple[GHLLocation, list[GHLCalendar]]:
    """Ask GHL whether `token` opens `location_id` and may read its calendars; saves nothing."""
    with _client(location_id, token) as client:
        try:
            profile = client.get_location()
        except GHLError as error:
            raise _location_refusal(error, location_id) from error
        try:
            calendars = client.list_calendars()
        except GHLError as error:
            raise _calendars_refusal(error) from error
    return profile, calendars


# -- the booking calendar ------------------------------------------------------------------------------------


def location_calendars(location: Location) -> list[GHLCalendar]:
    """The location's calendars in GHL, for the calendar picker."""
    token = token_for_calls(location)
    if not token:
        # Asking GHL without a token would read as a token refused, which is not what is wrong.
        raise NotConnected(f"{location.name} has no GHL token yet: give it its Private Integration token first.")
    with _client(location.id, token) as client:
        try:
            return client.list_calendars()
        except GHLError as error:
            raise _calendars_refusal(error) from error


def choose_calendar(location: Location, calendar_id: str) -> Location:
    """Book the location's calls into `calendar_id`, one of its calendars in GHL; "" books none."""
    calendar_id = calendar_id.strip()
    if calendar_id and calendar_id not in {calendar.id for calendar in location_calendars(location)}:
        raise UnknownCalendar(f"Calendar {calendar_id} is not one of this location's calendars in GHL.")
    location.calendar_id = calendar_id
    location.save(update_fields=["calendar_id", "updated_at"])
    return location


# -- the marketplace app (OAuth) -----------------------------------------------------------------------------


def marketplace_app_enabled() -> bool:
    return bool(settings.GHL_OAUTH_CLIENT_ID and settings.GHL_OAUTH_CLIENT_SECRET and settings.GHL_OAUTH_REDIRECT_URL)


def install_marketplace_app(code: str) -> ConnectedLocation:
    """Finish an install: trade GHL's authorization code for tokens, check them, keep them on the location.

    A new location is created with GHL's name and time zone; an existing one keeps its name and settings and
    takes the new tokens (a reinstall is how a location that needs reconnection comes back).
    """
    try:
        grant = _oauth().exchange_code(code, settings.GHL_OAUTH_REDIRECT_URL)
    except GrantRefused:
        raise InstallRefused("GHL refused the install code (used or expired): start the install again.") from None
    except GHLError as error:
        raise _token_endpoint_refusal(error) from error
    if grant.location_id is None:
        raise InstallRefused("The app was installed for an agency, not a location: install it from a sub-account.")
    profile, calendars = check_token(grant.location_id, grant.access_token)
    with transaction.atomic():
        location, created = Location.objects.select_for_update().get_or_create(
            id=grant.location_id,
            defaults={"name": profile.name or grant.location_id, "timezone": _zone_name(profile.timezone)},
        )
        _keep_grant(location, grant)
    logger.info("marketplace app installed on location %s (new=%s)", location.id, created)
    return ConnectedLocation(location, calendars)


def renew_access_token(location_id: str, margin: dt.timedelta) -> Location:
    """Renew the marketplace app's access token when it expires within `margin`; the location, current.

    Under the location's row lock, with GHL's call inside it: refresh tokens are single-use, so two workers
    renewing at once would have the second spend a dead token and wrongly mark the location for reconnection.
    The second waits, then finds the token renewed. Raises NeedsReconnection (the location is marked, and
    never asked about again until reinstalled) or GHLUnavailable (nothing changed; try again later).
    """
    refused = False
    with transaction.atomic():
        location = Location.objects.select_for_update().get(id=location_id)
        if location.reconnect_needed_since is not None:
            raise NeedsReconnection(_reconnect_message(location))
        if not _renewal_due(location, margin):
            return location
        try:
            grant = _oauth().refresh(location.refresh_token)
        except GrantRefused:
            location.reconnect_needed_since = timezone.now()
            location.save(update_fields=["reconnect_needed_since", "updated_at"])
            refused = True
        except GHLError as error:
            # A lost answer may have spent the refresh token; the next try then finds out, and marks it.
            raise _token_endpoint_refusal(error) from error
        else:
            _keep_grant(location, grant)
    if refused:
        logger.warning("GHL refused to renew the access of location %s: it needs reconnecting", location_id)
        raise NeedsReconnection(_reconnect_message(location))
    logger.info("renewed the access token of location %s", location_id)
    return location


@dataclass
class RenewalReport:
    renewed: int = 0
    need_reconnection: int = 0
    unavailable: int = 0
    app_misconfigured: int = 0


def renew_expiring_tokens() -> RenewalReport:
    """Beat's sweep: renew every marketplace token expiring within GHL_OAUTH_REFRESH_MARGIN_SECONDS.

    Locations that need reconnection are skipped: GHL already said no, and asking again would not change it.
    """
    margin = dt.timedelta(seconds=settings.GHL_OAUTH_REFRESH_MARGIN_SECONDS)
    report = RenewalReport()
    due = Location.objects.filter(
        token_source=TokenSource.MARKETPLACE_APP,
        reconnect_needed_since__isnull=True,
        token_expires_at__lte=timezone.now() + margin,
    ).values_list("id", flat=True)
    for location_id in list(due):
        try:
            renew_access_token(location_id, margin)
        except NeedsReconnection:
            report.need_reconnection += 1
        except GHLUnavailable:
            report.unavailable += 1
        except AppMisconfigured:
            # Logged by the token endpoint's client; the location is not to blame, so it is not marked.
            report.app_misconfigured += 1
        else:
            report.renewed += 1
    return report


def token_for_calls(location: Location, margin: dt.timedelta = CLIENT_RENEW_MARGIN) -> str:
    """The token GHL calls for this location carry, renewed first when it is about to expire.

    GHL_API_TOKEN wins for GHL_LOCATION_ID: the single-location install's token lives in its environment, and a
    change to it (a rotated token, redeployed) takes effect without touching the database.
    """
    if settings.GHL_API_TOKEN and location.id == settings.GHL_LOCATION_ID:
        return settings.GHL_API_TOKEN
    if location.token_source != TokenSource.MARKETPLACE_APP:
        return location.api_token
    if location.reconnect_needed_since is None and not _renewal_due(location, margin):
        return location.api_token
    try:
        return renew_access_token(location.id, margin).api_token
    except GHLUnavailable:
        fresh = Location.objects.get(id=location.id)
        if fresh.token_expires_at is not None and fresh.token_expires_at > timezone.now():
            # Still valid for a few minutes: the call can go out, and the next one tries renewing again.
            logger.warning("renewing the access of location %s failed; using its current token", location.id)
            return fresh.api_token
        raise


# -- helpers -------------------------------------------------------------------------------------------------

_TOKEN_FIELDS = ["api_token", "token_source", "refresh_token", "token_expires_at", "reconnect_needed_since"]


def _keep_grant(location: Location, grant: TokenGrant) -> None:
    location.api_token = grant.access_token
    location.refresh_token = grant.refresh_token
    location.token_source = TokenSource.MARKETPLACE_APP
    location.token_expires_at = timezone.now() + dt.timedelta(seconds=grant.expires_in)
    location.reconnect_needed_since = None
    location.save(update_fields=[*_TOKEN_FIELDS, "updated_at"])


def _renewal_due(location: Location, margin: dt.timedelta) -> bool:
    expires_at = location.token_expires_at
    return expires_at is None or expires_at <= timezone.now() + margin


def _required(location_id: str, token: str) -> tuple[str, str]:
    location_id, token = (location_id or "").strip(), (token or "").strip()
    if not location_id or not token:
        raise MissingDetails("Both the GHL location id and its Private Integration token are needed.")
    return location_id, token


def _client(location_id: str, token: str) -> GHLClient:
    # A one-off check by a person: no shared rate-limit bucket, the usual timeouts and in-process retries.
    return GHLClient(
        location_id=location_id,
        api_token=token,
        base_url=settings.GHL_API_BASE_URL,
        timeout=settings.GHL_TIMEOUT_SECONDS,
        max_attempts=settings.GHL_MAX_ATTEMPTS,
        backoff_base=settings.GHL_BACKOFF_SECONDS,
    )


def _oauth() -> GHLOAuth:
    if not marketplace_app_enabled():
        raise AppMisconfigured("The GHL marketplace app is not set up on this installation (GHL_OAUTH_* settings).")
    return GHLOAuth(
        client_id=settings.GHL_OAUTH_CLIENT_ID,
        client_secret=settings.GHL_OAUTH_CLIENT_SECRET,
        base_url=settings.GHL_API_BASE_URL,
        timeout=settings.GHL_TIMEOUT_SECONDS,
    )


def _unavailable(error: GHLError) -> GHLUnavailable:
    return GHLUnavailable(f"GHL did not answer ({_status(error)}); nothing was saved. Try again in a minute.")


def _location_refusal(error: GHLError, location_id: str) -> CannotConnect:
    if error.retryable:
        return _unavailable(error)
    if error.status == 401:
        return TokenRefused(
            "GHL refused this token: check that it was copied whole and has not been deleted or rotated in GHL "
            "(Settings, Private Integrations)."
        )
    if error.status in (403, 404, 422):
        return WrongLocation(
            f"This token does not open location {location_id}: check the location id (Settings, Business "
            "Profile in GHL) and that the token was made in that location."
        )
    return CannotConnect(f"GHL refused the check ({_status(error)}); nothing was saved.")


def _calendars_refusal(error: GHLError) -> CannotConnect:
    if error.retryable:
        return _unavailable(error)
    if error.status in (401, 403):
        return CalendarsNotReadable(
            "GHL accepted the token but refused to list the location's calendars: give the token the calendar "
            "scopes (View Calendars, Edit Calendar Events) and try again."
        )
    return CannotConnect(f"GHL refused to list the calendars ({_status(error)}); nothing was saved.")


def _token_endpoint_refusal(error: GHLError) -> CannotConnect:
    if error.retryable:
        return _unavailable(error)
    return AppMisconfigured(
        f"GHL refused the marketplace app's credentials ({_status(error)}): check GHL_OAUTH_CLIENT_ID and "
        "GHL_OAUTH_CLIENT_SECRET."
    )


def _reconnect_message(location: Location) -> str:
    return f"GHL no longer accepts the app's access for {location.name}: install the app again for this location."


def _status(error: GHLError) -> str:
    return f"status {error.status}" if error.status is not None else error.reason


def _zone_name(name: str | None) -> str:
    default: str = Location._meta.get_field("timezone").default
    if not name:
        return default
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return default
    return name
