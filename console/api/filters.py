"""Filters of the list endpoints, named as a broker would ask: status, temperature, score band, last reply."""
from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters as filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django_filters.fields import IsoDateTimeField

from analytics.models import ChurnPrediction, ChurnTier, LeadScore, RevenueForecast, ScoreSource
from bots.models import Draft, DraftStatus
from leads.models import BotKind, Contact, Conversation, Direction, LeadStatus, Message, Property, Sender, Temperature


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, turned to UTC: ISO allows offsets up to ±23:59, PostgreSQL refuses those past ±15:59 (a 500
    the schema fuzz found)."""

    def to_python(self, value: Any) -> dt.datetime | None:
        when = super().to_python(value)
        if when is None:
            return None
        try:
            return when.astimezone(dt.UTC)
        except OverflowError as exc:
            raise ValidationError("Enter a time within years 1 to 9999.", code="invalid") from exc


class IsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class LeadFilterSet(filters.FilterSet):
    location = filters.CharFilter(field_name="location_id")
    status = filters.MultipleChoiceFilter(choices=LeadStatus.choices)
    temperature = filters.MultipleChoiceFilter(choices=Temperature.choices)
    bot = filters.ChoiceFilter(field_name="active_bot", choices=BotKind.choices)
    score_min = filters.NumberFilter(field_name="score", lookup_expr="gte")
    score_max = filters.NumberFilter(field_name="score", lookup_expr="lte")
    tag = filters.CharFilter(method="filter_tag", help_text="Leads carrying this GHL tag")
    opted_out = filters.BooleanFilter(field_name="opted_out_at", lookup_expr="isnull", exclude=True)
    last_reply_after = IsoDateTimeFilter(field_name="conversation__last_inbound_at", lookup_expr="gte")
    last_reply_before = IsoDateTimeFilter(field_name="conversation__last_inbound_at", lookup_expr="lt")
    updated_after = IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Contact
        fields: list[str] = []

    def filter_tag(self, queryset: QuerySet[Contact], name: str, value: str) -> QuerySet[Contact]:
        return queryset.filter(tags__contains=[value])


class ConversationFilterSet(filters.FilterSet):
    lead = filters.NumberFilter(field_name="contact_id")
    location = filters.CharFilter(field_name="contact__location_id")
    last_inbound_after = IsoDateTimeFilter(field_name="last_inbound_at", lookup_expr="gte")

    class Meta:
        model = Conversation
        fields: list[str] = []


class MessageFilterSet(filters.FilterSet):
    conversation = filters.NumberFilter(field_name="conversation_id")
    lead = filters.NumberFilter(field_name="conversation__contact_id")
    direction = filters.ChoiceFilter(choices=Direction.choices)
    sender = filters.ChoiceFilter(choices=Sender.choices)
    sent_after = IsoDateTimeFilter(field_name="sent_at", lookup_expr="gte")

    class Meta:
        model = Message
        fields: list[str] = []


class PropertyFilterSet(filters.FilterSet):
    location = filters.CharFilter(field_name="location_id")
    status = filters.CharFilter()
    city = filters.CharFilter(lookup_expr="iexact")
    neighbourhood = filters.CharFilter(lookup_expr="iexact")
    price_min = filters.NumberFilter(field_name="list_price", lookup_expr="gte")
    price_max = filters.NumberFilter(field_name="list_price", lookup_expr="lte")
    beds_min = filters.NumberFilter(field_name="beds", lookup_expr="gte")

    class Meta:
        model = Property
        fields: list[str] = []


class DraftFilterSet(filters.FilterSet):
    status = filters.ChoiceFilter(choices=DraftStatus.choices)
    lead = filters.NumberFilter(field_name="contact_id")
    location = filters.CharFilter(field_name="location_id")

    class Meta:
        model = Draft
        fields: list[str] = []


class ScoreFilterSet(filters.FilterSet):
    lead = filters.NumberFilter(field_name="contact_id")
    source = filters.ChoiceFilter(choices=ScoreSource.choices)

    class Meta:
        model = LeadScore
        fields: list[str] = []


class ChurnPredictionFilterSet(filters.FilterSet):
    tier = filters.MultipleChoiceFilter(choices=ChurnTier.choices)
    lead = filters.NumberFilter(field_name="contact_id")
    location = filters.CharFilter(field_name="location_id")

    class Meta:
        model = ChurnPrediction
        fields: list[str] = []


class ForecastFilterSet(filters.FilterSet):
    location = filters.CharFilter(field_name="location_id")
    month_from = filters.DateFilter(field_name="month", lookup_expr="gte")

    class Meta:
        model = RevenueForecast
        fields: list[str] = []
