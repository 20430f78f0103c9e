"""Bulk reading: many conversations re-read by Claude at once, by fan-out now or as a Message Batch tonight.

Fan-out sends one call per conversation through Celery, each taking a slot of the shared concurrency limit.
A Message Batch costs half and answers within 24 hours: it is submitted, polled, and collected by custom_id;
items the batch could not answer are asked again one by one. Each item keeps what Claude read as JSON.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bots.llm import accounting, client, prompts
from bots.llm.cache import cache_key, remember_reply
from bots.llm.engine import claude_is_on_for
from bots.llm.errors import LLMError, LLMFinalError, LLMInvalidOutput, LLMRetryableError, LLMUnavailable
from bots.llm.models import CallOutcome, ItemStatus, JobMode, JobStatus, LLMJob, LLMJobItem, LLMTask
from bots.llm.pricing import Usage
from bots.llm.reading import claude_answers, extraction_as_json, merge, raises_a_safety_flag, read_with_claude
from bots.nlu import Extraction, ExtractionContext, extract
from bots.selectors import stalled_conversations
from bots.services import fill_in_missed_answers
from leads.models import Conversation, Location

logger = logging.getLogger(__name__)

# The lead's last texts that one re-reading covers: enough for every qualification answer of a
# conversation, and a bounded prompt (about 1,000 tokens of lead text at most).
TEXTS_PER_READING = 20
MAX_READING_CHARACTERS = 4000
# A fan-out item waits this long for a concurrency slot before its task retries later.
SLOT_WAIT_SECONDS = 30.0
MAX_ITEM_ATTEMPTS = 8
# A bulk job stops spending where a location reached its daily limit, as its turns do.
OVER_LIMIT = "the location reached its daily Claude spend limit"


def create_job(conversation_ids: Iterable[int], mode: JobMode) -> LLMJob:
    """A job with one item per conversation that has inbound texts; the caller dispatches it."""
    with transaction.atomic():
        job = LLMJob.objects.create(mode=mode, status=JobStatus.RUNNING)
        conversations = Conversation.objects.filter(pk__in=list(conversation_ids)).select_related("contact")
        items = [
            LLMJobItem(job=job, conversation=conversation, location_id=conversation.contact.location_id,
                       reading_input=reading_input)
            for conversation in conversations
            if (reading_input := _reading_input(conversation)) is not None
        ]
        LLMJobItem.objects.bulk_create(items)
        if not items:
            finish_if_complete(job.pk)  # nothing to read: done as made
    return job


def stalled_conversations_tonight(now: dt.datetime | None = None) -> list[int]:
    """The conversations tonight's Message Batch re-reads: in each location with Claude on (a key, under its
    spend limit) and sending, its most recent stalled conversations (bots.selectors), a bounded number."""
    texted_since = (now or timezone.now()) - dt.timedelta(days=settings.JORGEBOT_LLM_REREAD_DAYS)
    conversation_ids: list[int] = []
    for location in Location.objects.filter(sending_paused=False).order_by("pk"):
        if claude_is_on_for(location):
            conversation_ids += stalled_conversations(
                location, texted_since=texted_since, limit=settings.JORGEBOT_LLM_REREAD_PER_LOCATION
            )
    return conversation_ids


def conversations_to_reread_now(contact_ids: Iterable[int]) -> list[int]:
    """The conversations of these leads that Claude may re-read now: those in locations where it is on (a key, the
    circuit closed, under the day's spend limit). Leads without a text are left out when the job is made."""
    rows = list(Conversation.objects.filter(contact_id__in=list(contact_ids)).values_list("pk", "contact__location"))
    locations = Location.objects.in_bulk({location_id for _, location_id in rows})
    claude_on = {location_id: claude_is_on_for(location) for location_id, location in locations.items()}
    return [conversation_id for conversation_id, location_id in rows if claude_on.get(location_id)]


def read_item(item_id: int) -> None:
    """Ask Claude about one item now. Raises LLMRetryableError (with a countdown) when a later try may work."""
    item = LLMJobItem.objects.select_related("location").get(pk=item_id)
    if item.status != ItemStatus.PENDING:
        return
    message, context, today = _input_of(item)
    offline = extract(message, context)
    item.attempts += 1
    if item.location is not None and accounting.is_over_daily_limit(item.location):
        _fail(item, LLMFinalError(OVER_LIMIT))
        finish_if_complete(item.job_id)
        return
    try:
        reading = offline if raises_a_safety_flag(offline) or item.location is None else read_with_claude(
            message, context, offline, item.location, today=today, deadline=None, slot_wait=SLOT_WAIT_SECONDS)
    except LLMRetryableError as exc:
        if item.attempts < MAX_ITEM_ATTEMPTS:
            item.save(update_fields=["attempts", "updated_at"])
            countdown = SLOT_WAIT_SECONDS if isinstance(exc, LLMUnavailable) else min(60.0, 2.0 ** item.attempts)
            raise LLMRetryableError(exc.reason, status=exc.status, retry_after=max(exc.retry_after or 0.0, countdown),
                                    request_id=exc.request_id) from exc
        _fail(item, exc)
    except LLMError as exc:
        _fail(item, exc)
    else:
        _done(item, reading, answered_in_batch=False)
    finish_if_complete(item.job_id)


def submit_batch(job_id: int) -> bool:
    """Send every pending item of the job as one Message Batch; False when there was nothing to send or
    Anthropic refused it for good (its items are failed). Raises LLMRetryableError when a later try may work."""
    job = LLMJob.objects.get(pk=job_id)
    items: list[LLMJobItem] = []
    requests: list[tuple[str, client.ClaudeRequest]] = []
    within_limit: dict[str | None, bool] = {}
    for item in job.items.filter(status=ItemStatus.PENDING).select_related("location"):
        message, context, today = _input_of(item)
        offline = extract(message, context)
        if item.location is None or raises_a_safety_flag(offline):
            # Claude never reads a safety text; the offline reading is the answer.
            _done(item, offline, answered_in_batch=False)
            continue
        if item.location_id not in within_limit:
            within_limit[item.location_id] = not accounting.is_over_daily_limit(item.location)
        if not within_limit[item.location_id]:
            _fail(item, LLMFinalError(OVER_LIMIT))
            continue
        items.append(item)
        requests.append((item.custom_id, prompts.reading_request(message, context, item.location, today)))
    if not requests:
        finish_if_complete(job.pk)
        return False
    try:
        job.anthropic_batch_id = client.submit_batch(requests)
    except LLMFinalError as exc:
        logger.warning("claude batch refused job=%s: %s", job.pk, exc)
        for item in items:
            _fail(item, exc)
        finish_if_complete(job.pk)
        return False
    job.status, job.submitted_at = JobStatus.SUBMITTED, timezone.now()
    job.save(update_fields=["anthropic_batch_id", "status", "submitted_at"])
    logger.info("claude batch submitted job=%s items=%s", job.pk, len(requests))
    return True


def collect_batch_if_ended(job_id: int) -> list[int] | None:
    """None while the batch is still running; once it ended, the items to ask again singly."""
    job = LLMJob.objects.get(pk=job_id)
    job.polls += 1
    job.save(update_fields=["polls"])
    if not client.batch_has_ended(job.anthropic_batch_id):
        return None
    items = {item.custom_id: item for item in job.items.filter(status=ItemStatus.PENDING).select_related("location")}
    ask_again = []
    for result in client.batch_results(job.anthropic_batch_id):
        item = items.pop(result.custom_id, None)
        if item is None:
            continue
        if result.reply is not None:
            _collect_answer(item, result.reply)
        else:
            _record_batch_error(item, result.error)
            ask_again.append(item.pk)
    # An item the results never mention was not processed either.
    ask_again += [item.pk for item in items.values()]
    LLMJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    finish_if_complete(job.pk)
    logger.info("claude batch collected job=%s asked_again=%s", job.pk, len(ask_again))
    return ask_again


def finish_if_complete(job_id: int) -> None:
    (LLMJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).exclude(items__status=ItemStatus.PENDING)
     .update(status=JobStatus.DONE, finished_at=timezone.now()))


def _collect_answer(item: LLMJobItem, reply: client.ClaudeReply) -> None:
    message, context, today = _input_of(item)
    outcome = CallOutcome.OK
    try:
        answers = claude_answers(reply.tool_input(prompts.READING_TOOL), message, context)
    except LLMInvalidOutput as exc:
        outcome = CallOutcome.INVALID_OUTPUT
        _fail(item, exc)
    else:
        _done(item, merge(extract(message, context), answers), answered_in_batch=True)
        if item.location is not None:
            # The same question asked tomorrow in a turn is answered from the cache.
            remember_reply(cache_key(prompts.reading_request(message, context, item.location, today)), reply)
    accounting.record_call(location=item.location, task=LLMTask.EXTRACTION, model=reply.model, outcome=outcome,
                           usage=reply.usage, latency_ms=0, batch=True, request_id=reply.request_id)


def _record_batch_error(item: LLMJobItem, error: LLMError | None) -> None:
    retryable = error is None or isinstance(error, LLMRetryableError)
    accounting.record_call(
        location=item.location, task=LLMTask.EXTRACTION, model=settings.JORGEBOT_LLM_EXTRACTION_MODEL, batch=True,
        outcome=CallOutcome.RETRYABLE_ERROR if retryable else CallOutcome.FINAL_ERROR,
        usage=Usage(), latency_ms=0, error=str(error or "no result"),
    )


def _done(item: LLMJobItem, reading: Extraction, *, answered_in_batch: bool) -> None:
    """Keep the reading on the item and, in the same transaction, what it found that the bot had missed on the
    conversation: a worker killed in between leaves the item pending, to be read again."""
    item.status, item.result, item.error = ItemStatus.DONE, extraction_as_json(reading), ""
    item.answered_in_batch = answered_in_batch
    with transaction.atomic():
        if item.conversation_id is not None:
            try:
                fill_in_missed_answers(item.conversation_id, reading, key=f"reread:{item.pk}")
            except Conversation.DoesNotExist:
                pass  # erased since the job started: nothing to fill in
        item.save(update_fields=["status", "result", "error", "answered_in_batch", "attempts", "updated_at"])


def _fail(item: LLMJobItem, error: LLMError) -> None:
    item.status, item.error = ItemStatus.FAILED, str(error)[:200]
    item.save(update_fields=["status", "error", "attempts", "updated_at"])
    logger.info("claude job item failed item=%s: %s", item.pk, error)


def _reading_input(conversation: Conversation) -> dict[str, Any] | None:
    bodies = list(
        conversation.messages.filter(direction="inbound").order_by("-sent_at", "-id")
        .values_list("body", flat=True)[:TEXTS_PER_READING]
    )
    text = "\n".join(reversed(bodies))[-MAX_READING_CHARACTERS:].strip()
    if not text:
        return None
    # The whole conversation is read at once, so no single question frames it.
    return {"text": text, "last_question": None}


def _input_of(item: LLMJobItem) -> tuple[str, ExtractionContext, dt.date]:
    now = timezone.now()
    context = ExtractionContext(last_question=item.reading_input.get("last_question"), now=now)
    return item.reading_input["text"], context, accounting.local_day(item.location, now)
