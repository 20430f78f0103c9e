"""Builds the GHL client for a location from settings, one per process and location (pooled HTTP).

The token comes from leads.connections.token_for_calls: GHL_API_TOKEN for GHL_LOCATION_ID, else the location's
own, with a marketplace app's access token renewed first when it is about to expire.
"""
from __future__ import annotations

import threading

from django.conf import settings

from jorgebot.redis import get_redis
from leads.connections import CannotConnect, GHLUnavailable, token_for_calls
from leads.ghl.client import GHLClient
from leads.ghl.errors import GHLFinalError, GHLRetryableError
from leads.ghl.oauth import TOKEN_ENDPOINT
from leads.ghl.ratelimit import TokenBucket
from leads.models import Location

# (location id, base URL) -> (the token the client carries, the client).
_clients: dict[tuple[str, str], tuple[str, GHLClient]] = {}
_clients_lock = threading.Lock()


def ghl_client_for(location: Location) -> GHLClient:
    """The client for `location`'s calls; raises GHL's own errors, as its calls do, when there is no usable token."""
    try:
        token = token_for_calls(location)
    except GHLUnavailable as unavailable:
        raise GHLRetryableError(unavailable.message, endpoint=TOKEN_ENDPOINT) from unavailable
    except CannotConnect as refused:
        # Needs reconnection, or the app's settings are wrong: no retry helps until a person acts.
        raise GHLFinalError(refused.message, endpoint=TOKEN_ENDPOINT) from refused
    key = (location.id, settings.GHL_API_BASE_URL)
    with _clients_lock:
        cached = _clients.get(key)
        if cached is not None and cached[0] == token:
            return cached[1]
        # A new token (renewed, replaced) replaces the client. The old one is not closed: another thread may be
        # mid-call on it, and its pool goes with it once nothing holds it.
        client = GHLClient(
            location_id=location.id,
            api_token=token,
            base_url=settings.GHL_API_BASE_URL,
            rate_limiter=TokenBucket(
                get_redis(),
                capacity=settings.GHL_RATE_LIMIT_CAPACITY,
                refill_per_second=settings.GHL_RATE_LIMIT_PER_SECOND,
            ),
            timeout=settings.GHL_TIMEOUT_SECONDS,
            max_attempts=settings.GHL_MAX_ATTEMPTS,
            backoff_base=settings.GHL_BACKOFF_SECONDS,
        )
        _clients[key] = (token, client)
        return client
