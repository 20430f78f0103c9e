"""The record of each analytics run (AnalyticsRun): a row when it starts, its stages' seconds and row counts as it
goes, and how it ended. The admin's "Analytics runs" page reads them."""
from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

from analytics.models import AnalyticsRun, RunStatus

logger = logging.getLogger(__name__)

# A run still "running" after this long died with its worker (both jobs' hard time limits are an hour or less).
INTERRUPTED_AFTER = dt.timedelta(hours=2)


class RunRecord:
    """The run under way: time each stage with `stage()`, set counts on `row`."""

    def __init__(self, row: AnalyticsRun) -> None:
        self.row = row
        self.current_stage = "start"

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self.current_stage = name
        started = time.perf_counter()
        yield
        self.row.stage_seconds.append([name, round(time.perf_counter() - started, 3)])

    def seconds_of(self, stage: str) -> float:
        return next(seconds for name, seconds in self.row.stage_seconds if name == stage)

    def finish(self, status: str, error: str = "") -> None:
        self.row.status = status
        self.row.error = error[:200]
        self.row.finished_at = timezone.now()
        self.row.seconds = (self.row.finished_at - self.row.started_at).total_seconds()
        self.row.save()


@contextmanager
def recorded_run(kind: str) -> Iterator[RunRecord]:
    """Record the run of `kind` in the block; an exception marks it failed with its stage, and propagates."""
    AnalyticsRun.objects.filter(
        kind=kind, status=RunStatus.RUNNING, started_at__lt=timezone.now() - INTERRUPTED_AFTER
    ).update(status=RunStatus.FAILED, error="interrupted: the worker stopped or hit its time limit")
    record = RunRecord(AnalyticsRun.objects.create(kind=kind))
    try:
        yield record
    except BaseException as error:
        record.finish(RunStatus.FAILED, f"{record.current_stage}: {type(error).__name__}")
        logger.exception("analytics run %s failed in %s", record.row.pk, record.current_stage)
        raise
    record.finish(RunStatus.SUCCEEDED)
