"""Queues writes to GHL (texts, tags, fields) as outbox rows inside the caller's transaction.

Each row has an idempotency key derived from the turn that made it, so a turn that runs again
after a crash finds its rows already there and queues nothing new.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial

from django.db import transaction

from bots.models import ClaudeRephrasing
from leads.models import Contact, OutboxKind, OutboxMessage, OutboxStatus


def queue_text(
    contact: Contact, body: str, key: str, *, bypass_opt_out: bool = False, approved_by_person: bool = False
) -> OutboxMessage:
    row, _ = OutboxMessage.objects.get_or_create(
        idempotency_key=f"{key}:sms",
        defaults={
            "location_id": contact.location_id,
            "contact": contact,
            "kind": OutboxKind.SMS,
            "body": body,
            "bypass_opt_out": bypass_opt_out,
            "approved_by_person": approved_by_person,
        },
    )
    return row


def rephrase_waiting_text(contact: Contact, draft: str, phrased: str) -> bool:
    """Put Claude's wording in the latest waiting text of the lead that still says `draft`, and keep the bot's own
    text beside it (ClaudeRephrasing). False when no such text waits: a delivery already took the draft, which is
    then what the lead gets (both are complete replies)."""
    with transaction.atomic():
        # Locked while still pending, so a delivery that takes the row meanwhile is waited for and the row skipped.
        outbox_id = (
            OutboxMessage.objects.filter(contact=contact, kind=OutboxKind.SMS, status=OutboxStatus.PENDING, body=draft)
            .order_by("-id").select_for_update().values_list("pk", flat=True).first()
        )
        if outbox_id is None:
            return False
        OutboxMessage.objects.filter(pk=outbox_id).update(body=phrased)
        ClaudeRephrasing.objects.create(outbox_id=outbox_id, bot_wrote=draft)
    return True


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


def queue_tags_and_fields(
    contact: Contact, key: str, *, add: Iterable[str] = (), remove: Iterable[str] = (),
    fields: Mapping[str, str] | None = None, text: str | None = None, also_save: Iterable[str] = (),
) -> bool:
    """`queue_tag_changes`, `queue_field_update` and `queue_text` in one INSERT, for a bot turn's hot path: the
    same rows under the same keys (a turn run again queues nothing new), and our copy of the contact saved once,
    with the other changed fields named in `also_save`. True when there were rows to queue."""
    remove, add = sorted(set(remove)), sorted(set(add))
    rows = []
    if text:
        # The reply first (DESIGN.md: reply, then tags and fields): the lead waits for it, GHL's bookkeeping
        # does not. The gate reads this turn's tags from our copy of the contact, saved in this transaction.
        rows.append(OutboxMessage(location_id=contact.location_id, contact=contact, kind=OutboxKind.SMS,
                                  idempotency_key=f"{key}:sms", body=text))
    if remove:
        rows.append(_row(contact, f"{key}:remove_tags", OutboxKind.REMOVE_TAGS, {"tags": remove}))
    if add:
        rows.append(_row(contact, f"{key}:add_tags", OutboxKind.ADD_TAGS, {"tags": add}))
    if fields:
        rows.append(_row(contact, f"{key}:fields", OutboxKind.UPDATE_FIELDS, {"custom_fields": dict(fields)}))
    if rows:
        # One statement numbers its rows in order: removals are still delivered before additions.
        OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    changed = list(also_save)
    tags = [t for t in contact.tags if t not in set(remove)]
    tags += [t for t in add if t not in tags]
    if tags != contact.tags:
        contact.tags = tags
        changed.append("tags")
    if changed:
        contact.save(update_fields=[*changed, "updated_at"])
    return bool(rows)


def queue_field_update(contact: Contact, key: str, fields: Mapping[str, str]) -> None:
    if fields:
        _queue(contact, f"{key}:fields", OutboxKind.UPDATE_FIELDS, {"custom_fields": dict(fields)})


def queue_dnd(contact: Contact, key: str, *, enabled: bool) -> None:
    _queue(contact, f"{key}:dnd", OutboxKind.SET_DND, {"dnd": enabled})


def queue_note(contact: Contact, key: str, body: str) -> None:
    """A note on the contact in GHL, for the person who takes over (what the bot learned, why it stopped)."""
    OutboxMessage.objects.get_or_create(
        idempotency_key=f"{key}:note",
        defaults={"location_id": contact.location_id, "contact": contact, "kind": OutboxKind.ADD_NOTE, "body": body},
    )


def _queue(contact: Contact, key: str, kind: str, payload: dict[str, object]) -> None:
    OutboxMessage.objects.get_or_create(
        idempotency_key=key,
        defaults={"location_id": contact.location_id, "contact": contact, "kind": kind, "payload": payload},
    )


def _row(contact: Contact, key: str, kind: str, payload: dict[str, object]) -> OutboxMessage:
    return OutboxMessage(location_id=contact.location_id, contact=contact, kind=kind, idempotency_key=key,
                         payload=payload)


def deliver_after_commit(contact_ids: Iterable[int]) -> None:
    """Have a worker deliver these contacts' queued writes once the caller's transaction commits: a worker must not
    look before the rows are there, and a transaction rolled back queued nothing to deliver."""
    chosen = list(contact_ids)
    if chosen:
        transaction.on_commit(partial(_deliver, chosen))


def _deliver(contact_ids: list[int]) -> None:
    from bots.tasks import deliver_outbox  # bots.tasks imports the services that queue writes

    for contact_id in contact_ids:
        deliver_outbox.apply_async(args=[contact_id])
