"""Reads of the audit trail."""
from __future__ import annotations

from django.db.models import QuerySet

from audit.models import AuditEntry
from leads.models import Contact

# The lead page shows this many of the lead's latest entries; the audit list has them all.
LEAD_ENTRIES_SHOWN = 50


def entries_of_lead(contact: Contact, limit: int = LEAD_ENTRIES_SHOWN) -> QuerySet[AuditEntry]:
    """What people did to this lead, newest first."""
    return AuditEntry.objects.filter(lead=contact).order_by("-created_at", "-id")[:limit]
