"""The Celery app's own behaviour around every task."""
from __future__ import annotations

from typing import Any

import pytest
from cachalot.api import LOCAL_STORAGE
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jorgebot.celery import app
from leads.models import Contact, Location


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
