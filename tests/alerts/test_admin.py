"""Who manages which subscriptions in the admin: Alice (broker of Alpha) every one of Alpha's, Bob (agent of Alpha)
only his own, Charlie (broker of Beta) none of Alpha's; and who reads which notifications."""
from __future__ import annotations

from typing import Any

from django.test import Client

from alerts.models import AlertEvent, Notification, Subscription
from leads.models import Location

ADD = "/admin/alerts/subscription/add/"


def browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_page(subscription: Subscription) -> str:
    return f"/admin/alerts/subscription/{subscription.pk}/change/"


def form(location: Location, user: Any | None, **fields: Any) -> dict[str, Any]:
    return {"location": location.pk, "user": user.pk if user else "", "channel": "email", "email": "",
            "webhook_url": "", "events": [AlertEvent.HOT_LEAD], "timing": "immediate", "active": "on", **fields}


def subscriptions_of_alpha(alpha_realty: Location, alpha_broker: Any, alpha_agent: Any) -> tuple[Subscription, ...]:
    for person in (alpha_broker, alpha_agent):
        person.email = f"{person.username}@alpha.example"
        person.save()
    desk = Subscription.objects.create(location=alpha_realty, email="desk@alpha.example", events=["hot_lead"])
    alices = Subscription.objects.create(location=alpha_realty, user=alpha_broker, events=["fair_housing"])
    bobs = Subscription.objects.create(location=alpha_realty, user=alpha_agent, events=["person_requested"])
    return desk, alices, bobs


def test_a_broker_sees_and_edits_every_subscription_of_her_location(
    alpha_realty: Location, alpha_broker: Any, alpha_agent: Any
) -> None:
    desk, alices, bobs = subscriptions_of_alpha(alpha_realty, alpha_broker, alpha_agent)
    alice = browser(alpha_broker)

    listed = alice.get("/admin/alerts/subscription/").context["cl"].result_list
    response = alice.post(change_page(bobs), form(alpha_realty, alpha_agent, timing="digest"))

    assert {row.pk for row in listed} == {desk.pk, alices.pk, bobs.pk}
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Subscription.objects.get(pk=bobs.pk).timing == "digest"


def test_an_agent_sees_and_edits_only_his_own(alpha_realty: Location, alpha_broker: Any, alpha_agent: Any) -> None:
    desk, alices, bobs = subscriptions_of_alpha(alpha_realty, alpha_broker, alpha_agent)
    bob = browser(alpha_agent)

    listed = bob.get("/admin/alerts/subscription/").context["cl"].result_list

    assert [row.pk for row in listed] == [bobs.pk]
    assert bob.get(change_page(alices)).status_code in (302, 403, 404)
    assert bob.post(change_page(desk), form(alpha_realty, alpha_agent)).status_code in (302, 403, 404)
    assert Subscription.objects.get(pk=desk.pk).user is None
    assert bob.post(change_page(bobs), form(alpha_realty, alpha_agent, timing="digest")).status_code == 302
    assert Subscription.objects.get(pk=bobs.pk).timing == "digest"


def test_an_agent_subscribes_himself_but_no_one_else_and_no_other_address(
    alpha_realty: Location, alpha_broker: Any, alpha_agent: Any
) -> None:
    alpha_agent.email = "bob@alpha.example"
    alpha_agent.save()
    bob = browser(alpha_agent)

    for_alice = bob.post(ADD, form(alpha_realty, alpha_broker))
    to_outsider = bob.post(ADD, form(alpha_realty, alpha_agent, email="leads@outsider.example"))
    for_himself = bob.post(ADD, form(alpha_realty, alpha_agent))

    assert for_alice.status_code == 200 and to_outsider.status_code == 200  # the form again, with its errors
    assert for_himself.status_code == 302
    [made] = Subscription.objects.all()
    assert made.user == alpha_agent and made.email == "" and made.created_by == alpha_agent


def test_a_broker_of_another_location_sees_nothing_of_alpha_and_cannot_subscribe_to_it(
    alpha_realty: Location, alpha_broker: Any, alpha_agent: Any, beta_broker: Any, beta_homes: Location
) -> None:
    desk, alices, bobs = subscriptions_of_alpha(alpha_realty, alpha_broker, alpha_agent)
    charlie = browser(beta_broker)

    listed = charlie.get("/admin/alerts/subscription/").context["cl"].result_list
    page = charlie.get(change_page(desk))
    into_alpha = charlie.post(ADD, form(alpha_realty, None, email="charlie@beta.example"))
    for_alpha_agent = charlie.post(ADD, form(beta_homes, alpha_agent))

    assert list(listed) == []
    assert page.status_code in (302, 403, 404)
    assert into_alpha.status_code == 200 and for_alpha_agent.status_code == 200
    assert not Subscription.objects.filter(location=beta_homes).exists()
    assert Subscription.objects.filter(location=alpha_realty).count() == 3


def test_a_chat_subscription_needs_its_webhook_and_never_shows_the_url_in_lists(
    alpha_realty: Location, alpha_broker: Any
) -> None:
    alice = browser(alpha_broker)
    url = "https://hooks.slack.com/services/T000/B000/secret-part"

    without_url = alice.post(ADD, form(alpha_realty, None, channel="slack"))
    with_url = alice.post(ADD, form(alpha_realty, None, channel="slack", webhook_url=url))
    listing = alice.get("/admin/alerts/subscription/")

    assert without_url.status_code == 200 and with_url.status_code == 302
    assert "secret-part" not in listing.content.decode()


def test_notifications_are_read_by_those_who_manage_their_subscription(
    alpha_realty: Location, alpha_broker: Any, alpha_agent: Any, beta_broker: Any
) -> None:
    desk, alices, bobs = subscriptions_of_alpha(alpha_realty, alpha_broker, alpha_agent)
    for number, subscription in enumerate((desk, bobs)):
        Notification.objects.create(subscription=subscription, event="hot_lead", location=alpha_realty,
                                    title="Hot lead ready", event_key=f"k{number}", key=f"k{number}")

    def seen_by(user: Any) -> int:
        response = browser(user).get("/admin/alerts/notification/")
        return len(response.context["cl"].result_list) if response.status_code == 200 else 0

    assert (seen_by(alpha_broker), seen_by(alpha_agent), seen_by(beta_broker)) == (2, 1, 0)
