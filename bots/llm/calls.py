"""One question to Claude, the same way every time: response cache, circuit breaker, shared concurrency slot,
the SDK call, then the books (call record, day's spend, circuit state).

`ask` turns the reply into what the caller wants with `use`, which raises `LLMInvalidOutput` for an answer
it cannot use; only usable answers are cached. Every error is typed (bots.llm.errors); the caller decides
between a Celery retry and the offline engine.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings

from bots.llm import accounting, breaker, client, concurrency
from bots.llm.cache import cache_key, cached_reply, remember_reply
from bots.llm.errors import LLMAccountError, LLMError, LLMInvalidOutput, LLMRetryableError, LLMUnavailable
from bots.llm.models import CallOutcome, LLMTask
from bots.llm.pricing import Usage
from leads.models import Location

logger = logging.getLogger(__name__)

T = TypeVar("T")
# What `use` makes of a reply, and how the call went (an off-voice phrasing is answered, but not used).
Use = Callable[[client.ClaudeReply], tuple[T, CallOutcome]]

# Below this, a call cannot finish in time: answer offline instead of starting it.
MIN_CALL_SECONDS = 0.3


def ask(
    task: LLMTask, request: client.ClaudeRequest, use: Use[T], *, location: Location | None, deadline: float | None,
    slot_wait: float | None = None,
) -> T:
    """Claude's answer to `request`, made usable; `deadline` (epoch seconds) bounds the wait and the call."""
    key = cache_key(request)
    hit = cached_reply(key)
    if hit is not None:
        value, _ = use(hit)
        accounting.record_cache_hit(location)
        return value
    timeout = _time_left(deadline)
    if not breaker.allows_call():
        raise LLMUnavailable("circuit open")
    with concurrency.slot(wait_seconds=timeout - MIN_CALL_SECONDS if slot_wait is None else slot_wait):
        timeout = _time_left(deadline)
        started = time.monotonic()
        try:
            reply = client.send(request, timeout=timeout)
        except LLMError as exc:
            _record_failure(task, request.model, exc, location, started)
            raise
    latency_ms = _elapsed_ms(started)
    breaker.record_success()
    try:
        value, outcome = use(reply)
    except LLMInvalidOutput as exc:
        _record(task, reply.model, CallOutcome.INVALID_OUTPUT, reply.usage, location, latency_ms,
                error=exc.reason, request_id=reply.request_id)
        raise
    _record(task, reply.model, outcome, reply.usage, location, latency_ms, request_id=reply.request_id)
    remember_reply(key, reply)
    return value


def _time_left(deadline: float | None) -> float:
    timeout = settings.JORGEBOT_LLM_TIMEOUT_SECONDS
    if deadline is not None:
        timeout = min(timeout, deadline - time.time())
    if timeout < MIN_CALL_SECONDS:
        raise LLMUnavailable("no time left in the reply's budget")
    return timeout


def _record_failure(task: LLMTask, model: str, exc: LLMError, location: Location | None, started: float) -> None:
    retryable = isinstance(exc, LLMRetryableError)
    outcome = CallOutcome.RETRYABLE_ERROR if retryable else CallOutcome.FINAL_ERROR
    if isinstance(exc, LLMInvalidOutput):
        outcome = CallOutcome.INVALID_OUTPUT
    elif isinstance(exc, LLMAccountError):
        accounting.alert_account_refused(exc.reason)
    breaker.record_failure(account_refused=isinstance(exc, LLMAccountError))
    logger.warning("claude call failed task=%s location=%s %s", task, location.pk if location else None, exc)
    _record(task, model, outcome, Usage(), location, _elapsed_ms(started), error=str(exc), request_id=exc.request_id)


def _record(
    task: LLMTask, model: str, outcome: CallOutcome, usage: Usage, location: Location | None, latency_ms: int,
    *, error: str = "", request_id: str | None = None,
) -> None:
    accounting.record_call(location=location, task=task, model=model, outcome=outcome, usage=usage,
                           latency_ms=latency_ms, error=error, request_id=request_id)


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
