"""The admin's front page: the figures of the leads that came in over the chosen days in the broker's locations,
the charts, the leads to call first, and the lead lists its tiles open."""
from __future__ import annotations

import datetime as dt
import html
import json
import re
from typing import Any

import pytest
from cachalot.api import cachalot_disabled
from django.urls import reverse
from django.utils import timezone

from console import dashboard
from console.dashboard_filters import DashboardFilters
from leads.access import scope_of
from leads.models import Contact, Location, LocationMembership
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


NINETY_DAYS = DashboardFilters(range="90d")


def test_the_dashboard_counts_what_a_broker_asks_for(alpha_broker: Any, alpha_book: dict[str, Contact]) -> None:
    board = dashboard.dashboard(scope_of(alpha_broker), NINETY_DAYS, now=NOW)

    assert board.timezone_name == "America/Chicago"
    assert (board.first_day, board.last_day) == (dt.date(2026, 8, 21), dt.date(2026, 11, 18))
    assert board.leads == 6
    assert board.hot_waiting == 2
    assert [hot.name for hot in board.hot_leads] == ["Pia", "Hal"]
    assert board.median_first_reply == dt.timedelta(minutes=2)
    assert board.opted_out == 1 and board.opt_out_percent == pytest.approx(100 / 6)
    assert board.booked_calls == 1
    assert board.handoffs["Lead to Seller"] == 1 and board.handoffs["Buyer to Seller"] == 1 and board.handoff_total == 2
    assert board.handed_off == 2
    assert board.funnel == {"new": 2, "contacted": 1, "qualified": 0, "appointment": 1, "under_contract": 0,
                            "won": 1, "lost": 1}
    assert board.temperatures == {"hot": 2, "warm": 2, "cold": 1, "": 1}
    assert len(board.new_per_day) == 90 and board.new_per_day[-1] == (dt.date(2026, 11, 18), 1)
    assert sum(count for _, count in board.new_per_day) == 6


@pytest.mark.parametrize(("asked", "first_day", "utc_hour", "leads"), [
    ({"range": "today"}, dt.date(2026, 11, 18), 6, 1),  # Chicago's midnight in standard time
    ({"range": "7d"}, dt.date(2026, 11, 12), 6, 2),  # today's and Monday's
    ({}, dt.date(2026, 10, 20), 5, 3),  # the default, 30 days (from a day in summer time): and last week's
    ({"range": "custom", "from": "2026-10-01", "to": "2026-11-16"}, dt.date(2026, 10, 1), 5, 5),
])
def test_the_days_start_at_midnight_where_the_brokerage_is(
    alpha_broker: Any, alpha_book: dict[str, Contact], asked: dict[str, str], first_day: dt.date, utc_hour: int,
    leads: int,
) -> None:
    board = dashboard.dashboard(scope_of(alpha_broker), DashboardFilters.from_query(asked), now=NOW)

    assert board.first_day == first_day and board.leads == leads
    assert board.starts == dt.datetime(first_day.year, first_day.month, first_day.day, utc_hour, tzinfo=dt.UTC)


def test_what_needs_doing_now_shows_whenever_the_lead_came_in(
    admin_as: AdminAs, alpha_broker: Any, alpha_book: dict[str, Contact]
) -> None:
    # given the hot leads waiting for a person from the book, none of whom came in today
    everything = dashboard.dashboard(scope_of(alpha_broker), NINETY_DAYS, now=NOW)
    today = dashboard.dashboard(scope_of(alpha_broker), DashboardFilters(range="today"), now=NOW)

    # then today's view still counts and lists every one of them, and calls the same leads first
    assert today.leads < everything.leads
    assert today.hot_waiting == everything.hot_waiting == 2
    assert [hot.name for hot in today.hot_leads] == ["Pia", "Hal"]
    assert [lead.contact_id for lead in today.call_first] == [lead.contact_id for lead in everything.call_first]
    # and the tile opens all of them, not only today's
    page = admin_as(alpha_broker).get("/admin/", {"range": "today"}).content.decode()
    link = page.split('id="tile-hot-waiting"')[0].rsplit("<a ", 1)[1]
    assert "waiting=yes" in link and "created_from" not in link


def test_a_broker_of_another_location_counts_only_theirs(beta_broker: Any, alpha_book: dict[str, Contact]) -> None:
    board = dashboard.dashboard(scope_of(beta_broker), now=NOW)

    assert board.leads == 1 and board.hot_waiting == 1
    assert board.median_first_reply == dt.timedelta(minutes=50)


def test_someone_with_no_location_sees_empty_figures(db: None, alpha_book: dict[str, Contact]) -> None:
    from django.contrib.auth import get_user_model

    stranger = get_user_model().objects.create_user(username="dave", is_staff=True)

    board = dashboard.dashboard(scope_of(stranger), now=NOW)

    assert board.leads == 0 and board.hot_leads == [] and board.median_first_reply is None


def test_the_dashboard_page_carries_every_chart_and_the_leads_to_call(
    admin_as: AdminAs, alpha_broker: Any, alpha_book: dict[str, Contact]
) -> None:
    page = admin_as(alpha_broker).get("/admin/", {"range": "90d"}).content.decode()

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
        # session, user, memberships; the figures: locations, the counts by day, status and temperature, the
        # waiting count and list (whenever the lead came in), call these first, reply time, Claude's spend, drafts
        # waiting, going cold (list, then whether any prediction exists), forecast; no Django permissions: a member
        # holds none (console.auth)
        with django_assert_num_queries(14):
            browser.get("/admin/")
        # within JORGEBOT_DASHBOARD_CACHE_SECONDS the figures come from the cache: session, user, memberships
        with django_assert_num_queries(3):
            browser.get("/admin/")
        # another choice of days and location is computed afresh, in as many queries, however many leads came in
        location = alpha_book["monday"].location
        for number in range(40):
            created(lead(location, f"more{number}", score=number, tags=["Human-Follow-Up-Needed"]),
                    NOW - dt.timedelta(days=number))
        with django_assert_num_queries(14):
            browser.get("/admin/", {"range": "custom", "from": "2026-09-01", "to": "2026-11-30",
                                    "location": location.pk})


def test_claude_spend_shows_once_claude_was_used(
    admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location, beta_homes: Location
) -> None:
    from decimal import Decimal

    from bots.llm.models import DailySpend

    assert dashboard.dashboard(scope_of(alpha_broker), now=NOW).claude_spend is None
    DailySpend.objects.create(location=alpha_realty, day=dt.date(2026, 11, 17), cost_usd=Decimal("1.25"), calls=300,
                              cache_hits=120)
    DailySpend.objects.create(location=alpha_realty, day=dt.date(2026, 11, 18), cost_usd=Decimal("0.75"), calls=200)
    DailySpend.objects.create(location=beta_homes, day=dt.date(2026, 11, 18), cost_usd=Decimal("9"), calls=900)

    spend = dashboard.dashboard(scope_of(alpha_broker), now=NOW).claude_spend

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

    assert dashboard.dashboard(scope_of(alpha_broker), now=NOW).churn_risks is None
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

    board = dashboard.dashboard(scope_of(alpha_broker), now=NOW)

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
    first = dashboard.cached_dashboard(scope)
    lead(alpha_book["monday"].location, "arrived-since")
    clock = [timezone.now().timestamp() + 3600]
    monkeypatch.setattr(dashboard.time, "time", lambda: clock[0])
    from django.core.cache import cache

    key = dashboard.dashboard_cache_key(scope, DashboardFilters())
    cache.add(f"{key}:refreshing", 1)  # another request is recomputing right now
    assert dashboard.cached_dashboard(scope).leads == first.leads

    cache.delete(f"{key}:refreshing")
    assert dashboard.cached_dashboard(scope).leads == first.leads + 1


def test_the_dashboard_builds_the_admins_app_list_once(
    admin_as: AdminAs, alpha_broker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from console.site import BrokerAdminSite

    built: list[str | None] = []
    build = BrokerAdminSite._build_app_dict

    def counted(site: BrokerAdminSite, request: Any, label: str | None = None) -> dict[str, Any]:
        built.append(label)
        return build(site, request, label)

    monkeypatch.setattr(BrokerAdminSite, "_build_app_dict", counted)
    page = admin_as(alpha_broker).get("/admin/").content.decode()

    assert built == [None], "Django's index and its sidebar share one list"
    assert 'href="/admin/leads/contact/"' in page


# -- the days and the location, from the address ---------------------------------------------------------------


@pytest.fixture
def broker_of_both(alpha_broker: Any, beta_homes: Location) -> Any:
    """Alice, who also runs Beta Homes (Los Angeles, where alpha is in Chicago): "all my locations" counts UTC days."""
    LocationMembership.objects.create(user=alpha_broker, location=beta_homes, role="broker")
    return alpha_broker


@pytest.fixture
def at_now(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    """The pages read the clock themselves: the book's "now" is theirs."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


def page_of(response: Any) -> str:
    assert response.status_code == 200, response.content[:500]
    return str(response.content.decode())


def warnings_on(page: str) -> list[str]:
    return [html.unescape(text) for text in re.findall(r'<li class="warning">(.*?)</li>', page, re.S)]


def test_the_chosen_days_and_location_are_the_pages_address(
    admin_as: AdminAs, broker_of_both: Any, alpha_book: dict[str, Contact], beta_homes: Location, at_now: dt.datetime
) -> None:
    browser = admin_as(broker_of_both)

    everything = page_of(browser.get("/admin/", {"range": "90d"}))
    beta_only = page_of(browser.get("/admin/", {"range": "7d", "location": beta_homes.pk}))

    # the picker offers her two locations and "all", and keeps what the address chose
    picker = re.search(r'<select name="location".*?</select>', everything, re.S)
    assert picker is not None
    alpha_id = alpha_book["monday"].location_id
    assert re.findall(r'<option value="(\w*)"', picker[0]) == ["", beta_homes.pk, alpha_id]  # by name
    assert '<option value="" selected' not in picker[0] and "All my locations" in picker[0]
    assert f'<option value="{beta_homes.pk}" selected>Beta Homes</option>' in beta_only
    assert '<option value="7d" selected>Past 7 days</option>' in beta_only
    assert re.search(r'id="tile-new-leads">\s*<span class="jb-figure">7</span>', everything)
    assert re.search(r'id="tile-new-leads">\s*<span class="jb-figure">1</span>', beta_only)
    assert "America/Los_Angeles days" in beta_only and "UTC days" in everything
    assert warnings_on(everything) == [] and warnings_on(beta_only) == []
    # and the tiles carry the choice on to the lead list (Los Angeles' days: its noon is 20:00 UTC)
    assert (f'href="/admin/leads/contact/?created_from=2026-11-12&amp;created_to=2026-11-18&amp;location='
            f'{beta_homes.pk}"') in beta_only
    assert 'href="/admin/leads/contact/?created_from=2026-08-21&amp;created_to=2026-11-18"' in everything


@pytest.mark.parametrize(("asked", "said"), [
    ({"range": "custom", "from": "2026-11-18", "to": "2026-11-01"},
     "The start date (Nov 18, 2026) is after the end date (Nov 01, 2026): showing the past 30 days."),
    ({"range": "custom", "from": "banana", "to": "2026-11-01"},
     "The start date “banana” is not a date (year-month-day): showing the past 30 days."),
    ({"from": "2026-11-01"}, "A custom range needs an end date: showing the past 30 days."),
    ({"range": "custom", "from": "0001-01-01", "to": "9999-12-31"},
     "The start date 0001-01-01 is out of range (years 2000 to 2099): showing the past 30 days."),
    ({"range": "custom", "from": "2024-01-01", "to": "2026-11-01"},
     "A date range covers 366 days at most: showing the past 30 days."),
    ({"range": "forever"}, "There is no date range called “forever”: showing the past 30 days."),
    ({"range": "<script>"}, "There is no date range called “<script>”: showing the past 30 days."),
])
def test_days_that_cannot_be_shown_are_said_and_the_default_shown(
    admin_as: AdminAs, alpha_broker: Any, alpha_book: dict[str, Contact], asked: dict[str, str], said: str,
    at_now: dt.datetime,
) -> None:
    page = page_of(admin_as(alpha_broker).get("/admin/", asked))

    assert warnings_on(page) == [said]
    assert "<script>”" not in page
    default = dashboard.dashboard(scope_of(alpha_broker), DashboardFilters())
    assert f"{default.range_text} (America/Chicago days)" in page
    assert '<option value="30d" selected>' in page


def test_a_broker_asking_for_another_brokerages_location_sees_only_her_own(
    admin_as: AdminAs, alpha_broker: Any, alpha_book: dict[str, Contact], beta_homes: Location, at_now: dt.datetime,
) -> None:
    page = page_of(admin_as(alpha_broker).get("/admin/", {"range": "90d", "location": beta_homes.pk}))

    assert warnings_on(page) == ["That location is not one of yours: showing all your locations."]
    assert re.search(r'id="tile-new-leads">\s*<span class="jb-figure">6</span>', page)
    assert "Beta Homes" not in page and beta_homes.pk not in page
    board = dashboard.dashboard(scope_of(alpha_broker), DashboardFilters(range="90d", location_id=beta_homes.pk))
    assert board.location_id is None and board.leads == 6


@pytest.mark.parametrize("location", ["Jb\x00Realty", "x" * 65, "' OR 1=1 --"])
def test_a_location_that_is_nobodys_is_said_and_all_hers_shown(
    admin_as: AdminAs, alpha_broker: Any, alpha_book: dict[str, Contact], location: str, at_now: dt.datetime
) -> None:
    page = page_of(admin_as(alpha_broker).get("/admin/", {"range": "90d", "location": location}))

    assert warnings_on(page) == ["That location is not one of yours: showing all your locations."]
    assert re.search(r'id="tile-new-leads">\s*<span class="jb-figure">6</span>', page)


def test_each_choice_of_days_and_location_is_cached_apart(
    alpha_broker: Any, alpha_book: dict[str, Contact], at_now: dt.datetime
) -> None:
    scope = scope_of(alpha_broker)
    alpha = alpha_book["monday"].location_id
    keys = {dashboard.dashboard_cache_key(scope, filters) for filters in (
        DashboardFilters(), DashboardFilters(range="7d"), DashboardFilters(range="7d", location_id=alpha),
        DashboardFilters("custom", dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
        DashboardFilters("custom", dt.date(2026, 1, 1), dt.date(2026, 2, 1)),
    )}

    assert len(keys) == 5
    assert dashboard.cached_dashboard(scope, DashboardFilters(range="90d")).leads == 6
    assert dashboard.cached_dashboard(scope, DashboardFilters(range="today")).leads == 1


# -- every tile opens the list of the leads it counts -----------------------------------------------------------


TILE = re.compile(r'<a class="jb-tile[^"]*" href="(?P<href>[^"]+)" id="(?P<id>tile-[\w-]+)">\s*'
                  r'<span class="jb-figure">(?P<figure>[^<]*)</span>\s*<span class="jb-label">(?P<label>[^<]*)</span>')


def tiles(page: str) -> dict[str, tuple[str, int]]:
    """Each linked tile's address and the number of leads (or drafts) it counts."""
    found = {}
    for tile in TILE.finditer(page):
        counted = re.match(r"opted out \((\d+) of", tile["label"])
        found[tile["id"]] = (html.unescape(tile["href"]), int(counted[1] if counted else tile["figure"]))
    return found


@pytest.mark.parametrize("asked", [{"range": "today"}, {"range": "7d"}, {"range": "90d"},
                                   {"range": "custom", "from": "2026-10-19", "to": "2026-11-17"}])
@pytest.mark.parametrize("where", ["all", "alpha", "beta"])
def test_a_tile_counts_exactly_the_leads_its_list_shows(
    admin_as: AdminAs, broker_of_both: Any, alpha_book: dict[str, Contact], beta_homes: Location,
    asked: dict[str, str], where: str, at_now: dt.datetime,
) -> None:
    from bots.models import Draft

    alpha = alpha_book["monday"].location
    # leads at the edges of the days: the first minutes after midnight in Chicago, and just before it
    for name, at in (("after-midnight", dt.datetime(2026, 11, 12, 6, 5, tzinfo=dt.UTC)),
                     ("before-midnight", dt.datetime(2026, 11, 12, 5, 55, tzinfo=dt.UTC)),
                     ("la-evening", dt.datetime(2026, 11, 18, 7, 30, tzinfo=dt.UTC))):
        created(lead(alpha if name != "la-evening" else beta_homes, name, status="appointment",
                     opted_out_at=NOW, tags=["Handoff-Lead-to-Buyer"]), at)
    for number, days_ago in enumerate((0, 3, 20, 200)):
        Draft.objects.create(location=alpha, contact=alpha_book["new_today"], bot="seller", body="Hi",
                             idempotency_key=f"draft:{number}", created_at=NOW - dt.timedelta(days=days_ago))
    location = {"all": {}, "alpha": {"location": alpha.pk}, "beta": {"location": beta_homes.pk}}[where]
    browser = admin_as(broker_of_both)

    shown = tiles(page_of(browser.get("/admin/", {**asked, **location})))

    expected = {"tile-new-leads", "tile-hot-waiting", "tile-booked", "tile-handoffs", "tile-opt-out"}
    assert expected | ({"tile-drafts"} if where != "beta" else set()) <= set(shown)
    counted_something = False
    for tile, (href, count) in shown.items():
        response = browser.get(href)
        assert response.status_code == 200, (tile, href)
        assert response.context["cl"].result_count == count, (tile, href)
        counted_something = counted_something or count > 0
    assert counted_something


# -- call these first ---------------------------------------------------------------------------------------------


def test_call_these_first_orders_open_leads_by_the_trained_models_chance(
    admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location, beta_homes: Location,
) -> None:
    from analytics.models import LeadScore, ScoreSource
    from analytics.services import rescore_open_leads, retrain_models
    from tests.analytics.seeding import NOW as SCORED_AT
    from tests.analytics.seeding import seed_leads, synthetic_leads

    seed_leads(alpha_realty, synthetic_leads(560, seed=1), prefix="Closed")
    open_leads = seed_leads(alpha_realty, synthetic_leads(30, seed=2, status="contacted"), prefix="Open")
    retrain_models(now=SCORED_AT)
    rescore_open_leads(now=SCORED_AT)
    newest = {score.contact_id: score for score in LeadScore.objects.filter(contact__in=open_leads)}
    assert {score.source for score in newest.values()} == {ScoreSource.MODEL}
    by_chance = sorted(open_leads, key=lambda contact: (-newest[contact.pk].probability, -contact.pk))
    # the three likeliest leave the list: one opted out, one deleted in GHL, one closed
    gone = by_chance[:3]
    Contact.objects.filter(pk=gone[0].pk).update(opted_out_at=SCORED_AT)
    Contact.objects.filter(pk=gone[1].pk).update(deleted_at=SCORED_AT)
    Contact.objects.filter(pk=gone[2].pk).update(status="won")
    # the likeliest that stays keeps a low score in the list's column: the chance decides, not the column
    Contact.objects.filter(pk=by_chance[3].pk).update(score=1)
    # and another brokerage's certain lead never shows
    beta_lead = created(lead(beta_homes, "beta-sure", score=99), SCORED_AT - dt.timedelta(days=2))
    LeadScore.objects.create(contact=beta_lead, score=99, probability=0.99, source=ScoreSource.MODEL,
                             reasons=["asked for a call"])

    board = dashboard.dashboard(scope_of(alpha_broker), DashboardFilters(range="90d"), now=SCORED_AT)

    expected = by_chance[3:13]
    assert [lead.contact_id for lead in board.call_first] == [contact.pk for contact in expected]
    assert all(lead.scored_by_model for lead in board.call_first) and board.call_first_by_model
    first = board.call_first[0]
    assert first.probability == newest[expected[0].pk].probability
    assert first.reasons == newest[expected[0].pk].reasons and first.reasons
    probabilities = [lead.probability or 0 for lead in board.call_first]
    assert probabilities == sorted(probabilities, reverse=True)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: SCORED_AT)
        page = page_of(admin_as(alpha_broker).get("/admin/", {"range": "90d"}))
    assert 'id="call-first"' in page and 'id="call-first-prior"' not in page
    assert f"{round(100 * first.probability)} %" in page
    assert html.escape(", ".join(first.reasons)) in page
    assert "beta-sure" not in page and "asked for a call" not in page


def test_without_a_trained_model_call_these_first_says_it_orders_by_the_priors_score(
    admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location, monkeypatch: pytest.MonkeyPatch
) -> None:
    from analytics.models import LeadScore, ScoreSource
    from analytics.services import rescore_open_leads
    from tests.analytics.seeding import NOW as SCORED_AT
    from tests.analytics.seeding import seed_leads, synthetic_leads

    open_leads = seed_leads(alpha_realty, synthetic_leads(14, seed=5, status="contacted"), prefix="Open")
    rescore_open_leads(now=SCORED_AT)
    scores = {score.contact_id: score for score in LeadScore.objects.filter(contact__in=open_leads)}
    assert {score.source for score in scores.values()} == {ScoreSource.PRIOR}
    assert len({score.score for score in scores.values()}) > 3, "the prior tells these leads apart"

    board = dashboard.dashboard(scope_of(alpha_broker), DashboardFilters(range="90d"), now=SCORED_AT)

    assert len(board.call_first) == 10 and not board.call_first_by_model
    assert all(lead.probability is None and lead.source == ScoreSource.PRIOR for lead in board.call_first)
    listed_scores = [lead.score for lead in board.call_first]
    assert listed_scores == sorted((scores[pk].score for pk in scores), reverse=True)[:10]
    assert board.call_first[0].reasons == scores[board.call_first[0].contact_id].reasons
    monkeypatch.setattr(timezone, "now", lambda: SCORED_AT)
    page = page_of(admin_as(alpha_broker).get("/admin/", {"range": "90d"}))
    assert 'id="call-first-prior"' in page and "ordered by the prior's score" in page
    assert page.count("prior only") == 10


def test_the_lead_lists_came_in_filter_refuses_dates_it_cannot_read(
    admin_as: AdminAs, alpha_broker: Any, alpha_book: dict[str, Contact]
) -> None:
    browser = admin_as(alpha_broker)

    for unreadable in ({"created_from": "banana"}, {"created_to": "2026-13-45"}, {"created_to": "9999-12-31"}):
        response = browser.get("/admin/leads/contact/", unreadable)
        assert response.status_code == 302 and response["Location"].endswith("?e=1"), unreadable
    listed = browser.get("/admin/leads/contact/", {"created_from": "2026-11-16", "created_to": "2026-11-18"})
    assert {contact.pk for contact in listed.context["cl"].result_list} == {
        alpha_book["new_today"].pk, alpha_book["monday"].pk}
