"""Settings seed the beat's schedules; a broker's edit in the admin survives a restart of beat (a real beat process)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from tests.conftest import REPO_ROOT, wait_for


class BeatProcess:
    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = log_path.open("w")
        self.process = subprocess.Popen(
            # DEBUG: the line "Ticking with max interval" comes once the scheduler has synced its schedules.
            [sys.executable, "-m", "celery", "-A", "jorgebot", "beat", "-l", "DEBUG", "--pidfile=",
             "-s", str(log_path.with_suffix(".db"))],
            cwd=REPO_ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        wait_for(self._synced, timeout=60)

    def _synced(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"beat exited:\n{self.log_path.read_text()[-3000:]}")
        return "Ticking with max interval" in self.log_path.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        self._log.close()


@pytest.fixture
def start_beat(transactional_db: None, worker_env: dict[str, str]) -> Iterator[object]:
    started: list[BeatProcess] = []
    log_dir = REPO_ROOT / "var"
    log_dir.mkdir(exist_ok=True)

    def start() -> BeatProcess:
        beat = BeatProcess(worker_env, log_dir / f"test-beat-{len(started)}.log")
        started.append(beat)
        return beat

    yield start
    for beat in started:
        beat.stop()


# A real beat process, against the test database: slow to start, so out of the quick run as a worker is.
@pytest.mark.worker
def test_an_edited_schedule_survives_a_restart_and_a_deleted_one_is_seeded_again(start_beat) -> None:  # type: ignore[no-untyped-def]
    # given beat started once: every schedule of the settings is in the database
    first = start_beat()
    assert set(settings.CELERY_BEAT_SCHEDULE) <= set(PeriodicTask.objects.values_list("name", flat=True))
    nightly = PeriodicTask.objects.get(name="nightly-analytics")
    assert nightly.crontab is not None and nightly.crontab.hour == "9"
    first.stop()

    # when a broker moves the nightly run to 10:30 in the admin, deletes the sweeper's row, and beat restarts
    later, _ = CrontabSchedule.objects.get_or_create(minute="30", hour="10", timezone="UTC")
    nightly.crontab = later
    nightly.save()
    PeriodicTask.objects.filter(name="sweep-stuck-work").delete()
    start_beat()

    # then the edit stands and the missing schedule is back with its default
    nightly.refresh_from_db()
    assert (nightly.crontab.hour, nightly.crontab.minute) == ("10", "30")
    sweeper = PeriodicTask.objects.get(name="sweep-stuck-work")
    assert sweeper.interval is not None and sweeper.interval.every == 60
