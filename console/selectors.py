"""Reads too involved for a view: the lead list and one lead's page, always within a user's scope."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias, TypedDict

from django.db.models import (
    F,
    OuterRef,
    QuerySet,
    Subquery,
)

from analytics.models import ChurnPrediction, LeadScore
from bots.models import ClaudeRephrasing, FollowUp, FollowUpStatus
from bots.state import ConversationState
from leads.access import LocationScope
from leads.models import (
    Contact,
    Conversation,
    Message,
    OutboxMessage,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# A transcript longer than this shows its latest texts only; a thread that long is a runaway anyway.
TRANSCRIPT_LIMIT = 200




def lead_list(scope: LocationScope) -> QuerySet[Contact]:
    """Leads as the admin shows them: with their location and conversation (but not its state) in one query."""
    return scope.filter(Contact.objects.select_related("location", "conversation")).defer("conversation__state")


# The lead list's cells: the name (or GHL id), bot, temperature, score, status and the bot's pause or opt-out; the
# location's name and the last reply are added by lead_list_page.
LEAD_LIST_COLUMNS = ("location", "ghl_id", "first_name", "last_name", "active_bot", "temperature", "score",
                     "status", "opted_out_at", "bot_paused_until")


class LeadListValues(TypedDict):
    location_name: str
    last_inbound_at: dt.datetime | None


# A lead as the list's page reads it.
ListedLead: TypeAlias = "WithAnnotations[Contact, LeadListValues]"


def lead_list_page(leads: QuerySet[Contact]) -> QuerySet[ListedLead]:
    """The rows of a page of the lead list, with only the columns its cells show: the lead's tags and GHL fields,
    the location's settings and the rest of the conversation are a third of the cost of reading each row.

    The location's name and the last reply come as plain values (`location_name`, `last_inbound_at`) rather than
    as a Location and a Conversation for each lead: reading 50 leads took 2.0 ms of CPU that way, 1.3 ms this way.
    """
    return leads.select_related(None).only(*LEAD_LIST_COLUMNS).annotate(
        location_name=F("location__name"), last_inbound_at=F("conversation__last_inbound_at")
    )


@dataclass(frozen=True)
class TranscriptLine:
    sender: str
    direction: str
    body: str
    sent_at: dt.datetime
    # The bot's own text, when Claude rephrased it and `body` is what Claude sent.
    bot_wrote: str | None = None


def transcript(contact: Contact, limit: int = TRANSCRIPT_LIMIT) -> list[TranscriptLine]:
    """The lead's texts, oldest first: the latest `limit` of them, each text Claude rephrased with the bot's own."""
    # The text as GHL reports it and the outbox row we sent it from share GHL's message id.
    rephrased = ClaudeRephrasing.objects.filter(
        outbox__contact=contact, outbox__ghl_message_id=OuterRef("ghl_message_id")
    ).exclude(outbox__ghl_message_id="").values("bot_wrote")[:1]
    rows = (
        Message.objects.filter(conversation__contact=contact)
        .order_by("-sent_at", "-id")
        .values("sender", "direction", "body", "sent_at", bot_wrote=Subquery(rephrased))[:limit]
    )
    return [TranscriptLine(**row) for row in reversed(rows)]


@dataclass(frozen=True)
class QualificationAnswer:
    question: str
    answer: str


def bot_state(contact: Contact) -> ConversationState | None:
    """What the bot keeps about the lead's conversation (None: no conversation yet), read once for the page."""
    conversation = Conversation.objects.filter(contact=contact).only("state").first()
    return None if conversation is None else ConversationState.from_dict(conversation.state)


def qualification(state: ConversationState | None) -> list[QualificationAnswer]:
    """What the bot has learned so far, as question and answer, leaving out what it has not asked yet."""
    if state is None:
        return []
    answers = [QualificationAnswer("Active bot", state.bot), QualificationAnswer("Intent", state.intent or "")]
    for group, values in (("Seller", state.seller), ("Buyer", state.buyer)):
        for name, value in vars(values).items():
            if value not in (None, [], ""):
                shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
                answers.append(QualificationAnswer(f"{group}: {name.replace('_', ' ')}", shown))
    if state.last_question:
        answers.append(QualificationAnswer("Waiting for an answer to", state.last_question.replace("_", " ")))
    answers.append(QualificationAnswer("Vague answers in a row", str(state.vague_streak)))
    return [answer for answer in answers if answer.answer]


BOOKING_STEPS = {
    "fetching": "Reading the calendar's free times",
    "offered": "Times offered: waiting for the lead to pick one",
    "booking": "Booking the time the lead picked",
    "booked": "Call booked",
    "manual": "The team schedules the call by hand",
}


@dataclass(frozen=True)
class CallBooking:
    """Where booking a call with the lead stands, and the times it is about: those offered, or the one picked."""

    step: str
    times: list[dt.datetime]


def call_booking(state: ConversationState | None) -> CallBooking | None:
    """None until the bot starts booking a call."""
    if state is None or state.booking.status not in BOOKING_STEPS:
        return None
    booking = state.booking
    offered = [dt.datetime.fromisoformat(slot) for slot in booking.offered]
    if booking.picked is not None and 0 <= booking.picked < len(offered):
        offered = [offered[booking.picked]]
    return CallBooking(BOOKING_STEPS[booking.status], offered)


def planned_follow_ups(contact: Contact) -> QuerySet[FollowUp]:
    """The texts the bot will start on its own for this lead, soonest first."""
    return FollowUp.objects.filter(contact=contact, status=FollowUpStatus.SCHEDULED).order_by("due_at")


def score_history(contact: Contact, limit: int = 5) -> list[LeadScore]:
    """The lead's latest scores, newest first, with what set each and why."""
    return list(contact.score_history.select_related("model").defer("model__model_bytes")[:limit])


def churn_of(contact: Contact) -> ChurnPrediction | None:
    return ChurnPrediction.objects.filter(contact=contact).first()


def outbox_of(contact: Contact, limit: int = 50) -> QuerySet[OutboxMessage]:
    """The lead's latest writes to GHL, newest first, with why each was sent, held or blocked, and the bot's own
    text beside a text Claude rephrased."""
    return OutboxMessage.objects.filter(contact=contact).select_related("claude_rephrasing").order_by("-id")[:limit]
