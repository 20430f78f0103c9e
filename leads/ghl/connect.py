"""Builds the GHL client for a location from settings, one per process and location (pooled HTTP)."""
from __future__ import annotations

import threading

from django.conf import settings

from jorgebot.redis import get_redis
from leads.ghl.client import GHLClient
from leads.ghl.ratelimit import TokenBucket
from leads.models import Location

_clients: dict[tuple[str, str, str], GHLClient] = {}
_clients_lock = threading.Lock()


def ghl_client_for(location: Location) -> GHLClient:
    key = (location.id, location.api_token, settings.GHL_API_BASE_URL)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = GHLClient(
                location_id=location.id,
                api_token=location.api_token,
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
            _clients[key] = client
        return client
