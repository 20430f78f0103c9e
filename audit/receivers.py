"""The audit trail's answer to other apps' signals (connected in AuditConfig.ready)."""
from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from audit.models import AuditEntry
from leads.models import Contact
from leads.privacy import lead_erasing


@receiver(lead_erasing, dispatch_uid="audit.erase_lead")
def erase_lead(*, contact: Contact, **_: Any) -> dict[str, int]:
    """A lead asked to be deleted: the entries about her keep who did what and when (the brokerage's record), but
    not the changed values or the summary, which may carry her words (an edited draft, a score's reason)."""
    about_her = AuditEntry.objects.filter(lead=contact).exclude(changes={}, summary="")
    return {"audit_entries": about_her.update(changes={}, summary="")}
