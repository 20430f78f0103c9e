"""The books of Claude: record every call at list price, keep each location's spend per day, enforce its limit.

A location's day is its own local day, the one its broker thinks in. When a call takes the day's spend to the
limit the location runs on the offline engine until its next day, and the broker finds an alert in the admin.
"""
from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from bots.llm.models import AlertKind, CallOutcome, DailySpend, LLMAlert, LLMCall, LLMTask
from bots.llm.pricing import Usage, cost_of
from jorgebot.redis import get_redis
from leads.models import Location

logger = logging.getLogger(__name__)

_FAILED = frozenset({CallOutcome.RETRYABLE_ERROR, CallOutcome.FINAL_ERROR})
# Cache hits are counted in Redis and moved onto the day's row with the next call or every this many hits.
HIT_FLUSH_EVERY = 50
HITS_KEPT_SECONDS = 3 * 24 * 3600


def local_day(location: Location | None, now: dt.datetime | None = None) -> dt.date:
    now = now or timezone.now()
    try:
        zone = ZoneInfo(location.timezone) if location is not None else dt.UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    return now.astimezone(zone).date()


def daily_limit_usd(location: Location) -> Decimal:
    override = location.bot_settings.get("llm_daily_spend_limit_usd")
    return Decimal(str(override if override is not None else settings.JORGEBOT_LLM_DAILY_SPEND_LIMIT_USD))


def spent_today(location: Location) -> Decimal:
    spent = (
        DailySpend.objects.filter(location=location, day=local_day(location)).values_list("cost_usd", flat=True).first()
    )
    return spent if spent is not None else Decimal(0)


def is_over_daily_limit(location: Location) -> bool:
    return spent_today(location) >= daily_limit_usd(location)


def record_call(
    *, location: Location | None, task: LLMTask, model: str, outcome: CallOutcome, usage: Usage,
    latency_ms: int, batch: bool = False, error: str = "", request_id: str | None = None,
) -> LLMCall:
    cost = cost_of(model, usage, batch=batch)
    day = local_day(location)
    with transaction.atomic():
        # The record sits between Claude's answer and the lead's reply: it commits without waiting for the
        # disk. A PostgreSQL crash could lose the last fraction of a second of records, never a reply.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        call = LLMCall.objects.create(
            location=location, task=task, model=model, outcome=outcome, input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens, cache_read_tokens=usage.cache_read_tokens,
            cache_write_tokens=usage.cache_write_tokens, latency_ms=latency_ms, cost_usd=cost, batch=batch,
            error=error[:200], request_id=(request_id or "")[:100],
        )
        _add_to_day(
            location, day, cost_usd=F("cost_usd") + cost, calls=F("calls") + 1,
            cache_hits=F("cache_hits") + _take_pending_hits(location, day),
            failed_calls=F("failed_calls") + (1 if outcome in _FAILED else 0),
            input_tokens=F("input_tokens") + usage.input_tokens,
            output_tokens=F("output_tokens") + usage.output_tokens,
            cache_read_tokens=F("cache_read_tokens") + usage.cache_read_tokens,
            cache_write_tokens=F("cache_write_tokens") + usage.cache_write_tokens,
        )
    if location is not None and cost > 0:
        _alert_if_over_limit(location, day)
    return call


def record_cache_hit(location: Location | None) -> None:
    """Count a hit in Redis; the day's row gets the count with the next call, or every HIT_FLUSH_EVERY hits.

    A hit is answered in about a millisecond, and a database write per hit would take several times that.
    """
    day = local_day(location)
    key = _hits_key(location, day)
    pending = get_redis().incr(key)
    if pending == 1:
        get_redis().expire(key, HITS_KEPT_SECONDS)
    if pending >= HIT_FLUSH_EVERY:
        _add_to_day(location, day, cache_hits=F("cache_hits") + _take_pending_hits(location, day))


def flush_cache_hits(location: Location | None) -> None:
    """Move the hits still counted in Redis onto today's row (for a report that must be exact now)."""
    day = local_day(location)
    if hits := _take_pending_hits(location, day):
        _add_to_day(location, day, cache_hits=F("cache_hits") + hits)


def alert_account_refused(reason: str) -> None:
    """Anthropic refused the account (the prototype's most common outage: the credits ran out)."""
    _, created = LLMAlert.objects.get_or_create(
        kind=AlertKind.ACCOUNT, location=None, day=local_day(None),
        defaults={"detail": f"Anthropic refused our calls ({reason}); every bot runs offline until it is fixed."},
    )
    if created:
        logger.error("claude account refused: %s; bots run offline", reason)


def _alert_if_over_limit(location: Location, day: dt.date) -> None:
    spent = DailySpend.objects.filter(location=location, day=day).values_list("cost_usd", flat=True).first()
    limit = daily_limit_usd(location)
    if spent is None or spent < limit:
        return
    _, created = LLMAlert.objects.get_or_create(
        kind=AlertKind.SPEND_LIMIT, location=location, day=day,
        defaults={"detail": f"Claude spent ${spent:.2f} of the ${limit:.2f} daily limit; the bots answer with "
                            "the offline engine until tomorrow (raise llm_daily_spend_limit_usd to resume)."},
    )
    if created:
        logger.warning("claude daily spend limit reached location=%s limit_usd=%s", location.pk, limit)


def _hits_key(location: Location | None, day: dt.date) -> str:
    return f"jorgebot:llm:hits:{location.pk if location is not None else '-'}:{day.isoformat()}"


def _take_pending_hits(location: Location | None, day: dt.date) -> int:
    return int(get_redis().getdel(_hits_key(location, day)) or 0)


def _add_to_day(location: Location | None, day: dt.date, **increments: Any) -> None:
    """Add to the day's row in one UPDATE; the first call of a day creates the row (racing creators retry)."""
    rows = DailySpend.objects.filter(location=location, day=day)
    if rows.update(**increments):
        return
    try:
        with transaction.atomic():
            DailySpend.objects.create(location=location, day=day)
    except IntegrityError:
        pass  # another worker created it first
    rows.update(**increments)
