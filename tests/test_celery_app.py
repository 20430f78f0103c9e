"""The Celery app's own behaviour around every task."""
from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from cachalot.api import LOCAL_STORAGE
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jorgebot.celery import app
from leads.models import Contact, Location, OutboxMessage
from tests.conftest import PostWebhook, WorkerProcess, wait_for
from tests.fakes import ghl_events
from tests.fakes.ghl import FakeGHL


@app.task
def cachalot_reads_inside_a_task() -> bool:
    return bool(getattr(LOCAL_STORAGE, "cachalot_enabled", True))


@app.task
def rename_lead(contact_id: int, first_name: str) -> None:
    Contact.objects.filter(pk=contact_id).update(first_name=first_name)


def test_tasks_read_past_cachalot_and_the_web_process_gets_it_back(db: None) -> None:
    assert getattr(LOCAL_STORAGE, "cachalot_enabled", True) is True

    assert cachalot_reads_inside_a_task.apply().get() is False

    assert getattr(LOCAL_STORAGE, "cachalot_enabled", True) is True


@pytest.mark.django_db(transaction=True)
def test_a_write_inside_a_task_still_invalidates_what_the_admin_reads(alpha_realty: Location, settings: Any) -> None:
    # given the admin has read (and cachalot cached) a lead
    contact = Contact.objects.create(location=alpha_realty, ghl_id="CachedLead1", first_name="Before")
    assert Contact.objects.get(pk=contact.pk).first_name == "Before"
    with CaptureQueriesContext(connection) as cached:
        assert Contact.objects.get(pk=contact.pk).first_name == "Before"
    assert len(cached.captured_queries) == 0

    # when a task changes it
    rename_lead.apply(args=[contact.pk, "After"]).get()

    # then the next read in the web process sees the change
    assert Contact.objects.get(pk=contact.pk).first_name == "After"


@pytest.fixture(scope="module")
def _pooled_worker(worker_env: dict[str, str]) -> Iterator[WorkerProcess]:
    worker = WorkerProcess({**worker_env, "DATABASE_POOL": "true"}, "pooled")
    yield worker
    worker.stop()


@pytest.fixture
def pooled_worker(transactional_db: None, _pooled_worker: WorkerProcess, fake_ghl: FakeGHL) -> WorkerProcess:
    """A real prefork worker with the database pool on, as in production (the session worker connects per task)."""
    _pooled_worker.take_over()
    return _pooled_worker


def sessions_opened() -> int:
    """Connections PostgreSQL has accepted to the test database so far (counted by the statistics collector)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def texts_answered(fake_ghl: FakeGHL, post_webhook: PostWebhook, leads: range) -> None:
    for n in leads:
        post_webhook(ghl_events.inbound_message(body="I want to sell my house", contact_id=f"PooledLead{n:010d}",
                                                message_id=f"pooled-message-{n}"))
    for n in leads:
        wait_for(lambda n=n: fake_ghl.sms_sent(f"PooledLead{n:010d}"), timeout=30)
    # The tag writes go out after the texts; the test's end empties the tables under the worker otherwise.
    wait_for(lambda: not OutboxMessage.objects.filter(status__in=["pending", "sending"]).exists(), timeout=30)


@pytest.mark.worker
def test_a_prefork_worker_keeps_its_database_connections_from_task_to_task(
    pooled_worker: WorkerProcess, fake_ghl: FakeGHL, alpha_realty: Location, post_webhook: PostWebhook
) -> None:
    # given a worker that has answered a lead (each of its two processes may have connected once)
    texts_answered(fake_ghl, post_webhook, range(2))
    time.sleep(1.5)  # a backend that exited reports its session within a second
    before = sessions_opened()

    # when six more leads text: twelve tasks and more (the event, the turn, the contact lookup, the delivery)
    texts_answered(fake_ghl, post_webhook, range(2, 8))
    time.sleep(1.5)

    # then no task opened a connection of its own (Celery's Django fixup used to, before and after each task)
    assert sessions_opened() - before <= 2


@pytest.mark.worker
def test_a_connection_postgresql_dropped_between_tasks_is_not_handed_to_the_next_one(
    pooled_worker: WorkerProcess, fake_ghl: FakeGHL, alpha_realty: Location, post_webhook: PostWebhook
) -> None:
    # given a worker whose pooled connections PostgreSQL has closed (a restart, an idle timeout)
    texts_answered(fake_ghl, post_webhook, range(2))
    log_before = len(pooled_worker.log_path.read_text())
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        assert cursor.fetchone()[0] >= 1

    # when the next leads text, they are answered: the pool checked the connection and opened a new one
    texts_answered(fake_ghl, post_webhook, range(2, 5))
    assert "Traceback" not in pooled_worker.log_path.read_text()[log_before:]
