"""The process-wide Redis client for locks, rate limits and counters (not the broker, not the cache)."""
from __future__ import annotations

from functools import lru_cache

import redis
from django.conf import settings


@lru_cache(maxsize=1)
def get_redis() -> redis.Redis:
    # redis-py's pool notices a fork and reconnects, so one client per process is safe under Celery.
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=2)
