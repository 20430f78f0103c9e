"""Demo data for a fresh install: two brokerages with sending paused, 300 leads mid-conversation, 300 listings.

Everything comes from `random.Random(7)`, so every newcomer sees the same system. The threads are written by
console.demo_conversations; listings come from leads.sample_listings and go through `leads.listings`, the path a
real feed takes.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Min, OuterRef, Subquery
from django.utils import timezone

from console.demo_conversations import Lead, demo_lead, mark_handoffs
from leads.listings import ImportReport, import_listings
from leads.models import (
    Contact,
    Conversation,
    Direction,
    Location,
    Message,
    Sender,
)
from leads.sample_listings import BROKERAGES, Brokerage, listing_rows

SEED = 7
DEMO_API_TOKEN = "demo-token-not-real"
CONTACTS_PER_BROKERAGE = 150
# 555-0100 to 555-0199 are the numbers reserved for fiction: 100 per area code, so 400 demo leads at most
# (2 brokerages x CONTACTS_PER_BROKERAGE).
AREA_CODES = ("909", "951", "626", "562")
MAX_CONVERSATION_AGE = dt.timedelta(days=60)

@dataclass
class DemoReport:
    """What `seed_demo` did, for the command to print."""

    locations: list[Location]
    already_seeded: bool = False
    contacts: int = 0
    conversations: int = 0
    messages: int = 0
    listings: ImportReport = field(default_factory=ImportReport)



def seed_demo(now: dt.datetime | None = None) -> DemoReport:
    """Create the demo brokerages, their leads with conversations, and their listings, unless already there.

    Demo locations always end up with sending paused and a fake token, even if someone changed them.
    """
    now = now or timezone.now()
    # One transaction: a seed that dies halfway must not leave contacts behind, or the next run would
    # see them, skip, and leave the demo half built forever.
    with transaction.atomic():
        locations = [_ensure_location(brokerage) for brokerage in BROKERAGES]
        report = DemoReport(locations=locations)
        if Contact.objects.filter(location__in=locations).exists():
            report.already_seeded = True
            return report
        rng = random.Random(SEED)
        # Its own sequence, so adding handoffs left every other demo lead as it was.
        handoff_rng = random.Random(SEED + 1)
        for brokerage, location in zip(BROKERAGES, locations, strict=True):
            rows = listing_rows(rng, brokerage)
            _add_counts(report.listings, import_listings(rows, location))
            leads = [demo_lead(rng, brokerage, rows) for _ in range(CONTACTS_PER_BROKERAGE)]
            mark_handoffs(handoff_rng, leads)
            report.messages += _save_leads(rng, location, leads, first_index=report.contacts, now=now)
            report.contacts += len(leads)
            report.conversations += len(leads)
    return report


def _ensure_location(brokerage: Brokerage) -> Location:
    location, _ = Location.objects.update_or_create(
        id=brokerage.id,
        defaults={"name": brokerage.name, "api_token": DEMO_API_TOKEN, "sending_paused": True},
    )
    return location


def _add_counts(total: ImportReport, part: ImportReport) -> None:
    total.imported += part.imported
    total.updated += part.updated
    total.skipped.extend(part.skipped)




def _save_leads(
    rng: random.Random, location: Location, leads: Sequence[Lead], *, first_index: int, now: dt.datetime
) -> int:
    """Write the leads with their conversations and texts in a handful of bulk INSERTs; returns the texts written."""
    timelines = [_timeline(rng, lead.thread.texts, now) for lead in leads]
    contacts = [
        _contact(location, lead, times, first_index + offset)
        for offset, (lead, times) in enumerate(zip(leads, timelines, strict=True))
    ]
    Contact.objects.bulk_create(contacts)
    conversations = [
        _conversation(contact, lead, times)
        for contact, lead, times in zip(contacts, leads, timelines, strict=True)
    ]
    Conversation.objects.bulk_create(conversations)
    messages = [
        message
        for conversation, lead, times in zip(conversations, leads, timelines, strict=True)
        for message in _messages(conversation, lead.thread.texts, times)
    ]
    Message.objects.bulk_create(messages, batch_size=1000)
    _date_by_first_and_last_text(location)
    return len(messages)


def _date_by_first_and_last_text(location: Location) -> None:
    """Give contacts and conversations the age of their texts instead of this second.

    auto_now_add stamps every row "now", and a lead list where everyone arrived at once looks dead.
    Done in the database: `bulk_update` builds a CASE per row and took longer than all the INSERTs together.
    """
    texts = Message.objects.values("conversation")
    first = texts.annotate(at=Min("sent_at")).values("at")
    last = texts.annotate(at=Max("sent_at")).values("at")
    Conversation.objects.filter(contact__location=location).update(
        created_at=Subquery(first.filter(conversation=OuterRef("pk"))),
        updated_at=Subquery(last.filter(conversation=OuterRef("pk"))),
    )
    Contact.objects.filter(location=location).update(
        created_at=Subquery(first.filter(conversation__contact=OuterRef("pk"))),
        updated_at=Subquery(last.filter(conversation__contact=OuterRef("pk"))),
    )


def _timeline(rng: random.Random, texts: Sequence[tuple[Sender, str]], now: dt.datetime) -> list[dt.datetime]:
    """When each text was sent: the bot answers in seconds, leads and agents take minutes to hours."""
    gaps = [dt.timedelta(0)]
    for sender, _ in texts[1:]:
        if sender == Sender.BOT:
            gaps.append(dt.timedelta(seconds=rng.uniform(4, 40)))
        elif sender == Sender.HUMAN:
            gaps.append(dt.timedelta(minutes=rng.uniform(10, 120)))
        else:
            gaps.append(dt.timedelta(minutes=rng.uniform(2, 300)))
    duration = sum(gaps, dt.timedelta(0))
    # Squared, so most threads are recent and the dashboard has something from today.
    age = duration + dt.timedelta(minutes=5) + (MAX_CONVERSATION_AGE - duration) * rng.random() ** 2
    moment, times = now - age, []
    for gap in gaps:
        moment += gap
        times.append(moment)
    return times


def _contact(location: Location, lead: Lead, times: Sequence[dt.datetime], index: int) -> Contact:
    first, last = lead.thread.first_name, lead.last_name
    senders = [sender for sender, _ in lead.thread.texts]
    human_at = next((at for sender, at in zip(senders, times, strict=True) if sender == Sender.HUMAN), None)
    return Contact(
        location=location,
        ghl_id=f"DemoContact{index:09d}",
        first_name=first,
        last_name=last,
        phone=_phone(index),
        email=f"{first}.{last}{index}@example.com".lower(),
        source=lead.source,
        tags=lead.tags,
        custom_fields=lead.custom_fields,
        timezone="America/Los_Angeles",
        opted_out_at=times[-2] if lead.opted_out else None,
        active_bot=lead.bot,
        # bots.config's default: a human's text puts the bot to sleep for 24 hours.
        bot_paused_until=human_at + dt.timedelta(hours=24) if human_at else None,
        temperature=lead.temperature,
        score=lead.score,
        status=lead.status,
        synced_at=times[-1],
    )


def _phone(index: int) -> str:
    area_code, line = AREA_CODES[index // 100], 100 + index % 100
    return f"+1{area_code}555{line:04d}"


def _conversation(contact: Contact, lead: Lead, times: Sequence[dt.datetime]) -> Conversation:
    senders = [sender for sender, _ in lead.thread.texts]
    inbound = [at for sender, at in zip(senders, times, strict=True) if sender == Sender.LEAD]
    outbound = [at for sender, at in zip(senders, times, strict=True) if sender != Sender.LEAD]
    return Conversation(
        contact=contact,
        ghl_conversation_id="DemoConvo" + contact.ghl_id.removeprefix("DemoContact"),
        state=lead.thread.state.to_dict(),
        turn_count=senders.count(Sender.BOT),
        last_inbound_at=max(inbound, default=None),
        last_outbound_at=max(outbound, default=None),
    )


def _messages(
    conversation: Conversation, texts: Sequence[tuple[Sender, str]], times: Sequence[dt.datetime]
) -> list[Message]:
    messages = []
    for position, ((sender, body), sent_at) in enumerate(zip(texts, times, strict=True)):
        following = texts[position + 1][0] if position + 1 < len(texts) else None
        inbound = sender == Sender.LEAD
        messages.append(Message(
            conversation=conversation,
            direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
            sender=sender,
            body=body,
            sent_at=sent_at,
            # The bot turn that took an inbound text is the bot text right after it.
            answered_at=times[position + 1] if inbound and following == Sender.BOT else None,
        ))
    return messages
