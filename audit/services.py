"""Writing the audit trail. The console calls `record_action` (or `record_lead_actions` for a bulk action) inside
the transaction of what the person did, so an action that rolls back leaves no entry and one that commits always
has its entry."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User

from audit.models import AuditAction, AuditEntry, Channel
from leads.models import Contact

SUMMARY_LENGTH = AuditEntry._meta.get_field("summary").max_length or 300


@dataclass(frozen=True)
class Actor:
    """Who acted, and through what (the admin page, a list action, the API)."""

    user: User
    channel: Channel

    @property
    def username(self) -> str:
        return str(self.user.get_username())


def record_action(
    by: Actor, action: AuditAction, *, location_id: str | None, lead: Contact | None = None,
    changes: dict[str, list[Any]] | None = None, summary: str = "",
) -> AuditEntry:
    """One entry: `changes` maps each changed field to [before, after]."""
    return AuditEntry.objects.create(
        user=by.user, username=by.username, channel=by.channel, action=action, location_id=location_id, lead=lead,
        changes=changes or {}, summary=_short(summary),
    )


def record_lead_actions(by: Actor, action: AuditAction, leads: Iterable[Contact], summary: str = "") -> int:
    """One entry per lead of a bulk action, in one INSERT. Returns how many."""
    entries = [
        AuditEntry(user=by.user, username=by.username, channel=by.channel, action=action,
                   location_id=lead.location_id, lead=lead, summary=_short(summary))
        for lead in leads
    ]
    AuditEntry.objects.bulk_create(entries)
    return len(entries)


def _short(summary: str) -> str:
    return summary if len(summary) <= SUMMARY_LENGTH else summary[: SUMMARY_LENGTH - 1] + "…"
