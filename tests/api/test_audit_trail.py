"""The audit trail through the REST API: each call that changes something records who, when, through the API, and
what changed; a call that reaches nothing records nothing."""
from __future__ import annotations

import io
from typing import Any

from django.utils import timezone

from audit.models import AuditAction, AuditEntry, Channel
from bots.drafts import save_draft
from leads.models import Contact, Location
from tests.api.conftest import ApiAs


def entries() -> list[tuple[str, str, str, int | None]]:
    return [(entry.action, entry.channel, entry.username, entry.lead_id)
            for entry in AuditEntry.objects.order_by("id")]


def test_a_status_change_records_before_and_after(api_as: ApiAs, alpha_agent: Any, maria: Contact) -> None:
    before = timezone.now()

    response = api_as(alpha_agent).patch(f"/api/v1/leads/{maria.pk}/", {"status": "appointment"}, format="json")

    assert response.status_code == 200
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.channel, entry.user, entry.lead) == (AuditAction.STATUS_CHANGED, Channel.API,
                                                                     alpha_agent, maria)
    assert entry.changes == {"status": ["new", "appointment"]} and before <= entry.created_at <= timezone.now()


def test_pause_resume_and_hand_offs_are_each_recorded(api_as: ApiAs, alpha_agent: Any, maria: Contact) -> None:
    api = api_as(alpha_agent)

    api.post(f"/api/v1/leads/{maria.pk}/pause/", {"until": "2030-01-01T09:00:00Z"}, format="json")
    api.post(f"/api/v1/leads/{maria.pk}/resume/")
    api.post(f"/api/v1/leads/{maria.pk}/hand-to-human/")
    api.post(f"/api/v1/leads/{maria.pk}/hand-back/")

    assert entries() == [
        ("paused", "api", "bob", maria.pk), ("resumed", "api", "bob", maria.pk),
        ("handed_to_human", "api", "bob", maria.pk), ("handed_back", "api", "bob", maria.pk),
    ]
    assert AuditEntry.objects.order_by("id")[0].summary == "until 2030-01-01 09:00 UTC"


def test_a_call_on_another_locations_lead_records_nothing(
    api_as: ApiAs, alpha_agent: Any, beta_lead: Contact
) -> None:
    api = api_as(alpha_agent)

    assert api.post(f"/api/v1/leads/{beta_lead.pk}/pause/").status_code == 404
    assert api.patch(f"/api/v1/leads/{beta_lead.pk}/", {"status": "lost"}, format="json").status_code == 404

    assert not AuditEntry.objects.exists()


def test_a_score_set_by_hand_and_cleared_is_recorded(api_as: ApiAs, alpha_broker: Any, maria: Contact) -> None:
    api = api_as(alpha_broker)

    api.post(f"/api/v1/leads/{maria.pk}/score-override/", {"score": 88, "reason": "met her"}, format="json")
    api.delete(f"/api/v1/leads/{maria.pk}/score-override/")

    overridden, cleared = AuditEntry.objects.order_by("id")
    assert (overridden.action, overridden.changes) == (AuditAction.SCORE_OVERRIDDEN, {"score": [None, 88]})
    assert (cleared.action, cleared.user) == (AuditAction.SCORE_OVERRIDE_CLEARED, alpha_broker)


def test_draft_approvals_and_discards_are_recorded(api_as: ApiAs, alpha_agent: Any, maria: Contact) -> None:
    api = api_as(alpha_agent)
    edited = save_draft(maria, "Thanks. What is the address of the home?", "turn:one", bot="seller")

    api.post(f"/api/v1/drafts/{edited.pk}/approve/", {"body": "Thanks. Which street is the home on?"}, format="json")
    dropped = save_draft(maria, "Anything else?", "turn:two", bot="seller")
    api.post(f"/api/v1/drafts/{dropped.pk}/discard/")
    # deciding again is refused (409), and records nothing more
    assert api.post(f"/api/v1/drafts/{dropped.pk}/discard/").status_code == 409

    assert entries() == [("draft_approved", "api", "bob", maria.pk), ("draft_discarded", "api", "bob", maria.pk)]
    assert AuditEntry.objects.order_by("id")[0].changes == {
        "text": ["Thanks. What is the address of the home?", "Thanks. Which street is the home on?"]
    }


def test_listing_writes_record_what_was_added_changed_and_deleted(
    api_as: ApiAs, alpha_broker: Any, alpha_realty: Location
) -> None:
    api = api_as(alpha_broker)
    new = {"listing_id": "NEW1", "location": alpha_realty.pk, "address": "9 Elm St", "city": "Upland",
           "list_price": 700_000, "beds": 4}

    pk = api.post("/api/v1/properties/", new, format="json").json()["id"]
    api.patch(f"/api/v1/properties/{pk}/", {"list_price": 689_000}, format="json")
    api.delete(f"/api/v1/properties/{pk}/")

    added, changed, deleted = AuditEntry.objects.order_by("id")
    assert (added.action, added.location_id, added.changes["listing_id"]) == (AuditAction.ADDED, alpha_realty.pk,
                                                                              [None, "NEW1"])
    assert (changed.action, changed.changes) == (AuditAction.CHANGED, {"list_price": [700_000, 689_000]})
    assert (deleted.action, deleted.summary) == (AuditAction.DELETED, "Property 9 Elm St, Upland")
    assert {added.channel, changed.channel, deleted.channel} == {Channel.API}


def test_a_refused_listing_write_records_nothing(api_as: ApiAs, alpha_broker: Any, alpha_realty: Location) -> None:
    api = api_as(alpha_broker)
    new = {"listing_id": "DUP1", "location": alpha_realty.pk, "address": "9 Elm St", "city": "Upland",
           "list_price": 700_000, "beds": 4}
    api.post("/api/v1/properties/", new, format="json")

    assert api.post("/api/v1/properties/", new, format="json").status_code == 400

    assert AuditEntry.objects.count() == 1


def test_a_listing_import_is_recorded_with_its_counts(api_as: ApiAs, alpha_broker: Any, alpha_realty: Location) -> None:
    upload = io.BytesIO(b"ListingId,ListPrice,UnparsedAddress,City\nNEW0002,725000,7 Oak Ave,Upland\n"
                        b"BROKEN,not a price,8 Oak Ave,Upland\n")
    upload.name = "listings.csv"

    api_as(alpha_broker).post("/api/v1/properties/import/", {"file": upload, "location": alpha_realty.pk},
                              format="multipart")

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.channel, entry.location_id) == (AuditAction.LISTINGS_IMPORTED, Channel.API,
                                                                alpha_realty.pk)
    assert entry.summary == "1 new, 0 updated, 1 skipped"
