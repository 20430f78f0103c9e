"""The GHL client against the fake GHL server: request shapes, retries, final errors, logs.

Nothing is mocked: the real client sends real HTTP to a real server on loopback.
"""

from __future__ import annotations

import logging
import pickle
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from leads.ghl.client import DndSetting, GHLClient, GHLContact
from leads.ghl.errors import GHLFinalError, GHLRetryableError
from tests.fakes.ghl import FakeGHL, remote_calls

TOKEN = "pit-test-9f3c2e71-secret"
LOCATION = "loc_austin_team"
LEAD = "contact_maria"
LEAD_PHONE = "+15125550147"
PACIFIC = timezone(timedelta(hours=-8))


@pytest.fixture
def fake() -> Iterator[FakeGHL]:
    with FakeGHL(api_token=TOKEN, location_id=LOCATION) as fake:
        yield fake


def make_client(fake: FakeGHL, timeout: float = 2.0) -> GHLClient:
    # Tiny backoffs keep retry tests fast; the retry logic is the same at any scale.
    return GHLClient(
        location_id=LOCATION,
        api_token=TOKEN,
        base_url=fake.url,
        timeout=timeout,
        backoff_base=0.01,
        max_backoff=0.5,
    )


@pytest.fixture
def client(fake: FakeGHL) -> Iterator[GHLClient]:
    with make_client(fake) as client:
        yield client


# -- request shapes -------------------------------------------------------------------------


def test_send_sms_posts_to_conversations_with_bearer_and_conversations_version(
    fake: FakeGHL, client: GHLClient
) -> None:
    message_id = client.send_sms(LEAD, "Hi Maria, is 3 pm still good for a call?")

    [call] = fake.calls
    assert (call.method, call.path) == ("POST", "/conversations/messages")
    assert call.headers["authorization"] == f"Bearer {TOKEN}"
    assert call.headers["version"] == "2021-04-15"
    assert call.headers["accept"] == "application/json"
    assert call.json == {"type": "SMS", "contactId": LEAD, "message": "Hi Maria, is 3 pm still good for a call?"}
    assert message_id.startswith("msg_")
    assert fake.sms_sent(LEAD) == ["Hi Maria, is 3 pm still good for a call?"]


def test_add_tags_posts_the_tags_with_the_contacts_version(fake: FakeGHL, client: GHLClient) -> None:
    client.add_tags(LEAD, ["Hot-Seller", "Seller-Qualified"])

    [call] = fake.calls
    assert (call.method, call.path) == ("POST", f"/contacts/{LEAD}/tags")
    assert call.headers["version"] == "2021-07-28"
    assert call.json == {"tags": ["Hot-Seller", "Seller-Qualified"]}
    assert fake.tags_added(LEAD) == ["Hot-Seller", "Seller-Qualified"]


def test_remove_tags_sends_a_delete_with_the_tags_in_the_body(fake: FakeGHL, client: GHLClient) -> None:
    client.remove_tags(LEAD, ["Needs Qualifying"])

    [call] = fake.calls
    assert (call.method, call.path) == ("DELETE", f"/contacts/{LEAD}/tags")
    assert call.headers["version"] == "2021-07-28"
    assert call.json == {"tags": ["Needs Qualifying"]}
    assert fake.tags_removed(LEAD) == ["Needs Qualifying"]


def test_empty_tag_lists_and_empty_updates_make_no_request(fake: FakeGHL, client: GHLClient) -> None:
    client.add_tags(LEAD, [])
    client.remove_tags(LEAD, [])
    client.update_contact(LEAD)

    assert fake.calls == []


def test_update_contact_writes_custom_fields_by_key_and_sms_dnd(fake: FakeGHL, client: GHLClient) -> None:
    client.update_contact(
        LEAD,
        custom_fields={"seller_timeline": "30 days", "seller_motivation": "relocating"},
        dnd=True,
        dnd_settings={"SMS": DndSetting("active", message="Replied STOP", code="opt-out")},
    )

    [call] = fake.calls
    assert (call.method, call.path) == ("PUT", f"/contacts/{LEAD}")
    assert call.headers["version"] == "2021-07-28"
    assert call.json == {
        "customFields": [
            {"key": "seller_timeline", "field_value": "30 days"},
            {"key": "seller_motivation", "field_value": "relocating"},
        ],
        "dnd": True,
        "dndSettings": {"SMS": {"status": "active", "message": "Replied STOP", "code": "opt-out"}},
    }


def test_get_contact_reads_the_lead_into_a_typed_contact(fake: FakeGHL, client: GHLClient) -> None:
    fake.contacts[LEAD] = {
        "firstName": "Maria",
        "lastName": "Lopez",
        "phone": LEAD_PHONE,
        "email": "maria@example.com",
        "source": "Zillow",
        "tags": ["Needs Qualifying"],
        "timezone": "America/Chicago",
        "dnd": False,
        "dndSettings": {"SMS": {"status": "inactive"}, "Email": {"status": "active"}},
        "customFields": [{"id": "cf_timeline", "value": "90 days"}, {"id": "cf_areas", "value": ["78704", "78745"]}],
    }

    contact = client.get_contact(LEAD)

    assert contact == GHLContact(
        id=LEAD,
        location_id=LOCATION,
        first_name="Maria",
        last_name="Lopez",
        phone=LEAD_PHONE,
        email="maria@example.com",
        source="Zillow",
        tags=["Needs Qualifying"],
        timezone="America/Chicago",
        dnd=False,
        dnd_sms=False,
        custom_fields={"cf_timeline": "90 days", "cf_areas": ["78704", "78745"]},
    )
    [call] = fake.calls
    assert (call.method, call.path, call.headers["version"]) == ("GET", f"/contacts/{LEAD}", "2021-07-28")


@pytest.mark.parametrize(("status", "blocked"), [("active", True), ("permanent", True), ("inactive", False)])
def test_sms_dnd_is_on_when_ghl_marks_the_sms_channel_active_or_permanent(
    fake: FakeGHL, client: GHLClient, status: str, blocked: bool
) -> None:
    fake.contacts[LEAD] = {"dndSettings": {"SMS": {"status": status}}}

    assert client.get_contact(LEAD).dnd_sms is blocked


def test_get_contact_sees_tags_added_and_removed_earlier(fake: FakeGHL, client: GHLClient) -> None:
    # given
    fake.contacts[LEAD] = {"tags": ["Needs Qualifying", "Zillow"]}

    # when
    client.remove_tags(LEAD, ["Needs Qualifying"])
    client.add_tags(LEAD, ["Warm-Seller"])

    # then
    assert client.get_contact(LEAD).tags == ["Zillow", "Warm-Seller"]


def test_add_note_posts_the_body_and_returns_the_note_id(fake: FakeGHL, client: GHLClient) -> None:
    note_id = client.add_note(LEAD, "Seller wants to list in 30 days; motivated by relocation.")

    [call] = fake.calls
    assert (call.method, call.path, call.headers["version"]) == ("POST", f"/contacts/{LEAD}/notes", "2021-07-28")
    assert call.json == {"body": "Seller wants to list in 30 days; motivated by relocation."}
    assert note_id.startswith("note_")
    assert fake.notes_added(LEAD) == ["Seller wants to list in 30 days; motivated by relocation."]


def test_get_free_slots_asks_in_epoch_milliseconds_and_returns_aware_datetimes(
    fake: FakeGHL, client: GHLClient
) -> None:
    # given
    fake.free_slots = ["2026-11-24T10:00:00-08:00", "2026-11-25T14:30:00-08:00", "2026-12-20T09:00:00-08:00"]
    start = datetime(2026, 11, 24, tzinfo=PACIFIC)
    end = datetime(2026, 11, 26, tzinfo=PACIFIC)

    # when
    slots = client.get_free_slots("cal_listing_calls", start, end, "America/Los_Angeles")

    # then
    assert slots == [datetime(2026, 11, 24, 10, tzinfo=PACIFIC), datetime(2026, 11, 25, 14, 30, tzinfo=PACIFIC)]
    assert all(slot.tzinfo is not None for slot in slots)
    [call] = fake.calls
    assert (call.method, call.path) == ("GET", "/calendars/cal_listing_calls/free-slots")
    assert call.headers["version"] == "2021-04-15"
    assert call.query == {
        "startDate": str(int(start.timestamp() * 1000)),
        "endDate": str(int(end.timestamp() * 1000)),
        "timezone": "America/Los_Angeles",
    }


def test_book_appointment_posts_the_slot_for_this_location_and_returns_the_id(fake: FakeGHL, client: GHLClient) -> None:
    # given
    fake.free_slots = ["2026-11-24T10:00:00-08:00"]
    start = datetime(2026, 11, 24, 10, tzinfo=PACIFIC)

    # when
    appointment_id = client.book_appointment(
        "cal_listing_calls", LEAD, start, start + timedelta(minutes=30), title="Listing consultation"
    )

    # then
    [call] = fake.calls
    assert (call.method, call.path) == ("POST", "/calendars/events/appointments")
    assert call.headers["version"] == "2021-04-15"
    assert call.json == {
        "calendarId": "cal_listing_calls",
        "locationId": LOCATION,
        "contactId": LEAD,
        "startTime": "2026-11-24T10:00:00-08:00",
        "endTime": "2026-11-24T10:30:00-08:00",
        "title": "Listing consultation",
        "appointmentStatus": "confirmed",
    }
    assert appointment_id == fake.appointments[0]["id"]
    assert fake.free_slots == []


def test_booking_a_slot_that_is_no_longer_free_is_final(fake: FakeGHL, client: GHLClient) -> None:
    fake.free_slots = ["2026-11-24T10:00:00-08:00"]

    with pytest.raises(GHLFinalError) as caught:
        client.book_appointment("cal_listing_calls", LEAD, datetime(2026, 11, 24, 11, tzinfo=PACIFIC))

    assert caught.value.status == 400
    assert len(fake.calls) == 1


def test_naive_datetimes_are_refused_before_anything_is_sent(fake: FakeGHL, client: GHLClient) -> None:
    with pytest.raises(ValueError):
        client.book_appointment("cal_listing_calls", LEAD, datetime(2026, 11, 24, 10))

    assert fake.calls == []


# -- retries ---------------------------------------------------------------------------------


def test_a_429_with_retry_after_is_waited_out_and_the_sms_goes_out_once(fake: FakeGHL, client: GHLClient) -> None:
    # given
    fake.fail_next(429, headers={"Retry-After": "0.2"}, path_prefix="/conversations/messages")

    # when
    started = time.monotonic()
    client.send_sms(LEAD, "Are you still thinking about selling this spring?")
    elapsed = time.monotonic() - started

    # then
    assert [call.status for call in fake.calls_to("POST", "/conversations/messages")] == [429, 201]
    assert fake.sms_sent(LEAD) == ["Are you still thinking about selling this spring?"]
    assert elapsed >= 0.2


def test_a_429_asking_for_a_longer_pause_than_max_backoff_is_handed_to_the_caller(
    fake: FakeGHL, client: GHLClient
) -> None:
    fake.fail_next(429, headers={"Retry-After": "30"})

    with pytest.raises(GHLRetryableError) as caught:
        client.send_sms(LEAD, "Quick question about your home")

    assert caught.value.status == 429
    assert caught.value.retry_after == 30.0
    assert len(fake.calls) == 1


def test_a_429_without_retry_after_waits_for_ghls_rate_limit_interval(fake: FakeGHL, client: GHLClient) -> None:
    fake.fail_next(429, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Interval-Milliseconds": "150"})

    started = time.monotonic()
    client.add_tags(LEAD, ["Warm-Buyer"])

    assert time.monotonic() - started >= 0.15
    assert [call.status for call in fake.calls] == [429, 201]


def test_persistent_500s_raise_a_retryable_error_once_attempts_run_out(fake: FakeGHL, client: GHLClient) -> None:
    fake.fail_next(500, times=10)

    with pytest.raises(GHLRetryableError) as caught:
        client.add_tags(LEAD, ["Hot-Lead"])

    assert len(fake.calls) == 3
    assert caught.value.status == 500
    assert caught.value.retry_after is not None and caught.value.retry_after > 0
    assert caught.value.trace_id is not None


def test_a_500_then_success_is_retried_in_process(fake: FakeGHL, client: GHLClient) -> None:
    fake.fail_next(503)

    client.update_contact(LEAD, custom_fields={"buyer_budget": "650000"})

    assert [call.status for call in fake.calls] == [503, 200]


@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_client_errors_are_final_after_one_attempt(fake: FakeGHL, client: GHLClient, status: int) -> None:
    fake.fail_next(status)

    with pytest.raises(GHLFinalError) as caught:
        client.send_sms(LEAD, "Hello from the team")

    assert caught.value.status == status
    assert caught.value.retryable is False
    assert len(fake.calls) == 1


def test_an_unknown_contact_is_a_final_404(client: GHLClient) -> None:
    with pytest.raises(GHLFinalError) as caught:
        client.get_contact("contact_nobody")

    assert caught.value.status == 404


def test_a_wrong_token_is_final(fake: FakeGHL) -> None:
    with GHLClient(location_id=LOCATION, api_token="pit-revoked", base_url=fake.url) as client:
        with pytest.raises(GHLFinalError) as caught:
            client.add_note(LEAD, "Called, no answer")

    assert caught.value.status == 401
    assert len(fake.calls) == 1


def test_a_response_that_is_not_json_is_final(fake: FakeGHL, client: GHLClient) -> None:
    fake.fail_next(200, body="<html>Bad gateway</html>")

    with pytest.raises(GHLFinalError, match="not JSON"):
        client.get_contact(LEAD)


def test_a_read_timeout_on_a_read_is_retried_until_attempts_run_out(fake: FakeGHL) -> None:
    # given
    fake.contacts[LEAD] = {"firstName": "Maria"}
    fake.delay_seconds = 0.5

    # when
    with make_client(fake, timeout=0.15) as client, pytest.raises(GHLRetryableError) as caught:
        client.get_contact(LEAD)

    # then
    assert len(fake.calls) == 3
    assert caught.value.status is None
    assert caught.value.retry_after is not None


def test_a_read_timeout_on_send_sms_is_not_resent_because_the_text_may_have_gone_out(fake: FakeGHL) -> None:
    # given: GHL accepts the message but answers too late
    fake.delay_seconds = 0.5

    # when
    with make_client(fake, timeout=0.15) as client, pytest.raises(GHLRetryableError) as caught:
        client.send_sms(LEAD, "Following up on the listing at 12 Elm St")

    # then: one attempt, and the caller is told the lead may already have the text
    assert caught.value.maybe_applied is True
    assert len(fake.calls_to("POST", "/conversations/messages")) == 1
    assert fake.sms_sent(LEAD) == ["Following up on the listing at 12 Elm St"]


def test_a_refused_connection_is_retried_and_then_retryable(fake: FakeGHL) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]

    with (
        GHLClient(
            location_id=LOCATION, api_token=TOKEN, base_url=f"http://127.0.0.1:{closed_port}", backoff_base=0.01
        ) as client,
        pytest.raises(GHLRetryableError) as caught,
    ):
        client.send_sms(LEAD, "Hi")

    # Nothing reached GHL, so even a text is safe to resend later.
    assert caught.value.maybe_applied is False
    assert caught.value.reason == "ConnectError"


# -- what leaves the process -----------------------------------------------------------------


def test_logs_and_errors_never_carry_the_token_phone_or_message_text(
    fake: FakeGHL, client: GHLClient, caplog: pytest.LogCaptureFixture
) -> None:
    # given
    secret_text = "Maria, call me at +15125550147 about the offer"
    fake.contacts[LEAD] = {"phone": LEAD_PHONE, "firstName": "Maria"}
    fake.fail_next(500, path_prefix="/conversations/messages")
    caplog.set_level(logging.DEBUG)

    # when
    client.send_sms(LEAD, secret_text)
    client.get_contact(LEAD)
    fake.fail_next(400)
    with pytest.raises(GHLFinalError) as caught:
        client.send_sms(LEAD, secret_text)

    # then
    ours = [record for record in caplog.records if record.name.startswith("leads.ghl")]
    assert ours, "the client should log its calls"
    assert any(LOCATION in record.getMessage() for record in ours)
    logged = "\n".join(record.getMessage() for record in caplog.records) + caplog.text
    for secret in (TOKEN, LEAD_PHONE, secret_text):
        assert secret not in logged
        assert secret not in str(caught.value)
    assert "POST /conversations/messages" in str(caught.value)
    assert "status=400" in str(caught.value)


def test_the_fake_serves_its_recorded_calls_to_other_processes(fake: FakeGHL, client: GHLClient) -> None:
    client.add_tags(LEAD, ["Buyer-Lead"])

    assert remote_calls(fake.url) == fake.calls


def test_a_shared_http_pool_outlives_the_client(fake: FakeGHL) -> None:
    with httpx.Client() as pool:
        with GHLClient(location_id=LOCATION, api_token=TOKEN, base_url=fake.url, http=pool) as client:
            client.add_tags(LEAD, ["Hot-Buyer"])

        assert not pool.is_closed
        with GHLClient(location_id="loc_other", api_token=TOKEN, base_url=fake.url, http=pool) as other:
            other.add_tags(LEAD, ["Warm-Buyer"])

    assert fake.tags_added(LEAD) == ["Hot-Buyer", "Warm-Buyer"]


def test_free_slots_are_returned_in_time_order_across_days(fake: FakeGHL, client: GHLClient) -> None:
    fake.free_slots = ["2026-11-25T09:00:00+00:00", "2026-11-24T17:00:00+00:00"]

    slots = client.get_free_slots(
        "cal_listing_calls", datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 26, tzinfo=UTC), "UTC"
    )

    assert slots == sorted(slots)
    assert len(slots) == 2


def test_errors_survive_pickling_as_celery_moves_them_between_processes(fake: FakeGHL, client: GHLClient) -> None:
    fake.fail_next(429, headers={"Retry-After": "30"})
    with pytest.raises(GHLRetryableError) as caught:
        client.add_tags(LEAD, ["Cold-Lead"])

    restored = pickle.loads(pickle.dumps(caught.value))

    assert type(restored) is GHLRetryableError
    assert (restored.endpoint, restored.status, restored.retry_after) == ("POST /contacts/{id}/tags", 429, 30.0)
    assert str(restored) == str(caught.value)
