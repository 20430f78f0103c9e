"""A concurrency limit on calls to Anthropic shared by every worker: a Redis semaphore with leases.

Each holder is a member of a sorted set scored by when it took its slot; a slot older than its lease (a worker
that died mid-call) is reclaimed, so a crash never shrinks the limit for good. A holder that gives its slot
back pushes a token on a list that one waiter blocks on, so the slot changes hands at once without waiters
polling Redis in a loop; waiters still look again every `WAKE_SECONDS` in case a wake-up was lost.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from bots.llm.errors import LLMUnavailable
from jorgebot.redis import get_redis

KEY = "jorgebot:llm:slots"
FREED_KEY = "jorgebot:llm:slots:freed"
WAKE_SECONDS = 0.05

# Atomic: drop expired leases, then take a slot if one is free. Redis's clock, so workers on several
# machines agree on what "expired" means.
_ACQUIRE = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms - tonumber(ARGV[1]))
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now_ms, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  return 1
end
return 0
"""


def lease_seconds() -> float:
    """Longer than any call can take, so a live holder never loses its slot."""
    return settings.JORGEBOT_LLM_TIMEOUT_SECONDS * 6 + 5


@contextmanager
def slot(wait_seconds: float) -> Iterator[None]:
    """Hold one of the `JORGEBOT_LLM_MAX_CONCURRENCY` slots; `LLMUnavailable` if none frees within the wait."""
    redis = get_redis()
    acquire = redis.register_script(_ACQUIRE)
    token = uuid.uuid4().hex
    lease_ms = int(lease_seconds() * 1000)
    give_up_at = time.monotonic() + max(0.0, wait_seconds)
    limit = settings.JORGEBOT_LLM_MAX_CONCURRENCY
    while not acquire(keys=[KEY], args=[lease_ms, limit, token]):
        left = give_up_at - time.monotonic()
        if left <= 0:
            raise LLMUnavailable("no free slot to call Claude")
        redis.blpop([FREED_KEY], timeout=min(WAKE_SECONDS, left))
    try:
        yield
    finally:
        pipe = redis.pipeline()
        pipe.zrem(KEY, token)
        # Wake one waiter; the list never holds more tokens than there are slots.
        pipe.lpush(FREED_KEY, 1)
        pipe.ltrim(FREED_KEY, 0, limit - 1)
        pipe.pexpire(FREED_KEY, lease_ms)
        pipe.execute()


def in_flight() -> int:
    return int(get_redis().zcard(KEY))
