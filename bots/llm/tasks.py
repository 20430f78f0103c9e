"""Celery tasks of the Claude seam (queue `llm`): bulk re-reading by fan-out or Message Batch. Thin: the work
is in bots.llm.jobs.
"""
from __future__ import annotations

from collections.abc import Iterable

from celery import group, shared_task
from celery.app.task import Task
from django.conf import settings
from django.db import transaction

from bots.llm import jobs
from bots.llm.errors import LLMRetryableError
from bots.llm.models import JobMode, LLMJob


def reread_conversations(conversation_ids: Iterable[int], mode: JobMode = JobMode.FAN_OUT) -> LLMJob:
    """Have Claude re-read many conversations: now, in parallel within the shared concurrency limit
    (fan-out), or as a Message Batch at half price (batch). Results land on the job's items."""
    job = jobs.create_job(conversation_ids, mode)
    if mode == JobMode.BATCH:
        transaction.on_commit(lambda: submit_batch_job.delay(job.pk))
    else:
        item_ids = list(job.items.values_list("pk", flat=True))
        transaction.on_commit(lambda: fan_out(item_ids))
    return job


@shared_task
def reread_stalled_conversations() -> int:
    """Nightly, before the rescoring: conversations the bot is stuck in, re-read whole by Claude at half price, so
    the answers the bot missed are in the state the rescoring reads and the next turn does not ask them again."""
    conversation_ids = jobs.stalled_conversations_tonight()
    if conversation_ids:
        reread_conversations(conversation_ids, JobMode.BATCH)
    return len(conversation_ids)


def fan_out(item_ids: list[int]) -> None:
    """One task per item on a Celery group; each task takes a slot of the Redis semaphore, so any number of
    workers together never exceed JORGEBOT_LLM_MAX_CONCURRENCY calls in flight."""
    if item_ids:
        group(read_job_item.s(item_id) for item_id in item_ids).apply_async()


@shared_task(bind=True, acks_late=True, max_retries=None)
def read_job_item(self: Task, item_id: int) -> None:
    try:
        jobs.read_item(item_id)
    except LLMRetryableError as exc:
        # The item counts its own attempts and stops raising after its last one.
        raise self.retry(countdown=exc.retry_after) from exc


@shared_task(bind=True, acks_late=True, max_retries=8)
def submit_batch_job(self: Task, job_id: int) -> None:
    try:
        submitted = jobs.submit_batch(job_id)
    except LLMRetryableError as exc:
        raise self.retry(countdown=max(exc.retry_after or 0.0, 2.0 ** self.request.retries)) from exc
    if submitted:
        poll_batch_job.apply_async(args=[job_id], countdown=settings.JORGEBOT_LLM_BATCH_POLL_SECONDS)


@shared_task(bind=True, acks_late=True, max_retries=None)
def poll_batch_job(self: Task, job_id: int) -> None:
    try:
        ask_again = jobs.collect_batch_if_ended(job_id)
    except LLMRetryableError as exc:
        raise self.retry(countdown=max(exc.retry_after or 0.0, settings.JORGEBOT_LLM_BATCH_POLL_SECONDS)) from exc
    if ask_again is None:
        # Batches end within 24 hours; each poll is one cheap GET.
        raise self.retry(countdown=settings.JORGEBOT_LLM_BATCH_POLL_SECONDS)
    fan_out(ask_again)
