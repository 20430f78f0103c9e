"""The bots' answers to other apps' signals (connected in BotsConfig.ready)."""
from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from bots.llm.models import LLMJobItem
from bots.models import ClaudeRephrasing, ComplianceEvent, Draft, FollowUp
from leads.models import Contact, Conversation
from leads.privacy import lead_erasing


@receiver(lead_erasing, dispatch_uid="bots.erase_lead")
def erase_lead(*, contact: Contact, conversation: Conversation | None, **_: Any) -> dict[str, int]:
    """A lead asked to be deleted: her follow-ups, drafts, the bot's texts Claude rephrased and reading jobs go; the
    compliance log keeps the record of each request (CCPA keeps records of requests), not her words."""
    return {
        "follow_ups": FollowUp.objects.filter(contact=contact).delete()[0],
        "drafts": Draft.objects.filter(contact=contact).delete()[0],
        "claude_rephrasings": ClaudeRephrasing.objects.filter(outbox__contact=contact).delete()[0],
        "reading_jobs": LLMJobItem.objects.filter(conversation=conversation).delete()[0] if conversation else 0,
        "compliance_texts": ComplianceEvent.objects.filter(contact=contact).exclude(text="").update(text=""),
    }
