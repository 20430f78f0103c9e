"""The lead list and the lead page: filters a broker works the leads by, bulk actions, the CSV export."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from analytics.models import ChurnTier
from analytics.selectors import score_bands
from audit.models import AuditAction
from audit.selectors import entries_of_lead
from audit.services import record_action, record_lead_actions
from bots import localtime
from bots.compliance import last_text_decision
from bots.config import BotConfig
from bots.models import ComplianceEvent
from console import broker_actions, dashboard, dashboard_filters, local_time, selectors
from console.admin.base import ActionForm, CappedCountPaginator, LocationScopedAdmin, ScopedLocationFilter
from console.audit_trail import admin_actor
from leads.access import scope_of
from leads.models import (
    Contact,
    Location,
    OutboxStatus,
)

if TYPE_CHECKING:
    from django.contrib.admin.filters import _ListFilterChoices

PHONE_CHARACTERS = set("0123456789+()-. ")
# Leads rescored by one click: the scoring reads their features synchronously, a few milliseconds each.
RESCORE_AT_ONCE = 500
REREAD_AT_ONCE = 1000


class ScoreBandFilter(admin.SimpleListFilter):
    """Leads by score band, each location's own (its bot settings' `hot_lead_score` and `warm_lead_score`)."""

    title = "score"
    parameter_name = "score_band"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("hot", "Hot"), ("warm", "Warm"), ("cold", "Cold"), ("none", "Not scored")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        band = self.value()
        if band == "none":
            return queryset.filter(score__isnull=True)
        if band not in ("hot", "warm", "cold"):
            return queryset
        mine = scope_of(request.user).filter(Location.objects.all(), "").values_list("pk", flat=True)
        by_bands: dict[tuple[int, int], list[str]] = {}
        for location_id, bands in score_bands(list(mine)).items():
            by_bands.setdefault(bands, []).append(location_id)
        chosen = Q(pk__in=[])
        for (hot, warm), location_ids in by_bands.items():
            scores = {"hot": Q(score__gte=hot), "warm": Q(score__gte=warm, score__lt=hot), "cold": Q(score__lt=warm)}
            chosen |= Q(location_id__in=location_ids) & scores[band]
        return queryset.filter(chosen)


class LastReplyFilter(admin.SimpleListFilter):
    """When the lead last texted us."""

    title = "last reply from the lead"
    parameter_name = "last_reply"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("1", "Today"), ("7", "Past 7 days"), ("30", "Past 30 days"), ("older", "Over 30 days ago"),
                ("never", "Never")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value, now = self.value(), timezone.now()
        if value in ("1", "7", "30"):
            since = now - dt.timedelta(days=int(value)) if value != "1" else timezone.localtime(now).replace(
                hour=0, minute=0, second=0, microsecond=0
            )
            return queryset.filter(conversation__last_inbound_at__gte=since)
        if value == "older":
            return queryset.filter(conversation__last_inbound_at__lt=now - dt.timedelta(days=30))
        if value == "never":
            return queryset.filter(Q(conversation__isnull=True) | Q(conversation__last_inbound_at__isnull=True))
        return queryset


class NeedsHumanFilter(admin.SimpleListFilter):
    """The dashboard's "waiting for a human": tagged for a person, or hot while the bot is paused."""

    title = "waiting for a human"
    parameter_name = "waiting"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Waiting for a human")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() != "yes":
            return queryset
        locations = scope_of(request.user).filter(Location.objects.all(), "").values_list("bot_settings", flat=True)
        configs = [BotConfig.from_overrides(overrides) for overrides in locations]
        return queryset.filter(dashboard.hot_waiting_filter(configs, timezone.now()))


class CameInFilter(admin.ListFilter):
    """The dashboard's days: leads that came in from `created_from` to `created_to` (dates, both included), days
    starting at midnight where the dashboard starts them (dashboard_filters.dashboard_timezone), so a tile and the list
    it opens count the same leads. Shown only when set: the dashboard's tiles set it."""

    title = "came in"
    parameters = ("created_from", "created_to")

    def __init__(self, request: HttpRequest, params: dict[str, Any], model: Any, model_admin: Any) -> None:
        super().__init__(request, params, model, model_admin)
        self.chosen = {name: params.pop(name)[-1] for name in self.parameters if name in params}

    def has_output(self) -> bool:
        return bool(self.chosen)

    def expected_parameters(self) -> list[str | None]:
        return list(self.parameters)

    def choices(self, changelist: ChangeList) -> Iterator[dict[str, Any]]:
        yield {"selected": False, "query_string": changelist.get_query_string(remove=self.parameters),
               "display": "Any time"}
        yield {"selected": True, "query_string": changelist.get_query_string(),
               "display": f"{self.chosen.get('created_from', '…')} to {self.chosen.get('created_to', '…')}"}

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        try:
            first_day = dt.date.fromisoformat(self.chosen.get("created_from", "2000-01-01"))
            last_day = dt.date.fromisoformat(self.chosen.get("created_to", "2099-12-31"))
            # The dashboard's time zone: the chosen location's (if it is the user's), else all of theirs.
            mine = list(scope_of(request.user).filter(Location.objects.all(), "").values_list("id", "timezone"))
            shown = [zone for location_id, zone in mine if location_id == request.GET.get("location")]
            starts, ends = dashboard_filters.day_bounds(
                dashboard_filters.dashboard_timezone(shown or [zone for _, zone in mine]), first_day, last_day
            )
        except (ValueError, OverflowError) as exc:
            raise IncorrectLookupParameters(exc) from exc
        return queryset.filter(created_at__gte=starts, created_at__lt=ends)


class HandoffFilter(admin.SimpleListFilter):
    """The dashboard's "handed between bots": a handoff tag of any direction."""

    title = "handed between bots"
    parameter_name = "handoff"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Handed between bots")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() != "yes":
            return queryset
        locations = scope_of(request.user).filter(Location.objects.all(), "").values_list("bot_settings", flat=True)
        tags = dashboard.handoff_tags([BotConfig.from_overrides(overrides) for overrides in locations])
        return queryset.filter(tags__overlap=list(tags.values())) if tags else queryset.none()


class ChurnTierFilter(admin.SimpleListFilter):
    """The analytics' "going cold" tier, from tonight's prediction."""

    title = "going cold"
    parameter_name = "churn"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(ChurnTier.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(churn_prediction__tier=self.value()) if self.value() else queryset


class DeletedFilter(admin.SimpleListFilter):
    """Leads deleted in GHL, or erased on request, are out of the list unless asked for: nobody works them, and an
    erased one is an empty row kept as the record that it was erased."""

    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Deleted in GHL or erased")]

    def choices(self, changelist: ChangeList) -> Iterator[_ListFilterChoices]:
        for choice in super().choices(changelist):
            if choice["display"] == "All":
                choice["display"] = "Current leads"
            yield choice

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(deleted_at__isnull=self.value() != "yes")


class LeadChangeList(ChangeList):
    """The lead list, reading only the columns its cells show for the rows it shows."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        # The page's rows only, counted above without the page's joins: actions, "select all" and CSV export read
        # the leads again, whole, through get_queryset.
        self.result_list = selectors.lead_list_page(self.result_list)


@admin.register(Contact)
class ContactAdmin(LocationScopedAdmin):
    """The lead list and the lead's page: transcript, what the bot learned, and what we wrote to GHL."""

    list_display = ("display_name", "location", "active_bot", "temperature", "score", "status", "last_reply",
                    "bot_state")
    list_display_links = ("display_name",)
    list_filter = ("active_bot", "temperature", ScoreBandFilter, "status", ScopedLocationFilter, LastReplyFilter,
                   NeedsHumanFilter, ChurnTierFilter, DeletedFilter, HandoffFilter, CameInFilter)
    search_fields = ("first_name", "last_name", "email", "phone")
    search_help_text = "Name, email or phone (any format: 909 555 0101 finds +19095550101)"
    ordering = ("-updated_at",)
    list_per_page = 50
    paginator = CappedCountPaginator
    action_form = ActionForm
    # The count of every lead in the location is a second COUNT(*) on each page; the filtered count is enough.
    show_full_result_count = False
    # Counts beside every filter choice would aggregate all the location's leads on each page view.
    show_facets = admin.ShowFacets.NEVER
    actions = ("pause_bot", "resume_bot", "hand_to_human", "hand_back_to_bot", "rescore", "reread_with_claude",
               "retry_parked_turns", "export_csv", "export_and_erase")
    members_may_add = False  # leads come from GHL
    members_may_delete = False
    change_form_template = "admin/leads/contact/change_form.html"
    change_list_template = "admin/leads/contact/change_list.html"
    fieldsets = (
        ("Lead", {"fields": ("display_name", "phone", "email", "location", "source", "timezone", "lead_clock")}),
        ("Qualification", {"fields": ("status", "temperature", "score", "active_bot", "tags")}),
        ("Bot", {"fields": ("bot_paused_until", "opted_out_at", "dnd_sms", "last_text")}),
        ("GHL", {"classes": ("collapse",), "fields": ("ghl_id", "custom_fields", "synced_at", "created_at")}),
    )
    readonly_fields = ("display_name", "phone", "email", "location", "source", "timezone", "temperature", "score",
                       "active_bot", "tags", "opted_out_at", "dnd_sms", "ghl_id", "custom_fields", "synced_at",
                       "created_at", "last_text", "lead_clock")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Contact]:
        return selectors.lead_list(self.scope(request))

    def get_list_display(self, request: HttpRequest) -> tuple[str, ...]:
        # The location column only tells something to people who work in more than one.
        scope = self.scope(request)
        if scope.everything or len(scope.location_ids) > 1:
            return tuple(self.list_display)
        return tuple(column for column in self.list_display if column != "location")

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return LeadChangeList

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Contact], search_term: str
    ) -> tuple[QuerySet[Contact], bool]:
        digits = "".join(ch for ch in search_term if ch.isdigit())
        if len(digits) >= 7 and set(search_term) <= PHONE_CHARACTERS:
            # A phone number, typed any way: GHL stores E.164, so match on the trailing digits.
            return queryset.filter(phone__endswith=digits[-10:]), False
        return super().get_search_results(request, queryset, search_term)

    def save_model(self, request: HttpRequest, obj: Contact, form: forms.ModelForm, change: bool) -> None:
        if not change:
            return super().save_model(request, obj, form, change)
        # Only what the form changed (the status): a webhook's tags or name committed meanwhile stay.
        obj.save(update_fields=[*form.changed_data, "updated_at"])

    @admin.display(description="lead", ordering="last_name")
    def display_name(self, contact: Contact) -> str:
        return contact.display_name

    @admin.display(description="last reply", ordering="conversation__last_inbound_at", empty_value="never")
    def last_reply(self, contact: selectors.ListedLead) -> str | None:
        # The list's rows carry the last reply as a plain value (selectors.lead_list_page).
        return last_reply_text(contact.last_inbound_at, timezone.get_current_timezone())

    @admin.display(description="last text")
    def last_text(self, contact: Contact) -> str:
        """Why the lead's latest text was sent, is waiting, or was stopped: the compliance gate's own words (a text
        held for quiet hours says when it goes in the lead's time; the reader's is added)."""
        decision = last_text_decision(contact)
        if decision is None:
            return "No text yet."
        if decision.status == OutboxStatus.DEFERRED and decision.send_after is not None:
            yours = local_time.moment_text(decision.send_after, timezone.get_current_timezone())
            return f"{decision} ({yours} your time)"
        return str(decision)

    @admin.display(description="the lead's time")
    def lead_clock(self, contact: Contact) -> str:
        """The lead's clock now, and where its zone comes from: quiet hours and the bot's texts go by it."""
        locale = localtime.locale_of(contact, contact.location)
        now = local_time.moment_text(timezone.now(), locale.zone)
        return f"{now} ({locale.zone.key}, from the {locale.zone_source})"

    @admin.display(description="bot")
    def bot_state(self, contact: Contact) -> str:
        return bot_state_text(contact, timezone.now(), timezone.get_current_timezone())

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not self.scope(request).is_broker_anywhere:
            actions.pop("export_csv", None)
            actions.pop("export_and_erase", None)
            actions.pop("reread_with_claude", None)  # it spends the brokerage's Claude budget
        return actions

    @admin.action(description="Pause the bot for the selected leads")
    def pause_bot(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        paused = broker_actions.pause_bot(queryset, by=admin_actor(request))
        self.message_user(request, f"Bot paused for {paused} lead(s) until you resume it.", messages.SUCCESS)

    @admin.action(description="Resume the bot for the selected leads")
    def resume_bot(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        resumed = broker_actions.resume_bot(queryset, by=admin_actor(request))
        self.message_user(request, f"Bot resumed for {resumed} lead(s) (a lead tagged AI-Off needs handing back).",
                          messages.SUCCESS)

    @admin.action(description="Hand the selected leads to a human")
    def hand_to_human(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        handed = broker_actions.hand_to_human(queryset.select_related("location"), by=admin_actor(request))
        self.message_user(
            request, f"{handed} lead(s) tagged for a human; the bot stays off for them.", messages.SUCCESS
        )

    @admin.action(description="Rescore the selected leads now")
    def rescore(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        """The nightly scoring and churn prediction, run now for these leads (open leads without an override)."""
        from analytics import services as analytics

        chosen = list(queryset.order_by().values_list("pk", flat=True)[:RESCORE_AT_ONCE])
        scored = analytics.rescore_open_leads(contact_ids=chosen)
        analytics.predict_churn(contact_ids=chosen)
        record_lead_actions(admin_actor(request), AuditAction.RESCORED,
                            Contact.objects.filter(pk__in=chosen).only("pk", "location_id"))
        self.message_user(request, f"Rescored {scored.leads} open lead(s) ({scored.contacts_updated} changed); "
                                   "closed, opted-out and hand-scored leads keep their score.", messages.SUCCESS)

    @admin.action(description="Answer again the selected leads' texts whose turn was parked")
    def retry_parked_turns(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        retried = broker_actions.retry_parked_turns(queryset, by=admin_actor(request))
        self.message_user(request, f"The bot answers {retried} parked conversation(s) again; the others had "
                                   "nothing parked.", messages.SUCCESS)

    @admin.action(description="Have Claude re-read the selected leads' conversations now")
    def reread_with_claude(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        """Claude reads each lead's texts again, many at once within the shared concurrency limit, and fills in
        the answers the bot could not read (as the nightly re-reading does, now and at full price)."""
        from bots.llm.jobs import conversations_to_reread_now
        from bots.llm.tasks import reread_conversations

        chosen = self.scope(request).filter_for_brokers(queryset).order_by().values_list("pk", flat=True)
        conversation_ids = conversations_to_reread_now(chosen[:REREAD_AT_ONCE])
        job = reread_conversations(conversation_ids) if conversation_ids else None
        reading = job.items.count() if job is not None else 0
        if not reading:
            self.message_user(request, "Nothing to re-read: Claude is off for these leads' locations (no "
                                       "ANTHROPIC_API_KEY, too many recent failures, or the day's spend limit "
                                       "reached), or they have not texted.", messages.WARNING)
            return
        record_lead_actions(admin_actor(request), AuditAction.REREAD,
                            Contact.objects.filter(conversation__pk__in=conversation_ids).only("pk", "location_id"))
        self.message_user(request, f"Claude is re-reading {reading} conversation(s); what it finds "
                                   "fills in the bot's answers and GHL's fields (Claude › bulk jobs).",
                          messages.SUCCESS)

    @admin.action(description="Export the selected leads as CSV")
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Contact]) -> StreamingHttpResponse:
        rows = self.scope(request).filter_for_brokers(queryset).order_by("pk")
        # One entry per location (an export of thousands of leads is one thing a person did).
        for location_id, count in rows.order_by().values_list("location_id").annotate(count=Count("pk")):
            record_action(admin_actor(request), AuditAction.EXPORTED, location_id=location_id,
                          summary=f"{count} lead(s) as CSV")
        response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="leads-{timezone.localdate():%Y-%m-%d}.csv"'
        return response

    @admin.action(description="Hand the selected leads back to the bot")
    def hand_back_to_bot(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        handed = broker_actions.hand_back_to_bot(queryset, by=admin_actor(request))
        self.message_user(request, f"{handed} lead(s) handed back: AI-Off and Human-Follow-Up-Needed removed, "
                                   "follow-ups resumed. Opted-out leads stay silent.", messages.SUCCESS)

    @admin.action(description="Delete the selected lead's data on request (downloads a copy first)")
    def export_and_erase(self, request: HttpRequest, queryset: QuerySet[Contact]) -> HttpResponse | None:
        """A lead's CCPA deletion request: the JSON copy is the broker's record of what was erased."""
        contacts = list(self.scope(request).filter_for_brokers(queryset)[:2])
        if len(contacts) != 1:
            self.message_user(request, "Select exactly one lead of a location you run.", messages.ERROR)
            return None
        contact = contacts[0]
        exported = broker_actions.export_and_erase(contact, by=admin_actor(request))
        response = HttpResponse(exported, content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="lead-{contact.pk}-erased.json"'
        return response

    # -- one lead's page --

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("<int:contact_id>/pause/", view(self.pause_one), name="leads_contact_pause"),
            path("<int:contact_id>/resume/", view(self.resume_one), name="leads_contact_resume"),
            path("<int:contact_id>/hand-to-human/", view(self.hand_one), name="leads_contact_hand_to_human"),
            *super().get_urls(),
        ]

    def _one(self, request: HttpRequest, contact_id: int) -> QuerySet[Contact]:
        contact = get_object_or_404(self.get_queryset(request), pk=contact_id)
        if request.method != "POST" or not self.has_change_permission(request, contact):
            raise PermissionDenied
        return Contact.objects.filter(pk=contact.pk)

    def _back(self, contact_id: int) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:leads_contact_change", args=[contact_id]))

    def pause_one(self, request: HttpRequest, contact_id: int) -> HttpResponse:
        self.pause_bot(request, self._one(request, contact_id))
        return self._back(contact_id)

    def resume_one(self, request: HttpRequest, contact_id: int) -> HttpResponse:
        self.resume_bot(request, self._one(request, contact_id))
        return self._back(contact_id)

    def hand_one(self, request: HttpRequest, contact_id: int) -> HttpResponse:
        self.hand_to_human(request, self._one(request, contact_id))
        return self._back(contact_id)

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], add: bool = False, change: bool = False,
        form_url: str = "", obj: Contact | None = None,
    ) -> HttpResponse:
        if obj is not None:
            state = selectors.bot_state(obj)
            context.update(
                # Times on the page are the reader's (console.local_time); where the lead's clock matters (texts,
                # follow-ups, quiet hours, a booked call) the lead's is shown beside them.
                lead_zone=localtime.locale_of(obj, obj.location).zone,
                transcript=selectors.transcript(obj),
                qualification=selectors.qualification(state),
                booking=selectors.call_booking(state),
                outbox=selectors.outbox_of(obj),
                followups=selectors.planned_follow_ups(obj),
                audit_entries=entries_of_lead(obj),
                scores=selectors.score_history(obj),
                churn=selectors.churn_of(obj),
                bot_paused=bool(obj.bot_paused_until and obj.bot_paused_until > timezone.now()),
                # The inbound screen's log (bots.models.ComplianceEvent): the brokerage's record, for its brokers.
                compliance=(ComplianceEvent.of_lead(obj) if self.scope(request).is_broker_of(obj.location_id)
                            else None),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)


def last_reply_text(last_inbound_at: dt.datetime | None, zone: dt.tzinfo) -> str | None:
    """When the lead last texted, as the lead list shows it (None: never)."""
    # Written with strftime: Django's localized date format costs half a millisecond a row.
    return None if last_inbound_at is None else f"{last_inbound_at.astimezone(zone):%b %d, %H:%M %Z}"


def bot_state_text(contact: Contact, now: dt.datetime, zone: dt.tzinfo) -> str:
    """Whether the bot answers this lead, as the lead list shows it."""
    if contact.opted_out_at:
        return "opted out"
    if contact.bot_paused_until and contact.bot_paused_until > now:
        if broker_actions.is_paused_until_resumed(contact.bot_paused_until):
            return "paused"
        return f"paused until {contact.bot_paused_until.astimezone(zone):%b %d %H:%M %Z}"
    return "on"


EXPORT_COLUMNS = ("id", "ghl_id", "location", "first_name", "last_name", "phone", "email", "source", "status",
                  "temperature", "score", "active_bot", "tags", "opted_out_at", "created_at")


def _csv_lines(contacts: QuerySet[Contact]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        line = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return line

    writer.writerow(EXPORT_COLUMNS)
    yield flush()
    for contact in contacts.iterator(chunk_size=2000):
        writer.writerow([spreadsheet_safe(cell) for cell in (
            contact.pk, contact.ghl_id, contact.location.name, contact.first_name, contact.last_name, contact.phone,
            contact.email, contact.source, contact.status, contact.temperature, contact.score, contact.active_bot,
            ";".join(contact.tags), contact.opted_out_at.isoformat() if contact.opted_out_at else "",
            contact.created_at.isoformat(),
        )])
        yield flush()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PHONE_NUMBER = re.compile(r"\+?[0-9]+")


def spreadsheet_safe(cell: object) -> object:
    """A text cell a spreadsheet would run as a formula (a lead's name from a web form: `=HYPERLINK(...)`) starts
    with a quote instead (OWASP's CSV injection advice); a phone number in E.164 stays as it is."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) and not PHONE_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell
