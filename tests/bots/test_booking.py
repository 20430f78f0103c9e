"""Booking a call in GHL for a hot lead (bots.booking): slots from the calendar, the pick booked, and every way
it can fail leaving the scheduling to the team, never a double booking."""
from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from bots import booking, services, tasks
from bots.state import ConversationState
from leads.ghl import connect
from leads.models import Contact, Conversation, LeadStatus, Location, Message, OutboxMessage
from tests.fakes.ghl import FakeGHL

ZONE = ZoneInfo("America/Chicago")
CALENDAR = "AlphaCalendar0000001"


@pytest.fixture
def calendar(alpha_realty: Location, fake_ghl: FakeGHL, monkeypatch: Any) -> FakeGHL:
    """Alpha books calls in a GHL calendar with a free slot on each of the next four days."""
    alpha_realty.calendar_id = CALENDAR
    alpha_realty.save()
    today = timezone.now().astimezone(ZONE).date()
    fake_ghl.free_slots = [
        dt.datetime.combine(today + dt.timedelta(days=days), dt.time(10), tzinfo=ZONE).isoformat()
        for days in (1, 2, 3, 4)
    ]
    # Clients are cached per process; a test that changes GHL timeouts needs a fresh one.
    monkeypatch.setattr(connect, "_clients", {})
    return fake_ghl


def hot_seller(maria: Contact, *, booking_status: str = "fetching", **booking_fields: Any) -> Conversation:
    state = ConversationState(bot="seller")
    # BOTS.md: a seller is never hot without an address.
    state.seller.property_address = "123 Main St, Rancho Cucamonga"
    state.seller.motivation, state.seller.timeline_acceptable = "relocation", "yes"
    state.seller.property_condition, state.seller.price_low, state.seller.price_high = "move_in_ready", 650_000, 650_000
    state.booking.status = booking_status
    for name, value in booking_fields.items():
        setattr(state.booking, name, value)
    maria.tags = ["Seller-Qualified", "Hot-Seller"]
    maria.save()
    return Conversation.objects.create(contact=maria, state=state.to_dict())


def texts_to(contact: Contact) -> list[str]:
    return list(OutboxMessage.objects.filter(contact=contact, kind="sms").values_list("body", flat=True))


def booking_of(conversation: Conversation) -> Any:
    conversation.refresh_from_db()
    return ConversationState.from_dict(conversation.state).booking


def test_a_hot_seller_is_texted_three_numbered_slots_on_different_days(calendar: FakeGHL, maria: Contact) -> None:
    conversation = hot_seller(maria)

    result = booking.offer_call_slots(conversation.pk)

    assert result.queued_writes
    [text] = texts_to(maria)
    assert "1)" in text and "2)" in text and "3)" in text and "Reply 1, 2 or 3" in text
    offered = booking_of(conversation).offered
    assert len(offered) == 3 and len({dt.datetime.fromisoformat(slot).date() for slot in offered}) == 3
    assert booking_of(conversation).status == "offered"
    assert len(calendar.calls_to("GET", f"/calendars/{CALENDAR}/free-slots")) == 1


def test_the_slots_are_offered_on_the_leads_own_clock_when_ghl_has_no_zone_for_her(
    calendar: FakeGHL, maria: Contact
) -> None:
    # given a lead texting from a New York number, with no time zone in GHL, at a brokerage in Chicago
    maria.phone, maria.timezone = "+12125550143", ""
    maria.save()
    conversation = hot_seller(maria)

    booking.offer_call_slots(conversation.pk)

    # then the free slots are read and offered in New York time, as quiet hours and the console read her clock:
    # the calendar's 10 AM in Chicago is 11 AM for her
    [call] = calendar.calls_to("GET", f"/calendars/{CALENDAR}/free-slots")
    assert call.query["timezone"] == "America/New_York"
    [text] = texts_to(maria)
    assert "at 11 AM" in text and "at 10 AM" not in text


def test_the_slots_are_read_before_the_lock_and_offered_once(calendar: FakeGHL, maria: Contact) -> None:
    conversation = hot_seller(maria)
    booking.offer_call_slots(conversation.pk)

    # a redelivered task finds the slots already offered
    again = booking.offer_call_slots(conversation.pk)

    assert again.outcome == "no slots to offer"
    assert len(texts_to(maria)) == 1
    assert len(calendar.calls_to("GET", f"/calendars/{CALENDAR}/free-slots")) == 1


def test_a_calendar_with_no_free_slot_leaves_the_scheduling_to_the_team(calendar: FakeGHL, maria: Contact) -> None:
    calendar.free_slots = []
    conversation = hot_seller(maria)

    booking.offer_call_slots(conversation.pk)

    assert booking_of(conversation).status == "manual"
    assert Contact.objects.get(pk=maria.pk).has_tag("Needs-Manual-Scheduling")
    [text] = texts_to(maria)
    assert "team" in text


def test_the_picked_slot_is_booked_confirmed_and_the_bot_steps_aside(calendar: FakeGHL, maria: Contact) -> None:
    slots = calendar.free_slots[:3]
    conversation = hot_seller(maria, booking_status="booking", offered=slots, picked=1)

    booking.book_call(conversation.pk)

    [appointment] = calendar._state.appointments
    assert dt.datetime.fromisoformat(appointment["startTime"]) == dt.datetime.fromisoformat(slots[1])
    assert appointment["calendarId"] == CALENDAR and appointment["contactId"] == maria.ghl_id
    assert booking_of(conversation).status == "booked" and booking_of(conversation).appointment_id
    contact = Contact.objects.get(pk=maria.pk)
    assert contact.has_tag("Human-Follow-Up-Needed") and contact.has_tag("AI-Off")
    assert contact.status == LeadStatus.APPOINTMENT
    [text] = texts_to(maria)
    assert "booked" in text


def test_a_booking_ghl_refuses_leaves_the_scheduling_to_the_team(calendar: FakeGHL, maria: Contact) -> None:
    calendar.fail_next(400, path_prefix="/calendars/events/appointments")
    conversation = hot_seller(maria, booking_status="booking", offered=calendar.free_slots[:3], picked=0)

    booking.book_call(conversation.pk)

    assert booking_of(conversation).status == "manual"
    assert Contact.objects.get(pk=maria.pk).has_tag("Needs-Manual-Scheduling")
    assert not Contact.objects.get(pk=maria.pk).has_tag("AI-Off")


def test_a_booking_whose_answer_was_lost_is_never_sent_again(
    calendar: FakeGHL, maria: Contact, settings: Any
) -> None:
    # given GHL takes the booking but answers after our client gave up waiting
    settings.GHL_TIMEOUT_SECONDS = 0.2
    calendar.delay_seconds = 0.5
    conversation = hot_seller(maria, booking_status="booking", offered=calendar.free_slots[:3], picked=2)

    booking.book_call(conversation.pk)

    # then one request only, and the team confirms the time by hand rather than risk a double booking
    assert len(calendar.calls_to("POST", "/calendars/events/appointments")) == 1
    assert booking_of(conversation).status == "manual"


def test_a_calendar_that_stays_down_is_retried_then_left_to_the_team(calendar: FakeGHL, maria: Contact) -> None:
    calendar.fail_next(503, times=100, path_prefix="/calendars")
    conversation = hot_seller(maria)

    # an eager run retries at once instead of after the countdowns
    tasks.offer_call_slots.apply(args=[conversation.pk])

    assert booking_of(conversation).status == "manual"
    assert Contact.objects.get(pk=maria.pk).has_tag("Needs-Manual-Scheduling")


def test_a_location_without_a_calendar_leaves_the_scheduling_to_the_team(
    alpha_realty: Location, fake_ghl: FakeGHL, maria: Contact, settings: Any
) -> None:
    settings.GHL_CALENDAR_ID = ""
    conversation = hot_seller(maria)

    booking.offer_call_slots(conversation.pk)

    assert booking_of(conversation).status == "manual"
    assert not fake_ghl.calls_to("GET", "/calendars")


def test_the_turn_that_makes_a_seller_hot_asks_for_slots_only_after_it_commits(
    maria: Contact, django_capture_on_commit_callbacks: Any
) -> None:
    # given a seller with three answers, asked for the price
    conversation = hot_seller(maria, booking_status="none")
    state = ConversationState.from_dict(conversation.state)
    state.seller.price_low = state.seller.price_high = None
    state.last_question = "price_expectation"
    maria.tags = ["Needs Qualifying"]
    maria.save()
    Conversation.objects.filter(pk=conversation.pk).update(state=state.to_dict())
    Message.objects.create(conversation=conversation, direction="inbound", sender="lead", body="Hoping for 650k",
                           sent_at=timezone.now() - dt.timedelta(seconds=10))

    # when the turn runs
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = services.take_turn(conversation.pk)

    # then no text yet, the seller is qualified, and the calendar step waits for the commit
    assert result.outcome == "seller bot: offer slots after the turn"
    assert texts_to(maria) == []
    assert Contact.objects.get(pk=maria.pk).has_tag("Seller-Qualified")
    assert booking_of(conversation).status == "fetching"
    # one calendar step (other apps, such as the broker's alerts, may wait for the commit too)
    steps = [callback for callback in callbacks if getattr(callback, "func", None) is services._start_booking_step]
    assert len(steps) == 1 and steps[0].args == ("offer_slots", conversation.pk)
