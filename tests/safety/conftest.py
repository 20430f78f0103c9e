"""Helpers for the safety tests: a lead's text in the database, a text queued for the gate, a fixed clock."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from leads.models import Contact, Conversation, Location, Message, OutboxMessage


def at(zone: ZoneInfo | str, year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A fixed instant, written in a lead's local time."""
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    return dt.datetime(year, month, day, hour, minute, tzinfo=zone)


def text_from(contact: Contact, body: str, when: dt.datetime | None = None) -> Message:
    """An unanswered text from the lead, as the webhook would have stored it."""
    when = when or timezone.now() - dt.timedelta(seconds=10)
    conversation, _ = Conversation.objects.get_or_create(contact=contact)
    message = Message.objects.create(conversation=conversation, direction="inbound", sender="lead", body=body,
                                     sent_at=when)
    Message.objects.filter(pk=message.pk).update(created_at=when)
    Conversation.objects.filter(pk=conversation.pk).update(last_inbound_at=when)
    return message


_counter = iter(range(1, 1_000_000))


def queued_text(contact: Contact, body: str = "Which area are you looking in?", **fields: object) -> OutboxMessage:
    """A bot text waiting in the outbox, as a turn would have queued it."""
    return OutboxMessage.objects.create(
        location_id=contact.location_id, contact=contact, kind="sms", body=body,
        idempotency_key=f"test:{next(_counter)}:sms", **fields,
    )


def sms_bodies(contact: Contact, **filters: object) -> list[str]:
    return list(OutboxMessage.objects.filter(contact=contact, kind="sms", **filters).order_by("id")
                .values_list("body", flat=True))


@pytest.fixture
def make_lead(alpha_realty: Location) -> Callable[..., Contact]:
    """More leads of alpha, each its own GHL contact: `make_lead(phone="+13055550100", tags=["Needs Qualifying"])`."""
    numbers = iter(range(1, 10_000))

    def make(**fields: object) -> Contact:
        number = next(numbers)
        defaults: dict[str, object] = {"first_name": f"Lead{number}", "phone": f"+1512555{number:04d}",
                                       "synced_at": timezone.now()}
        return Contact.objects.create(location=alpha_realty, ghl_id=f"SafetyLead{number:06d}", **{**defaults, **fields})

    return make
