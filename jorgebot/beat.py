"""The beat's scheduler: django-celery-beat's, except that settings only seed the schedules the database lacks.

django-celery-beat writes every entry of CELERY_BEAT_SCHEDULE over its row each time beat starts, so a broker who
moved the nightly run in the admin lost the change at the next restart. Here a schedule that exists is left as the
admin last saved it; to go back to the default, delete the row and restart beat.
"""
from __future__ import annotations

from typing import Any

from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler


class SeedingScheduler(DatabaseScheduler):
    def update_from_dict(self, mapping: dict[str, dict[str, Any]]) -> None:
        existing = set(PeriodicTask.objects.filter(name__in=list(mapping)).values_list("name", flat=True))
        super().update_from_dict({name: entry for name, entry in mapping.items() if name not in existing})
