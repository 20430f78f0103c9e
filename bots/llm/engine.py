"""The Claude engine behind bots.engine: reading and phrasing with Claude, falling back to the offline engine.

`ClaudeEngine` answers at once (a simulator, a one-off). `ClaudeTurn` serves one bot turn, which holds the
conversation's row lock while it decides: Claude reads the pending texts before the lock is taken
(`read_ahead`) and phrases the reply after the turn commits (`finish_turn`); inside the lock the turn only
replays that reading and queues the draft. A slow Claude therefore never holds a database lock.
"""
from __future__ import annotations

import datetime as dt
import logging
import random
import time
from dataclasses import dataclass, field, replace

from django.conf import settings

from bots.llm import accounting, breaker
from bots.llm.calls import MIN_CALL_SECONDS
from bots.llm.errors import LLMError, LLMRetryableError, LLMUnavailable
from bots.llm.phrasing import phrase_with_claude
from bots.llm.reading import needs_claude, read_with_claude
from bots.nlu import Extraction, ExtractionContext, extract
from bots.outbox import rephrase_waiting_text
from bots.state import ConversationState
from leads.models import Contact, Location

logger = logging.getLogger(__name__)

# Replies whose wording is fixed on purpose (the law, or a compliance answer) are sent as written.
UNPHRASED_PURPOSES = frozenset({
    "opt_out_confirmation", "opt_in_confirmation", "deletion_acknowledgement", "respa_answer",
    "fair_housing_refusal", "fair_housing_refusal_seller", "safe_line_lead", "safe_line_seller", "safe_line_buyer",
})
# Backoff between Celery retries doubles from JORGEBOT_LLM_RETRY_BASE_SECONDS up to this.
MAX_RETRY_SECONDS = 2.0
# Retries of one turn for Claude's reading, whatever the budget: well under the take_turn task's own limit.
MAX_READING_RETRIES = 5


def claude_is_on_for(location: Location) -> bool:
    """A key is set, the circuit is closed, and the location is under its daily spend limit."""
    return bool(settings.ANTHROPIC_API_KEY) and not breaker.is_open() and not accounting.is_over_daily_limit(location)


@dataclass
class ClaudeEngine:
    """Reads and phrases with Claude right away, within one reply budget; any failure answers offline."""

    location: Location
    name: str = "claude"

    def understand(self, message: str, context: ExtractionContext) -> Extraction:
        offline = extract(message, context)
        if not needs_claude(message, offline):
            return offline
        try:
            return read_with_claude(message, context, offline, self.location, today=_today(self.location, context),
                                    deadline=time.time() + settings.JORGEBOT_LLM_REPLY_BUDGET_SECONDS)
        except LLMError as exc:
            logger.info("reading offline location=%s: %s", self.location.pk, exc)
            return offline

    def phrase(self, draft: str, *, purpose: str, state: ConversationState, language: str) -> str:
        if purpose in UNPHRASED_PURPOSES:
            return draft
        try:
            return phrase_with_claude(draft, purpose, language, "", self.location,
                                      deadline=time.time() + settings.JORGEBOT_LLM_REPLY_BUDGET_SECONDS)
        except LLMError as exc:
            logger.info("sending the draft location=%s: %s", self.location.pk, exc)
            return draft


@dataclass(frozen=True)
class _QueuedPhrasing:
    draft: str
    purpose: str
    language: str


@dataclass
class ClaudeTurn:
    """One bot turn with Claude: read before the lock, replay inside it, phrase after the commit."""

    location: Location
    name: str = "claude"
    # Epoch seconds by which the reply should be on its way: the reply's due time plus the budget.
    deadline: float | None = None
    _readings: dict[tuple[str, ExtractionContext], Extraction] = field(default_factory=dict)
    _lead_text: str = ""
    _phrase_allowed: bool = True
    _queued: list[_QueuedPhrasing] = field(default_factory=list)

    def read_ahead(self, message: str, context: ExtractionContext, *, reply_due_at: dt.datetime, attempt: int) -> None:
        """Read the pending texts now, outside the lock. Raises LLMRetryableError (with the Celery countdown)
        only while another attempt still fits the reply's budget; past it, the offline reading stands."""
        self.deadline = reply_due_at.timestamp() + settings.JORGEBOT_LLM_REPLY_BUDGET_SECONDS
        self._lead_text = message
        offline = extract(message, context)
        # A reply to an injection attempt, a Fair Housing request or a deletion request is sent as written.
        self._phrase_allowed = not (offline.injection or offline.fair_housing_request or offline.deletion_request)
        reading = offline
        if needs_claude(message, offline):
            reading = self._read(message, context, offline, attempt)
        self._readings[_reading_key(message, context)] = reading

    def understand(self, message: str, context: ExtractionContext) -> Extraction:
        reading = self._readings.get(_reading_key(message, context))
        if reading is None:
            # The texts changed after the read-ahead (a new one arrived): never call Claude under the lock.
            logger.info("reading offline location=%s: the texts changed since the read-ahead", self.location.pk)
            return extract(message, context)
        return reading

    def phrase(self, draft: str, *, purpose: str, state: ConversationState, language: str) -> str:
        if purpose not in UNPHRASED_PURPOSES and self._phrase_allowed:
            self._queued.append(_QueuedPhrasing(draft, purpose, language))
        # The draft is queued now; `finish_turn` swaps in Claude's phrasing after the commit.
        return draft

    def finish_turn(self, contact: Contact) -> None:
        """Phrase the replies this turn queued, outside the lock, and put the phrasing in their outbox rows."""
        queued, self._queued = self._queued, []
        for reply in queued:
            try:
                self._phrase_queued(contact, reply)
            except Exception:
                # The turn has committed its draft, which is a complete reply: a bug here must not keep it
                # from the lead.
                logger.exception("phrasing failed contact=%s; the draft is sent", contact.pk)

    def _read(self, message: str, context: ExtractionContext, offline: Extraction, attempt: int) -> Extraction:
        try:
            return read_with_claude(message, context, offline, self.location, today=_today(self.location, context),
                                    deadline=self.deadline)
        except LLMUnavailable as exc:
            # Circuit open or no time left: waiting longer cannot help this reply.
            logger.info("reading offline location=%s: %s", self.location.pk, exc)
        except LLMRetryableError as exc:
            countdown = retry_countdown(attempt, exc.retry_after)
            fits = self.deadline is not None and time.time() + countdown + MIN_CALL_SECONDS < self.deadline
            if fits and attempt < MAX_READING_RETRIES:
                raise LLMRetryableError(exc.reason, status=exc.status, retry_after=countdown,
                                        request_id=exc.request_id) from exc
            logger.info("reading offline location=%s: %s, and no time for another try", self.location.pk, exc)
        except LLMError as exc:
            logger.info("reading offline location=%s: %s", self.location.pk, exc)
        return offline

    def _phrase_queued(self, contact: Contact, reply: _QueuedPhrasing) -> None:
        if self.deadline is None:
            return  # no read-ahead, so no budget to phrase within: the draft goes as it is
        try:
            phrased = phrase_with_claude(reply.draft, reply.purpose, reply.language, self._lead_text, self.location,
                                         deadline=self.deadline)
        except LLMError as exc:
            logger.info("sending the draft contact=%s: %s", contact.pk, exc)
            return
        if phrased != reply.draft:
            rephrase_waiting_text(contact, reply.draft, phrased)


def retry_countdown(attempt: int, retry_after: float | None) -> float:
    """Exponential backoff with jitter (half fixed, half random), never sooner than Anthropic asked."""
    backoff = min(MAX_RETRY_SECONDS, settings.JORGEBOT_LLM_RETRY_BASE_SECONDS * 2**attempt)
    return max(retry_after or 0.0, backoff / 2 + random.uniform(0, backoff / 2))


def _reading_key(message: str, context: ExtractionContext) -> tuple[str, ExtractionContext]:
    # `now` moves between the read-ahead and the turn; everything else must match for the reading to apply.
    return message, replace(context, now=None)


def _today(location: Location, context: ExtractionContext) -> dt.date:
    """The lead's today: a turn's `now` is in the lead's local time (bots.turns.extraction_context)."""
    return context.now.date() if context.now is not None else accounting.local_day(location)
