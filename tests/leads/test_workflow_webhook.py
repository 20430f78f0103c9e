"""POST /webhooks/ghl/workflow/: GHL workflows' unsigned "Custom Webhook" posts.

Unsigned, so each location has its own secret (X-Webhook-Secret), and what such a post may change is limited: a
missing field changes nothing, opt-out and deactivation tags are never removed, an erased lead is never refilled.
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
from django.test import Client

from bots import events
from leads import services
from leads.models import Contact, Location, Message, WebhookEvent
from leads.privacy import erase_contact
from tests.fakes import ghl_events
from tests.leads.wsgi_client import WsgiClient

WORKFLOW_PATH = "/webhooks/ghl/workflow/"


@pytest.fixture(params=["django_view", "wsgi_fast_path"])
def door(request: pytest.FixtureRequest, client: Client) -> Client | WsgiClient:
    """Both doors: the Django view, and gunicorn's application (which hands this path to Django)."""
    return client if request.param == "django_view" else WsgiClient()


def post_workflow(door: Client | WsgiClient, payload: dict[str, Any], secret: str) -> Any:
    return door.post(WORKFLOW_PATH, data=json.dumps(payload), content_type="application/json",
                     HTTP_X_WEBHOOK_SECRET=secret)


def apply_stored_events() -> None:
    for event_id in WebhookEvent.objects.filter(processed_at__isnull=True).order_by("id").values_list("pk", flat=True):
        events.apply_webhook_event(event_id)


@pytest.fixture
def alpha_secret(alpha_realty: Location) -> str:
    return services.rotate_workflow_secret(alpha_realty)


@pytest.fixture
def beta_secret(beta_homes: Location) -> str:
    return services.rotate_workflow_secret(beta_homes)


# -- a secret per location ---------------------------------------------------------------------------


def test_a_location_secret_is_stored_only_as_its_hash(alpha_realty: Location, alpha_secret: str) -> None:
    alpha_realty.refresh_from_db()

    assert len(alpha_secret) >= 32
    assert alpha_realty.workflow_secret_hash == hashlib.sha256(alpha_secret.encode()).hexdigest()
    assert alpha_secret not in repr(Location.objects.filter(pk=alpha_realty.pk).values().get())


def test_a_post_with_its_location_secret_is_stored(
    alpha_realty: Location, alpha_secret: str, door: Client | WsgiClient
) -> None:
    response = post_workflow(door, ghl_events.workflow_webhook(), alpha_secret)

    assert response.status_code == 200
    assert WebhookEvent.objects.get().location_id == alpha_realty.id


def test_a_post_naming_another_location_than_the_secrets_gets_401_and_changes_nothing(
    maria: Contact, beta_secret: str, door: Client | WsgiClient
) -> None:
    # given a broker of beta, who holds beta's workflow secret
    # when he posts a reply "from" alpha's lead maria
    response = post_workflow(door, ghl_events.workflow_webhook(first_name="Mallory", message_body="STOP"), beta_secret)

    # then it is refused and nothing of alpha's changed
    assert response.status_code == 401
    assert not WebhookEvent.objects.exists()
    maria.refresh_from_db()
    assert maria.first_name == ghl_events.FIRST_NAME


@pytest.mark.parametrize("secret", ["", "wrong", "workflow-secret-for-tests"])
def test_a_post_without_the_locations_secret_is_refused(
    alpha_realty: Location, alpha_secret: str, door: Client | WsgiClient, secret: str
) -> None:
    # (the install's GHL_WORKFLOW_WEBHOOK_SECRET is set, but GHL_LOCATION_ID does not name alpha)
    response = post_workflow(door, ghl_events.workflow_webhook(), secret)

    assert response.status_code == 401
    assert not WebhookEvent.objects.exists()


def test_a_rotated_secret_replaces_the_old_one(
    alpha_realty: Location, alpha_secret: str, door: Client | WsgiClient
) -> None:
    new_secret = services.rotate_workflow_secret(alpha_realty)

    assert post_workflow(door, ghl_events.workflow_webhook(), alpha_secret).status_code == 401
    assert post_workflow(door, ghl_events.workflow_webhook(), new_secret).status_code == 200


def test_the_install_secret_is_valid_for_ghl_location_id_only(
    alpha_realty: Location, beta_homes: Location, settings: Any, door: Client | WsgiClient
) -> None:
    settings.GHL_LOCATION_ID = alpha_realty.id
    install_secret = settings.GHL_WORKFLOW_WEBHOOK_SECRET

    for_alpha = post_workflow(door, ghl_events.workflow_webhook(), install_secret)
    for_beta = post_workflow(door, ghl_events.workflow_webhook(location_id=beta_homes.id), install_secret)

    assert for_alpha.status_code == 200
    assert for_beta.status_code == 401
    assert list(WebhookEvent.objects.values_list("location_id", flat=True)) == [alpha_realty.id]


def _secret_shown(response: Any) -> str:
    found = re.search(r'<code id="workflow-secret">([^<]+)</code>', response.content.decode())
    assert found, "the page does not show the new secret"
    return found.group(1)


def test_a_broker_makes_the_secret_in_the_admin_and_sees_it_once(
    alpha_realty: Location, alpha_broker: Any, client: Client
) -> None:
    client.force_login(alpha_broker)
    assert "Not set" in client.get(f"/admin/leads/location/{alpha_realty.pk}/change/").content.decode()

    response = client.post("/admin/leads/location/", {"action": "make_workflow_secret",
                                                     "_selected_action": [alpha_realty.pk]})

    assert response.status_code == 200
    secret = _secret_shown(response)
    alpha_realty.refresh_from_db()
    assert alpha_realty.workflow_secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    change_page = client.get(f"/admin/leads/location/{alpha_realty.pk}/change/").content.decode()
    assert "Set (only its hash is kept)" in change_page and secret not in change_page
    assert post_workflow(client, ghl_events.workflow_webhook(), secret).status_code == 200


def test_an_agent_or_another_locations_broker_cannot_make_alphas_secret(
    alpha_realty: Location, alpha_agent: Any, beta_broker: Any, client: Client
) -> None:
    for person in (alpha_agent, beta_broker):
        client.force_login(person)
        client.post("/admin/leads/location/", {"action": "make_workflow_secret", "_selected_action": [alpha_realty.pk]})
    alpha_realty.refresh_from_db()
    assert alpha_realty.workflow_secret_hash == ""


# -- what an unsigned post may change -----------------------------------------------------------------


def test_a_post_without_tags_or_names_leaves_them_as_they_were(
    maria: Contact, alpha_secret: str, client: Client
) -> None:
    Contact.objects.filter(pk=maria.pk).update(tags=["Seller-Lead", "TCPA-Opt-Out"], email="maria@example.com")
    payload = ghl_events.workflow_webhook(message_body="Yes")
    for name in ("tags", "first_name", "last_name", "phone", "email", "full_name"):
        del payload[name]

    assert post_workflow(client, payload, alpha_secret).status_code == 200
    apply_stored_events()

    maria.refresh_from_db()
    assert maria.tags == ["Seller-Lead", "TCPA-Opt-Out"]
    assert (maria.first_name, maria.phone, maria.email) == (ghl_events.FIRST_NAME, ghl_events.PHONE,
                                                            "maria@example.com")


def test_a_post_never_removes_opt_out_or_deactivation_tags(
    maria: Contact, alpha_secret: str, client: Client
) -> None:
    # given alpha names its AI-Off tag "Robot-Off", and maria carries every tag that silences the bot
    Location.objects.filter(pk=maria.location_id).update(bot_settings={"tags": {"ai_off": "Robot-Off"}})
    Contact.objects.filter(pk=maria.pk).update(
        tags=["TCPA-Opt-Out", "AI-Off", "Stop-Bot", "Robot-Off", "Facebook Ad"]
    )

    # when a workflow posts her tags without them
    post_workflow(client, ghl_events.workflow_webhook(tags=("Buyer-Lead",)), alpha_secret)
    apply_stored_events()

    # then the other tags follow the post, and every silencing tag stays
    maria.refresh_from_db()
    assert sorted(maria.tags) == sorted(["Buyer-Lead", "TCPA-Opt-Out", "AI-Off", "Stop-Bot", "Robot-Off"])


def test_a_post_may_add_an_opt_out_tag(maria: Contact, alpha_secret: str, client: Client) -> None:
    post_workflow(client, ghl_events.workflow_webhook(tags=("TCPA-Opt-Out",)), alpha_secret)
    apply_stored_events()

    maria.refresh_from_db()
    assert maria.tags == ["TCPA-Opt-Out"]


def test_a_post_about_an_erased_lead_is_acknowledged_and_not_stored(
    maria: Contact, alpha_secret: str, door: Client | WsgiClient
) -> None:
    erase_contact(maria)

    response = post_workflow(door, ghl_events.workflow_webhook(message_body="It's Maria again"), alpha_secret)

    assert response.status_code == 200
    assert not WebhookEvent.objects.exists()


def test_a_post_stored_before_the_erase_and_applied_after_does_not_refill_the_lead(
    maria: Contact, alpha_secret: str, client: Client
) -> None:
    post_workflow(client, ghl_events.workflow_webhook(message_body="Call me at 512-555-0100"), alpha_secret)
    erase_contact(maria)
    payload = ghl_events.workflow_webhook(message_body="Call me at 512-555-0100", event_id="after-the-erase")
    WebhookEvent.objects.create(webhook_id="wf:late", event_type="Workflow", location_id=maria.location_id,
                                source="workflow", payload=payload)

    apply_stored_events()

    maria.refresh_from_db()
    assert (maria.first_name, maria.phone, maria.email) == ("", "", "")
    assert not Message.objects.exists()
    assert not WebhookEvent.objects.filter(payload__contact_id=maria.ghl_id).exists()


# -- which posts are the same post ---------------------------------------------------------------------


def test_a_lead_who_sends_the_same_reply_twice_has_both_stored(
    maria: Contact, alpha_secret: str, client: Client
) -> None:
    reply = ghl_events.workflow_webhook(message_body="Yes")  # the workflow posts the same body each time

    first = post_workflow(client, reply, alpha_secret)
    second = post_workflow(client, reply, alpha_secret)

    assert first.json() == second.json() == {"status": "accepted"}
    apply_stored_events()
    assert list(Message.objects.values_list("body", flat=True)) == ["Yes", "Yes"]


def test_the_same_event_id_in_two_locations_stores_both(
    alpha_realty: Location, beta_homes: Location, alpha_secret: str, beta_secret: str, client: Client
) -> None:
    for_alpha = post_workflow(client, ghl_events.workflow_webhook(event_id="evt-1"), alpha_secret)
    for_beta = post_workflow(client, ghl_events.workflow_webhook(event_id="evt-1", location_id=beta_homes.id),
                             beta_secret)

    assert for_alpha.json() == for_beta.json() == {"status": "accepted"}
    apply_stored_events()
    assert Message.objects.count() == 2


def test_the_same_event_id_again_in_one_location_is_a_duplicate(
    alpha_realty: Location, alpha_secret: str, client: Client
) -> None:
    post_workflow(client, ghl_events.workflow_webhook(event_id="evt-1"), alpha_secret)

    again = post_workflow(client, ghl_events.workflow_webhook(event_id="evt-1"), alpha_secret)

    assert again.json() == {"status": "duplicate"}
    assert WebhookEvent.objects.count() == 1
