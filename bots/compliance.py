"""The pre-send gate: every text the bots send passes `check_before_send` first.

Deterministic code, not prompt text: a text to an opted-out or do-not-disturb lead can cost a
brokerage $500 to $1,500 under the TCPA. Each decision carries its reason for the admin and logs.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from bots.config import BotConfig
from leads.models import Contact, Location, OutboxKind, OutboxMessage, OutboxStatus


@dataclass(frozen=True)
class GateDecision:
    allowed: bool
    reason: str


ALLOWED = GateDecision(True, "passed the gate")


def check_before_send(
    location: Location, contact: Contact, text: OutboxMessage, config: BotConfig, now: dt.datetime | None = None
) -> GateDecision:
    now = now or timezone.now()
    if settings.JORGEBOT_SENDING_PAUSED:
        return GateDecision(False, "global kill switch is on")
    if location.sending_paused:
        return GateDecision(False, "location kill switch is on")
    if not text.bypass_opt_out:
        if contact.opted_out_at is not None:
            return GateDecision(False, "lead opted out")
        if contact.dnd_sms:
            return GateDecision(False, "SMS do-not-disturb is on in GHL")
        for tag in config.deactivation_tags:
            if contact.has_tag(tag):
                return GateDecision(False, f"contact has the {tag} tag")
    if _texts_sent_today(contact, now) >= config.daily_message_cap:
        return GateDecision(False, f"daily cap of {config.daily_message_cap} texts reached")
    return ALLOWED


def _texts_sent_today(contact: Contact, now: dt.datetime) -> int:
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return OutboxMessage.objects.filter(
        contact=contact, kind=OutboxKind.SMS, status=OutboxStatus.SENT, sent_at__gte=start_of_day
    ).count()
