"""Modes and drafts: whether a bot's text goes out now ("auto"), waits for a broker ("suggest"), or not at all
("off"), and the one place an approved draft becomes a text.

In suggest mode every text the bot writes is saved as a Draft; a broker approves it as written, edits it, or
discards it (admin or API, through these services only). The approved text still passes the compliance gate
when it is sent. The TCPA opt-out and opt-in confirmations are not drafts: carriers expect them at once.
"""
from __future__ import annotations

import logging

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from bots import outbox
from bots.config import BotConfig, config_for
from bots.models import Draft, DraftStatus
from bots.phrases import find_problem
from leads.models import Contact, OutboxMessage

logger = logging.getLogger(__name__)


class DraftNotPending(Exception):
    """The draft was already approved, discarded or replaced by a newer one."""


class DraftRejected(Exception):
    """An edited draft breaks a compliance rule; the broker fixes the wording and approves again."""


def queue_reply(contact: Contact, body: str, key: str, *, bot: str, config: BotConfig) -> OutboxMessage | Draft | None:
    """Queue a bot's text the way this bot's mode says: an outbox row, a draft, or nothing."""
    mode = config.mode_of(bot)
    if mode == "auto":
        return outbox.queue_text(contact, body, key)
    if mode == "suggest":
        return save_draft(contact, body, key, bot=bot)
    logger.info("bot off contact=%s bot=%s: text not queued", contact.pk, bot)
    return None


def save_draft(contact: Contact, body: str, key: str, *, bot: str) -> Draft:
    draft, _ = Draft.objects.get_or_create(
        idempotency_key=f"{key}:draft",
        defaults={"location_id": contact.location_id, "contact": contact, "bot": bot, "body": body},
    )
    return draft


def retire_drafts(contact: Contact) -> int:
    """The lead wrote again, opted out, or went to a person: every waiting draft is moot, so a broker never
    approves an answer to an old message."""
    return Draft.objects.filter(contact=contact, status=DraftStatus.PENDING).update(
        status=DraftStatus.SUPERSEDED, decided_at=timezone.now()
    )


def approve_draft(draft_id: int, user: User | None, body: str | None = None) -> OutboxMessage:
    """Send a draft, as written or with the broker's `body`; the compliance gate still checks it at send time.
    Raises DraftNotPending or DraftRejected."""
    with transaction.atomic():
        draft = Draft.objects.select_for_update(of=("self",)).select_related("contact__location").get(pk=draft_id)
        if draft.status != DraftStatus.PENDING:
            raise DraftNotPending(f"draft {draft.pk} is {draft.status}")
        text = (body or "").strip() or draft.body
        edited = text != draft.body
        if edited:
            config = config_for(draft.contact.location)
            finding = find_problem(text, config.agent_name)
            if finding is not None:
                raise DraftRejected(f"{finding.problem.value.replace('_', ' ')} ({finding.phrase_group})")
            if len(text) > config.max_reply_chars:
                raise DraftRejected(f"over {config.max_reply_chars} characters")
        row = outbox.queue_text(draft.contact, text, f"draft:{draft.pk}", approved_by_person=True)
        draft.status = DraftStatus.EDITED if edited else DraftStatus.APPROVED
        draft.sent_body, draft.outbox, draft.decided_by, draft.decided_at = text, row, user, timezone.now()
        draft.save(update_fields=["status", "sent_body", "outbox", "decided_by", "decided_at"])
        outbox.deliver_after_commit([draft.contact_id])
    logger.info("draft approved draft=%s contact=%s edited=%s", draft.pk, draft.contact_id, edited)
    return row


def discard_draft(draft_id: int, user: User | None) -> None:
    with transaction.atomic():
        draft = Draft.objects.select_for_update().get(pk=draft_id)
        if draft.status != DraftStatus.PENDING:
            raise DraftNotPending(f"draft {draft.pk} is {draft.status}")
        draft.status, draft.decided_by, draft.decided_at = DraftStatus.DISCARDED, user, timezone.now()
        draft.save(update_fields=["status", "decided_by", "decided_at"])
    logger.info("draft discarded draft=%s contact=%s", draft.pk, draft.contact_id)


