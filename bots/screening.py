"""Inbound screening: what a turn does about a lead's text before any workflow reads it.

- "Delete my data" (CCPA): acknowledge the 45-day window, tag CCPA-Deletion-Request and AI-Off, stop. The
  acknowledgement is not a draft even in suggest mode: it is the legal receipt of a request.
- A request to choose buyers or areas by a protected trait, or to rate safety, crime or schools (Fair Housing):
  tag Fair-Housing-Alert and answer with the safe refusal; the workflow then continues with its next
  question, so the lead still gets help on price, size and location.
- A question about referral fees, kickbacks or a required lender or title company (RESPA): the truthful answer
  (the lead chooses freely; nobody here is paid for a referral), then the workflow continues.
- Prompt injection and JSON blobs are plain text: the understanding engine already dropped every field they
  tried to fill, and nothing here changes behaviour because of them.
Opt-out and opt-in come first, in bots.services.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from bots import drafts, followups, outbox
from bots.config import BotConfig
from bots.nlu import Extraction
from bots.state import ConversationState
from bots.texts import choose_text
from leads.models import Contact

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Screening:
    """What screening did; `stop` ends the turn before the workflows."""

    outcome: str = ""
    stop: bool = False


PASS = Screening()


def screen_inbound(
    contact: Contact, state: ConversationState, understood: Extraction, config: BotConfig, key: str, *, silenced: str,
    bot: str,
) -> Screening:
    """`bot` answers this turn; `silenced` is why it may not answer at all ("" when it may): alerts are tagged
    regardless, replies not."""
    # Answer in the language of this text, as the workflows do (BOTS.md).
    state.language = understood.language
    if understood.injection:
        logger.info("injection treated as plain text contact=%s", contact.pk)
    if understood.deletion_request:
        return _acknowledge_deletion(contact, state, config, key, silenced)
    if understood.fair_housing_request:
        _refuse_fair_housing(contact, state, config, key, silenced, bot)
    elif understood.respa_question and not silenced:
        answer = choose_text("respa_answer", state, config)
        drafts.queue_reply(contact, answer, f"{key}:respa", bot=bot, config=config)
    return PASS


def _acknowledge_deletion(
    contact: Contact, state: ConversationState, config: BotConfig, key: str, silenced: str
) -> Screening:
    deletion_key = f"{key}:deletion"
    drafts.retire_drafts(contact)
    outbox.queue_tag_changes(contact, deletion_key, add=[config.tag("ccpa_deletion"), config.tag("ai_off")])
    followups.cancel_follow_ups(contact, "the lead asked to delete their data")
    if not silenced:
        acknowledgement = choose_text("deletion_acknowledgement", state, config)
        # Same key as the tags: the gate lets this receipt through although AI-Off comes with it.
        outbox.queue_text(contact, acknowledgement, deletion_key)
        state.last_reply = acknowledgement
    logger.info("deletion request contact=%s", contact.pk)
    return Screening("deletion request acknowledged" if not silenced else "deletion request tagged", stop=True)


def _refuse_fair_housing(
    contact: Contact, state: ConversationState, config: BotConfig, key: str, silenced: str, bot: str
) -> None:
    outbox.queue_tag_changes(contact, f"{key}:fair-housing", add=[config.tag("fair_housing_alert")])
    logger.info("fair housing request contact=%s", contact.pk)
    if not silenced:
        key_of_text = "fair_housing_refusal_seller" if bot == "seller" else "fair_housing_refusal"
        refusal = choose_text(key_of_text, state, config)
        drafts.queue_reply(contact, refusal, f"{key}:fair-housing", bot=bot, config=config)
