"""The admin's front page: the day's figures for the broker's locations, the charts, and the leads to call."""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from cachalot.api import cachalot_disabled
from django.urls import reverse
from django.utils import timezone

from leads import selectors
from leads.access import scope_of
from leads.models import Contact, Location
from tests.admin.conftest import AdminAs, lead, thread

# A Wednesday afternoon in Chicago (alpha's time zone): Monday the 16th starts the week.
NOW = dt.datetime(2026, 11, 18, 20, 0, tzinfo=dt.UTC)


def created(contact: Contact, at: dt.datetime) -> Contact:
    Contact.objects.filter(pk=contact.pk).update(created_at=at)
    return contact


@pytest.fixture
def alpha_book(alpha_realty: Location, beta_homes: Location) -> dict[str, Contact]:
    """Alpha's leads, one for each figure the dashboard shows, and a beta lead that must never be counted."""
    book = {
        "new_today": created(lead(alpha_realty, "today", temperature="warm"), NOW - dt.timedelta(hours=1)),
        "monday": created(lead(alpha_realty, "monday", status="contacted"),
                          dt.datetime(2026, 11, 16, 15, tzinfo=dt.UTC)),
        "last_week": created(lead(alpha_realty, "lastweek", temperature="cold", status="lost",
                                  opted_out_at=NOW - dt.timedelta(days=9), tags=["TCPA-Opt-Out"]),
                             NOW - dt.timedelta(days=10)),
        "asks_for_human": created(lead(alpha_realty, "human", first_name="Hal", temperature="warm", score=70,
                                       tags=["Human-Follow-Up-Needed", "Handoff-Lead-to-Seller"]),
                                  NOW - dt.timedelta(days=30)),
        "hot_paused": created(lead(alpha_realty, "paused", first_name="Pia", temperature="hot", score=95,
                                   bot_paused_until=NOW + dt.timedelta(hours=5), status="appointment",
                                   tags=["Handoff-Buyer-to-Seller"]), NOW - dt.timedelta(days=30)),
        "hot_but_won": created(lead(alpha_realty, "won", temperature="hot", status="won",
                                    tags=["Human-Follow-Up-Needed"]), NOW - dt.timedelta(days=30)),
        "beta": created(lead(beta_homes, "beta", temperature="hot", tags=["Human-Follow-Up-Needed"]),
                        NOW - dt.timedelta(hours=1)),
    }
    minutes = dt.timedelta(minutes=1)
    thread(book["new_today"], ("lead", "Hi", NOW - 90 * minutes), ("bot", "Hello", NOW - 89 * minutes))
    two_days = 2 * 1440 * minutes
    thread(book["monday"], ("lead", "Hi", NOW - two_days), ("bot", "Hi", NOW - two_days + 3 * minutes))
    thread(book["beta"], ("lead", "Hi", NOW - 60 * minutes), ("bot", "Hi", NOW - 10 * minutes))
    return book


def test_the_dashboard_counts_what_a_broker_asks_for(alpha_broker: Any, alpha_book: dict[str, Contact]) -> None:
    board = selectors.dashboard(scope_of(alpha_broker), now=NOW)

    assert board.timezone_name == "America/Chicago"
    assert board.leads == 6
    assert board.new_today == 1
    assert board.new_this_week == 2
    assert board.hot_waiting == 2
    assert [hot.name for hot in board.hot_leads] == ["Pia", "Hal"]
    assert board.median_first_reply == dt.timedelta(minutes=2)
    assert board.opted_out == 1 and board.opt_out_percent == pytest.approx(100 / 6)
    assert board.booked_calls == 1
    assert board.handoffs["Lead to Seller"] == 1 and board.handoffs["Buyer to Seller"] == 1 and board.handoff_total == 2
    assert board.funnel == {"new": 2, "contacted": 1, "qualified": 0, "appointment": 1, "under_contract": 0,
                            "won": 1, "lost": 1}
    assert board.temperatures == {"hot": 2, "warm": 2, "cold": 1, "": 1}
    assert len(board.new_per_day) == 14 and board.new_per_day[-1] == (dt.date(2026, 11, 18), 1)


def test_a_broker_of_another_location_counts_only_theirs(beta_broker: Any, alpha_book: dict[str, Contact]) -> None:
    board = selectors.dashboard(scope_of(beta_broker), now=NOW)

    assert board.leads == 1 and board.hot_waiting == 1
    assert board.median_first_reply == dt.timedelta(minutes=50)


def test_someone_with_no_location_sees_empty_figures(db: None, alpha_book: dict[str, Contact]) -> None:
    from django.contrib.auth import get_user_model

    stranger = get_user_model().objects.create_user(username="dave", is_staff=True)

    board = selectors.dashboard(scope_of(stranger), now=NOW)

    assert board.leads == 0 and board.hot_leads == [] and board.median_first_reply is None


def test_the_dashboard_page_carries_every_chart_and_the_leads_to_call(
    admin_as: AdminAs, alpha_broker: Any, alpha_book: dict[str, Contact]
) -> None:
    page = admin_as(alpha_broker).get("/admin/").content.decode()

    charts = json.loads(re.search(r'<script id="dashboard-charts" type="application/json">(.*?)</script>',
                                  page, re.S).group(1))  # type: ignore[union-attr]
    assert set(charts) == {"new_per_day", "funnel", "temperatures", "handoffs"}
    assert set(re.findall(r'data-series="(\w+)"', page)) == set(charts)
    assert charts["funnel"]["labels"][3] == "Appointment booked"
    assert "chart.umd.min.js" in page and "dashboard.js" in page
    assert 'id="tile-hot-waiting"' in page and "Hal" in page
    hal = alpha_book["asks_for_human"]
    assert f'<a href="{reverse("admin:leads_contact_change", args=[hal.pk])}">Hal</a>' in page
    assert "Bruno" not in page and "Beta Homes" not in page


def test_the_dashboard_page_costs_a_fixed_number_of_queries(
    admin_as: AdminAs, alpha_broker: Any, alpha_book: dict[str, Contact], django_assert_num_queries: Any
) -> None:
    browser = admin_as(alpha_broker)

    # Without cachalot: what the database sees while texts keep arriving and invalidating it.
    with cachalot_disabled():
        # session, user, memberships; the figures: locations, funnel, new per day, waiting (count and
        # list), handoffs, reply time, Claude's spend, drafts waiting, going cold (list, then whether any
        # prediction exists), forecast; no Django permissions: a member holds none (leads.auth)
        with django_assert_num_queries(15):
            browser.get("/admin/")
        # within JORGEBOT_DASHBOARD_CACHE_SECONDS the figures come from the cache: session, user, memberships
        with django_assert_num_queries(3):
            browser.get("/admin/")


def test_claude_spend_shows_once_claude_was_used(
    admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location, beta_homes: Location
) -> None:
    from decimal import Decimal

    from bots.llm.models import DailySpend

    assert selectors.dashboard(scope_of(alpha_broker), now=NOW).claude_spend is None
    DailySpend.objects.create(location=alpha_realty, day=dt.date(2026, 11, 17), cost_usd=Decimal("1.25"), calls=300,
                              cache_hits=120)
    DailySpend.objects.create(location=alpha_realty, day=dt.date(2026, 11, 18), cost_usd=Decimal("0.75"), calls=200)
    DailySpend.objects.create(location=beta_homes, day=dt.date(2026, 11, 18), cost_usd=Decimal("9"), calls=900)

    spend = selectors.dashboard(scope_of(alpha_broker), now=NOW).claude_spend

    assert spend is not None
    assert (spend.usd, spend.calls, spend.cache_hits) == (2.0, 500, 120)
    assert spend.per_day[-2:] == [(dt.date(2026, 11, 17), 1.25), (dt.date(2026, 11, 18), 0.75)]
    page = admin_as(alpha_broker).get("/admin/").content.decode()
    assert 'id="tile-claude"' in page and 'data-series="claude_spend"' in page


def test_the_analytics_show_who_is_going_cold_and_the_commission_forecast(
    admin_as: AdminAs, alpha_broker: Any, alpha_book: dict[str, Contact], beta_homes: Location
) -> None:
    from decimal import Decimal

    from analytics.models import ChurnPrediction, RevenueForecast

    assert selectors.dashboard(scope_of(alpha_broker), now=NOW).churn_risks is None
    for name, probability, tier in (("new_today", 0.91, "critical"), ("monday", 0.62, "high"),
                                    ("asks_for_human", 0.2, "low")):
        ChurnPrediction.objects.create(contact=alpha_book[name], location=alpha_book[name].location,
                                       probability=probability, tier=tier, horizon_days=14,
                                       reasons=["silent 9 days"], recommended_action="Call today")
    ChurnPrediction.objects.create(contact=alpha_book["beta"], location=beta_homes, probability=0.99,
                                   tier="critical", horizon_days=14, reasons=[], recommended_action="Call")
    money = {"interval_level": 0.8, "commit": 0, "best_case": 0, "pipeline": 0, "method": "pipeline",
             "history_months": 6}
    location = alpha_book["monday"].location
    RevenueForecast.objects.create(location=location, month=dt.date(2026, 10, 1), expected=Decimal(40000),
                                   low=Decimal(30000), high=Decimal(50000), closed=Decimal(38000), **money)
    RevenueForecast.objects.create(location=location, month=dt.date(2026, 11, 1), expected=Decimal(45000),
                                   low=Decimal(35000), high=Decimal(60000), closed=Decimal(12000), **money)
    RevenueForecast.objects.create(location=location, month=dt.date(2026, 12, 1), expected=Decimal(50000),
                                   low=Decimal(30000), high=Decimal(70000), closed=Decimal(0), **money)

    board = selectors.dashboard(scope_of(alpha_broker), now=NOW)

    assert board.churn_risks is not None
    assert [(risk.contact_id, risk.tier, round(risk.probability)) for risk in board.churn_risks] == [
        (alpha_book["new_today"].pk, "critical", 91), (alpha_book["monday"].pk, "high", 62)]
    assert [(m.month.month, m.expected, m.actual) for m in board.forecast] == [
        (10, 40000.0, 38000.0), (11, 45000.0, 12000.0), (12, 50000.0, None)]
    assert board.this_month is not None and board.this_month.month == dt.date(2026, 11, 1)
    assert board.charts()["forecast"]["actual"] == [38000, 12000, None]


def test_stale_figures_are_served_while_one_request_recomputes_them(
    alpha_broker: Any, alpha_book: dict[str, Contact], monkeypatch: pytest.MonkeyPatch
) -> None:
    scope = scope_of(alpha_broker)
    first = selectors.cached_dashboard(scope)
    lead(alpha_book["monday"].location, "arrived-since")
    clock = [timezone.now().timestamp() + 3600]
    monkeypatch.setattr(selectors.time, "time", lambda: clock[0])
    from django.core.cache import cache

    key = "jorgebot:dashboard:" + ",".join(scope.location_ids)
    cache.add(f"{key}:refreshing", 1)  # another request is recomputing right now
    assert selectors.cached_dashboard(scope).leads == first.leads

    cache.delete(f"{key}:refreshing")
    assert selectors.cached_dashboard(scope).leads == first.leads + 1


def test_the_dashboard_builds_the_admins_app_list_once(
    admin_as: AdminAs, alpha_broker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leads.admin_site import BrokerAdminSite

    built: list[str | None] = []
    build = BrokerAdminSite._build_app_dict

    def counted(site: BrokerAdminSite, request: Any, label: str | None = None) -> dict[str, Any]:
        built.append(label)
        return build(site, request, label)

    monkeypatch.setattr(BrokerAdminSite, "_build_app_dict", counted)
    page = admin_as(alpha_broker).get("/admin/").content.decode()

    assert built == [None], "Django's index and its sidebar share one list"
    assert 'href="/admin/leads/contact/"' in page
