"""The broker's dashboard figures, always within a user's scope.

Every figure is aggregated in PostgreSQL (a handful of queries whatever the number of leads) and every query
names the locations it reads, so the indexes on `location` carry it. Measured by bench/dashboard.py at
100,000 leads and 1,000,000 texts.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from analytics.models import ChurnPrediction, ChurnTier, RevenueForecast
from analytics.selectors import LeadToCall, leads_to_call_first
from bots.config import BotConfig
from bots.llm.models import DailySpend
from bots.models import Draft, DraftStatus
from console.dashboard_filters import DashboardFilters, dashboard_timezone, day_bounds
from leads.access import LocationScope
from leads.models import (
    Contact,
    Conversation,
    Direction,
    LeadStatus,
    Location,
    Message,
    Temperature,
)

CALL_FIRST_SHOWN = 10
# A median over the latest 500 new leads is as telling as one over 5,000, at a tenth of the cost.
REPLY_TIME_SAMPLE = 500
HOT_LEADS_SHOWN = 10
CHURN_RISKS_SHOWN = 10
# Stale figures are still shown while one request recomputes them, for at most this long.
STALE_DASHBOARD_SECONDS = 600
# bots.config's keys of the handoff tags: `handoff_lead_to_buyer` names the tag `Handoff-Lead-to-Buyer`.
HANDOFF_TAG_PREFIX = "handoff_"



class Median(Aggregate):
    """PostgreSQL's exact median of an ordered set (nulls ignored)."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


@dataclass(frozen=True)
class HotLead:
    contact_id: int
    name: str
    location: str
    score: int | None
    temperature: str
    waiting_since: dt.datetime | None


@dataclass(frozen=True)
class ClaudeSpend:
    """What Claude cost over the dashboard's days, from bots.llm's running totals per day."""

    usd: float
    calls: int
    cache_hits: int
    per_day: list[tuple[dt.date, float]]


@dataclass(frozen=True)
class ChurnRisk:
    """An open lead likely to go silent (analytics' critical and high tiers), with why and what to do."""

    contact_id: int
    name: str
    tier: str
    probability: float  # in %
    reasons: str
    action: str


@dataclass(frozen=True)
class ForecastMonth:
    """One month of commission: what the analytics expect, their interval, and what has closed so far."""

    month: dt.date
    expected: float
    low: float
    high: float
    actual: float | None


@dataclass
class Dashboard:
    """What a broker sees on landing in the admin: the leads that came in over the chosen days, in the chosen
    locations (all of theirs by default)."""

    timezone_name: str
    filters: DashboardFilters = field(default_factory=DashboardFilters)
    today: dt.date | None = None
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    # The days as instants, [starts, ends): what the drafts' list is filtered by.
    starts: dt.datetime | None = None
    ends: dt.datetime | None = None
    # The location shown (None: all the user's), and every location of the user for the picker: (id, name).
    location_id: str | None = None
    locations: list[tuple[str, str]] = field(default_factory=list)
    # What of the broker's choice could not be honoured (a location not theirs).
    problems: list[str] = field(default_factory=list)
    leads: int = 0
    opted_out: int = 0
    booked_calls: int = 0
    hot_waiting: int = 0
    handed_off: int = 0
    drafts_waiting: int = 0
    hot_leads: list[HotLead] = field(default_factory=list)
    call_first: list[LeadToCall] = field(default_factory=list)
    median_first_reply: dt.timedelta | None = None
    handoffs: dict[str, int] = field(default_factory=dict)
    funnel: dict[str, int] = field(default_factory=dict)
    temperatures: dict[str, int] = field(default_factory=dict)
    new_per_day: list[tuple[dt.date, int]] = field(default_factory=list)
    # None until the analytics have predicted anything for these locations: the panel stays hidden.
    churn_risks: list[ChurnRisk] | None = None
    forecast: list[ForecastMonth] = field(default_factory=list)
    # None when no Claude call was made (the offline engine answers): the panel stays hidden.
    claude_spend: ClaudeSpend | None = None

    @property
    def opt_out_percent(self) -> float | None:
        return 100 * self.opted_out / self.leads if self.leads else None

    @property
    def median_first_reply_text(self) -> str:
        return spoken_duration(self.median_first_reply)

    @property
    def handoff_total(self) -> int:
        return sum(self.handoffs.values())

    @property
    def this_month(self) -> ForecastMonth | None:
        """The forecast of the current month, when the chosen days reach it."""
        current = self.today.replace(day=1) if self.today else None
        return next((month for month in self.forecast if month.month == current), None)

    @property
    def range_text(self) -> str:
        """"Nov 12 to Nov 18, 2026": the days shown, as the page's heading says them."""
        if self.first_day is None or self.last_day is None:
            return ""
        if self.first_day == self.last_day:
            return f"{self.last_day:%a %b %d, %Y}"
        return f"{self.first_day:%b %d, %Y} to {self.last_day:%b %d, %Y}"

    @property
    def call_first_by_model(self) -> bool:
        return any(lead.scored_by_model for lead in self.call_first)

    @property
    def lead_list_query(self) -> str:
        """The lead list's filters for exactly the leads the tiles count: came in over these days, here."""
        if self.first_day is None or self.last_day is None:
            return ""
        params = {"created_from": self.first_day.isoformat(), "created_to": self.last_day.isoformat()}
        return urlencode({**params, **({"location": self.location_id} if self.location_id else {})})

    @property
    def location_query(self) -> str:
        """The lead list's filter for the leads that need doing now: here, whenever they came in."""
        return urlencode({"location": self.location_id} if self.location_id else {})

    @property
    def drafts_query(self) -> str:
        """The drafts' list filtered as the tile counts: pending, here, whenever written."""
        params = {"status__exact": DraftStatus.PENDING.value}
        return urlencode({**params, **({"location": self.location_id} if self.location_id else {})})

    def charts(self) -> dict[str, Any]:
        """The chart series as plain JSON for the page's script (labels in the broker's words)."""
        return {
            "new_per_day": {
                "labels": [day.strftime("%b %d") for day, _ in self.new_per_day],
                "values": [count for _, count in self.new_per_day],
            },
            "funnel": {
                "labels": [LeadStatus(status).label for status in self.funnel],
                "values": list(self.funnel.values()),
            },
            "temperatures": {
                "labels": [Temperature(t).label if t else "Not rated" for t in self.temperatures],
                "values": list(self.temperatures.values()),
            },
            "handoffs": {"labels": list(self.handoffs), "values": list(self.handoffs.values())},
            **({"forecast": {
                "labels": [month.month.strftime("%b %Y") for month in self.forecast],
                "forecast": [round(month.expected) for month in self.forecast],
                "low": [round(month.low) for month in self.forecast],
                "high": [round(month.high) for month in self.forecast],
                "actual": [None if month.actual is None else round(month.actual) for month in self.forecast],
            }} if self.forecast else {}),
            **({"claude_spend": {
                "labels": [day.strftime("%b %d") for day, _ in self.claude_spend.per_day],
                "values": [round(usd, 2) for _, usd in self.claude_spend.per_day],
            }} if self.claude_spend else {}),
        }


def spoken_duration(duration: dt.timedelta | None) -> str:
    """"42 s", "3 min", "1 h 20 min": how a broker reads a wait."""
    if duration is None:
        return "no replies yet"
    seconds = round(duration.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    hours, minutes = divmod(seconds // 60, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def dashboard_cache_key(scope: LocationScope, filters: DashboardFilters) -> str:
    """One entry per set of locations a user may see and per choice of days and location."""
    choice = repr((filters.range, filters.first_day, filters.last_day, filters.location_id))
    locations = "all" if scope.everything else ",".join(scope.location_ids)
    return f"jorgebot:dashboard:{locations}:{hashlib.sha256(choice.encode()).hexdigest()[:24]}"


def cached_dashboard(scope: LocationScope, filters: DashboardFilters | None = None) -> Dashboard:
    """The dashboard as the admin shows it: recomputed at most every JORGEBOT_DASHBOARD_CACHE_SECONDS per scope
    and choice of days and location.

    Counting a hundred thousand leads costs about 50 ms of a core, and every text a lead sends changes the
    contacts table (so cachalot's copy never lives long under traffic): ten brokers reloading would keep
    both cores busy. When the figures are stale, one request recomputes them while the others are served
    the previous ones, so a refresh never makes everybody wait at once.
    """
    filters = filters or DashboardFilters()
    fresh_for = settings.JORGEBOT_DASHBOARD_CACHE_SECONDS
    if fresh_for <= 0:
        return dashboard(scope, filters)
    key = dashboard_cache_key(scope, filters)
    stored = cache.get(key)
    if stored is not None:
        computed_at, board = stored
        if time.time() - computed_at < fresh_for or not cache.add(f"{key}:refreshing", 1, timeout=fresh_for):
            return board
    board = dashboard(scope, filters)
    cache.set(key, (time.time(), board), timeout=STALE_DASHBOARD_SECONDS)
    cache.delete(f"{key}:refreshing")
    return board


def dashboard(
    scope: LocationScope, filters: DashboardFilters | None = None, now: dt.datetime | None = None
) -> Dashboard:
    """The dashboard's figures in ten queries, whatever the number of leads."""
    filters = filters or DashboardFilters()
    now = now or timezone.now()
    mine = list(scope.filter(Location.objects.order_by("name"), "").values_list("id", "name", "timezone",
                                                                              "bot_settings"))
    shown = [row for row in mine if row[0] == filters.location_id] if filters.location_id else mine
    problems = []
    if not shown and filters.location_id:
        # Another brokerage's location, or none at all: never a hint of which.
        problems.append("That location is not one of yours: showing all your locations.")
        shown = mine
    # Tag names come from every location of the user, as the lead list's filters read them.
    configs = [BotConfig.from_overrides(overrides) for _, _, _, overrides in mine]
    tz = dashboard_timezone([tz_name for _, _, tz_name, _ in shown])
    today = now.astimezone(tz).date()
    first_day, last_day = filters.days(today)
    starts, ends = day_bounds(tz, first_day, last_day)
    board = Dashboard(
        timezone_name=str(tz), filters=filters, today=today, first_day=first_day, last_day=last_day, starts=starts,
        ends=ends, location_id=filters.location_id if shown is not mine else None,
        locations=[(location_id, name) for location_id, name, _, _ in mine], problems=problems,
    )
    location_ids = [location_id for location_id, _, _, _ in shown]
    if not location_ids:
        return board
    # What needs doing now (a lead waiting for a person, the leads to call first, drafts to approve) counts whenever
    # the lead came in: a hot lead waiting since last quarter is the most urgent of all. The other tiles and the
    # charts count the leads that came in over the chosen days.
    current = Contact.objects.filter(location_id__in=location_ids, deleted_at__isnull=True)
    _count_leads(board, current.filter(created_at__gte=starts, created_at__lt=ends), configs, tz, first_day, last_day)
    board.hot_waiting = current.filter(hot_waiting_filter(configs, now)).count()
    _find_hot_leads(board, current, configs, now)
    board.call_first = leads_to_call_first(current, CALL_FIRST_SHOWN)
    board.median_first_reply = median_first_reply(location_ids, starts, ends)
    board.claude_spend = claude_spend(location_ids, first_day, last_day)
    board.churn_risks = churn_risks(location_ids, starts, ends)
    board.forecast = revenue_forecast(location_ids, today, first_day, last_day)
    # Suggest mode: texts the bot holds until a person approves them (the partial index `draft_pending_idx`).
    board.drafts_waiting = Draft.objects.filter(location_id__in=location_ids, status=DraftStatus.PENDING).count()
    return board


def _count_leads(
    board: Dashboard, contacts: QuerySet[Contact], configs: Sequence[BotConfig], tz: dt.tzinfo, first_day: dt.date,
    last_day: dt.date,
) -> None:
    """The tiles' counts and the day, pipeline, temperature and handoff charts in one pass over the leads that
    came in, a row a day (status and temperature as filtered counts): grouped by all three, 90 days of 100,000
    leads made 2,400 groups and PostgreSQL's sort before the grouping compared three keys a lead."""
    tags = handoff_tags(configs)
    handed_off = Q(tags__overlap=list(tags.values())) if tags else Q(pk__in=[])
    temperature_values = [*Temperature.values, ""]
    # The row's keys built at run time (s0, t0, h0...) are not in the row type the Django plugin infers.
    rows = cast("QuerySet[Contact, dict[str, Any]]", (
        contacts.annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(
            leads=Count("*"),
            opted_out=Count("pk", filter=Q(opted_out_at__isnull=False)),
            handed_off=Count("pk", filter=handed_off),
            **{f"s{index}": Count("pk", filter=Q(status=status)) for index, status in enumerate(LeadStatus.values)},
            **{f"t{index}": Count("pk", filter=Q(temperature=value))
               for index, value in enumerate(temperature_values)},
            **{f"h{index}": Count("pk", filter=Q(tags__contains=[tag])) for index, tag in enumerate(tags.values())},
        )
        .order_by()
    ))
    funnel = dict.fromkeys(LeadStatus.values, 0)
    temperatures = dict.fromkeys(temperature_values, 0)
    per_day: dict[dt.date, int] = {}
    handoffs = dict.fromkeys(tags, 0)
    for row in rows:
        per_day[row["day"]] = row["leads"]
        board.leads += row["leads"]
        board.opted_out += row["opted_out"]
        board.handed_off += row["handed_off"]
        for index, status in enumerate(LeadStatus.values):
            funnel[status] += row[f"s{index}"]
        for index, value in enumerate(temperature_values):
            temperatures[value] += row[f"t{index}"]
        for index, direction in enumerate(tags):
            handoffs[direction] += row[f"h{index}"]
    board.funnel = funnel
    board.temperatures = {t: n for t, n in temperatures.items() if n or t}
    board.booked_calls = funnel[LeadStatus.APPOINTMENT]
    board.handoffs = handoffs
    board.new_per_day = [(day, per_day.get(day, 0)) for day in days_between(first_day, last_day)]


def days_between(first_day: dt.date, last_day: dt.date) -> list[dt.date]:
    return [first_day + dt.timedelta(days=offset) for offset in range((last_day - first_day).days + 1)]


def hot_waiting_filter(configs: Sequence[BotConfig], now: dt.datetime) -> Q:
    """Leads a person should call: tagged for a human, or hot while the bot is paused for one."""
    human_tags = sorted({config.tag("human_follow_up") for config in configs})
    asks_for_human = Q(tags__overlap=human_tags)
    hot_and_paused = Q(temperature=Temperature.HOT, bot_paused_until__gt=now)
    return (asks_for_human | hot_and_paused) & Q(opted_out_at__isnull=True) & ~Q(
        status__in=[LeadStatus.WON, LeadStatus.LOST]
    )


def _find_hot_leads(
    board: Dashboard, contacts: QuerySet[Contact], configs: Sequence[BotConfig], now: dt.datetime
) -> None:
    rows = (
        contacts.filter(hot_waiting_filter(configs, now))
        .order_by(F("score").desc(nulls_last=True), "-updated_at")
        .values("pk", "first_name", "last_name", "ghl_id", "location__name", "score", "temperature", "updated_at")[
            :HOT_LEADS_SHOWN
        ]
    )
    board.hot_leads = [
        HotLead(
            contact_id=row["pk"],
            name=f"{row['first_name']} {row['last_name']}".strip() or f"Contact {row['ghl_id']}",
            location=row["location__name"],
            score=row["score"],
            temperature=row["temperature"],
            waiting_since=row["updated_at"],
        )
        for row in rows
    ]


def handoff_tags(configs: Sequence[BotConfig]) -> dict[str, str]:
    """The handoff tags the bots write (`Handoff-Lead-to-Buyer`, ...; names per location), keyed by direction.

    When locations named one direction differently, the first location's name is counted.
    """
    tags: dict[str, str] = {}
    for config in configs:
        for key, tag in config.tags.items():
            if key.startswith(HANDOFF_TAG_PREFIX):
                source, _, target = key.removeprefix(HANDOFF_TAG_PREFIX).partition("_to_")
                tags.setdefault(f"{source.capitalize()} to {target.capitalize()}", tag)
    return tags


def median_first_reply(
    location_ids: Sequence[str], starts: dt.datetime, ends: dt.datetime
) -> dt.timedelta | None:
    """How long a new lead waited for our first text (bot or person): the median over the latest
    `REPLY_TIME_SAMPLE` conversations begun over the chosen days, so its cost does not grow with the install."""
    recent = (
        Conversation.objects.filter(
            contact__location_id__in=location_ids, created_at__gte=starts, created_at__lt=ends
        )
        .order_by("-created_at")
        .values("pk")[:REPLY_TIME_SAMPLE]
    )
    first_inbound = Message.objects.filter(
        conversation=OuterRef("pk"), direction=Direction.INBOUND
    ).order_by("sent_at").values("sent_at")[:1]
    first_reply = Message.objects.filter(
        conversation=OuterRef("pk"), direction=Direction.OUTBOUND, sent_at__gte=OuterRef("first_inbound")
    ).order_by("sent_at").values("sent_at")[:1]
    result = (
        Conversation.objects.filter(pk__in=recent)
        .annotate(first_inbound=Subquery(first_inbound), first_reply=Subquery(first_reply))
        .aggregate(median=Median(F("first_reply") - F("first_inbound"), output_field=DurationField()))
    )
    return result["median"]


def churn_risks(location_ids: Sequence[str], starts: dt.datetime, ends: dt.datetime) -> list[ChurnRisk] | None:
    """The open leads that came in over the chosen days most likely to go silent, critical and high only, most
    likely first (`churn_urgent_idx`)."""
    urgent = (
        ChurnPrediction.objects.filter(
            location_id__in=location_ids, tier__in=[ChurnTier.CRITICAL, ChurnTier.HIGH],
            contact__created_at__gte=starts, contact__created_at__lt=ends, contact__deleted_at__isnull=True,
        )
        .select_related("contact")
        .order_by("-probability")[:CHURN_RISKS_SHOWN]
    )
    risks = [
        ChurnRisk(
            contact_id=prediction.contact_id, name=prediction.contact.display_name, tier=prediction.tier,
            probability=100 * prediction.probability, reasons=", ".join(map(str, prediction.reasons)),
            action=prediction.recommended_action,
        )
        for prediction in urgent
    ]
    if not risks and not ChurnPrediction.objects.filter(location_id__in=location_ids).exists():
        return None
    return risks


def revenue_forecast(
    location_ids: Sequence[str], today: dt.date, first_day: dt.date, last_day: dt.date
) -> list[ForecastMonth]:
    """Commission per month over the locations, for the months the chosen days touch, and the months ahead when
    they reach today.

    Past and current months carry what closed (the actual so far); the interval of several locations is the sum
    of theirs, which is wider than the true combined interval, never narrower.
    """
    current = today.replace(day=1)
    months = RevenueForecast.objects.filter(location_id__in=location_ids, month__gte=first_day.replace(day=1))
    if last_day < today:
        months = months.filter(month__lte=last_day.replace(day=1))
    rows = (
        months.values("month")
        .annotate(expected=Sum("expected"), low=Sum("low"), high=Sum("high"), closed=Sum("closed"))
        .order_by("month")
    )
    return [
        ForecastMonth(
            month=row["month"], expected=float(row["expected"]), low=float(row["low"]), high=float(row["high"]),
            actual=float(row["closed"]) if row["month"] <= current else None,
        )
        for row in rows
    ]


def claude_spend(location_ids: Sequence[str], first_day: dt.date, last_day: dt.date) -> ClaudeSpend | None:
    rows = (
        DailySpend.objects.filter(location_id__in=location_ids, day__gte=first_day, day__lte=last_day)
        .values("day")
        .annotate(usd=Sum("cost_usd"), calls=Sum("calls"), cache_hits=Sum("cache_hits"))
        .order_by()
    )
    by_day = {row["day"]: row for row in rows}
    if not by_day:
        return None
    days = days_between(first_day, last_day)
    return ClaudeSpend(
        usd=float(sum(row["usd"] for row in by_day.values())),
        calls=sum(row["calls"] for row in by_day.values()),
        cache_hits=sum(row["cache_hits"] for row in by_day.values()),
        per_day=[(day, float(by_day[day]["usd"]) if day in by_day else 0.0) for day in days],
    )
