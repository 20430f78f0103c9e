"""The circuit breaker in front of Anthropic, shared by every worker through Redis.

Closed: calls go through; a success clears the count of failures. After `JORGEBOT_LLM_BREAKER_FAILURES`
failures in a row within the window the circuit opens: no call for the cooldown, so every turn answers
offline at once instead of each waiting out its own timeouts. When the cooldown ends one worker probes; a
success closes the circuit, a failure opens it again. An account refusal (credits ran out, key revoked)
opens it for the long cooldown at once: nothing will work until someone fixes the account.
"""
from __future__ import annotations

import logging
import time
import uuid

from django.conf import settings
from django.dispatch import Signal

from jorgebot.redis import get_redis

logger = logging.getLogger(__name__)

OPEN_KEY = "jorgebot:llm:breaker:open"
TRIPPED_KEY = "jorgebot:llm:breaker:tripped"
PROBE_KEY = "jorgebot:llm:breaker:probe"
FAILURES_KEY = "jorgebot:llm:breaker:failures"
# "tripped" outlives any cooldown: it marks that the next call after one is a probe.
TRIPPED_SECONDS = 24 * 3600
# Sent with `why` when failures open a closed circuit (not when a probe fails): the layer above tells people.
circuit_opened = Signal()


def is_open() -> bool:
    """True while the circuit refuses calls (a probe in flight counts as open for everyone else)."""
    pipe = get_redis().pipeline(transaction=False)
    pipe.exists(OPEN_KEY)
    pipe.exists(TRIPPED_KEY)
    pipe.exists(PROBE_KEY)
    opened, tripped, probing = pipe.execute()
    return bool(opened) or (bool(tripped) and bool(probing))


def allows_call() -> bool:
    """May this caller ask Claude now? After a cooldown exactly one caller is let through to probe."""
    redis = get_redis()
    if redis.exists(OPEN_KEY):
        return False
    if not redis.exists(TRIPPED_KEY):
        return True
    probe_seconds = settings.JORGEBOT_LLM_TIMEOUT_SECONDS + 1
    return bool(redis.set(PROBE_KEY, uuid.uuid4().hex, nx=True, ex=int(probe_seconds) + 1))


def record_success() -> None:
    pipe = get_redis().pipeline(transaction=False)
    pipe.delete(TRIPPED_KEY)
    pipe.delete(PROBE_KEY, FAILURES_KEY)
    was_tripped, _ = pipe.execute()
    if was_tripped:
        logger.info("claude circuit closed after a successful probe")


def record_failure(*, account_refused: bool = False) -> None:
    redis = get_redis()
    if account_refused:
        _open(settings.JORGEBOT_LLM_ACCOUNT_COOLDOWN_SECONDS, "the account was refused")
        return
    if redis.exists(TRIPPED_KEY):
        _open(settings.JORGEBOT_LLM_BREAKER_COOLDOWN_SECONDS, "the probe failed")
        return
    now = time.time()
    window = settings.JORGEBOT_LLM_BREAKER_WINDOW_SECONDS
    pipe = redis.pipeline()
    pipe.zadd(FAILURES_KEY, {uuid.uuid4().hex: now})
    pipe.zremrangebyscore(FAILURES_KEY, "-inf", now - window)
    pipe.zcard(FAILURES_KEY)
    pipe.expire(FAILURES_KEY, int(window) + 1)
    failures = pipe.execute()[2]
    if failures >= settings.JORGEBOT_LLM_BREAKER_FAILURES:
        _open(settings.JORGEBOT_LLM_BREAKER_COOLDOWN_SECONDS, f"{failures} failures in {window:.0f}s")
        circuit_opened.send(sender=None, why=f"{failures} failures in {window:.0f}s")


def _open(seconds: float, why: str) -> None:
    redis = get_redis()
    pipe = redis.pipeline()
    pipe.set(OPEN_KEY, why, px=max(1, int(seconds * 1000)))
    pipe.set(TRIPPED_KEY, "1", ex=TRIPPED_SECONDS)
    pipe.delete(PROBE_KEY, FAILURES_KEY)
    pipe.execute()
    logger.warning("claude circuit open for %.0fs: %s", seconds, why)
