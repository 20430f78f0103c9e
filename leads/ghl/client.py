"""The one module that calls the GHL (LeadConnector) API.

Every request takes a token from the shared per-location bucket, carries the location's
bearer token and the `Version` header its endpoint family expects, and is retried in-process
with backoff when GHL is busy or briefly down. When a retry cannot help, or in-process retries
run out, the caller gets a typed error (`GHLFinalError` / `GHLRetryableError` with
`retry_after`) and decides: a Celery task reschedules itself, a view gives up.

No Django here: settings are wired in by whoever builds the client.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Literal
from urllib.parse import quote

import httpx

from leads.ghl.errors import GHLError, GHLFinalError, GHLRetryableError
from leads.ghl.ratelimit import TokenBucket

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://services.leadconnectorhq.com"

# GHL versions its API per endpoint family and rejects a request without the `Version`
# header. Values from GHL's OpenAPI specs (github.com/GoHighLevel/highlevel-api-docs,
# apps/conversations.json, apps/contacts.json, apps/calendars.json, apps/locations.json).
CONVERSATIONS_API_VERSION = "2021-04-15"
CALENDARS_API_VERSION = "2021-04-15"
CONTACTS_API_VERSION = "2021-07-28"
LOCATIONS_API_VERSION = "2021-07-28"

# Transport failures that happen before GHL has the whole request: nothing can have been
# applied, so even a non-idempotent POST is safe to send again.
_NOT_SENT_ERRORS = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.WriteError,
    httpx.WriteTimeout,
)
# Failures after the request went out and before an answer came back: GHL may have acted.
_NO_ANSWER_ERRORS = (httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError)

DndChannel = Literal["Call", "Email", "SMS", "WhatsApp", "GMB", "FB"]
CustomFieldValue = str | list[str]


@dataclass(frozen=True)
class DndSetting:
    """Do-not-disturb for one channel, as GHL's `dndSettings.<channel>` holds it."""

    status: Literal["active", "inactive", "permanent"]
    message: str = ""
    code: str = ""

    def as_payload(self) -> dict[str, str]:
        payload: dict[str, str] = {"status": self.status}
        if self.message:
            payload["message"] = self.message
        if self.code:
            payload["code"] = self.code
        return payload


@dataclass(frozen=True)
class GHLContact:
    """A contact as GHL has it right now (the `contact` object of `GET /contacts/{id}`)."""

    id: str
    location_id: str
    first_name: str | None
    last_name: str | None
    phone: str | None
    email: str | None
    source: str | None
    tags: list[str] = field(default_factory=list)
    timezone: str | None = None
    postal_code: str | None = None
    dnd: bool = False
    dnd_sms: bool = False
    # Keyed by custom field *id*: GHL returns `[{"id", "value"}]` on reads even though
    # writes may name a field by its key.
    custom_fields: dict[str, CustomFieldValue] = field(default_factory=dict)


@dataclass(frozen=True)
class GHLLocation:
    """The sub-account as GHL describes it (the `location` object of `GET /locations/{id}`)."""

    id: str
    name: str
    timezone: str | None


@dataclass(frozen=True)
class GHLCalendar:
    """One of a location's calendars (`GET /calendars/`): what a broker picks for booking calls."""

    id: str
    name: str
    is_active: bool


@dataclass(frozen=True)
class _Endpoint:
    """One GHL route: what to call, which `Version` it wants, and whether a resend is harmless."""

    method: str
    template: str
    version: str
    idempotent: bool

    @property
    def label(self) -> str:
        # The template, not the filled-in path: a stable name for logs and metrics.
        return f"{self.method} {self.template}"

    def path(self, resource_id: str | None = None) -> str:
        if resource_id is None:
            return self.template
        return self.template.replace("{id}", quote(resource_id, safe=""))


SEND_MESSAGE = _Endpoint("POST", "/conversations/messages", CONVERSATIONS_API_VERSION, False)
ADD_TAGS = _Endpoint("POST", "/contacts/{id}/tags", CONTACTS_API_VERSION, True)
REMOVE_TAGS = _Endpoint("DELETE", "/contacts/{id}/tags", CONTACTS_API_VERSION, True)
UPDATE_CONTACT = _Endpoint("PUT", "/contacts/{id}", CONTACTS_API_VERSION, True)
GET_CONTACT = _Endpoint("GET", "/contacts/{id}", CONTACTS_API_VERSION, True)
ADD_NOTE = _Endpoint("POST", "/contacts/{id}/notes", CONTACTS_API_VERSION, False)
FREE_SLOTS = _Endpoint("GET", "/calendars/{id}/free-slots", CALENDARS_API_VERSION, True)
BOOK_APPOINTMENT = _Endpoint("POST", "/calendars/events/appointments", CALENDARS_API_VERSION, False)
GET_LOCATION = _Endpoint("GET", "/locations/{id}", LOCATIONS_API_VERSION, True)
LIST_CALENDARS = _Endpoint("GET", "/calendars/", CALENDARS_API_VERSION, True)


class GHLClient:
    """GHL API calls for one location (sub-account), with its token and rate-limit budget."""

    def __init__(
        self,
        *,
        location_id: str,
        api_token: str,
        base_url: str = DEFAULT_BASE_URL,
        rate_limiter: TokenBucket | None = None,
        timeout: float = 10.0,
        max_attempts: int = 3,
        backoff_base: float = 0.5,
        max_backoff: float = 8.0,
        http: httpx.Client | None = None,
    ) -> None:
        if not location_id or not api_token:
            raise ValueError("location_id and api_token are required")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.location_id = location_id
        self._api_token = api_token
        self._base_url = base_url.rstrip("/")
        self._rate_limiter = rate_limiter
        self._timeout = timeout
        # Connecting to GHL takes milliseconds; a connect that hangs is better retried early.
        self._http_timeout = httpx.Timeout(timeout, connect=min(timeout, 3.0))
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._max_backoff = max_backoff
        # Headers go on each request, not on the pool, so one pooled client can be shared by
        # the clients of many locations.
        self._owns_http = http is None
        self._http = http or httpx.Client(
            timeout=self._http_timeout,
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
        )

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> GHLClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- conversations ---------------------------------------------------------------------

    def send_sms(self, contact_id: str, message: str) -> str:
        """Send an SMS to the contact through their GHL conversation; returns GHL's messageId."""
        body = self._call(SEND_MESSAGE, json={"type": "SMS", "contactId": contact_id, "message": message})
        return _required_str(body, "messageId", SEND_MESSAGE)

    # -- contacts --------------------------------------------------------------------------

    def add_tags(self, contact_id: str, tags: Sequence[str]) -> None:
        if tags:
            self._call(ADD_TAGS, contact_id, json={"tags": list(tags)})

    def remove_tags(self, contact_id: str, tags: Sequence[str]) -> None:
        if tags:
            self._call(REMOVE_TAGS, contact_id, json={"tags": list(tags)})

    def update_contact(
        self,
        contact_id: str,
        *,
        custom_fields: Mapping[str, str] | None = None,
        dnd: bool | None = None,
        dnd_settings: Mapping[DndChannel, DndSetting] | None = None,
    ) -> None:
        """Write custom fields (by field key) and do-not-disturb flags; other fields untouched."""
        payload: dict[str, Any] = {}
        if custom_fields:
            payload["customFields"] = [{"key": key, "field_value": value} for key, value in custom_fields.items()]
        if dnd is not None:
            payload["dnd"] = dnd
        if dnd_settings:
            payload["dndSettings"] = {channel: setting.as_payload() for channel, setting in dnd_settings.items()}
        if payload:
            self._call(UPDATE_CONTACT, contact_id, json=payload)

    def get_contact(self, contact_id: str) -> GHLContact:
        body = self._call(GET_CONTACT, contact_id)
        contact = body.get("contact")
        if not isinstance(contact, dict):
            raise GHLFinalError("response has no contact object", endpoint=GET_CONTACT.label)
        return _parse_contact(contact, contact_id)

    def add_note(self, contact_id: str, body: str) -> str:
        """Add a note to the contact's record (what a broker reads first); returns the note id."""
        response = self._call(ADD_NOTE, contact_id, json={"body": body})
        note = response.get("note")
        if not isinstance(note, dict):
            raise GHLFinalError("response has no note object", endpoint=ADD_NOTE.label)
        return _required_str(note, "id", ADD_NOTE)

    # -- the location ----------------------------------------------------------------------

    def get_location(self) -> GHLLocation:
        """The location this client's token opens (403/404/422 when the token is another location's)."""
        body = self._call(GET_LOCATION, self.location_id)
        location = body.get("location")
        if not isinstance(location, dict):
            raise GHLFinalError("response has no location object", endpoint=GET_LOCATION.label)
        return GHLLocation(
            id=str(location.get("id") or self.location_id),
            name=str(location.get("name") or ""),
            timezone=location.get("timezone") or None,
        )

    def list_calendars(self) -> list[GHLCalendar]:
        body = self._call(LIST_CALENDARS, params={"locationId": self.location_id})
        calendars = body.get("calendars")
        if not isinstance(calendars, list):
            raise GHLFinalError("response has no calendars list", endpoint=LIST_CALENDARS.label)
        return [
            GHLCalendar(
                id=item["id"], name=str(item.get("name") or item["id"]), is_active=item.get("isActive") is not False
            )
            for item in calendars
            if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"]
        ]

    # -- calendars -------------------------------------------------------------------------

    def get_free_slots(self, calendar_id: str, start: datetime, end: datetime, timezone: str) -> list[datetime]:
        """Open slot start times between `start` and `end` (GHL caps the range at 31 days)."""
        body = self._call(
            FREE_SLOTS,
            calendar_id,
            params={
                "startDate": _epoch_ms(start),
                "endDate": _epoch_ms(end),
                "timezone": timezone,
            },
        )
        return _parse_free_slots(body)

    def book_appointment(
        self,
        calendar_id: str,
        contact_id: str,
        start: datetime,
        end: datetime | None = None,
        title: str = "Real estate consultation",
    ) -> str:
        """Book the contact into a calendar slot; without `end` GHL uses the slot length."""
        payload: dict[str, Any] = {
            "calendarId": calendar_id,
            "locationId": self.location_id,
            "contactId": contact_id,
            "startTime": _aware(start).isoformat(),
            "title": title,
            "appointmentStatus": "confirmed",
        }
        if end is not None:
            payload["endTime"] = _aware(end).isoformat()
        body = self._call(BOOK_APPOINTMENT, json=payload)
        return _required_str(body, "id", BOOK_APPOINTMENT)

    # -- transport -------------------------------------------------------------------------

    def _call(
        self,
        endpoint: _Endpoint,
        resource_id: str | None = None,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, str | int] | None = None,
    ) -> dict[str, Any]:
        """Send one logical call, retrying in-process while that is safe and worth it."""
        url = self._base_url + endpoint.path(resource_id)
        attempt = 0
        while True:
            attempt += 1
            # Every attempt spends one request of GHL's budget, retries included.
            if self._rate_limiter is not None:
                self._rate_limiter.acquire(self.location_id, timeout=self._timeout)
            try:
                return self._attempt(endpoint, url, json, params, attempt)
            except GHLFinalError as error:
                self._log_give_up(endpoint, error, attempt)
                raise
            except GHLRetryableError as error:
                delay = self._retry_delay(endpoint, error, attempt)
                if delay is None:
                    self._log_give_up(endpoint, error, attempt)
                    raise
                self._log_retry(endpoint, error, attempt, delay)
                time.sleep(delay)

    def _attempt(
        self,
        endpoint: _Endpoint,
        url: str,
        json: dict[str, Any] | None,
        params: dict[str, str | int] | None,
        attempt: int,
    ) -> dict[str, Any]:
        headers = {
            "Authorization": f"Bearer {self._api_token}",
            "Version": endpoint.version,
            "Accept": "application/json",
        }
        try:
            response = self._http.request(
                endpoint.method,
                url,
                headers=headers,
                json=json,
                params=params,
                timeout=self._http_timeout,
            )
        except _NOT_SENT_ERRORS as exc:
            raise GHLRetryableError(_describe_transport(exc), endpoint=endpoint.label) from exc
        except _NO_ANSWER_ERRORS as exc:
            raise GHLRetryableError(_describe_transport(exc), endpoint=endpoint.label, maybe_applied=True) from exc
        except httpx.RequestError as exc:
            # Bad URL scheme, proxy misconfiguration and the like: no retry fixes those.
            raise GHLFinalError(_describe_transport(exc), endpoint=endpoint.label) from exc

        if response.is_success:
            logger.debug(
                "GHL %s status=%s attempt=%d location=%s",
                endpoint.label,
                response.status_code,
                attempt,
                self.location_id,
                extra=self._log_extra(endpoint, response.status_code, attempt),
            )
            return _decode_json(response, endpoint)
        raise _error_for_status(response, endpoint)

    def _retry_delay(self, endpoint: _Endpoint, error: GHLRetryableError, attempt: int) -> float | None:
        """Seconds to sleep before the next attempt, or None to hand the error to the caller.

        Gives up (after filling in `retry_after` for the caller's reschedule) when attempts run
        out, when GHL asks for a longer pause than we are willing to block a worker for, and
        when a non-idempotent call may already have been applied.
        """
        backoff_cap = min(self._max_backoff, self._backoff_base * 2 ** (attempt - 1))
        server_wait = error.retry_after
        if server_wait is not None and server_wait > self._max_backoff:
            return None
        if error.maybe_applied and not endpoint.idempotent:
            error.retry_after = server_wait if server_wait is not None else backoff_cap
            return None
        if attempt >= self._max_attempts:
            error.retry_after = server_wait if server_wait is not None else backoff_cap
            return None
        if server_wait is not None:
            return server_wait
        # Full jitter: workers that failed together do not come back together.
        return random.uniform(0, backoff_cap)

    def _log_retry(self, endpoint: _Endpoint, error: GHLError, attempt: int, delay: float) -> None:
        logger.warning(
            "GHL %s failed (%s) status=%s attempt=%d/%d location=%s; retrying in %.2fs",
            endpoint.label,
            error.reason,
            error.status,
            attempt,
            self._max_attempts,
            self.location_id,
            delay,
            extra=self._log_extra(endpoint, error.status, attempt),
        )

    def _log_give_up(self, endpoint: _Endpoint, error: GHLError, attempt: int) -> None:
        logger.warning(
            "GHL %s failed (%s) status=%s attempt=%d/%d location=%s; "
            "giving up: retryable=%s retry_after=%s maybe_applied=%s",
            endpoint.label,
            error.reason,
            error.status,
            attempt,
            self._max_attempts,
            self.location_id,
            error.retryable,
            error.retry_after,
            error.maybe_applied,
            extra=self._log_extra(endpoint, error.status, attempt),
        )

    def _log_extra(self, endpoint: _Endpoint, status: int | None, attempt: int) -> dict[str, Any]:
        return {
            "ghl_endpoint": endpoint.label,
            "ghl_status": status,
            "ghl_attempt": attempt,
            "ghl_location_id": self.location_id,
        }


def _error_for_status(response: httpx.Response, endpoint: _Endpoint) -> GHLError:
    status = response.status_code
    trace_id = _trace_id(response)
    if status == 429:
        return GHLRetryableError(
            "rate limited",
            endpoint=endpoint.label,
            status=status,
            retry_after=_rate_limit_wait(response.headers),
            trace_id=trace_id,
        )
    if status >= 500:
        return GHLRetryableError("server error", endpoint=endpoint.label, status=status, trace_id=trace_id)
    return GHLFinalError("request rejected", endpoint=endpoint.label, status=status, trace_id=trace_id)


def _rate_limit_wait(headers: httpx.Headers) -> float | None:
    """How long GHL wants us to pause after a 429, if it says.

    `Retry-After` is exact. Without it, GHL's `X-RateLimit-Remaining: 0` plus
    `X-RateLimit-Interval-Milliseconds` says the window's budget is spent; the full interval
    is the longest we could need to wait.
    """
    retry_after = headers.get("Retry-After")
    if retry_after:
        seconds = _parse_retry_after(retry_after)
        if seconds is not None:
            return seconds
    remaining = headers.get("X-RateLimit-Remaining")
    interval_ms = headers.get("X-RateLimit-Interval-Milliseconds")
    if remaining is not None and interval_ms is not None:
        try:
            if int(remaining) <= 0:
                return max(0.0, int(interval_ms) / 1000)
        except ValueError:
            return None
    return None


def _parse_retry_after(value: str) -> float | None:
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _trace_id(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    trace_id = body.get("traceId") if isinstance(body, dict) else None
    return trace_id if isinstance(trace_id, str) else None


def _decode_json(response: httpx.Response, endpoint: _Endpoint) -> dict[str, Any]:
    if not response.content:
        return {}
    try:
        body = response.json()
    except ValueError:
        raise GHLFinalError("response is not JSON", endpoint=endpoint.label, status=response.status_code) from None
    if not isinstance(body, dict):
        raise GHLFinalError("response is not a JSON object", endpoint=endpoint.label, status=response.status_code)
    return body


def _describe_transport(exc: httpx.RequestError) -> str:
    # The class name only: httpx messages can include the URL, and so query strings.
    return type(exc).__name__


def _required_str(body: Mapping[str, Any], key: str, endpoint: _Endpoint) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise GHLFinalError(f"response has no {key}", endpoint=endpoint.label)
    return value


def _parse_contact(contact: Mapping[str, Any], contact_id: str) -> GHLContact:
    dnd_settings = contact.get("dndSettings")
    sms_dnd = dnd_settings.get("SMS") if isinstance(dnd_settings, dict) else None
    sms_dnd_status = sms_dnd.get("status") if isinstance(sms_dnd, dict) else None
    tags = contact.get("tags") or []
    return GHLContact(
        id=contact.get("id") or contact_id,
        location_id=contact.get("locationId") or "",
        first_name=contact.get("firstName"),
        last_name=contact.get("lastName"),
        phone=contact.get("phone"),
        email=contact.get("email"),
        source=contact.get("source"),
        tags=[str(tag) for tag in tags],
        timezone=contact.get("timezone") or None,
        postal_code=contact.get("postalCode") or None,
        dnd=bool(contact.get("dnd")),
        # "permanent" is GHL's stronger form of DND (e.g. a carrier-level STOP): it blocks
        # texting just as "active" does.
        dnd_sms=sms_dnd_status in ("active", "permanent"),
        custom_fields=_parse_custom_fields(contact.get("customFields") or []),
    )


def _parse_custom_fields(fields: Sequence[Any]) -> dict[str, CustomFieldValue]:
    parsed: dict[str, CustomFieldValue] = {}
    for item in fields:
        if not isinstance(item, dict) or not item.get("id") or item.get("value") is None:
            continue
        value = item["value"]
        parsed[item["id"]] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return parsed


def _parse_free_slots(body: Mapping[str, Any]) -> list[datetime]:
    """Flatten GHL's `{"2026-11-24": {"slots": [iso, ...]}, "traceId": ...}` into datetimes."""
    slots: list[datetime] = []
    for day in body.values():
        if not isinstance(day, dict):
            continue
        for slot in day.get("slots") or []:
            try:
                slots.append(datetime.fromisoformat(slot))
            except (TypeError, ValueError):
                raise GHLFinalError("free-slots response has an unreadable slot", endpoint=FREE_SLOTS.label) from None
    return sorted(slots)


def _aware(moment: datetime) -> datetime:
    # A naive datetime would be read in GHL's or the calendar's zone: a wrong booking time.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("GHL calendar times must be timezone-aware")
    return moment


def _epoch_ms(moment: datetime) -> int:
    return int(_aware(moment).timestamp() * 1000)
