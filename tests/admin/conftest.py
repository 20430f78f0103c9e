"""Admin browsers signed in as the personas, and the leads a dashboard needs to have something to count."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from leads.models import Contact, Conversation, Location, Message

AdminAs = Callable[[Any], Client]


@pytest.fixture
def admin_as() -> AdminAs:
    """`admin_as(alpha_broker)`: a browser signed in to the admin as that user."""

    def client_for(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return client_for


def lead(location: Location, ghl_id: str, **fields: Any) -> Contact:
    return Contact.objects.create(location=location, ghl_id=ghl_id, **fields)


def thread(contact: Contact, *texts: tuple[str, str, dt.datetime]) -> Conversation:
    """A conversation from (sender, body, sent_at) triples; the lead's texts are inbound."""
    conversation = Conversation.objects.create(contact=contact)
    for sender, body, sent_at in texts:
        Message.objects.create(conversation=conversation, sender=sender, body=body, sent_at=sent_at,
                               direction="inbound" if sender == "lead" else "outbound")
    Conversation.objects.filter(pk=conversation.pk).update(created_at=texts[0][2])
    return conversation
