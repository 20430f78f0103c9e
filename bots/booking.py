"""Booking a call in GHL for a hot lead: read the free slots and text them, then book the one the lead picked.

These run as Celery tasks (bots.tasks) after the turn that decided them has committed: a GHL call never
happens while a conversation's row lock is held. Each step calls GHL first, then applies the outcome in a
short transaction that takes the lock and checks the booking is still where the step expects it, so a
redelivered task changes nothing twice. A final GHL error, or retryable ones that outlast the task's retries,
leave the scheduling to the team (Needs-Manual-Scheduling).
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bots import followups, localtime
from bots.config import BotConfig, config_for
from bots.engine import OFFLINE
from bots.services import carry_out
from bots.state import ConversationState
from bots.workflows.booking import choose_slots, confirm_booking, offer_slots, schedule_by_hand
from bots.workflows.decision import TurnPlan
from bots.workflows.reply import render
from leads.ghl.connect import ghl_client_for
from leads.ghl.errors import GHLFinalError, GHLRetryableError
from leads.models import Contact, Conversation, LeadStatus, Location

logger = logging.getLogger(__name__)

Decide = Callable[[ConversationState, TurnPlan, BotConfig], None]


@dataclass(frozen=True)
class BookingResult:
    outcome: str
    contact_id: int
    queued_writes: bool = False


def offer_call_slots(conversation_id: int, now: dt.datetime | None = None) -> BookingResult:
    """Read the calendar's free slots and text up to three, numbered; none free means the team schedules."""
    conversation = Conversation.objects.select_related("contact__location").get(pk=conversation_id)
    contact = conversation.contact
    if ConversationState.from_dict(conversation.state).booking.status != "fetching":
        return BookingResult("no slots to offer", contact.pk)
    config = config_for(contact.location)
    # The lead's clock as quiet hours and the console read it (GHL's zone, else area code, ZIP, location): "10 AM"
    # in a text is 10 AM where she is.
    zone = localtime.locale_of(contact, contact.location).zone
    now = now or timezone.now()
    free: list[dt.datetime] = []
    calendar_id = calendar_of(contact.location)
    if calendar_id:
        try:
            free = ghl_client_for(contact.location).get_free_slots(
                calendar_id, now, now + dt.timedelta(days=config.booking_window_days), zone.key
            )
        except GHLFinalError as exc:
            logger.warning("free slots refused conversation=%s: %s", conversation_id, exc)
    else:
        logger.warning("no calendar to book in conversation=%s location=%s", conversation_id, contact.location_id)
    slots = choose_slots(free, now, config, zone)
    return _apply(conversation_id, "fetching", "offer", lambda state, plan, cfg: offer_slots(state, plan, slots, cfg))


def book_call(conversation_id: int) -> BookingResult:
    """Book the slot the lead picked; confirm, or leave it to the team when GHL refuses."""
    conversation = Conversation.objects.select_related("contact__location").get(pk=conversation_id)
    contact = conversation.contact
    booking = ConversationState.from_dict(conversation.state).booking
    if booking.status != "booking" or booking.picked is None:
        return BookingResult("nothing to book", contact.pk)
    slot = dt.datetime.fromisoformat(booking.offered[booking.picked])
    calendar_id = calendar_of(contact.location)
    if not calendar_id:
        return schedule_manually(conversation_id, "booking")
    try:
        appointment_id = ghl_client_for(contact.location).book_appointment(calendar_id, contact.ghl_id, slot)
    except GHLFinalError as exc:
        logger.warning("booking refused conversation=%s: %s", conversation_id, exc)
        return schedule_manually(conversation_id, "booking")
    except GHLRetryableError as exc:
        if exc.maybe_applied:
            # GHL may have booked it and the answer was lost: booking again could double book the lead.
            logger.warning("booking outcome unknown conversation=%s: %s", conversation_id, exc)
            return schedule_manually(conversation_id, "booking")
        raise
    return _apply(conversation_id, "booking", "booked",
                  lambda state, plan, cfg: confirm_booking(state, plan, appointment_id, cfg))


def schedule_manually(conversation_id: int, from_status: str) -> BookingResult:
    """The calendar could not be read or written: tag Needs-Manual-Scheduling, tell the lead the team will call."""
    return _apply(conversation_id, from_status, "manual", schedule_by_hand)


def calendar_of(location: Location) -> str:
    return location.calendar_id or settings.GHL_CALENDAR_ID


def _apply(conversation_id: int, expected_status: str, step: str, decide: Decide) -> BookingResult:
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update(of=("self",)).select_related("contact__location")
            .get(pk=conversation_id)
        )
        contact = conversation.contact
        state = ConversationState.from_dict(conversation.state)
        if state.booking.status != expected_status:
            return BookingResult(f"booking is already {state.booking.status}", contact.pk)
        config = config_for(contact.location)
        plan = TurnPlan(bot=state.bot)
        decide(state, plan, config)
        # Slot lists and confirmations go out as written: their numbers and times must not be reworded.
        render(plan, state, config, OFFLINE)
        state.last_question = plan.next_question
        carry_out(contact, state, plan, config, f"booking:{conversation.pk}:{step}", conversation.pk)
        if state.booking.status == "booked":
            followups.cancel_follow_ups(contact, "a call was booked")
            Contact.objects.filter(pk=contact.pk).update(status=LeadStatus.APPOINTMENT, updated_at=timezone.now())
        conversation.state = state.to_dict()
        conversation.save(update_fields=["state", "updated_at"])
    logger.info("booking conversation=%s step=%s status=%s", conversation_id, step, state.booking.status)
    return BookingResult(f"booking {state.booking.status}", contact.pk, queued_writes=True)

