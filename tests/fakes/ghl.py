"""A fake GHL API: a real HTTP server on loopback that answers like GHL and records every call.

Tests point the real `GHLClient` (or a real Celery worker in another process) at `FakeGHL.url`.
State lives in the server, so a test can seed contacts and free slots, make the next requests
fail (429, 500, bad JSON, slow answers), and read back what was sent, either directly or from
another process through `GET /__fake__/calls`.
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
import pytest

from tests.fakes.loopback import Answer, LoopbackAPI, RecordedCall

# The Version each endpoint family requires, per GHL's OpenAPI specs
# (github.com/GoHighLevel/highlevel-api-docs). Kept separate from the client's constants on
# purpose: the fake must catch a client that sends the wrong one.
_CONVERSATIONS = "2021-04-15"
_CALENDARS = "2021-04-15"
_CONTACTS = "2021-07-28"
_LOCATIONS = "2021-07-28"

ADMIN_PREFIX = "/__fake__/"

JSONBody = dict[str, Any]
Reply = tuple[int, JSONBody]


@dataclass
class _Failure:
    status: int
    remaining: int
    headers: dict[str, str]
    path_prefix: str | None
    body: str | None
    # time.time() after which it stops (an outage of a given length, for the soak); None: after `remaining`.
    until: float | None = None

    def matches(self, path: str) -> bool:
        if self.until is not None and time.time() >= self.until:
            return False
        return self.remaining > 0 and (self.path_prefix is None or path.startswith(self.path_prefix))


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    version: str
    handle: Callable[[FakeGHL, re.Match[str], RecordedCall], Reply]


@dataclass
class _State:
    """Everything the server remembers; guarded by `FakeGHL._lock`."""

    calls: list[RecordedCall] = field(default_factory=list)
    failures: list[_Failure] = field(default_factory=list)
    notes: dict[str, list[JSONBody]] = field(default_factory=dict)
    appointments: list[JSONBody] = field(default_factory=list)
    # Each accepted text with the messageId GHL gave it, for echoing it as GHL does (an OutboundMessage webhook).
    texts_accepted: list[tuple[RecordedCall, str]] = field(default_factory=list)
    next_id: int = 0
    # OAuth: authorization codes not yet traded (code -> redirect_uri), access tokens with their expiry
    # (time.time()), and the one refresh token of the install that is still good.
    codes: dict[str, str] = field(default_factory=dict)
    access_tokens: dict[str, float] = field(default_factory=dict)
    refresh_tokens: set[str] = field(default_factory=set)


class FakeGHL(LoopbackAPI):
    """A GHL API on 127.0.0.1 for tests; use as a context manager or call `stop()`."""

    thread_name = "fake-ghl"

    def __init__(
        self,
        *,
        api_token: str | None = None,
        location_id: str = "fake-location",
        oauth_app: tuple[str, str] | None = None,
    ) -> None:
        # With api_token set, any other bearer gets a 401 (access tokens the OAuth endpoint issued aside), as a
        # wrong token would at GHL.
        self.api_token = api_token
        self.location_id = location_id
        self.location_name = "Fake Realty"
        self.location_timezone = "America/Chicago"
        # `GET /calendars/` answers these: {"id", "name", "isActive"}.
        self.calendars: list[JSONBody] = []
        # The marketplace app's (client id, client secret), for the OAuth endpoints; and how long tokens last.
        self.oauth_app = oauth_app
        self.access_token_seconds = 86399
        # True: the app is installed at the agency (userType Company), so the tokens name no location.
        self.agency_install = False
        self.contacts: dict[str, JSONBody] = {}
        self.free_slots: list[str] = []
        self.delay_seconds: float = 0.0
        self._lock = threading.Lock()
        self._state = _State()
        super().__init__()

    # -- controls --------------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        times: int = 1,
        headers: dict[str, str] | None = None,
        path_prefix: str | None = None,
        body: str | None = None,
    ) -> None:
        """Answer the next `times` requests (under `path_prefix`, if given) with `status`.

        `body` replaces the default JSON error body, e.g. `fail_next(200, body="<html>")` for
        a proxy page where GHL's JSON should be.
        """
        with self._lock:
            self._state.failures.append(_Failure(status, times, dict(headers or {}), path_prefix, body))

    def fail_for(self, status: int, seconds: float, headers: dict[str, str] | None = None) -> None:
        """Answer every request with `status` for the next `seconds`: an outage, where `fail_next` is a blip."""
        with self._lock:
            self._state.failures.append(
                _Failure(status, 2**62, dict(headers or {}), None, None, until=time.time() + seconds)
            )

    def revoke_install(self) -> None:
        """The location uninstalled the app: its refresh token and access tokens stop working."""
        with self._lock:
            self._state.refresh_tokens.clear()
            self._state.access_tokens.clear()

    def reset(self) -> None:
        """Forget calls, failures, notes, appointments, contacts, calendars, free slots, tokens and the delay."""
        with self._lock:
            self._state = _State()
            self.contacts.clear()
            self.calendars.clear()
            self.free_slots.clear()
            self.delay_seconds = 0.0

    # -- inspection ------------------------------------------------------------------------

    @property
    def calls(self) -> list[RecordedCall]:
        with self._lock:
            return list(self._state.calls)

    @property
    def appointments(self) -> list[JSONBody]:
        with self._lock:
            return list(self._state.appointments)

    def calls_to(self, method: str, path_prefix: str) -> list[RecordedCall]:
        return [c for c in self.calls if c.method == method.upper() and c.path.startswith(path_prefix)]

    def sms_sent(self, contact_id: str | None = None) -> list[str]:
        """Texts GHL accepted (failed attempts excluded), oldest first."""
        return [
            c.json["message"]
            for c in self._accepted("POST", "/conversations/messages")
            if c.json.get("type") == "SMS" and (contact_id is None or c.json.get("contactId") == contact_id)
        ]

    def texts_accepted(self, since: int = 0) -> list[tuple[RecordedCall, str]]:
        """Accepted texts from the `since`-th on, each with its messageId: what GHL echoes to the webhook."""
        with self._lock:
            return self._state.texts_accepted[since:]

    def tags_added(self, contact_id: str) -> list[str]:
        return [tag for c in self._accepted("POST", f"/contacts/{contact_id}/tags") for tag in c.json["tags"]]

    def tags_removed(self, contact_id: str) -> list[str]:
        return [tag for c in self._accepted("DELETE", f"/contacts/{contact_id}/tags") for tag in c.json["tags"]]

    def notes_added(self, contact_id: str) -> list[str]:
        with self._lock:
            return [note["body"] for note in self._state.notes.get(contact_id, [])]

    def _accepted(self, method: str, path: str) -> list[RecordedCall]:
        return [c for c in self.calls if c.method == method and c.path == path and c.status < 300]

    # -- request handling (server threads) -------------------------------------------------

    def answer(self, call: RecordedCall) -> Answer:
        if call.path.startswith(ADMIN_PREFIX):
            return _admin(self, call)
        status, headers, body = self._respond(call)
        # After recording and applying: a client that gives up waiting has still had its request acted on,
        # which is exactly the ambiguity of a real timeout.
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        return status, headers, body

    def _respond(self, call: RecordedCall) -> Answer:
        """Decide the answer to one API request and record it; runs on a server thread."""
        with self._lock:
            status, headers, body = self._answer(call)
            self._state.calls.append(_with_status(call, status))
        return status, headers, body

    def _answer(self, call: RecordedCall) -> Answer:
        failure = next((f for f in self._state.failures if f.matches(call.path)), None)
        if failure is not None:
            failure.remaining -= 1
            raw = failure.body
            if raw is None:
                raw = json.dumps(_error_body(failure.status, _reason(failure.status)))
            return failure.status, failure.headers, raw.encode()

        status, payload = self._route(call)
        # A redirect's payload says where it sends the browser (GHL's chooselocation page, back to the app).
        headers = {"Location": payload["location"]} if status == 302 else {}
        return status, headers, json.dumps(payload).encode()

    def _route(self, call: RecordedCall) -> Reply:
        if call.path.startswith("/oauth/"):
            return _oauth(self, call)
        bearer = call.headers.get("authorization", "")
        token = bearer.removeprefix("Bearer ").strip() if bearer.startswith("Bearer ") else ""
        if not self._accepts(token):
            return 401, _error_body(401, "Invalid JWT")
        for route in _ROUTES:
            match = route.pattern.fullmatch(call.path)
            if route.method != call.method or match is None:
                continue
            version = call.headers.get("version")
            if version is None:
                return 400, _error_body(400, "version header was not found")
            if version != route.version:
                return 400, _error_body(400, f"version {version} is not supported here")
            return route.handle(self, match, call)
        return 404, _error_body(404, f"Cannot {call.method} {call.path}")

    def _accepts(self, token: str) -> bool:
        expires_at = self._state.access_tokens.get(token)
        if expires_at is not None:
            return time.time() < expires_at
        # An access token that was revoked or never issued looks like any other wrong token.
        if token.startswith("at_"):
            return False
        return bool(token) and (self.api_token is None or token == self.api_token)

    def _issue_tokens(self) -> JSONBody:
        access_token, refresh_token = self._new_id("at"), self._new_id("rt")
        self._state.access_tokens[access_token] = time.time() + self.access_token_seconds
        self._state.refresh_tokens = {refresh_token}
        return {
            "access_token": access_token, "token_type": "Bearer", "expires_in": self.access_token_seconds,
            "refresh_token": refresh_token, "scope": "conversations/message.write contacts.write",
            "userType": "Company" if self.agency_install else "Location", "companyId": "fake-company",
            "userId": "fake-user", **({} if self.agency_install else {"locationId": self.location_id}),
        }

    def _new_id(self, prefix: str) -> str:
        self._state.next_id += 1
        return f"{prefix}_{self._state.next_id}"

    def _writable_contact(self, contact_id: str) -> JSONBody:
        # Writes to a contact nobody seeded create it, so flow tests need not seed every lead;
        # a GET of a contact never written or seeded still answers 404, as GHL does.
        return self.contacts.setdefault(contact_id, {"id": contact_id})

    def _contact_view(self, contact_id: str) -> JSONBody:
        contact = self.contacts[contact_id]
        return {
            "id": contact_id,
            "locationId": self.location_id,
            "tags": [],
            "dnd": False,
            "customFields": [],
            **contact,
        }


# -- endpoint behaviour ---------------------------------------------------------------------


def _send_message(fake: FakeGHL, match: re.Match[str], call: RecordedCall) -> Reply:
    body = call.json
    if not isinstance(body, dict) or not body.get("contactId") or not body.get("type"):
        return 422, _error_body(422, "contactId and type are required")
    if body["type"] == "SMS" and not body.get("message"):
        return 422, _error_body(422, "message is required for SMS")
    message_id = fake._new_id("msg")
    fake._state.texts_accepted.append((call, message_id))
    return 201, {
        "conversationId": f"conv_{body['contactId']}",
        "messageId": message_id,
        "msg": "Message queued successfully.",
    }


def _add_tags(fake: FakeGHL, match: re.Match[str], call: RecordedCall) -> Reply:
    tags = _tags_in(call)
    if tags is None:
        return 422, _error_body(422, "tags must be a list of strings")
    contact = fake._writable_contact(match["contact_id"])
    current = contact.setdefault("tags", [])
    current.extend(tag for tag in tags if tag not in current)
    return 201, {"tags": list(current)}


def _remove_tags(fake: FakeGHL, match: re.Match[str], call: RecordedCall) -> Reply:
    tags = _tags_in(call)
    if tags is None:
        return 422, _error_body(422, "tags must be a list of strings")
    contact = fake._writable_contact(match["contact_id"])
    contact["tags"] = [tag for tag in contact.get("tags", []) if tag not in tags]
    return 200, {"tags": list(contact["tags"])}


def _update_contact(fake: FakeGHL, match: re.Match[str], call: RecordedCall) -> Reply:
    body = call.json
    if not isinstance(body, dict):
        return 422, _error_body(422, "body must be a JSON object")
    contact_id = match["contact_id"]
    contact = fake._writable_contact(contact_id)
    for name, value in body.items():
        if name == "customFields":
            _merge_custom_fields(contact, value)
        elif name == "dndSettings":
            contact.setdefault("dndSettings", {}).update(value)
        else:
            # Includes `tags`: on PUT GHL overwrites the whole list, as this does.
            contact[name] = value
    return 200, {"succeded": True, "contact": fake._contact_view(contact_id)}


def _get_location(fake: FakeGHL, match: re.Match[str], call: RecordedCall) -> Reply:
    # GHL answers a token another location's with 403, whichever location it names.
    if match["location_id"] != fake.location_id:
        return 403, _error_body(403, "The token does not have access to this location.")
    return 200, {"location": {"id": fake.location_id, "name": fake.location_name, "timezone": fake.location_timezone}}


def _list_calendars(fake: FakeGHL, match: re.Match[str], call: RecordedCall) -> Reply:
    if call.query.get("locationId") != fake.location_id:
        return 403, _error_body(403, "The token does not have access to this location.")
    return 200, {"calendars": [dict(calendar) for calendar in fake.calendars]}


def _oauth(fake: FakeGHL, call: RecordedCall) -> Reply:
    app = fake.oauth_app
    if app is None:
        return 404, _error_body(404, f"Cannot {call.method} {call.path}")
    if call.method == "GET" and call.path == "/oauth/chooselocation":
        return _choose_location(fake, call, app[0])
    if call.method == "POST" and call.path == "/oauth/token":
        return _token(fake, call, app)
    return 404, _error_body(404, f"Cannot {call.method} {call.path}")


def _choose_location(fake: FakeGHL, call: RecordedCall, client_id: str) -> Reply:
    """The page where a person picks the location and approves the app: here approved at once, for fake.location_id."""
    query = call.query
    if query.get("client_id") != client_id or query.get("response_type") != "code":
        return 400, _error_body(400, "unknown client_id or response_type")
    code = fake._new_id("code")
    fake._state.codes[code] = query.get("redirect_uri", "")
    back = {"code": code, **({"state": query["state"]} if "state" in query else {})}
    return 302, {"location": f"{query.get('redirect_uri', '')}?{urlencode(back)}"}


def _token(fake: FakeGHL, call: RecordedCall, app: tuple[str, str]) -> Reply:
    form = call.form
    if (form.get("client_id"), form.get("client_secret")) != app:
        return 401, {"error": "invalid_client", "error_description": "client authentication failed"}
    if form.get("user_type") != "Location":
        return 422, {"error": "invalid_request", "error_description": "user_type must be Location"}
    grant_type = form.get("grant_type")
    if grant_type == "authorization_code":
        # Single use, and only for the redirect_uri it was issued to.
        if fake._state.codes.pop(form.get("code", ""), None) != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant", "error_description": "Invalid grant: code is invalid"}
    elif grant_type == "refresh_token":
        refresh_token = form.get("refresh_token", "")
        if refresh_token not in fake._state.refresh_tokens:
            return 400, {"error": "invalid_grant", "error_description": "Invalid grant: refresh token is invalid"}
    else:
        return 400, {"error": "unsupported_grant_type", "error_description": str(grant_type)}
    return 200, fake._issue_tokens()


def _get_contact(fake: FakeGHL, match: re.Match[str], call: RecordedCall) -> Reply:
    contact_id = match["contact_id"]
    if contact_id not in fake.contacts:
        return 404, _error_body(404, "Contact not found")
    return 200, {"contact": fake._contact_view(contact_id), "traceId": str(uuid.uuid4())}


def _add_note(fake: FakeGHL, match: re.Match[str], call: RecordedCall) -> Reply:
    body = call.json
    if not isinstance(body, dict) or not body.get("body"):
        return 422, _error_body(422, "body is required")
    contact_id = match["contact_id"]
    fake._writable_contact(contact_id)
    note = {
        "id": fake._new_id("note"),
        "body": body["body"],
        "userId": body.get("userId", ""),
        "contactId": contact_id,
        "dateAdded": datetime.now().astimezone().isoformat(),
    }
    fake._state.notes.setdefault(contact_id, []).append(note)
    return 201, {"note": note}


def _free_slots(fake: FakeGHL, match: re.Match[str], call: RecordedCall) -> Reply:
    try:
        start_ms = int(call.query["startDate"])
        end_ms = int(call.query["endDate"])
    except (KeyError, ValueError):
        return 422, _error_body(422, "startDate and endDate must be epoch milliseconds")
    zone = _zone(call.query.get("timezone"))
    by_day: dict[str, JSONBody] = {}
    for slot in sorted(fake.free_slots, key=_instant):
        moment = datetime.fromisoformat(slot)
        if not start_ms <= moment.timestamp() * 1000 <= end_ms:
            continue
        local = moment.astimezone(zone) if zone is not None else moment
        by_day.setdefault(local.date().isoformat(), {"slots": []})["slots"].append(local.isoformat())
    return 200, {**by_day, "traceId": str(uuid.uuid4())}


def _book_appointment(fake: FakeGHL, match: re.Match[str], call: RecordedCall) -> Reply:
    body = call.json
    required = ("calendarId", "locationId", "contactId", "startTime")
    if not isinstance(body, dict) or not all(body.get(name) for name in required):
        return 422, _error_body(422, "calendarId, locationId, contactId and startTime are required")
    start = _instant(body["startTime"])
    offered = [slot for slot in fake.free_slots if _instant(slot) == start]
    # Like GHL: once free slots are known, booking outside them is refused unless forced.
    if fake.free_slots and not offered and not body.get("ignoreFreeSlotValidation"):
        return 400, _error_body(400, "The slot you have selected is no longer available.")
    for slot in offered:
        fake.free_slots.remove(slot)
    appointment = {
        "id": fake._new_id("appt"),
        "calendarId": body["calendarId"],
        "locationId": body["locationId"],
        "contactId": body["contactId"],
        "startTime": body["startTime"],
        "endTime": body.get("endTime"),
        "title": body.get("title", ""),
        "appointmentStatus": body.get("appointmentStatus", "confirmed"),
    }
    fake._state.appointments.append(appointment)
    return 201, appointment


_ROUTES = (
    _Route("POST", re.compile(r"/conversations/messages"), _CONVERSATIONS, _send_message),
    _Route("POST", re.compile(r"/contacts/(?P<contact_id>[^/]+)/tags"), _CONTACTS, _add_tags),
    _Route("DELETE", re.compile(r"/contacts/(?P<contact_id>[^/]+)/tags"), _CONTACTS, _remove_tags),
    _Route("POST", re.compile(r"/contacts/(?P<contact_id>[^/]+)/notes"), _CONTACTS, _add_note),
    _Route("PUT", re.compile(r"/contacts/(?P<contact_id>[^/]+)"), _CONTACTS, _update_contact),
    _Route("GET", re.compile(r"/contacts/(?P<contact_id>[^/]+)"), _CONTACTS, _get_contact),
    _Route("GET", re.compile(r"/calendars/(?P<calendar_id>[^/]+)/free-slots"), _CALENDARS, _free_slots),
    _Route("POST", re.compile(r"/calendars/events/appointments"), _CALENDARS, _book_appointment),
    _Route("GET", re.compile(r"/locations/(?P<location_id>[^/]+)"), _LOCATIONS, _get_location),
    _Route("GET", re.compile(r"/calendars/"), _CALENDARS, _list_calendars),
)


def _tags_in(call: RecordedCall) -> list[str] | None:
    tags = call.json.get("tags") if isinstance(call.json, dict) else None
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        return None
    return tags


def _merge_custom_fields(contact: JSONBody, updates: list[JSONBody]) -> None:
    # Reads return `{"id", "value"}`; the fake uses a write's `key` as the id, where real GHL
    # would map the key to a generated field id.
    fields = {item["id"]: item["value"] for item in contact.get("customFields", [])}
    for item in updates:
        fields[item.get("id") or item["key"]] = item.get("field_value")
    contact["customFields"] = [{"id": name, "value": value} for name, value in fields.items()]


def _instant(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _error_body(status: int, message: str) -> JSONBody:
    return {"statusCode": status, "message": message, "traceId": str(uuid.uuid4())}


def _with_status(call: RecordedCall, status: int) -> RecordedCall:
    return dataclasses.replace(call, status=status)


def _admin(fake: FakeGHL, call: RecordedCall) -> Answer:
    if call.method == "GET" and call.path == ADMIN_PREFIX + "calls":
        payload: JSONBody = {"calls": [asdict(c) for c in fake.calls]}
        return 200, {}, json.dumps(payload).encode()
    if call.method == "POST" and call.path == ADMIN_PREFIX + "reset":
        fake.reset()
        return 200, {}, b"{}"
    return 404, {}, json.dumps(_error_body(404, "unknown admin endpoint")).encode()


def remote_calls(base_url: str) -> list[RecordedCall]:
    """The calls a FakeGHL has recorded, fetched over HTTP (for a test in another process)."""
    response = httpx.get(base_url.rstrip("/") + ADMIN_PREFIX + "calls", timeout=5)
    response.raise_for_status()
    return [RecordedCall(**call) for call in response.json()["calls"]]


@pytest.fixture
def fake_ghl() -> Iterator[FakeGHL]:
    """A fresh fake GHL per test; register with `from tests.fakes.ghl import fake_ghl`."""
    with FakeGHL() as fake:
        yield fake
