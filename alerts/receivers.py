"""Where alerts hear of events: rows the domain already writes (outbox rows, contacts' tags, analytics runs,
Claude alerts) and the Claude circuit breaker's signal. Registered in AlertsConfig.ready().

Nothing is read or sent here, inside the domain's transaction: each receiver only asks for a `notice_*` once it
commits, so a turn rolled back tells nobody, and a notice that fails never fails the turn. The one write in the
domain's transaction is an erasure's: the lead's name leaves her notifications with the rest of her data.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from alerts import services
from analytics.models import AnalyticsRun, RunStatus
from bots.config import config_for
from bots.llm import breaker
from bots.llm.models import LLMAlert
from leads.models import Contact, OutboxKind, OutboxMessage, OutboxStatus


def connect() -> None:
    post_save.connect(outbox_row_saved, sender=OutboxMessage, dispatch_uid="alerts.outbox")
    post_save.connect(contact_saved, sender=Contact, dispatch_uid="alerts.contact")
    post_save.connect(analytics_run_saved, sender=AnalyticsRun, dispatch_uid="alerts.analytics_run")
    post_save.connect(claude_alert_saved, sender=LLMAlert, dispatch_uid="alerts.llm_alert")
    breaker.circuit_opened.connect(claude_circuit_opened, dispatch_uid="alerts.circuit")


def _after_commit(notice: Callable[..., int], *args: Any) -> None:
    def notify() -> None:
        notice(*args)

    # robust: an alert that cannot be recorded is logged by Django, and the domain's work stands. (A function, not
    # a partial: Django names the failed callback by its __qualname__.)
    transaction.on_commit(notify, robust=True)


def outbox_row_saved(sender: type[OutboxMessage], instance: OutboxMessage, created: bool, **kwargs: Any) -> None:
    if created and instance.kind == OutboxKind.ADD_TAGS:
        # Rows queued one at a time (a Fair Housing screen, a compliance alert); a turn's rows come in bulk and are
        # seen through the contact's save below.
        _after_commit(services.notice_tag_writes, instance.contact_id)
    elif instance.status == OutboxStatus.FAILED and _saved(kwargs, "status"):
        _after_commit(services.notice_failed_delivery, instance.pk)


def contact_saved(sender: type[Contact], instance: Contact, created: bool, **kwargs: Any) -> None:
    if instance.erased_at is not None:
        # In the erasure's own transaction: the lead's name leaves the notifications with the rest of her data.
        services.forget_lead_in_notifications(instance.pk)
        return
    if created or not _saved(kwargs, "tags"):
        return
    if Contact.location.is_cached(instance):
        # The turn has the location at hand: no read after commit unless a tag that is news is on the lead.
        news = services.alert_tags_of(config_for(instance.location))
        if not any(tag in news for tag in instance.tags):
            return
    _after_commit(services.notice_tag_writes, instance.pk)


def analytics_run_saved(sender: type[AnalyticsRun], instance: AnalyticsRun, created: bool, **kwargs: Any) -> None:
    if instance.status == RunStatus.FAILED and _saved(kwargs, "status"):
        _after_commit(services.notice_failed_run, instance.pk)


def claude_alert_saved(sender: type[LLMAlert], instance: LLMAlert, created: bool, **kwargs: Any) -> None:
    if created:
        _after_commit(services.notice_claude_alert, instance.pk)


def claude_circuit_opened(sender: Any, why: str, **kwargs: Any) -> None:
    _after_commit(services.notice_claude_circuit_open, why)


def _saved(kwargs: dict[str, Any], field: str) -> bool:
    update_fields = kwargs.get("update_fields")
    return update_fields is None or field in update_fields
