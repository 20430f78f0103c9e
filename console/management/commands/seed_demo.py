"""`manage.py seed_demo`: load the demo brokerages, leads, conversations and listings once (safe to re-run)."""
from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from console.demo import seed_demo


class Command(BaseCommand):
    help = "Create demo data so a new install shows a living system. Demo locations never send: sending is paused."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        report = seed_demo()
        names = ", ".join(f"{location.name} ({location.id})" for location in report.locations)
        self.stdout.write(f"Demo locations: {names}. Sending is paused on both: nothing reaches GHL.")
        if report.already_seeded:
            self.stdout.write("Demo data is already there; nothing added.")
            return
        self.stdout.write(
            f"Created {report.contacts} contacts, {report.conversations} conversations and {report.messages} "
            f"messages; listings {report.listings.summary} in {time.monotonic() - started:.1f} s."
        )
