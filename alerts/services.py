"""Alerts: turn what happened in the domain (a lead tagged hot, a write that failed, a run that failed, a Claude
alert) into notifications for whoever subscribed, and send them, at once or in the daily digest.

The receivers (alerts.receivers) call the `notice_*` functions once the domain's transaction has committed;
`deliver` is the one place a notification is sent.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Case, CharField, Value, When
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from alerts import selectors, transports
from alerts.models import AlertEvent, Notification, NotificationStatus, Timing
from analytics.models import AnalyticsRun, RunStatus
from bots.config import BotConfig, config_for
from bots.llm.models import LLMAlert
from leads.models import Contact, Location, OutboxKind, OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

# The tags whose addition is news, by their key in bots.config (each location may rename them).
TAG_EVENTS: dict[str, AlertEvent] = {
    "hot_seller": AlertEvent.HOT_LEAD,
    "hot_buyer": AlertEvent.HOT_LEAD,
    "hot_lead": AlertEvent.HOT_LEAD,
    "human_follow_up": AlertEvent.PERSON_REQUESTED,
    "fair_housing_alert": AlertEvent.FAIR_HOUSING,
}
# A turn's tag rows are read back after its commit: those this recent. Older ones were noticed when written (or
# before alerts were installed, and are not news now).
RECENT_TAG_WRITES = dt.timedelta(minutes=10)
# A notification claimed by a worker that died is claimed again after this long.
STALE_CLAIM = dt.timedelta(minutes=5)
# An immediate notification still unsent this long after its last change has no task behind it: a retry waits at
# most a minute (alerts.tasks.retry_wait).
STUCK_AFTER = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Alert:
    """One event, as every recipient will read it: no phone number, no text's words."""

    event: AlertEvent
    # Unique per happening (the outbox row, the run): a second notice of the same happening tells nobody again.
    key: str
    location: Location | None
    title: str
    detail: str = ""
    contact: Contact | None = None
    link: str = ""


def alert_tags_of(config: BotConfig) -> dict[str, AlertEvent]:
    """This location's names of the tags that are news."""
    return {config.tag(key): event for key, event in TAG_EVENTS.items()}


def notice_tag_writes(contact_id: int) -> int:
    """The lead's tag additions just written through the outbox that are news (hot, a person asked for, a Fair
    Housing alert); returns how many notifications were made. A turn writes its rows in one INSERT that no
    post_save signal sees, so this reads them back, once its transaction committed."""
    since = timezone.now() - RECENT_TAG_WRITES
    rows = list(
        OutboxMessage.objects.filter(contact_id=contact_id, kind=OutboxKind.ADD_TAGS, created_at__gte=since)
        .select_related("contact", "location").order_by("id")
    )
    made = 0
    for row in rows:
        news = alert_tags_of(config_for(row.location))
        for tag in row.tags:
            if tag in news:
                made += raise_alert(_tag_alert(news[tag], tag, row))
    return made


def _tag_alert(event: AlertEvent, tag: str, row: OutboxMessage) -> Alert:
    lead = row.contact
    titles = {
        AlertEvent.HOT_LEAD: f"Hot lead ready: {lead.display_name}",
        AlertEvent.PERSON_REQUESTED: f"A lead asked for a person: {lead.display_name}",
        AlertEvent.FAIR_HOUSING: f"Fair Housing alert: {lead.display_name}",
    }
    details = {
        AlertEvent.HOT_LEAD: f"The bot tagged the lead {tag}: call them first.",
        AlertEvent.PERSON_REQUESTED: f"The bot handed the lead to a person ({tag}) and stopped texting them.",
        AlertEvent.FAIR_HOUSING: f"The bot declined a request it may not answer under Fair Housing law ({tag}); "
                                 "review the conversation.",
    }
    return Alert(event, f"{event}:outbox:{row.idempotency_key}:{tag}", row.location, titles[event], details[event],
                 lead, lead_link(lead))


def notice_failed_delivery(outbox_id: int) -> int:
    row = OutboxMessage.objects.select_related("contact", "location").filter(pk=outbox_id).first()
    if row is None or row.status != OutboxStatus.FAILED:
        return 0
    lead = row.contact
    # The reason is our own or GHL's status and endpoint (leads.ghl.errors): never the text or a phone number.
    detail = f"{row.get_kind_display()} to GHL failed for good: {row.status_reason}"
    return raise_alert(Alert(AlertEvent.DELIVERY_FAILED, f"delivery_failed:outbox:{row.pk}", row.location,
                             f"Delivery failed: {lead.display_name}", detail, lead, lead_link(lead)))


def notice_failed_run(run_id: int) -> int:
    run = AnalyticsRun.objects.filter(pk=run_id, status=RunStatus.FAILED).first()
    if run is None:
        return 0
    return raise_alert(Alert(
        AlertEvent.NIGHTLY_FAILED, f"nightly_failed:run:{run.pk}", None, f"{run.get_kind_display()} failed",
        f"Failed in {run.error or 'an unknown stage'}; scores and forecasts stay as they were until the next run.",
        link=admin_link("admin:analytics_analyticsrun_change", run.pk),
    ))


def notice_claude_alert(alert_id: int) -> int:
    alert = LLMAlert.objects.select_related("location").filter(pk=alert_id).first()
    if alert is None:
        return 0
    return raise_alert(Alert(AlertEvent.CLAUDE_ALERT, f"claude_alert:llmalert:{alert.pk}", alert.location,
                             f"Claude alert: {alert.get_kind_display()}", alert.detail,
                             link=admin_link("admin:llm_llmalert_change", alert.pk)))


def notice_claude_circuit_open(why: str, now: dt.datetime | None = None) -> int:
    """Claude keeps failing and the bots answer offline. Told at most once an hour: an outage reopens the circuit
    after every failed probe."""
    hour = (now or timezone.now()).astimezone(dt.UTC).strftime("%Y-%m-%dT%H")
    return raise_alert(Alert(AlertEvent.CLAUDE_ALERT, f"claude_alert:circuit:{hour}", None,
                             "Claude alert: calls to Claude are failing",
                             f"Every bot answers with the offline engine until Claude answers again ({why})."))


def forget_lead_in_notifications(contact_id: int) -> int:
    """A lead erased on request (leads.privacy): her notifications keep the event, the time and the location, not
    her name. Returns how many were rewritten."""
    erased = Case(*(When(event=event, then=Value(f"{event.label}: a lead whose data was erased"))
                    for event in AlertEvent), output_field=CharField())
    return Notification.objects.filter(contact_id=contact_id).update(title=erased, contact=None,
                                                                     updated_at=timezone.now())


def raise_alert(alert: Alert) -> int:
    """Record one notification per recipient of `alert` (none twice), and send the immediate ones once this
    transaction commits; returns how many were new."""
    new: list[int] = []
    with transaction.atomic():
        for subscription in selectors.subscriptions_for(alert.event, alert.location):
            recipient = f"{subscription.channel}:{subscription.address}"
            key = hashlib.sha256(f"{alert.key}\n{recipient}".encode()).hexdigest()
            notification, created = Notification.objects.get_or_create(key=key, defaults={
                "subscription": subscription, "event": alert.event, "location": alert.location,
                "contact": alert.contact, "title": alert.title[:200], "detail": alert.detail[:500],
                "link": alert.link, "event_key": alert.key[:300], "digest": subscription.timing == Timing.DIGEST,
            })
            if created and not notification.digest:
                new.append(notification.pk)
            elif created:
                logger.info("alert for the digest notification=%s event=%s", notification.pk, alert.event)
        if new:
            transaction.on_commit(lambda: _send_later(new))
    return len(new)


def _send_later(ids: list[int]) -> None:
    from alerts import tasks  # alerts.tasks imports this module

    for notification_id in ids:
        tasks.deliver_notifications.apply_async(args=[[notification_id]])


def lead_link(contact: Contact) -> str:
    return admin_link("admin:leads_contact_change", contact.pk)


def admin_link(name: str, pk: object) -> str:
    """The full URL of an admin page, on the address brokers reach this install at (JORGEBOT_PUBLIC_URL)."""
    try:
        path = reverse(name, args=[pk])
    except NoReverseMatch:
        return ""
    return f"{settings.JORGEBOT_PUBLIC_URL.rstrip('/')}{path}"


# -- sending ------------------------------------------------------------------------------------------


def deliver(ids: Iterable[int], *, last_attempt: bool) -> int:
    """Send these notifications (one, or one recipient's digest) in one message; returns how many went.

    A retryable failure puts them back to wait and is raised for the task to try again, unless this was the last
    attempt: then, as on a final failure, they are marked failed with the reason.
    """
    rows = _claim(list(ids))
    if not rows:
        return 0
    subscription = rows[0].subscription
    try:
        transports.send(subscription.channel, subscription.address, message_of(rows))
    except transports.TransportError as error:
        given_up = not error.retryable or last_attempt
        status = NotificationStatus.FAILED if given_up else NotificationStatus.WAITING
        reason = str(error) if not error.retryable else f"{error} (attempt {rows[0].attempts})"
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=status, last_error=reason[:300], updated_at=timezone.now())
        logger.warning("alert not sent notifications=%s subscription=%s given_up=%s error=%s",
                       [row.pk for row in rows], subscription.pk, given_up, error)
        if not given_up:
            raise
        return 0
    now = timezone.now()
    Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
        status=NotificationStatus.SENT, sent_at=now, last_error="", updated_at=now)
    logger.info("alert sent notifications=%s subscription=%s", [row.pk for row in rows], subscription.pk)
    return len(rows)


def _claim(ids: list[int]) -> list[Notification]:
    """Mark the notifications sending, with one more attempt, unless another worker has them or they went.
    Under row locks, so two deliveries of the same task (a worker lost, the broker redelivering) send once."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription__user", "location")
            .filter(pk__in=ids)
            .exclude(status__in=[NotificationStatus.SENT, NotificationStatus.FAILED])
            .order_by("id")
        )
        rows = [row for row in rows if row.status == NotificationStatus.WAITING or row.updated_at < now - STALE_CLAIM]
        for row in rows:
            row.status, row.attempts, row.updated_at = NotificationStatus.SENDING, row.attempts + 1, now
        Notification.objects.bulk_update(rows, ["status", "attempts", "updated_at"])
    return rows


def message_of(rows: list[Notification]) -> transports.Message:
    if len(rows) == 1 and not rows[0].digest:
        row = rows[0]
        said = (f"{row.get_event_display()} at {_where(row)}", row.detail)
        links = (("Open the lead", row.link),) if row.contact_id and row.link else (
            (("Open in Jorgebot", row.link),) if row.link else ())
        return transports.Message(subject=row.title, lines=tuple(line for line in said if line), links=links)
    lines: list[str] = []
    for row in rows:
        lines.append(f"- {row.title} ({_where(row)}, {row.created_at:%Y-%m-%d %H:%M} UTC)")
        if row.detail:
            lines.append(f"  {row.detail}")
        if row.link:
            lines.append(f"  {row.link}")
    return transports.Message(subject=f"Jorgebot daily digest: {len(rows)} alert{'s' if len(rows) != 1 else ''}",
                              lines=tuple(lines))


def _where(row: Notification) -> str:
    return row.location.name if row.location is not None else "every location"


def resend_stuck_notifications(now: dt.datetime | None = None, limit: int = 500) -> int:
    """Hand again to a task the immediate notifications nobody is sending: their task was never queued (the broker
    was down when the event was recorded) or its worker died mid-send. Returns how many."""
    cutoff = (now or timezone.now()) - STUCK_AFTER
    ids = list(
        Notification.objects.filter(digest=False, status__in=[NotificationStatus.WAITING, NotificationStatus.SENDING],
                                    updated_at__lt=cutoff).order_by("id").values_list("pk", flat=True)[:limit]
    )
    if ids:
        logger.warning("alerts resent notifications=%s", len(ids))
        _send_later(ids)
    return len(ids)


def send_daily_digests() -> int:
    """Hand each recipient's waiting digest items to a delivery task, one message a recipient; returns how many
    messages. Grouped by where they go, so two subscriptions to one address make one digest."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    waiting = (Notification.objects.filter(status=NotificationStatus.WAITING, digest=True)
               .select_related("subscription__user").order_by("id"))
    for row in waiting:
        groups[(row.subscription.channel, row.subscription.address)].append(row.pk)
    from alerts import tasks  # alerts.tasks imports this module

    for ids in groups.values():
        tasks.deliver_notifications.apply_async(args=[ids])
    logger.info("alert digests queued recipients=%s items=%s", len(groups), sum(map(len, groups.values())))
    return len(groups)
