"""What a GHL event applied to our copy of the CRM means for the bots.

leads applies the event (leads.services.apply_webhook_event) and reports its effects; these rules act on them in
the event's own transaction: a person who texted the lead from GHL puts the bot to sleep, and removing AI-Off or
Human-Follow-Up-Needed in GHL hands the lead back. An unsigned workflow post may never take an opt-out away.
"""
from __future__ import annotations

from bots import human
from bots.config import DEFAULT_TAGS, config_for
from leads import services as lead_services
from leads.models import Location

# The tags that silence the bot whatever a location renamed: GHL users type the defaults too.
_DEFAULT_SILENCING = frozenset(DEFAULT_TAGS[key].casefold() for key in ("opt_out", "ai_off", "stop_bot"))


class BotRules:
    """leads.services.EventRules as the bots define them."""

    def silencing_tags(self, location: Location) -> frozenset[str]:
        configured = config_for(location).deactivation_tags
        return _DEFAULT_SILENCING | {tag.casefold() for tag in configured}

    def act(self, applied: lead_services.AppliedEvent) -> None:
        if applied.contact is None:
            return
        if applied.human_took_over:
            human.pause_bot_for_human(applied.contact)
        if applied.tags_before is not None:
            human.notice_tags_removed(applied.contact, applied.tags_before)


RULES = BotRules()


def apply_webhook_event(event_id: int) -> lead_services.AppliedEvent:
    """Apply one stored GHL event, with what it means for the bots, exactly once."""
    return lead_services.apply_webhook_event(event_id, RULES)
