"""The admin's lead list: the broker's filters, search in any phone format, and the bulk actions."""
from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
import redis
from cachalot.api import cachalot_disabled
from django.conf import settings
from django.utils import timezone

from bots.llm.models import JobMode, LLMJob
from console.admin.base import CappedCountPaginator
from console.admin.leads import ContactAdmin
from console.broker_actions import PAUSED_UNTIL_RESUMED
from leads.models import Contact, Conversation, Location, LocationMembership, Message, OutboxMessage
from tests.admin.conftest import AdminAs, lead
from tests.fakes.anthropic import FakeAnthropic

LIST = "/admin/leads/contact/"


def listed(response: Any) -> set[int]:
    assert response.status_code == 200, response.content[:500]
    return {contact.pk for contact in response.context["cl"].result_list}


@pytest.fixture
def book(alpha_realty: Location) -> dict[str, Contact]:
    now = timezone.now()
    leads = {
        "hot_seller": lead(alpha_realty, "hot", first_name="Hana", last_name="Hot", temperature="hot", score=91,
                           status="qualified", active_bot="seller", phone="+19095550101", email="hana@example.com"),
        "warm_buyer": lead(alpha_realty, "warm", first_name="Walt", last_name="Warm", temperature="warm", score=55,
                           active_bot="buyer", phone="+19095550102"),
        "unscored": lead(alpha_realty, "quiet", first_name="Quinn", last_name="Quiet",
                         tags=["Human-Follow-Up-Needed"]),
    }
    Conversation.objects.create(contact=leads["hot_seller"], last_inbound_at=now - dt.timedelta(minutes=5))
    Conversation.objects.create(contact=leads["warm_buyer"], last_inbound_at=now - dt.timedelta(days=12))
    return leads


def test_an_agent_lists_the_leads_of_their_location_only(
    admin_as: AdminAs, alpha_agent: Any, book: dict[str, Contact], beta_lead: Contact
) -> None:
    assert listed(admin_as(alpha_agent).get(LIST)) == {contact.pk for contact in book.values()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"active_bot__exact": "buyer"}, {"warm_buyer"}),
        ({"temperature__exact": "hot"}, {"hot_seller"}),
        ({"score_band": "hot"}, {"hot_seller"}),
        ({"score_band": "warm"}, {"warm_buyer"}),
        ({"score_band": "none"}, {"unscored"}),
        ({"status__exact": "qualified"}, {"hot_seller"}),
        ({"last_reply": "1"}, {"hot_seller"}),
        ({"last_reply": "30"}, {"hot_seller", "warm_buyer"}),
        ({"last_reply": "never"}, {"unscored"}),
        ({"waiting": "yes"}, {"unscored"}),
        ({"q": "walt"}, {"warm_buyer"}),
        ({"q": "hana@example.com"}, {"hot_seller"}),
        ({"q": "(909) 555-0101"}, {"hot_seller"}),
        ({"q": "909.555.0102"}, {"warm_buyer"}),
        ({"q": "+1 909 555 0102"}, {"warm_buyer"}),
    ],
)
def test_the_list_filters_and_searches_as_brokers_do(
    admin_as: AdminAs, alpha_agent: Any, book: dict[str, Contact], query: dict[str, str], expected: set[str]
) -> None:
    assert listed(admin_as(alpha_agent).get(LIST, query)) == {book[name].pk for name in expected}


def test_the_location_filter_offers_only_the_users_locations(
    admin_as: AdminAs, alpha_broker: Any, beta_homes: Location, book: dict[str, Contact]
) -> None:
    from leads.models import LocationMembership

    LocationMembership.objects.create(user=alpha_broker, location=beta_homes, role="agent")
    response = admin_as(alpha_broker).get(LIST)

    page = response.content.decode()
    assert "?location=" + beta_homes.pk in page
    assert listed(admin_as(alpha_broker).get(LIST, {"location": beta_homes.pk})) == set()


def test_pausing_and_resuming_the_bot_from_the_list(
    admin_as: AdminAs, alpha_agent: Any, book: dict[str, Contact]
) -> None:
    browser = admin_as(alpha_agent)
    chosen = [book["hot_seller"].pk, book["warm_buyer"].pk]

    browser.post(LIST, {"action": "pause_bot", "_selected_action": chosen})
    paused = Contact.objects.filter(bot_paused_until=PAUSED_UNTIL_RESUMED).values_list("pk", flat=True)
    assert set(paused) == set(chosen)
    page = browser.get(LIST).content.decode()
    assert page.count(">paused<") == 2

    browser.post(LIST, {"action": "resume_bot", "_selected_action": chosen})
    assert not Contact.objects.filter(bot_paused_until__isnull=False).exists()


def test_an_action_cannot_reach_a_lead_of_another_location(
    admin_as: AdminAs, alpha_agent: Any, book: dict[str, Contact], beta_lead: Contact
) -> None:
    admin_as(alpha_agent).post(LIST, {"action": "pause_bot", "_selected_action": [beta_lead.pk]})

    beta_lead.refresh_from_db()
    assert beta_lead.bot_paused_until is None


def test_handing_leads_to_a_human_tags_them_through_the_outbox(
    admin_as: AdminAs, alpha_agent: Any, book: dict[str, Contact], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        admin_as(alpha_agent).post(
            LIST, {"action": "hand_to_human", "_selected_action": [book["hot_seller"].pk, book["warm_buyer"].pk]}
        )

    rows = OutboxMessage.objects.filter(kind="add_tags").order_by("contact_id")
    assert [row.contact_id for row in rows] == sorted([book["hot_seller"].pk, book["warm_buyer"].pk])
    assert all(row.tags == ["AI-Off", "Human-Follow-Up-Needed"] for row in rows)
    assert redis.Redis.from_url(settings.CELERY_BROKER_URL).llen("bots") == 2


def test_a_broker_exports_the_selected_leads_as_csv_without_secrets(
    admin_as: AdminAs, alpha_broker: Any, book: dict[str, Contact]
) -> None:
    response = admin_as(alpha_broker).post(
        LIST, {"action": "export_csv", "_selected_action": [book["hot_seller"].pk, book["warm_buyer"].pk]}
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["first_name"] for row in rows] == ["Hana", "Walt"]
    assert rows[0]["phone"] == "+19095550101" and rows[0]["location"] == "Jorgebot Realty"
    assert "alpha-token" not in str(rows)


def test_an_agent_is_not_offered_the_export(admin_as: AdminAs, alpha_agent: Any, book: dict[str, Contact]) -> None:
    browser = admin_as(alpha_agent)

    assert 'value="export_csv"' not in browser.get(LIST).content.decode()
    response = browser.post(LIST, {"action": "export_csv", "_selected_action": [book["hot_seller"].pk]})
    assert response.get("Content-Type", "").startswith("text/html")


def test_the_list_costs_the_same_queries_for_three_leads_or_forty(
    admin_as: AdminAs, alpha_agent: Any, alpha_realty: Location, django_assert_num_queries: Any
) -> None:
    browser = admin_as(alpha_agent)
    for n in range(3):
        Conversation.objects.create(contact=lead(alpha_realty, f"few{n}"))

    def queries_for_the_page() -> int:
        with cachalot_disabled(), django_assert_num_queries(5) as captured:
            browser.get(LIST)
        return len(captured)

    few = queries_for_the_page()
    for n in range(37):
        Conversation.objects.create(contact=lead(alpha_realty, f"many{n}"))
    # session, user, memberships, capped count, the page of leads with location and conversation (a member holds no
    # Django permissions to look up: console.auth); one location needs no location filter, nor its name
    assert queries_for_the_page() == few


def test_a_broker_of_two_locations_sees_each_leads_location_at_no_cost_per_lead(
    admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location, beta_homes: Location,
    django_assert_num_queries: Any,
) -> None:
    # given a broker of both locations, so the list has its location column
    LocationMembership.objects.create(user=alpha_broker, location=beta_homes, role="broker")
    browser = admin_as(alpha_broker)

    def add_leads(prefix: str, count: int) -> None:
        for n in range(count):
            Conversation.objects.create(contact=lead(beta_homes if n % 2 else alpha_realty, f"{prefix}{n}"))

    def queries_for_the_page() -> int:
        # an agent's seven and the location filter's choices: the page reads only the columns its cells show,
        # and no cell reaches for one it did not read
        with cachalot_disabled(), django_assert_num_queries(6) as captured:
            page = browser.get(LIST).content.decode()
        assert '<td class="field-location nowrap">Beta Homes</td>' in page
        return len(captured)

    # when the list grows from three leads to forty
    add_leads("few", 3)
    few = queries_for_the_page()
    add_leads("many", 37)

    # then it costs the same queries
    assert queries_for_the_page() == few


def test_past_the_cap_the_list_says_so_instead_of_counting(
    admin_as: AdminAs, alpha_agent: Any, alpha_realty: Location, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(CappedCountPaginator, "cap", 3)
    for n in range(5):
        lead(alpha_realty, f"capped{n}")

    page = admin_as(alpha_agent).get(LIST).content.decode()

    assert "3+ contacts" in page


def test_a_list_past_the_cap_is_not_counted_again_on_its_next_views(
    admin_as: AdminAs, alpha_agent: Any, alpha_realty: Location, monkeypatch: pytest.MonkeyPatch,
    django_assert_num_queries: Any,
) -> None:
    # given a list past the cap, two leads a page, seen once
    monkeypatch.setattr(CappedCountPaginator, "cap", 3)
    monkeypatch.setattr(ContactAdmin, "list_per_page", 2)
    for n in range(5):
        lead(alpha_realty, f"capped{n}", temperature="hot" if n < 2 else "cold")
    browser = admin_as(alpha_agent)
    with cachalot_disabled():
        browser.get(LIST)

        # when it is viewed again, sorted another way or paged, then it is not counted again
        for again in ({}, {"o": "5"}, {"p": "2"}):
            with django_assert_num_queries(4):
                assert "3+ contacts" in browser.get(LIST, again).content.decode()

        # and a filtered list under the cap is still counted exactly
        with django_assert_num_queries(5):
            assert "2 contacts" in browser.get(LIST, {"temperature__exact": "hot"}).content.decode()


def test_the_fast_rows_read_exactly_like_djangos_own(
    admin_as: AdminAs, owner: Any, book: dict[str, Contact], beta_lead: Contact
) -> None:
    import re

    from django.contrib.admin.templatetags.admin_list import results

    from console.templatetags.lead_list import lead_results

    cl = admin_as(owner).get(LIST, {"o": "-5"}).context["cl"]

    def text(rows: list[str]) -> list[str]:
        return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]

    def links(rows: list[str]) -> list[list[str]]:
        return [re.findall(r'href="([^"]+)"', row) for row in rows]

    django_rows = ["".join(row) for row in results(cl)]
    fast_rows = re.findall(r"<tr>(.*?)</tr>", lead_results(cl)["rows"])
    assert len(fast_rows) == 4
    assert text(fast_rows) == text(django_rows)
    assert links(fast_rows) == links(django_rows)


def test_the_fast_filters_read_exactly_like_djangos_own(
    admin_as: AdminAs, owner: Any, book: dict[str, Contact], beta_lead: Contact
) -> None:
    import re

    from django.contrib.admin.templatetags.admin_list import admin_list_filter

    from console.templatetags.lead_list import lead_filters

    cl = admin_as(owner).get(LIST, {"temperature__exact": "hot", "q": "a&b"}).context["cl"]

    def markup(html: str) -> str:
        return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()

    djangos = "".join(admin_list_filter(cl, spec) for spec in cl.filter_specs)
    assert 'class="selected"' in djangos and "q=a%26b" in djangos
    assert markup(lead_filters(cl)) == markup(djangos)


@pytest.mark.parametrize("data", [None, {"action": "hand_to_human"}])
def test_the_action_menu_reads_exactly_like_djangos_own(data: dict[str, str] | None) -> None:
    from django.contrib.admin import helpers

    from console.admin.base import ActionForm

    choices = [("", "---------"), ("pause_bot", "Pause the bot"), ("hand_to_human", 'Hand to a "human" & <stop>')]
    ours, djangos = ActionForm(data, auto_id=None), helpers.ActionForm(data, auto_id=None)
    for form in (ours, djangos):
        form.fields["action"].choices = choices

    assert [str(field) for field in ours] == [str(field) for field in djangos]
    assert [field.label for field in ours] == [field.label for field in djangos]


def test_the_going_cold_filter_and_the_rescore_action_use_the_analytics(
    admin_as: AdminAs, alpha_broker: Any, book: dict[str, Contact]
) -> None:
    from analytics.models import ChurnPrediction, LeadScore

    ChurnPrediction.objects.create(contact=book["warm_buyer"], location=book["warm_buyer"].location, probability=0.9,
                                   tier="critical", horizon_days=14, reasons=["silent 12 days"],
                                   recommended_action="Call today")
    browser = admin_as(alpha_broker)

    assert listed(browser.get(LIST, {"churn": "critical"})) == {book["warm_buyer"].pk}
    response = browser.post(LIST, {"action": "rescore", "_selected_action": [book["unscored"].pk]}, follow=True)

    assert "Rescored 1 open lead(s)" in response.content.decode()
    assert LeadScore.objects.filter(contact=book["unscored"]).exists()
    assert ChurnPrediction.objects.filter(contact=book["unscored"]).exists()


@pytest.mark.parametrize("has_apps", [True, False])
def test_the_fast_sidebar_reads_exactly_like_djangos_own(
    admin_as: AdminAs, alpha_broker: Any, book: dict[str, Contact], has_apps: bool
) -> None:
    import re

    from django.template import Context
    from django.template.loader import get_template

    from console.templatetags.nav_sidebar import nav_sidebar

    response = admin_as(alpha_broker).get(LIST)
    context = {"available_apps": response.context["available_apps"] if has_apps else [],
               "request": response.wsgi_request}

    def markup(html: str) -> str:
        return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()

    djangos = get_template("admin/nav_sidebar.html").render(context)
    assert ('aria-current="page"' in djangos) == has_apps
    assert markup(nav_sidebar(Context(context))) == markup(djangos)


def test_a_broker_has_claude_reread_her_leads_conversations_now(
    admin_as: AdminAs, alpha_broker: Any, book: dict[str, Contact], fake_anthropic: FakeAnthropic, settings: Any
) -> None:
    # given two leads who texted and one who never did
    for name in ("hot_seller", "warm_buyer"):
        Message.objects.create(conversation=book[name].conversation, direction="inbound", sender="lead",
                               body="ya so we gotta move, place is kinda a fixer")
    selected = [book["hot_seller"].pk, book["warm_buyer"].pk, book["unscored"].pk]
    browser = admin_as(alpha_broker)

    # when she has Claude re-read them
    response = browser.post(LIST, {"action": "reread_with_claude", "_selected_action": selected}, follow=True)

    # then one fan-out job reads the two conversations with texts
    assert "Claude is re-reading 2 conversation(s)" in response.content.decode()
    job = LLMJob.objects.get()
    assert job.mode == JobMode.FAN_OUT
    assert set(job.items.values_list("conversation__contact", flat=True)) == {book["hot_seller"].pk,
                                                                              book["warm_buyer"].pk}

    # and with Claude off nothing is made, and she is told why
    settings.ANTHROPIC_API_KEY = ""
    response = browser.post(LIST, {"action": "reread_with_claude", "_selected_action": selected}, follow=True)
    assert "Claude is off" in response.content.decode()
    assert LLMJob.objects.count() == 1


def test_an_agent_cannot_spend_the_brokerages_claude_budget(
    admin_as: AdminAs, alpha_agent: Any, book: dict[str, Contact], fake_anthropic: FakeAnthropic
) -> None:
    response = admin_as(alpha_agent).get(LIST)

    actions = [name for name, _ in response.context["action_form"].fields["action"].choices]
    assert "rescore" in actions and "reread_with_claude" not in actions


def test_leads_deleted_in_ghl_or_erased_are_listed_only_when_asked_for(
    admin_as: AdminAs, alpha_broker: Any, book: dict[str, Contact]
) -> None:
    # given one lead deleted in GHL
    Contact.objects.filter(pk=book["unscored"].pk).update(deleted_at=timezone.now())
    browser = admin_as(alpha_broker)

    # then the list and its count leave it out, and the deleted filter shows it alone
    response = browser.get(LIST)
    assert listed(response) == {book["hot_seller"].pk, book["warm_buyer"].pk}
    assert "2 contacts" in response.content.decode() and "Current leads" in response.content.decode()
    assert listed(browser.get(LIST, {"deleted": "yes"})) == {book["unscored"].pk}
