"""A token bucket in Redis that keeps every process under GHL's per-location rate limit.

GHL allows 100 requests per 10 seconds per location (a burst of 100). Web processes and any
number of Celery workers share that budget, so the bucket lives in Redis and is updated by
one Lua script: reading, refilling and taking a token happen atomically, and the clock is
Redis's own (`TIME`), so workers with drifting clocks still agree on how much has refilled.
"""

from __future__ import annotations

import time

from redis import Redis

from leads.ghl.errors import GHLRetryableError

# KEYS[1]: the location's bucket. ARGV: capacity, refill per second.
# Returns {granted (1/0), seconds until a token is free (as a string: Lua numbers are
# truncated to integers on the way back to the client)}.
_TAKE_TOKEN = """
local key = KEYS[1]
local capacity = tonumber(ARGV[1])
local refill_per_second = tonumber(ARGV[2])

local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000

local state = redis.call('HMGET', key, 'tokens', 'updated_at')
local tokens = tonumber(state[1])
local updated_at = tonumber(state[2])
if tokens == nil or updated_at == nil then
    tokens = capacity
    updated_at = now
end

tokens = math.min(capacity, tokens + math.max(0, now - updated_at) * refill_per_second)

local granted = 0
local wait = 0
if tokens >= 1 then
    tokens = tokens - 1
    granted = 1
else
    wait = (1 - tokens) / refill_per_second
end

redis.call('HSET', key, 'tokens', string.format('%.6f', tokens),
           'updated_at', string.format('%.6f', now))
-- A bucket left alone refills completely; after that the key carries no information.
redis.call('PEXPIRE', key, math.ceil(capacity / refill_per_second * 1000) + 1000)
return {granted, string.format('%.6f', wait)}
"""


class TokenBucket:
    """One bucket per GHL location, shared through Redis by every process that calls GHL."""

    def __init__(
        self,
        redis: Redis,
        capacity: int = 100,
        refill_per_second: float = 10.0,
        prefix: str = "ghl:bucket:",
    ) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        if refill_per_second <= 0:
            raise ValueError("refill_per_second must be positive")
        self.capacity = capacity
        self.refill_per_second = refill_per_second
        self.prefix = prefix
        self._take_token = redis.register_script(_TAKE_TOKEN)

    def acquire(self, location_id: str, timeout: float) -> None:
        """Take one token for `location_id`, waiting up to `timeout` seconds for one to refill.

        Raises `GHLRetryableError` (with `retry_after`) as soon as it is clear the wait would
        exceed the timeout, rather than sleeping through a wait that cannot end in a token.
        """
        deadline = time.monotonic() + timeout
        while True:
            wait = self._try_take(location_id)
            if wait is None:
                return
            remaining = deadline - time.monotonic()
            if wait > remaining:
                raise GHLRetryableError(
                    f"no request budget left for location {location_id}",
                    endpoint="rate limiter",
                    retry_after=wait,
                )
            # Another process may take the refilled token first; then we loop and wait again.
            time.sleep(wait)

    def _try_take(self, location_id: str) -> float | None:
        """Return None if a token was taken, else the seconds until one will be free."""
        granted, wait = self._take_token(
            keys=[self.prefix + location_id],
            args=[self.capacity, self.refill_per_second],
        )
        if int(granted) == 1:
            return None
        return float(wait)
