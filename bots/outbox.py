"""Queues writes to GHL (texts, tags, fields) as outbox rows inside the caller's transaction.

Each row has an idempotency key derived from the turn that made it, so a turn that runs again
after a crash finds its rows already there and queues nothing new.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from leads.models import Contact, OutboxKind, OutboxMessage


def queue_text(contact: Contact, body: str, key: str, *, bypass_opt_out: bool = False) -> OutboxMessage:
    row, _ = OutboxMessage.objects.get_or_create(
        idempotency_key=f"{key}:sms",
        defaults={
            "location_id": contact.location_id,
            "contact": contact,
            "kind": OutboxKind.SMS,
            "body": body,
            "bypass_opt_out": bypass_opt_out,
        },
    )
    return row


def queue_tag_changes(contact: Contact, key: str, *, add: Iterable[str] = (), remove: Iterable[str] = ()) -> None:
    """Stale tags are removed before new ones are added (two rows, delivered in order)."""
    remove = sorted(set(remove))
    add = sorted(set(add))
    if remove:
        _queue(contact, f"{key}:remove_tags", OutboxKind.REMOVE_TAGS, {"tags": remove})
    if add:
        _queue(contact, f"{key}:add_tags", OutboxKind.ADD_TAGS, {"tags": add})
    # Our copy follows at once, so the next turn reads the tags this one decided.
    tags = [t for t in contact.tags if t not in set(remove)]
    tags += [t for t in add if t not in tags]
    if tags != contact.tags:
        contact.tags = tags
        contact.save(update_fields=["tags", "updated_at"])


def queue_field_update(contact: Contact, key: str, fields: Mapping[str, str]) -> None:
    if fields:
        _queue(contact, f"{key}:fields", OutboxKind.UPDATE_FIELDS, {"custom_fields": dict(fields)})


def queue_dnd(contact: Contact, key: str, *, enabled: bool) -> None:
    _queue(contact, f"{key}:dnd", OutboxKind.SET_DND, {"dnd": enabled})


def _queue(contact: Contact, key: str, kind: str, payload: dict[str, object]) -> None:
    OutboxMessage.objects.get_or_create(
        idempotency_key=key,
        defaults={"location_id": contact.location_id, "contact": contact, "kind": kind, "payload": payload},
    )
