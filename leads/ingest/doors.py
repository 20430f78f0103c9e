"""What the webhook doors ask before storing anything: is the location one of ours, is the lead erased, does a
workflow post carry its location's secret. Cached per process, read past cachalot: they sit on the hot path, and a
webhook must be stored (or answered 429) whether Redis is up or not."""
from __future__ import annotations

import hmac
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from cachalot.api import cachalot_disabled
from django.conf import settings
from redis.exceptions import RedisError

from leads.models import (
    Contact,
    Location,
)
from leads.services import ensure_configured_location, workflow_secret_hash

logger = logging.getLogger(__name__)

# How long a process trusts its list of served locations before re-reading it.
_LOCATION_CACHE_SECONDS = 30.0


_served: dict[str, float] = {}


_served_lock = threading.Lock()


# (location id, GHL contact id) of the erased leads, and when this process read them (is_erased_contact).
_erased: frozenset[tuple[str, str]] = frozenset()


_erased_read_at: float | None = None


_erased_lock = threading.Lock()


def is_served_location(location_id: str | None) -> bool:
    """Whether we answer for this GHL location. Cached per process: it sits on the webhook's hot path."""
    if not location_id:
        return False
    now = time.monotonic()
    with _served_lock:
        checked_at = _served.get(location_id)
        if checked_at is not None and now - checked_at < _LOCATION_CACHE_SECONDS:
            return True
    with past_cachalot():
        served = Location.objects.filter(id=location_id).exists()
        if not served and location_id == settings.GHL_LOCATION_ID:
            served = _create_configured_location_without_redis()
    if served:
        with _served_lock:
            _served[location_id] = now
    return served


@contextmanager
def past_cachalot() -> Iterator[None]:
    """Reads straight from PostgreSQL. The webhook doors read through it: cachalot keeps its cache in Redis, and a
    webhook must be stored (or answered 429) whether Redis is up or not."""
    block = cachalot_disabled()
    block.__enter__()
    try:
        yield
    finally:
        # cachalot_disabled() restores nothing when its block raises: close it as if the block had returned.
        block.__exit__(None, None, None)


def _create_configured_location_without_redis() -> bool:
    try:
        return ensure_configured_location() is not None
    except RedisError:
        # The row committed; cachalot could not tell its cache (Redis is down), whose entries expire on their own.
        logger.warning("created the configured location %s with Redis down", settings.GHL_LOCATION_ID)
        return Location.objects.filter(id=settings.GHL_LOCATION_ID).exists()


def forget_served_locations() -> None:
    with _served_lock:
        _served.clear()
    forget_erased_contacts()


def is_erased_contact(location_id: str, ghl_contact_id: str) -> bool:
    """Whether the lead asked us to erase their data (leads.privacy): their later events are dropped unstored.

    The webhook doors ask this of every event, so each process keeps the (short, rarely changing) list of erased
    leads and reads it again every half minute; an event that slips through meanwhile is dropped by the worker
    (`apply_webhook_event`) before anything of it is kept.
    """
    global _erased, _erased_read_at
    if not ghl_contact_id:
        return False
    now = time.monotonic()
    with _erased_lock:
        if _erased_read_at is None or now - _erased_read_at >= _LOCATION_CACHE_SECONDS:
            with past_cachalot():
                _erased = frozenset(
                    Contact.objects.filter(erased_at__isnull=False).values_list("location_id", "ghl_id")
                )
            _erased_read_at = now
        return (location_id, ghl_contact_id) in _erased


def forget_erased_contacts() -> None:
    """Read the list of erased leads again at the next webhook (this process; the others within half a minute)."""
    global _erased_read_at
    with _erased_lock:
        _erased_read_at = None


def workflow_secret_fits(location_id: str, secret: str) -> bool:
    """Whether `secret` is the workflow secret of this location: its own (made in the admin), or, for the
    single-location install's GHL_LOCATION_ID only, GHL_WORKFLOW_WEBHOOK_SECRET. Read from PostgreSQL alone."""
    if not secret:
        return False
    with past_cachalot():
        stored = Location.objects.filter(id=location_id).values_list("workflow_secret_hash", flat=True).first()
    if stored and hmac.compare_digest(workflow_secret_hash(secret), stored):
        return True
    install_secret = settings.GHL_WORKFLOW_WEBHOOK_SECRET
    return bool(install_secret and settings.GHL_LOCATION_ID and location_id == settings.GHL_LOCATION_ID
                and hmac.compare_digest(secret.encode(), install_secret.encode()))
