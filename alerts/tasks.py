"""Celery tasks of the alerts: send notifications (retried with a growing wait) and the daily digest. Thin; the
work is in alerts.services."""
from __future__ import annotations

from celery import shared_task
from celery.app.task import Task
from django.conf import settings

from alerts import services
from alerts.transports import TransportRetryableError


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_notifications(self: Task, notification_ids: list[int]) -> int:
    attempt = self.request.retries + 1
    try:
        return services.deliver(notification_ids, last_attempt=attempt >= settings.JORGEBOT_ALERTS_MAX_ATTEMPTS)
    except TransportRetryableError as error:
        raise self.retry(countdown=retry_wait(attempt, error.retry_after)) from None


def retry_wait(attempt: int, at_least: float | None) -> float:
    """Doubling from JORGEBOT_ALERTS_RETRY_SECONDS, capped at a minute: a longer wait in the broker would outlast
    its visibility timeout and come back twice (jorgebot/settings.py)."""
    wait = settings.JORGEBOT_ALERTS_RETRY_SECONDS * 2 ** (attempt - 1)
    return min(max(wait, at_least or 0.0), 60.0)


@shared_task
def send_daily_digests() -> int:
    return services.send_daily_digests()


@shared_task
def resend_stuck_notifications() -> int:
    return services.resend_stuck_notifications()
