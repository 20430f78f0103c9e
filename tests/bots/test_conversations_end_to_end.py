"""A sample of the conversation corpus (files with `end_to_end: true`) through the real path: signed webhooks, a
Celery worker in another process, the fake GHL (with a calendar for the booking), and the outbox.

What a turn did is read back from GHL's side (the texts, tag and field writes the fake received) and from the
database (the state), and checked exactly as the simulator run checks it.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from leads.models import Contact, Conversation, Location, Message, OutboxMessage, Property
from tests.bots.corpus import TurnSeen, check_turn, corpus_files, load
from tests.conftest import PostWebhook, WorkerProcess, wait_for
from tests.fakes import ghl_events
from tests.fakes.ghl import FakeGHL, RecordedCall

pytestmark = pytest.mark.worker

CONTACT = ghl_events.CONTACT_ID
CALENDAR = "AlphaCalendar0000001"
LEAD_ZONE = ZoneInfo("America/Chicago")
END_TO_END = [path for path in corpus_files() if load(path).end_to_end]


@pytest.mark.parametrize("path", END_TO_END, ids=lambda path: path.stem)
def test_the_conversation_goes_as_its_file_says_through_a_real_worker(
    path: Path, celery_worker: WorkerProcess, fake_ghl: FakeGHL, alpha_realty: Location, post_webhook: PostWebhook,
    demo_listings: int,
) -> None:
    # given GHL knows the lead with the file's tags, and the location books calls in a calendar with free slots
    conversation = load(path)
    fake_ghl.contacts[CONTACT] = {
        "id": CONTACT, "locationId": ghl_events.LOCATION_ID, "firstName": "Maria", "phone": ghl_events.PHONE,
        "tags": conversation.tags, "timezone": LEAD_ZONE.key,
    }
    fake_ghl.free_slots = _free_slots(timezone.now())
    alpha_realty.calendar_id = CALENDAR
    alpha_realty.bot_settings = conversation.settings
    alpha_realty.save()
    previous_reply = None
    state_before: dict[str, Any] = {}

    for number, turn in enumerate(conversation.turns, start=1):
        # when the lead texts
        calls_before = len(fake_ghl.calls)
        post_webhook(ghl_events.inbound_message(body=turn["lead"]))

        # then, once the worker is done with it, the turn did what the file says
        wait_for(lambda number=number: _turn_done(number), timeout=30)
        seen = _seen(fake_ghl.calls[calls_before:], state_before)
        check_turn(turn, seen, previous_reply, f"{path.name} turn {number} ({turn['lead']!r}), end to end")
        previous_reply = seen.reply or previous_reply
        state_before = seen.state


def _free_slots(now: dt.datetime) -> list[str]:
    """One call a day on the next three days, at 10:00, 14:00 and 16:00 in the lead's time."""
    today = now.astimezone(LEAD_ZONE).date()
    return [
        dt.datetime.combine(today + dt.timedelta(days=offset), dt.time(hour), tzinfo=LEAD_ZONE).isoformat()
        for offset, hour in ((1, 10), (2, 14), (3, 16))
    ]


def _turn_done(texts: int) -> bool:
    """Every text answered, no calendar step still under way, and every write delivered.

    The state is read before the outbox: a calendar step commits its state and its rows together, so rows it
    queued are visible by the time the outbox is read.
    """
    inbound = Message.objects.filter(direction="inbound")
    if inbound.count() < texts or inbound.filter(answered_at__isnull=True).exists():
        return False
    if Conversation.objects.get().state.get("booking", {}).get("status") in ("fetching", "booking"):
        return False
    return not OutboxMessage.objects.filter(status__in=["pending", "sending"]).exists()


def _seen(calls: list[RecordedCall], state_before: dict[str, Any]) -> TurnSeen:
    accepted = [call for call in calls if call.status < 300]
    texts = [call.json["message"] for call in accepted if call.path == "/conversations/messages"]
    assert len(texts) <= 1, f"more than one text in one turn: {texts}"
    contact = Contact.objects.get(ghl_id=CONTACT)
    state = Conversation.objects.get(contact=contact).state
    added, removed = _tags(accepted, "POST"), _tags(accepted, "DELETE")
    fields = {
        item["key"]: item["field_value"]
        for call in accepted if call.method == "PUT" and call.json and "customFields" in call.json
        for item in call.json["customFields"]
    }
    bot = contact.active_bot
    return TurnSeen(
        reply=texts[0] if texts else None, bot=bot, next_question=state.get("last_question"),
        temperature=state.get("temperatures", {}).get(bot), tags_add=added, tags_remove=removed,
        tags=list(contact.tags), custom_fields=fields,
        handoff=next((tag for tag in added if tag.startswith("Handoff-")), None),
        matches=_matches(state, state_before), state=state,
    )


def _tags(calls: list[RecordedCall], method: str) -> list[str]:
    return [tag for call in calls if call.method == method and call.path == f"/contacts/{CONTACT}/tags"
            for tag in call.json["tags"]]


def _matches(state: dict[str, Any], state_before: dict[str, Any]) -> list[dict[str, Any]]:
    """The listings this turn matched (none when the wish was matched before), as the simulator reports them."""
    if state.get("matched_for") == state_before.get("matched_for"):
        return []
    areas = {area.lower(): area for area in state["buyer"]["areas"]}
    listings = {listing.listing_id: listing for listing in Property.objects.filter(listing_id__in=state["matches"])}
    return [
        {"price": listing.list_price, "beds": listing.beds,
         "in_area": areas.get(listing.city.lower()) or areas.get(listing.neighbourhood.lower())}
        for listing in (listings[listing_id] for listing_id in state["matches"])
    ]
