"""Human control of a conversation: handing a lead to a person, and giving it back to the bot.

A lead who asks for a person ("can I talk to Jorge", "call me") is tagged Human-Follow-Up-Needed and AI-Off by
the workflow (bots.turns); GHL also gets a note of what the bot learned, so the agent does not ask again. A
person texting the lead from GHL puts the bot to sleep (`pause_bot_for_human`, from bots.events). The bot wakes when
its pause runs out (a beat task, which also resumes the follow-ups), when someone removes AI-Off or
Human-Follow-Up-Needed in GHL, or from the admin.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from bots import drafts, followups, outbox
from bots.config import BotConfig, config_for
from bots.state import ConversationState
from leads.models import Contact

logger = logging.getLogger(__name__)

# Contacts woken per beat run; each is one short transaction.
WAKE_BATCH = 500


def note_handoff(contact: Contact, state: ConversationState, key: str, reason: str) -> None:
    """A turn handed the lead to a person (the workflow tagged Human-Follow-Up-Needed): leave GHL a note of what
    the bot learned, so nobody asks again, and stop the bot's cadence."""
    outbox.queue_note(contact, key, summary_for_agent(state, reason))
    followups.cancel_follow_ups(contact, "handed to a person")
    logger.info("handed to a person contact=%s", contact.pk)


def summary_for_agent(state: ConversationState, reason: str) -> str:
    """The note a person reads before taking over: why, which bot, and every answer the bot has."""
    lines = [f"Jorgebot handed this lead to a person: {reason}.",
             f"Bot: {state.bot}. Intent: {state.intent or 'unclear'}."]
    for group, answers in (("Seller", state.seller), ("Buyer", state.buyer)):
        for name, value in vars(answers).items():
            if value not in (None, [], ""):
                shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
                lines.append(f"{group} {name.replace('_', ' ')}: {shown}")
    if state.last_question:
        lines.append(f"Last question asked: {state.last_question.replace('_', ' ')}")
    return "\n".join(lines)


def pause_bot_for_human(contact: Contact, hours: float | None = None) -> None:
    """The bot sleeps while a person talks to the lead: its follow-ups and waiting drafts are withdrawn, and the
    reactivation timer (bots.tasks.wake_paused_bots) wakes it when the pause runs out."""
    hours = hours if hours is not None else config_for(contact.location).human_takeover_hours
    until = timezone.now() + dt.timedelta(hours=hours)
    # Keep the later of the two: a broker's longer manual pause must not shrink to the takeover timer.
    Contact.objects.filter(pk=contact.pk).update(
        bot_paused_until=Greatest(Coalesce("bot_paused_until", until), until), updated_at=timezone.now()
    )
    followups.cancel_follow_ups(contact, "a person took over")
    drafts.retire_drafts(contact)
    logger.info("human took over contact=%s; bot paused until %s", contact.pk, until.isoformat())


def hand_back_to_bot(contacts: Iterable[Contact], now: dt.datetime | None = None) -> int:
    """The admin's hand-back: remove AI-Off and Human-Follow-Up-Needed in GHL, end any pause, resume follow-ups.
    An opted-out lead stays silent; returns how many were handed back."""
    now = now or timezone.now()
    handed: list[int] = []
    with transaction.atomic():
        for contact in contacts:
            if contact.opted_out_at is not None:
                continue
            config = config_for(contact.location)
            outbox.queue_tag_changes(contact, f"hand-back:{contact.pk}:{now.timestamp():.0f}",
                                     remove=[config.tag("ai_off"), config.tag("human_follow_up")])
            _wake(contact, config, now)
            handed.append(contact.pk)
        outbox.deliver_after_commit(handed)
    logger.info("handed back to the bot contacts=%s", len(handed))
    return len(handed)


def notice_tags_removed(contact: Contact, tags_before: Iterable[str]) -> bool:
    """GHL says AI-Off or Human-Follow-Up-Needed was removed (ContactTagUpdate): a person handed the lead back."""
    config = config_for(contact.location)
    before = {tag.casefold() for tag in tags_before}
    released = [tag for tag in (config.tag("ai_off"), config.tag("human_follow_up"))
                if tag.casefold() in before and not contact.has_tag(tag)]
    if not released or contact.opted_out_at is not None:
        return False
    _wake(contact, config, timezone.now())
    logger.info("handed back in GHL contact=%s", contact.pk)
    return True


def wake_paused_bots(now: dt.datetime | None = None, limit: int = WAKE_BATCH) -> int:
    """The reactivation timer: a pause that ran out ends, and the bot resumes its follow-ups (a nudge, within
    quiet hours and caps like any follow-up)."""
    now = now or timezone.now()
    woken = 0
    for contact_id in Contact.objects.filter(bot_paused_until__lte=now).values_list("pk", flat=True)[:limit]:
        with transaction.atomic():
            contact = (
                Contact.objects.select_for_update(skip_locked=True, of=("self",)).select_related("location")
                .filter(pk=contact_id, bot_paused_until__lte=now).first()
            )
            if contact is not None:
                _wake(contact, config_for(contact.location), now)
                woken += 1
    if woken:
        logger.info("woke bots whose pause ran out contacts=%s", woken)
    return woken


def _wake(contact: Contact, config: BotConfig, now: dt.datetime) -> None:
    if contact.bot_paused_until is not None:
        contact.bot_paused_until = None
        contact.save(update_fields=["bot_paused_until", "updated_at"])
    followups.restart_follow_ups(contact, config, now)


