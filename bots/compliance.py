"""The pre-send gate: every text the bots send passes `check_before_send` first, on its final wording.

Deterministic code, not prompt text: a text to an opted-out or do-not-disturb lead can cost a brokerage $500
to $1,500 under the TCPA. The rules run in this order, and the first that decides wins:

1. kill switches: the install's (JORGEBOT_SENDING_PAUSED, or the admin's global switch) and the location's;
2. consent: opted out, GHL SMS do-not-disturb, a deactivation tag, deleted in GHL, a person took over;
   only the one opt-out confirmation passes these, and only once;
3. the daily cap per contact, counted over the lead's local day (a runaway loop stops itself);
4. the wording: Fair Housing, RESPA, claiming to be a person, the SMS length; a failing text is replaced by
   the bot's safe line and the contact is tagged Compliance-Alert;
5. quiet hours, for texts the bot starts itself: deferred to the next opening of the lead's window.

Every decision is kept on the outbox row (status, `gate_rule`, `status_reason`) and logged with ids only.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bots import localtime, outbox
from bots.config import BotConfig
from bots.models import SendingSwitch
from bots.phrases import Problem, find_problem, fit_to_length
from bots.state import ConversationState
from bots.texts import choose_text
from leads.models import Contact, Conversation, Location, OutboxKind, OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)


class Verdict(StrEnum):
    SEND = "send"
    DEFER = "defer"
    BLOCK = "block"


class Rule(StrEnum):
    """Which rule decided: stored on the outbox row as `gate_rule`."""

    PASSED = "passed"
    SHORTENED = "shortened"
    GLOBAL_KILL_SWITCH = "global_kill_switch"
    LOCATION_KILL_SWITCH = "location_kill_switch"
    OPTED_OUT = "opted_out"
    SMS_DND = "sms_dnd"
    DEACTIVATION_TAG = "deactivation_tag"
    CONTACT_DELETED = "contact_deleted"
    HUMAN_TOOK_OVER = "human_took_over"
    CONFIRMATION_ALREADY_SENT = "confirmation_already_sent"
    DAILY_CAP = "daily_cap"
    FAIR_HOUSING = Problem.FAIR_HOUSING.value
    RESPA = Problem.RESPA.value
    CLAIMS_TO_BE_HUMAN = Problem.CLAIMS_TO_BE_HUMAN.value
    TOO_LONG = "too_long"
    UNSAFE_SAFE_LINE = "unsafe_safe_line"
    QUIET_HOURS = "quiet_hours"


@dataclass(frozen=True)
class GateDecision:
    verdict: Verdict
    rule: Rule
    reason: str
    # The text to send instead of the row's: a shortened one, or the bot's safe line.
    replacement: str | None = None
    # The text failed a wording rule: the contact is tagged Compliance-Alert.
    alert: bool = False
    send_after: dt.datetime | None = None

    @property
    def allowed(self) -> bool:
        return self.verdict is Verdict.SEND


def check_before_send(
    location: Location, contact: Contact, text: OutboxMessage, config: BotConfig, now: dt.datetime | None = None
) -> GateDecision:
    """The gate's decision for one text; reads the database (switches, counts) but changes nothing."""
    now = now or timezone.now()
    stopped = (
        _stopped(location) or _without_consent(contact, text, config, now) or _over_cap(contact, text, config, now)
    )
    if stopped is not None:
        return stopped
    wording = _check_wording(contact, text.body, config)
    if text.bypass_opt_out:
        return wording
    locale = localtime.locale_of(contact, location)
    window = localtime.sending_window(locale, config)
    if not localtime.is_within_window(now, locale, window) and not _is_reply(contact, config, now):
        opens = localtime.next_window_start(now, locale, window)
        reason = (f"quiet hours: the lead's window is {window.describe()} ({locale.zone.key}, from the "
                  f"{locale.zone_source}); sends at {opens.astimezone(locale.zone):%b %d %H:%M}")
        return GateDecision(Verdict.DEFER, Rule.QUIET_HOURS, reason, wording.replacement, wording.alert, opens)
    return wording


def _stopped(location: Location) -> GateDecision | None:
    if settings.JORGEBOT_SENDING_PAUSED or SendingSwitch.is_paused():
        return GateDecision(Verdict.BLOCK, Rule.GLOBAL_KILL_SWITCH, "global kill switch is on")
    if location.sending_paused:
        return GateDecision(Verdict.BLOCK, Rule.LOCATION_KILL_SWITCH, "location kill switch is on")
    return None


def _without_consent(contact: Contact, text: OutboxMessage, config: BotConfig, now: dt.datetime) -> GateDecision | None:
    if contact.deleted_at is not None:
        return GateDecision(Verdict.BLOCK, Rule.CONTACT_DELETED, "contact deleted in GHL")
    if text.bypass_opt_out:
        # TCPA allows one confirmation of an opt-out, and no more.
        if _confirmation_sent_since(contact, text):
            return GateDecision(Verdict.BLOCK, Rule.CONFIRMATION_ALREADY_SENT, "the opt-out was already confirmed")
        return None
    if contact.opted_out_at is not None:
        return GateDecision(Verdict.BLOCK, Rule.OPTED_OUT, "lead opted out")
    if contact.dnd_sms:
        return GateDecision(Verdict.BLOCK, Rule.SMS_DND, "SMS do-not-disturb is on in GHL")
    if contact.has_tag(config.tag("opt_out")):
        return GateDecision(Verdict.BLOCK, Rule.OPTED_OUT, f"contact has the {config.tag('opt_out')} tag")
    if text.approved_by_person:
        return None  # a person sent it: the bot's own off switches are for the bot
    for tag in config.deactivation_tags:
        if contact.has_tag(tag) and not _bot_went_quiet_with(text, tag):
            return GateDecision(Verdict.BLOCK, Rule.DEACTIVATION_TAG, f"contact has the {tag} tag")
    if contact.bot_paused_until is not None and contact.bot_paused_until > now:
        return GateDecision(Verdict.BLOCK, Rule.HUMAN_TOOK_OVER, "a person took over; the bot is paused")
    return None


def _bot_went_quiet_with(text: OutboxMessage, tag: str) -> bool:
    """Whether the turn that queued this text also added `tag`: the bot's last word (a booking confirmation, a
    handoff) before it goes quiet goes out; a tag added afterwards by anyone holds the text back."""
    turn_key = text.idempotency_key.rsplit(":", 1)[0]
    return OutboxMessage.objects.filter(
        contact_id=text.contact_id, kind=OutboxKind.ADD_TAGS, idempotency_key=f"{turn_key}:add_tags",
        payload__tags__contains=[tag],
    ).exists()


def _confirmation_sent_since(contact: Contact, text: OutboxMessage) -> bool:
    since = contact.opted_out_at or text.created_at
    return (
        OutboxMessage.objects.filter(contact=contact, kind=OutboxKind.SMS, bypass_opt_out=True, sent_at__gte=since)
        .filter(Q(status=OutboxStatus.SENT) | Q(status=OutboxStatus.SENDING))
        .exclude(pk=text.pk)
        .exists()
    )


def _over_cap(contact: Contact, text: OutboxMessage, config: BotConfig, now: dt.datetime) -> GateDecision | None:
    if text.bypass_opt_out:
        return None
    zone = localtime.locale_of(contact, contact.location).zone
    sent_today = (
        OutboxMessage.objects.filter(contact=contact, kind=OutboxKind.SMS)
        .filter(Q(status=OutboxStatus.SENT, sent_at__gte=localtime.local_day_start(now, zone))
                | Q(status=OutboxStatus.SENDING))
        .exclude(pk=text.pk)
        .count()
    )
    if sent_today >= config.daily_message_cap:
        return GateDecision(Verdict.BLOCK, Rule.DAILY_CAP, f"daily cap of {config.daily_message_cap} texts reached")
    return None


def _check_wording(contact: Contact, body: str, config: BotConfig) -> GateDecision:
    finding = find_problem(body, config.agent_name)
    if finding is None:
        fitted = fit_to_length(body, config.max_reply_chars)
        if fitted == body.strip():
            return GateDecision(Verdict.SEND, Rule.PASSED, "passed the gate")
        if fitted is not None:
            return GateDecision(Verdict.SEND, Rule.SHORTENED, f"shortened to {config.max_reply_chars} characters",
                                replacement=fitted)
        rule, what = Rule.TOO_LONG, f"over {config.max_reply_chars} characters"
    else:
        rule, what = Rule(finding.problem.value), f"{finding.problem.value.replace('_', ' ')} ({finding.phrase_group})"
    safe_line = safe_line_for(contact, config)
    if find_problem(safe_line, config.agent_name) is not None or len(safe_line) > config.max_reply_chars:
        return GateDecision(Verdict.BLOCK, Rule.UNSAFE_SAFE_LINE, f"{what}; the safe line fails the gate too",
                            alert=True)
    return GateDecision(Verdict.SEND, rule, f"replaced by the safe line: {what}", replacement=safe_line, alert=True)


def safe_line_for(contact: Contact, config: BotConfig) -> str:
    state = ConversationState.from_dict(_state_of(contact))
    key = f"safe_line_{contact.active_bot}" if contact.active_bot in ("seller", "buyer") else "safe_line_lead"
    return choose_text(key, state, config, agent=config.agent_name)


def _state_of(contact: Contact) -> dict[str, object]:
    return Conversation.objects.filter(contact=contact).values_list("state", flat=True).first() or {}


def _is_reply(contact: Contact, config: BotConfig, now: dt.datetime) -> bool:
    """BOTS.md: replies to a message the lead just sent may go out at once, whatever the hour."""
    last_inbound = Conversation.objects.filter(contact=contact).values_list("last_inbound_at", flat=True).first()
    return last_inbound is not None and now - last_inbound <= dt.timedelta(minutes=config.reply_window_minutes)


def record_decision(text: OutboxMessage, decision: GateDecision, config: BotConfig, now: dt.datetime) -> None:
    """Keep the decision on the row (sent texts get their final status from the sender) and raise the alerts.
    The sender marks a text that may go `sending` (status and attempts) before calling this: one write."""
    if decision.replacement is not None and decision.replacement != text.body:
        # The original stays with the row for the broker who reviews the alert; it is never logged.
        text.payload = {**text.payload, "original_text": text.body}
        text.body = decision.replacement
    text.gate_rule = decision.rule.value
    text.status_reason = decision.reason[:200]
    if decision.verdict is Verdict.DEFER:
        text.status, text.send_after = OutboxStatus.DEFERRED, decision.send_after
    elif decision.verdict is Verdict.BLOCK:
        text.status = OutboxStatus.BLOCKED
    text.save(update_fields=["body", "payload", "gate_rule", "status_reason", "status", "send_after", "attempts",
                             "updated_at"])
    logger.info("gate outbox=%s contact=%s verdict=%s rule=%s", text.pk, text.contact_id, decision.verdict,
                decision.rule)
    if decision.alert:
        outbox.queue_tag_changes(text.contact, f"outbox:{text.pk}:compliance-alert",
                                 add=[config.tag("compliance_alert")])
    if decision.rule is Rule.DAILY_CAP:
        # A runaway loop stops itself here; a person should look at it, once a day at most.
        zone = localtime.locale_of(text.contact, text.location).zone
        day = now.astimezone(zone).date()
        outbox.queue_tag_changes(text.contact, f"cap:{text.contact_id}:{day:%Y-%m-%d}",
                                 add=[config.tag("human_follow_up")])


def release_deferred_texts(now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    """Deferred texts whose window opened go back to pending; returns the contacts whose outbox to deliver.
    The gate checks each again when it is sent: an opt-out since then still wins."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=OutboxStatus.DEFERRED, send_after__lte=now)
            .order_by("send_after")
            .values_list("pk", "contact_id")[:limit]
        )
        OutboxMessage.objects.filter(pk__in=[pk for pk, _ in due], status=OutboxStatus.DEFERRED).update(
            status=OutboxStatus.PENDING, status_reason="released: the lead's sending window opened", updated_at=now
        )
    return sorted({contact_id for _, contact_id in due})


def cancel_pending_texts(contact: Contact, reason: str) -> int:
    """Withdraw the contact's texts that have not gone out (pending or deferred), except the opt-out confirmation."""
    return OutboxMessage.objects.filter(
        contact=contact, kind=OutboxKind.SMS, status__in=[OutboxStatus.PENDING, OutboxStatus.DEFERRED],
        bypass_opt_out=False,
    ).update(status=OutboxStatus.CANCELLED, status_reason=reason[:200], updated_at=timezone.now())


@dataclass(frozen=True)
class TextDecision:
    """Why the lead's latest text went out, waits, or was stopped: what the admin shows on the lead's page."""

    status: str
    rule: str
    reason: str
    at: dt.datetime
    send_after: dt.datetime | None

    def __str__(self) -> str:
        label = OutboxStatus(self.status).label
        return f"{label}: {self.reason}" if self.reason else label


def last_text_decision(contact: Contact) -> TextDecision | None:
    row = (
        OutboxMessage.objects.filter(contact=contact, kind=OutboxKind.SMS)
        .exclude(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING])
        .order_by("-updated_at", "-id")
        .values("status", "gate_rule", "status_reason", "updated_at", "send_after")
        .first()
    )
    if row is None:
        return None
    return TextDecision(row["status"], row["gate_rule"], row["status_reason"], row["updated_at"], row["send_after"])
