"""What a turn does with the inbound screen's decision (bots.inbound_screen), before anything reads the text.

`plan_screened_turn` decides, without writing anything, so the real turn (bots.services), try-the-bot
(bots.simulator) and drafts in suggest mode all answer a screened text the same way; `carry_out_screened_turn`
applies a plan to a real contact. A screened text is never read: it fills no qualification field and Claude never
sees it. Opt-out and opt-in are bots.services' and bots.simulator's own first step (their effects reach GHL's DND).

- Deletion (CCPA): acknowledge the 45-day window, tag CCPA-Deletion-Request and AI-Off, stop the cadence. The
  acknowledgement is not a draft even in suggest mode: it is the legal receipt of a request.
- Fair Housing: the fixed refusal that names fair housing law (never words of agreement), tag Fair-Housing-Alert,
  a note in GHL for a person; the lead's next text carries on where the conversation was.
- RESPA: the truthful answer (free choice of lender or title company, nobody paid for referrals), never "no problem".
- Consent dispute: where the lead came from (the contact's source and first contact date), and STOP offered.
- Complaint: an apology and STOP offered.
- A request for a person, or "are you a bot?": the workflow answers, as for any lead who asks, but from a reading
  that holds only that request, so the same honest answer comes every time and a question about AI is never taken
  for a request for a person.
Every class the text hits is logged for the broker (bots.models.ComplianceEvent) and its alert tag added; the reply
is the first class's, by the data file's precedence.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field, replace

from django.utils import timezone

from bots import drafts, followups, human, outbox
from bots.config import BotConfig
from bots.inbound_screen import ScreenClass, ScreenResult, label_of
from bots.models import ComplianceEvent
from bots.nlu import Extraction, Language
from bots.nlu.language import detect_language
from bots.nlu.text import fold
from bots.state import ConversationState
from bots.texts import choose_text
from leads.models import Contact

logger = logging.getLogger(__name__)

# Alert tags (BotConfig tag keys) added whenever the text hits the class, whatever answers it.
ALERT_TAGS = {ScreenClass.DELETION: "ccpa_deletion", ScreenClass.FAIR_HOUSING: "fair_housing_alert"}
# Classes the workflow answers itself, from a reading that holds only the request.
READING_OF = {
    ScreenClass.PERSON_REQUEST: Extraction(wants_human=True),
    ScreenClass.BOT_QUESTION: Extraction(asks_if_bot=True),
}
# A request for a person is a handoff (GHL gets its note), not a legal matter: not logged.
NOT_LOGGED = frozenset({ScreenClass.PERSON_REQUEST})
_SPANISH_MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
                   "noviembre", "diciembre")


@dataclass(frozen=True)
class LeadFacts:
    """What the consent answer tells the lead: where their number came from and when."""

    source: str = ""
    first_contact: dt.date | None = None


@dataclass
class ScreenPlan:
    """What the turn does about a screened text; `reading` set means the workflow answers from it instead."""

    screened: ScreenClass
    outcome: str
    reply: str | None = None
    tags_add: list[str] = field(default_factory=list)
    # Deletion: the bot stops and the reply is the legal receipt (sent now, even in suggest mode, past AI-Off).
    stops_bot: bool = False
    note: str | None = None
    reading: Extraction | None = None
    # Whether the bot's follow-up cadence carries on after this turn.
    cadence_continues: bool = False


def plan_screened_turn(
    found: ScreenResult, state: ConversationState, config: BotConfig, *, bot: str, silenced: bool,
    language: Language, lead: LeadFacts,
) -> ScreenPlan | None:
    """The plan for a text the screen caught (None: it passes to the workflow). Opt-out and opt-in are handled
    before this; `silenced` (the bot may not answer) keeps the alerts and drops the reply."""
    acted = next((c for c in found.classes if c not in (ScreenClass.OPT_OUT, ScreenClass.OPT_IN)), None)
    if acted is None:
        return None
    state.language = language
    tags = alert_tags(found, config)
    if acted in READING_OF:
        reading = replace(READING_OF[acted], language=language)
        return ScreenPlan(acted, f"{label_of(acted).lower()}: the workflow answers", tags_add=tags, reading=reading,
                          cadence_continues=True)
    if acted is ScreenClass.DELETION:
        tags.append(config.tag("ai_off"))
        reply = None if silenced else choose_text("deletion_acknowledgement", state, config)
        return ScreenPlan(acted, "deletion request acknowledged" if reply else "deletion request tagged", reply,
                          tags, stops_bot=True)
    reply = None if silenced else _answer(acted, found, state, config, bot=bot, language=language, lead=lead)
    plan = ScreenPlan(acted, _OUTCOMES[acted] if reply else f"{label_of(acted).lower()} logged", reply, tags,
                      cadence_continues=acted in (ScreenClass.FAIR_HOUSING, ScreenClass.RESPA))
    if acted is ScreenClass.FAIR_HOUSING:
        protected = found.protected_class
        what = f"a Fair Housing request ({label_of(protected)})" if protected else "a Fair Housing request"
        plan.note = human.summary_for_agent(state, f"the lead made {what}; the bot refused it, a person should "
                                                   "review the conversation")
    return plan


_OUTCOMES = {
    ScreenClass.FAIR_HOUSING: "fair housing request refused",
    ScreenClass.RESPA: "RESPA question answered",
    ScreenClass.CONSENT_DISPUTE: "consent question answered with the lead's source",
    ScreenClass.COMPLAINT: "complaint answered with an apology",
}


def _answer(
    acted: ScreenClass, found: ScreenResult, state: ConversationState, config: BotConfig, *, bot: str,
    language: Language, lead: LeadFacts,
) -> str:
    if acted is ScreenClass.FAIR_HOUSING:
        hit = found.hit_of(ScreenClass.FAIR_HOUSING)
        choosing_buyers = bot == "seller" or (hit is not None and hit.family == "chooses buyers by a protected trait")
        return choose_text("fair_housing_refusal_seller" if choosing_buyers else "fair_housing_refusal", state, config)
    if acted is ScreenClass.RESPA:
        return choose_text("respa_answer", state, config)
    if acted is ScreenClass.CONSENT_DISPUTE:
        date = _spoken_date(lead.first_contact or timezone.localdate(), language)
        if lead.source:
            return choose_text("screen_consent_answer", state, config, agent=config.agent_name, source=lead.source,
                               date=date)
        return choose_text("screen_consent_answer_no_source", state, config, agent=config.agent_name, date=date)
    return choose_text("screen_complaint_answer", state, config)


def _spoken_date(day: dt.date, language: Language) -> str:
    """ "Nov 3" or "3 de noviembre": how a person writes a date in a text."""
    if language == "es":
        return f"{day.day} de {_SPANISH_MONTHS[day.month - 1]}"
    return f"{day:%b} {day.day}"


def language_of(text: str, state: ConversationState, found: ScreenResult) -> Language:
    """The language to answer in: the matched request's words ("ya no me escriban"), else the text's, else the
    conversation's (a bare "STOP" keeps Spanish)."""
    if found.language == "es":
        return "es"
    if found.language == "en":
        return "en"
    return detect_language(fold(text), text, state.language)


def alert_tags(found: ScreenResult, config: BotConfig) -> list[str]:
    return [config.tag(ALERT_TAGS[c]) for c in found.classes if c in ALERT_TAGS]


def queue_alert_tags(contact: Contact, found: ScreenResult, config: BotConfig, key: str) -> None:
    """An opt-out that also asks for deletion or makes a Fair Housing request: its alerts too."""
    tags = alert_tags(found, config)
    if tags:
        outbox.queue_tag_changes(contact, f"{key}:screen", add=tags)


def facts_of(contact: Contact) -> LeadFacts:
    return LeadFacts(contact.source.strip(), timezone.localdate(contact.created_at) if contact.created_at else None)


def carry_out_screened_turn(
    contact: Contact, state: ConversationState, plan: ScreenPlan, config: BotConfig, key: str, *, bot: str
) -> None:
    """Apply a plan that answers the text itself (`plan.reading` is None): tags, the reply (or its draft in suggest
    mode), the GHL note, the cadence. The caller holds the conversation's lock."""
    screen_key = f"{key}:screen"
    if plan.stops_bot:
        drafts.retire_drafts(contact)
        followups.cancel_follow_ups(contact, "the lead asked to delete their data")
    if plan.tags_add:
        outbox.queue_tag_changes(contact, screen_key, add=plan.tags_add)
    if plan.reply:
        if plan.stops_bot:
            # Same key as the tags: the gate lets this receipt through although AI-Off comes with it.
            outbox.queue_text(contact, plan.reply, screen_key)
        else:
            drafts.queue_reply(contact, plan.reply, screen_key, bot=bot, config=config)
        state.last_reply = plan.reply
    if plan.note:
        outbox.queue_note(contact, screen_key, plan.note)
    logger.info("screened contact=%s class=%s", contact.pk, plan.screened)


def describe(found: ScreenResult) -> list[str]:
    """Each class found, in the broker's words: "Fair Housing request (familial status)"."""
    return [f"{label_of(hit.screen_class)} ({label_of(hit.protected_class)})" if hit.protected_class
            else label_of(hit.screen_class) for hit in found.hits]


def log_screened_text(contact: Contact, found: ScreenResult, text: str, key: str, action: str) -> None:
    """The broker's compliance log: one row per class the text hit (a turn run again adds none)."""
    rows = [
        ComplianceEvent(
            location_id=contact.location_id, contact=contact, kind=hit.screen_class,
            protected_class=hit.protected_class or "", family=hit.family[:100], text=text, action=action[:200],
            idempotency_key=f"{key}:screen:{hit.screen_class}",
        )
        for hit in found.hits if hit.screen_class not in NOT_LOGGED
    ]
    if rows:
        ComplianceEvent.objects.bulk_create(rows, ignore_conflicts=True)
