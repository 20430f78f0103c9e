"""/api/v1/leads/: filter, search, cursor pages, change the status, pause or resume the bot, hand to a human."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from console.broker_actions import PAUSED_UNTIL_RESUMED
from leads.models import Contact, Conversation, Location, OutboxMessage
from tests.api.conftest import ApiAs


def lead(location: Location, ghl_id: str, **fields: Any) -> Contact:
    return Contact.objects.create(location=location, ghl_id=ghl_id, **fields)


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def pipeline(alpha_realty: Location) -> dict[str, Contact]:
    """Alpha's leads at every stage a broker filters by."""
    now = timezone.now()
    leads = {
        "hot_seller": lead(alpha_realty, "hot", first_name="Hana", last_name="Hot", temperature="hot", score=91,
                           status="qualified", active_bot="seller", tags=["Hot-Seller", "Seller-Qualified"],
                           phone="+19095550101", email="hana@example.com"),
        "warm_buyer": lead(alpha_realty, "warm", first_name="Walt", last_name="Warm", temperature="warm", score=55,
                           status="contacted", active_bot="buyer", tags=["Warm-Buyer"], phone="+19095550102"),
        "cold_lead": lead(alpha_realty, "cold", first_name="Cora", last_name="Cold", temperature="cold", score=12,
                          status="new", opted_out_at=now, tags=["TCPA-Opt-Out", "AI-Off"]),
    }
    Conversation.objects.create(contact=leads["hot_seller"], last_inbound_at=now - dt.timedelta(hours=2))
    Conversation.objects.create(contact=leads["warm_buyer"], last_inbound_at=now - dt.timedelta(days=20))
    return leads


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "qualified"}, {"hot_seller"}),
        ({"status": ["qualified", "new"]}, {"hot_seller", "cold_lead"}),
        ({"temperature": "warm"}, {"warm_buyer"}),
        ({"bot": "buyer"}, {"warm_buyer"}),
        ({"score_min": 50}, {"hot_seller", "warm_buyer"}),
        ({"score_max": 50}, {"cold_lead"}),
        ({"tag": "Seller-Qualified"}, {"hot_seller"}),
        ({"opted_out": "true"}, {"cold_lead"}),
        ({"opted_out": "false"}, {"hot_seller", "warm_buyer"}),
        ({"search": "walt"}, {"warm_buyer"}),
        ({"search": "hana@example"}, {"hot_seller"}),
        ({"search": "5550102"}, {"warm_buyer"}),
    ],
)
def test_the_lead_list_filters_and_searches_like_a_broker_asks(
    api_as: ApiAs, alpha_agent: Any, pipeline: dict[str, Contact], query: dict[str, Any], expected: set[str]
) -> None:
    response = api_as(alpha_agent).get("/api/v1/leads/", query)

    assert ids(response) == {pipeline[name].pk for name in expected}


def test_it_filters_by_when_the_lead_last_replied(
    api_as: ApiAs, alpha_agent: Any, pipeline: dict[str, Contact]
) -> None:
    since = (timezone.now() - dt.timedelta(days=7)).isoformat()

    assert ids(api_as(alpha_agent).get("/api/v1/leads/", {"last_reply_after": since})) == {pipeline["hot_seller"].pk}
    assert ids(api_as(alpha_agent).get("/api/v1/leads/", {"last_reply_before": since})) == {pipeline["warm_buyer"].pk}


def test_a_lead_shows_what_a_broker_needs_and_when_they_last_replied(
    api_as: ApiAs, alpha_agent: Any, pipeline: dict[str, Contact]
) -> None:
    body = api_as(alpha_agent).get(f"/api/v1/leads/{pipeline['hot_seller'].pk}/").json()

    assert body["first_name"] == "Hana"
    assert body["temperature"] == "hot" and body["score"] == 91 and body["status"] == "qualified"
    assert body["location"] == pipeline["hot_seller"].location_id
    assert body["last_reply_at"] is not None
    assert "custom_fields" not in body


def test_cursor_pages_walk_every_lead_once_newest_first(
    api_as: ApiAs, alpha_agent: Any, alpha_realty: Location
) -> None:
    created = [lead(alpha_realty, f"page{n}") for n in range(7)]
    api = api_as(alpha_agent)

    seen: list[int] = []
    url: str | None = "/api/v1/leads/?page_size=3"
    while url:
        body = api.get(url).json()
        assert "count" not in body
        seen += [row["id"] for row in body["results"]]
        url = body["next"]

    assert seen == [contact.pk for contact in reversed(created)]


def test_an_agent_changes_a_leads_pipeline_status_and_nothing_else(
    api_as: ApiAs, alpha_agent: Any, pipeline: dict[str, Contact]
) -> None:
    warm = pipeline["warm_buyer"]

    response = api_as(alpha_agent).patch(
        f"/api/v1/leads/{warm.pk}/", {"status": "appointment", "score": 100, "phone": "+10000000000"}, format="json"
    )

    assert response.status_code == 200
    warm.refresh_from_db()
    assert warm.status == "appointment"
    assert warm.score == 55 and warm.phone == "+19095550102"


def test_an_unknown_status_is_refused(api_as: ApiAs, alpha_agent: Any, maria: Contact) -> None:
    response = api_as(alpha_agent).patch(f"/api/v1/leads/{maria.pk}/", {"status": "sold"}, format="json")

    assert response.status_code == 400
    assert "status" in response.json()


def test_pausing_the_bot_lasts_until_resumed_or_until_the_given_time(
    api_as: ApiAs, alpha_agent: Any, maria: Contact
) -> None:
    api = api_as(alpha_agent)

    assert api.post(f"/api/v1/leads/{maria.pk}/pause/").json() == {"changed": 1}
    maria.refresh_from_db()
    assert maria.bot_paused_until == PAUSED_UNTIL_RESUMED

    until = timezone.now() + dt.timedelta(hours=3)
    api.post(f"/api/v1/leads/{maria.pk}/pause/", {"until": until.isoformat()}, format="json")
    maria.refresh_from_db()
    assert maria.bot_paused_until == until

    assert api.post(f"/api/v1/leads/{maria.pk}/resume/").json() == {"changed": 1}
    maria.refresh_from_db()
    assert maria.bot_paused_until is None


def test_pausing_stops_the_follow_ups_and_handing_back_takes_the_tags_off_in_ghl(
    api_as: ApiAs, alpha_agent: Any, maria: Contact
) -> None:
    from bots.models import FollowUp

    maria.tags = ["AI-Off", "Human-Follow-Up-Needed"]
    maria.save()
    Conversation.objects.create(contact=maria)
    now = timezone.now()
    FollowUp.objects.create(location=maria.location, contact=maria, cadence="lead", step=1, anchor_at=now,
                            due_at=now + dt.timedelta(days=3))
    api = api_as(alpha_agent)

    api.post(f"/api/v1/leads/{maria.pk}/pause/")
    assert FollowUp.objects.get(contact=maria).status == "cancelled"

    assert api.post(f"/api/v1/leads/{maria.pk}/hand-back/").json() == {"changed": 1}
    maria.refresh_from_db()
    assert maria.bot_paused_until is None
    removal = OutboxMessage.objects.get(contact=maria, kind="remove_tags")
    assert sorted(removal.tags) == ["AI-Off", "Human-Follow-Up-Needed"]


def test_handing_a_lead_to_a_human_queues_the_tags_for_ghl_once(
    api_as: ApiAs, alpha_agent: Any, maria: Contact, django_capture_on_commit_callbacks: Any
) -> None:
    api = api_as(alpha_agent)

    with django_capture_on_commit_callbacks(execute=True):
        first = api.post(f"/api/v1/leads/{maria.pk}/hand-to-human/")
        second = api.post(f"/api/v1/leads/{maria.pk}/hand-to-human/")

    assert first.json() == {"changed": 1} and second.json() == {"changed": 0}
    assert OutboxMessage.objects.get(contact=maria, kind="add_tags").tags == ["AI-Off", "Human-Follow-Up-Needed"]
    note = OutboxMessage.objects.get(contact=maria, kind="add_note")
    assert note.body.startswith("Jorgebot handed this lead to a person: a broker handed the lead over")
    maria.refresh_from_db()
    assert {"AI-Off", "Human-Follow-Up-Needed"} <= set(maria.tags)
    assert redis.Redis.from_url(settings.CELERY_BROKER_URL).llen("bots") == 1


def test_the_lead_list_costs_the_same_queries_for_three_leads_or_thirty(
    api_as: ApiAs, alpha_agent: Any, alpha_realty: Location, django_assert_num_queries: Any
) -> None:
    for n in range(30):
        contact = lead(alpha_realty, f"many{n}")
        Conversation.objects.create(contact=contact)
    api = api_as(alpha_agent)

    # token + user, memberships, one page of leads with their conversations
    with django_assert_num_queries(3):
        response = api.get("/api/v1/leads/")

    assert len(response.json()["results"]) == 30


def test_the_fast_lead_json_is_exactly_what_drf_would_write(pipeline: dict[str, Contact]) -> None:
    from rest_framework.renderers import JSONRenderer
    from rest_framework.serializers import ModelSerializer

    from console.api.serializers import LeadSerializer

    for contact in Contact.objects.select_related("conversation"):
        contact.bot_paused_until = timezone.now()
        serializer = LeadSerializer(contact)

        fast = JSONRenderer().render(serializer.data)
        assert fast == JSONRenderer().render(ModelSerializer.to_representation(serializer, contact))


def test_the_list_writes_each_lead_exactly_as_its_own_page_does(
    api_as: ApiAs, alpha_agent: Any, pipeline: dict[str, Contact]
) -> None:
    # given a paused lead, so every time field is filled in somewhere
    Contact.objects.filter(pk=pipeline["warm_buyer"].pk).update(bot_paused_until=timezone.now())
    api = api_as(alpha_agent)

    # when the list (plain rows) and each lead's page (a Contact) write the same leads
    listed = api.get("/api/v1/leads/").json()["results"]

    # then the JSON is the same, field for field
    assert len(listed) == 3
    for row in listed:
        assert row == api.get(f"/api/v1/leads/{row['id']}/").json()
