"""The API's per-user rate limit, counted per fixed window: one Redis INCR a request.

DRF's own UserRateThrottle keeps the time of every request in the window as a cached list and reads and
rewrites it whole on each call: at the default 6,000 a minute that is up to 50 KB pickled both ways per request.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from jorgebot.redis import get_redis

if TYPE_CHECKING:  # rest_framework.views reads the throttle setting, which names this module, on import
    from rest_framework.views import APIView


class PerUserRateThrottle(SimpleRateThrottle):
    """`JORGEBOT_API_THROTTLE` requests per user per window (per client address for anonymous callers)."""

    scope = "user"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        who = request.user.pk if request.user and request.user.is_authenticated else self.get_ident(request)
        return f"jorgebot:throttle:{self.scope}:{who}"

    def allow_request(self, request: Request, view: APIView) -> bool:
        if self.rate is None:
            return True
        window = int(self.timer() // self.duration)
        key = f"{self.get_cache_key(request, view)}:{window}"
        counting = get_redis().pipeline(transaction=False)
        counting.incr(key)
        counting.expire(key, int(self.duration) + 1)
        count, _ = counting.execute()
        self.window_ends = (window + 1) * self.duration
        return int(count) <= self.num_requests

    def wait(self) -> float:
        return max(0.0, self.window_ends - self.timer())
