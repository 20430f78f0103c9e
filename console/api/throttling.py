"""The API's rate limits, counted per fixed window: one Redis INCR a request. Per user for API calls; per client
address and per username for token sign-ins. The client's address is read through the trusted proxies only
(`client_address`, which the admin's lockout shares).

DRF's own throttles keep the time of every request in the window as a cached list and read and rewrite it whole on
each call (at the default 6,000 a minute, up to 50 KB pickled both ways per request), and read X-Forwarded-For
whoever wrote it.
"""
from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest
from redis.exceptions import RedisError
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from jorgebot.redis import get_redis

if TYPE_CHECKING:  # rest_framework.views reads the throttle setting, which names this module, on import
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)


def client_address(request: HttpRequest | Request) -> str:
    """The address the request came from, as the outermost of JORGEBOT_TRUSTED_PROXY_COUNT proxies saw it.

    Each proxy appends the address it got the request from to X-Forwarded-For; whatever comes before those entries
    the client wrote itself. With no trusted proxy the header is ignored."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.JORGEBOT_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    forwarded = [part for part in forwarded if part]
    if not forwarded:
        return remote
    return forwarded[-min(proxies, len(forwarded))]


class FixedWindowThrottle(SimpleRateThrottle):
    """`rate` requests per key per fixed window, counted in Redis; a view's subclass says what the key is."""

    window_ends = 0.0
    # Parsed from `rate` by SimpleRateThrottle.__init__ (djangorestframework-stubs leave them out): None, no rate.
    num_requests: int | None
    duration: int | None

    def get_ident(self, request: Request) -> str:
        return client_address(request)

    def allow_request(self, request: Request, view: APIView) -> bool:
        if self.num_requests is None or self.duration is None:
            return True
        who = self.get_cache_key(request, view)
        if who is None:
            return True
        window = int(self.timer() // self.duration)
        key = f"{who}:{window}"
        counting = get_redis().pipeline(transaction=False)
        counting.incr(key)
        counting.expire(key, int(self.duration) + 1)
        try:
            count, _ = counting.execute()
        except RedisError as error:
            # Redis down: serve rather than fail every request; sign-ins still meet django-axes' lockout (PostgreSQL).
            logger.warning("throttle %s not counted: Redis unreachable (%s)", self.scope, type(error).__name__)
            return True
        self.window_ends = (window + 1) * self.duration
        return int(count) <= self.num_requests

    def wait(self) -> float:
        return max(0.0, self.window_ends - self.timer())


class PerUserRateThrottle(FixedWindowThrottle):
    """`JORGEBOT_API_THROTTLE` requests per user per window (per client address for anonymous callers)."""

    scope = "user"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        who = request.user.pk if request.user and request.user.is_authenticated else self.get_ident(request)
        return f"jorgebot:throttle:{self.scope}:{who}"


class SignInPerAddressThrottle(FixedWindowThrottle):
    """`JORGEBOT_API_SIGNIN_THROTTLE` token sign-ins per client address."""

    scope = "anon"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return f"jorgebot:throttle:signin:address:{self.get_ident(request)}"


class SignInPerUsernameThrottle(FixedWindowThrottle):
    """`JORGEBOT_API_SIGNIN_USERNAME_THROTTLE` token sign-ins per username, from any address: guesses spread over
    many addresses still add up."""

    scope = "signin_username"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        data: Any = request.data
        username = data.get("username") if hasattr(data, "get") else None
        if not isinstance(username, str) or not username.strip():
            return None  # nothing to guess with: the serializer answers 400
        # Hashed: usernames are people's names or emails, and keys show up in Redis tooling.
        digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
        return f"jorgebot:throttle:signin:username:{digest}"
