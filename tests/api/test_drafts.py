"""/api/v1/drafts/: suggest mode through the API. Approve as written, approve an edit, or discard."""
from __future__ import annotations

from typing import Any

import pytest

from bots.drafts import save_draft
from bots.models import Draft
from leads.models import Contact, OutboxMessage
from tests.api.conftest import ApiAs


@pytest.fixture
def draft(maria: Contact) -> Draft:
    return save_draft(maria, "Thanks. What is the address of the home?", "turn:test", bot="seller")


def test_members_list_the_drafts_waiting_for_them(
    api_as: ApiAs, alpha_agent: Any, draft: Draft, beta_lead: Contact
) -> None:
    save_draft(beta_lead, "Not yours", "turn:beta", bot="buyer")

    body = api_as(alpha_agent).get("/api/v1/drafts/", {"status": "pending"}).json()

    assert [(row["id"], row["lead"], row["body"]) for row in body["results"]] == [
        (draft.pk, draft.contact_id, "Thanks. What is the address of the home?")
    ]


def test_approving_as_written_queues_the_bots_text(
    api_as: ApiAs, alpha_agent: Any, draft: Draft, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(alpha_agent).post(f"/api/v1/drafts/{draft.pk}/approve/")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved" and response.json()["decided_by"] == "bob"
    assert OutboxMessage.objects.get(contact=draft.contact).body == draft.body


def test_approving_an_edit_sends_the_edit(api_as: ApiAs, alpha_agent: Any, draft: Draft) -> None:
    response = api_as(alpha_agent).post(f"/api/v1/drafts/{draft.pk}/approve/",
                                        {"body": "Thanks. Which street is the home on?"}, format="json")

    assert response.json()["status"] == "edited"
    assert response.json()["sent_body"] == "Thanks. Which street is the home on?"
    assert OutboxMessage.objects.get(contact=draft.contact).body == "Thanks. Which street is the home on?"


def test_an_edit_that_breaks_a_rule_is_refused_and_nothing_is_sent(
    api_as: ApiAs, alpha_agent: Any, draft: Draft
) -> None:
    response = api_as(alpha_agent).post(f"/api/v1/drafts/{draft.pk}/approve/", {"body": "Long text. " * 40},
                                        format="json")

    assert response.status_code == 400
    assert "over 320 characters" in response.json()["body"][0]
    assert not OutboxMessage.objects.exists()


def test_discarding_sends_nothing_and_a_decided_draft_cannot_be_decided_again(
    api_as: ApiAs, alpha_agent: Any, draft: Draft
) -> None:
    api = api_as(alpha_agent)

    assert api.post(f"/api/v1/drafts/{draft.pk}/discard/").json()["status"] == "discarded"
    assert api.post(f"/api/v1/drafts/{draft.pk}/approve/").status_code == 409
    assert api.post(f"/api/v1/drafts/{draft.pk}/discard/").status_code == 409
    assert not OutboxMessage.objects.exists()


def test_another_locations_broker_gets_404_for_the_draft(api_as: ApiAs, beta_broker: Any, draft: Draft) -> None:
    api = api_as(beta_broker)

    assert api.get(f"/api/v1/drafts/{draft.pk}/").status_code == 404
    assert api.post(f"/api/v1/drafts/{draft.pk}/approve/").status_code == 404
    assert api.post(f"/api/v1/drafts/{draft.pk}/discard/").status_code == 404
    draft.refresh_from_db()
    assert draft.status == "pending"
