"""Follow-ups: texts the bot starts itself, planned as FollowUp rows and dispatched by a beat task.

The cadences are BOTS.md's, every number a per-location setting (bots.config):
- seller bot, while the seller is not hot: days 2, 5, 8, ... 29 from the cadence start, then every 14 days, at
  most 10 long-term attempts, and none once the lead has been silent 30 days. The cadence counts from its
  start, not from each reply, so the long-term attempts reach sellers who still answer now and then;
- lead bot, for a lead gone silent: days 3, 7 and 14 of silence, a final text on day 30, then the tag Ghosted.

A reply plans the next step (never within `follow_up_min_gap_hours` of it) and cancels what was waiting unless
that is the same step; an opt-out, a booking, a handoff or a person taking over cancels it for good. A follow-up
due outside the lead's sending window is moved to the window's next opening. The dispatcher locks each row
(skip_locked) and the conversation, so two dispatchers, or a dispatcher and a turn, never act on the same lead at
once.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from bots import drafts, localtime, outbox
from bots.config import BotConfig, config_for
from bots.models import Cadence, FollowUp, FollowUpStatus
from bots.state import ConversationState
from bots.texts import choose_text
from leads.models import CLOSED_STATUSES, Contact, Conversation, LeadStatus, OutboxMessage

logger = logging.getLogger(__name__)

CADENCE_OF_BOT: dict[str, Cadence] = {"seller": Cadence.SELLER, "lead": Cadence.LEAD}
# Due follow-ups read per batch. Each is one short transaction: 24 ms at p50 on the 2-core test box under load
# (bench/compliance_gate.py), so a batch takes about 5 s and the beat task runs batches for up to
# DISPATCH_SECONDS, about 2,000 follow-ups a minute (8:00 in a busy zone releases many at once).
DISPATCH_BATCH = 200
DISPATCH_SECONDS = 45.0


@dataclass(frozen=True)
class PlannedStep:
    number: int
    due_at: dt.datetime
    final: bool


@dataclass(frozen=True)
class NextAttempt:
    """The attempt a cadence plans next, the run (`anchor_at`) it belongs to, and that run's latest attempt."""

    cadence: str
    anchor_at: dt.datetime
    step: PlannedStep
    latest: FollowUp | None = None

    def is_waiting(self) -> bool:
        """Already planned: the run's latest attempt is this one, still waiting."""
        latest = self.latest
        return (
            latest is not None and latest.status == FollowUpStatus.SCHEDULED and latest.anchor_at == self.anchor_at
            and latest.step == self.step.number and latest.due_at == self.step.due_at
        )


def step_days(cadence: str, config: BotConfig) -> tuple[int, ...]:
    """Days from the cadence start of each attempt, in order."""
    if cadence == Cadence.SELLER:
        short = tuple(config.seller_follow_up_days)
        last = short[-1] if short else 0
        every = config.seller_long_term_every_days
        return (*short, *(last + every * n for n in range(1, config.seller_long_term_attempts + 1)))
    return tuple(config.lead_follow_up_days)


def next_step(
    cadence: str, anchor_at: dt.datetime, after_step: int, not_before: dt.datetime, config: BotConfig
) -> PlannedStep | None:
    """The first attempt after `after_step` that falls no earlier than `not_before`; None when the cadence is over."""
    days = step_days(cadence, config)
    for number, day in enumerate(days, start=1):
        due_at = anchor_at + dt.timedelta(days=day)
        if number > after_step and due_at >= not_before:
            return PlannedStep(number, due_at, final=number == len(days))
    return None


def plan_after_turn(contact: Contact, state: ConversationState, config: BotConfig, now: dt.datetime,
                    *, replied: bool) -> FollowUp | None:
    """Called by every turn (under its conversation lock): the lead wrote, so what waited is cancelled; when the
    bot answered, the active bot's cadence plans its next attempt. An attempt already waiting exactly as planned
    (a seller replying again within a day) stays: cancelling and planning it again would change nothing."""
    attempt = _next_attempt(contact, state, config, now) if replied else None
    if attempt is not None and attempt.is_waiting():
        return attempt.latest
    cancel_follow_ups(contact, "the lead replied")
    if attempt is None:
        return None
    # A plain INSERT, no lookup first: whatever waited was cancelled just above, under the conversation lock. A
    # hand-back planning in the same instant fails this turn on the one-waiting constraint; the sweeper of
    # unanswered texts (bots.tasks.sweep_stuck_work) takes the turn again.
    return FollowUp.objects.create(
        location_id=contact.location_id, contact=contact, cadence=attempt.cadence, anchor_at=attempt.anchor_at,
        step=attempt.step.number, due_at=attempt.step.due_at,
    )


def restart_follow_ups(contact: Contact, config: BotConfig, now: dt.datetime) -> FollowUp | None:
    """After the bot wakes (its pause ran out, or a person handed the lead back): resume the cadence from now."""
    conversation = Conversation.objects.filter(contact=contact).first()
    if conversation is None or FollowUp.objects.filter(contact=contact, status=FollowUpStatus.SCHEDULED).exists():
        return None
    attempt = _next_attempt(contact, ConversationState.from_dict(conversation.state), config, now)
    return _schedule(contact, attempt.cadence, attempt.anchor_at, attempt.step) if attempt else None


def _next_attempt(
    contact: Contact, state: ConversationState, config: BotConfig, now: dt.datetime
) -> NextAttempt | None:
    """What the active bot's cadence plans next, at least `follow_up_min_gap_hours` from now; None when nothing."""
    cadence = CADENCE_OF_BOT.get(state.bot)
    if cadence is None or why_no_follow_up(contact, state, config, cadence, now):
        return None
    latest = _latest_of_running_cadence(contact, cadence, config, now)
    anchor_at = latest.anchor_at if latest is not None else now
    step = next_step(cadence, anchor_at, 0, now + dt.timedelta(hours=config.follow_up_min_gap_hours), config)
    return NextAttempt(cadence, anchor_at, step, latest) if step else None


def _latest_of_running_cadence(
    contact: Contact, cadence: str, config: BotConfig, now: dt.datetime
) -> FollowUp | None:
    """A silent lead's cadence starts at the silence (None: a new run from now); the seller's keeps its start while
    it still has steps. The latest attempt of the latest run, read once: its start, and whether it waits."""
    if cadence != Cadence.SELLER:
        return None
    latest = FollowUp.objects.filter(contact=contact, cadence=cadence).order_by("-anchor_at", "-id").first()
    if latest is not None and latest.anchor_at + dt.timedelta(days=step_days(cadence, config)[-1]) > now:
        return latest
    return None


def _schedule(contact: Contact, cadence: str, anchor_at: dt.datetime, step: PlannedStep) -> FollowUp:
    follow_up, _ = FollowUp.objects.get_or_create(
        contact=contact, cadence=cadence, anchor_at=anchor_at, step=step.number,
        status=FollowUpStatus.SCHEDULED,
        defaults={"location_id": contact.location_id, "due_at": step.due_at},
    )
    return follow_up


def cancel_follow_ups(contact: Contact, reason: str) -> int:
    return FollowUp.objects.filter(contact=contact, status=FollowUpStatus.SCHEDULED).update(
        status=FollowUpStatus.CANCELLED, status_reason=reason[:200], updated_at=timezone.now()
    )


def why_no_follow_up(
    contact: Contact, state: ConversationState, config: BotConfig, cadence: str, now: dt.datetime,
    last_inbound_at: dt.datetime | None = None,
) -> str:
    """Why this lead gets no follow-up now ("" when it may): consent, a person in charge, a booking, the mode."""
    if contact.opted_out_at is not None or contact.dnd_sms:
        return "the lead opted out"
    if contact.deleted_at is not None:
        return "contact deleted in GHL"
    for tag in (*config.deactivation_tags, config.tag("human_follow_up")):
        if contact.has_tag(tag):
            return f"contact has the {tag} tag"
    if contact.bot_paused_until is not None and contact.bot_paused_until > now:
        return "a person took over"
    if contact.status == LeadStatus.APPOINTMENT or contact.status in CLOSED_STATUSES or \
            state.booking.status in ("booked", "manual"):
        return "a call is booked"
    if CADENCE_OF_BOT.get(state.bot) != cadence:
        return f"the {state.bot} bot answers now"
    if config.mode_of(state.bot) == "off":
        return f"the {state.bot} bot is off"
    if cadence == Cadence.SELLER:
        if contact.temperature == "hot" or state.temperatures.get("seller") == "hot":
            return "the seller is hot"
        silence = dt.timedelta(days=config.seller_silence_stop_days)
        if last_inbound_at is not None and now - last_inbound_at >= silence:
            return f"{config.seller_silence_stop_days} days of silence"
    return ""


def dispatch_due_follow_ups(now: dt.datetime | None = None, limit: int = DISPATCH_BATCH) -> tuple[list[int], bool]:
    """Queue up to `limit` follow-ups that are due; returns the contacts with new texts to deliver, and whether
    the batch was full (more may be due)."""
    now = now or timezone.now()
    due = list(
        FollowUp.objects.filter(status=FollowUpStatus.SCHEDULED, due_at__lte=now)
        .order_by("due_at").values_list("pk", flat=True)[:limit]
    )
    contact_ids = [contact_id for follow_up_id in due if (contact_id := dispatch_follow_up(follow_up_id, now))]
    if due:
        logger.info("follow-ups due=%s queued=%s", len(due), len(contact_ids))
    return sorted(set(contact_ids)), len(due) == limit


def dispatch_follow_up(follow_up_id: int, now: dt.datetime) -> int | None:
    """Queue one due follow-up, or move it to the lead's window, or cancel it; the contact id when a text was queued."""
    with transaction.atomic():
        follow_up = (
            FollowUp.objects.select_for_update(skip_locked=True, of=("self",)).select_related("contact__location")
            .filter(pk=follow_up_id, status=FollowUpStatus.SCHEDULED, due_at__lte=now).first()
        )
        if follow_up is None:
            return None  # another dispatcher has it, or it is done
        # A turn holding this lock is answering the lead right now and will re-plan: leave it to the turn.
        conversation = Conversation.objects.select_for_update(skip_locked=True).filter(
            contact_id=follow_up.contact_id).first()
        if conversation is None:
            return None
        return _dispatch(follow_up, conversation, now)


def _dispatch(follow_up: FollowUp, conversation: Conversation, now: dt.datetime) -> int | None:
    contact = follow_up.contact
    config = config_for(contact.location)
    state = ConversationState.from_dict(conversation.state)
    stop = why_no_follow_up(contact, state, config, follow_up.cadence, now, conversation.last_inbound_at)
    if stop:
        _finish(follow_up, FollowUpStatus.CANCELLED, stop)
        return None
    locale = localtime.locale_of(contact, contact.location)
    window = localtime.sending_window(locale, config)
    if not localtime.is_within_window(now, locale, window):
        opens = localtime.next_window_start(now, locale, window)
        follow_up.due_at = opens
        follow_up.status_reason = f"quiet hours: moved to {opens.astimezone(locale.zone):%b %d %H:%M} {locale.zone.key}"
        follow_up.save(update_fields=["due_at", "status_reason", "updated_at"])
        return None
    final = follow_up.step == len(step_days(follow_up.cadence, config))
    key = _text_key(follow_up.cadence, final)
    text = choose_text(key, state, config, agent=config.agent_name)
    queued = drafts.queue_reply(contact, text, f"followup:{follow_up.pk}", bot=state.bot, config=config)
    state.last_reply = text
    conversation.state = state.to_dict()
    conversation.save(update_fields=["state", "updated_at"])
    follow_up.outbox = queued if isinstance(queued, OutboxMessage) else None
    _finish(follow_up, FollowUpStatus.QUEUED, "queued" if follow_up.outbox else "saved as a draft for approval")
    if final and follow_up.cadence == Cadence.LEAD:
        outbox.queue_tag_changes(contact, f"followup:{follow_up.pk}", add=[config.tag("ghosted")])
    upcoming = next_step(follow_up.cadence, follow_up.anchor_at, follow_up.step, now, config)
    if upcoming is not None:
        _schedule(contact, follow_up.cadence, follow_up.anchor_at, upcoming)
    logger.info("follow-up queued followup=%s contact=%s step=%s", follow_up.pk, contact.pk, follow_up.step)
    return contact.pk if follow_up.outbox else None


def _text_key(cadence: str, final: bool) -> str:
    if cadence == Cadence.LEAD:
        return "follow_up_lead_final" if final else "follow_up_lead"
    return "follow_up_seller"


def _finish(follow_up: FollowUp, status: str, reason: str) -> None:
    follow_up.status = status
    follow_up.status_reason = reason[:200]
    follow_up.save(update_fields=["status", "status_reason", "outbox", "updated_at"])
