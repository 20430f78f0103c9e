"""Celery task of location connections: beat renews the marketplace app's access tokens before they expire."""
from __future__ import annotations

import dataclasses

from celery import shared_task

from leads import connections


@shared_task
def renew_expiring_ghl_tokens() -> dict[str, int]:
    return dataclasses.asdict(connections.renew_expiring_tokens())
