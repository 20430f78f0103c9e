"""What the API shows of leads, conversations, texts, listings and locations. Fields are listed one by one, so a
new model field (or the GHL token) never slips out by default."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from analytics.models import ChurnPrediction, LeadScore, RevenueForecast
from bots.models import Draft
from leads.access import scope_of
from leads.models import Contact, Conversation, Location, Message, Property


@extend_schema_field(OpenApiTypes.STR)
class ScopedLocationField(serializers.PrimaryKeyRelatedField):
    """A location id the user may write to: one where they are a broker."""

    def get_queryset(self) -> QuerySet[Location]:
        request = self.context["request"]
        return scope_of(request.user).filter_for_brokers(Location.objects.all(), "")


class LocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "name", "timezone", "calendar_id", "sending_paused"]
        read_only_fields = fields


# What the lead list reads of each lead, as plain rows (LeadViewSet): the model attributes the JSON is made of.
LEAD_COLUMNS = (
    "id", "ghl_id", "location_id", "first_name", "last_name", "phone", "email", "source", "tags", "status",
    "temperature", "score", "active_bot", "bot_paused_until", "opted_out_at", "dnd_sms", "created_at", "updated_at",
)


class LeadSerializer(serializers.ModelSerializer):
    last_reply_at = serializers.SerializerMethodField(help_text="When the lead last texted us")

    class Meta:
        model = Contact
        fields = [
            "id", "ghl_id", "location", "first_name", "last_name", "phone", "email", "source", "tags", "status",
            "temperature", "score", "active_bot", "bot_paused_until", "opted_out_at", "dnd_sms", "last_reply_at",
            "created_at", "updated_at",
        ]
        read_only_fields = [name for name in fields if name != "status"]

    def get_last_reply_at(self, contact: Contact) -> dt.datetime | None:
        conversation = getattr(contact, "conversation", None)
        return conversation.last_inbound_at if conversation else None

    def update(self, lead: Contact, validated_data: dict[str, Any]) -> Contact:
        # Only the status is writable: save it alone, so a webhook's tags or name committed meanwhile stay.
        for name, value in validated_data.items():
            setattr(lead, name, value)
        lead.save(update_fields=[*validated_data, "updated_at"])
        return lead

    def to_representation(self, lead: Contact | dict[str, Any]) -> dict[str, Any]:
        # The lead list's hot path: DRF's field-by-field walk cost about half of a 50-lead page. The same JSON
        # (tests/api/test_leads.py compares it with DRF's own), written out; the list hands in plain rows of
        # LEAD_COLUMNS plus `last_reply_at`, one lead's page a Contact.
        if isinstance(lead, dict):
            row = lead
        else:
            row = {column: getattr(lead, column) for column in LEAD_COLUMNS}
            row["last_reply_at"] = self.get_last_reply_at(lead)
        tz = timezone.get_current_timezone()
        return {
            "id": row["id"], "ghl_id": row["ghl_id"], "location": row["location_id"],
            "first_name": row["first_name"], "last_name": row["last_name"], "phone": row["phone"],
            "email": row["email"], "source": row["source"], "tags": list(row["tags"]), "status": row["status"],
            "temperature": row["temperature"], "score": row["score"], "active_bot": row["active_bot"],
            "bot_paused_until": _iso(row["bot_paused_until"], tz), "opted_out_at": _iso(row["opted_out_at"], tz),
            "dnd_sms": row["dnd_sms"], "last_reply_at": _iso(row["last_reply_at"], tz),
            "created_at": _iso(row["created_at"], tz), "updated_at": _iso(row["updated_at"], tz),
        }


def _iso(moment: dt.datetime | None, tz: dt.tzinfo) -> str | None:
    """A time as DRF writes it (ISO 8601 in the current time zone `tz`, UTC as "Z"), without its per-field
    timezone machinery."""
    if moment is None:
        return None
    text = moment.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class PauseSerializer(serializers.Serializer):
    until = serializers.DateTimeField(required=False, help_text="Omit to pause until someone resumes the bot")


class ScoreOverrideSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=0, max_value=100)
    reason = serializers.CharField(max_length=300, help_text="Why, in the broker's words (kept with the score)")


def _lead_id() -> serializers.PrimaryKeyRelatedField[Contact]:
    """The lead a row is about, as her id (the row's `contact`)."""
    return serializers.PrimaryKeyRelatedField(source="contact", read_only=True)


class ScoreSerializer(serializers.ModelSerializer):
    """One entry of a lead's score history: the score, what set it, and the reasons, strongest first."""

    lead = _lead_id()
    model_version = serializers.IntegerField(source="model.version", read_only=True, allow_null=True,
                                             help_text="The trained model's version; null for the prior or a person")

    class Meta:
        model = LeadScore
        fields = ["id", "lead", "score", "probability", "source", "model_version", "reasons", "computed_at"]
        read_only_fields = fields


class ChurnPredictionSerializer(serializers.ModelSerializer):
    lead = _lead_id()

    class Meta:
        model = ChurnPrediction
        fields = ["id", "lead", "location", "tier", "probability", "horizon_days", "reasons", "recommended_action",
                  "predicted_at"]
        read_only_fields = fields


class ForecastSerializer(serializers.ModelSerializer):
    class Meta:
        model = RevenueForecast
        fields = ["id", "location", "month", "expected", "low", "high", "interval_level", "closed", "commit",
                  "best_case", "pipeline", "method", "trend_model", "history_months", "backtest_wmape",
                  "computed_at"]
        read_only_fields = fields


class ConversationSerializer(serializers.ModelSerializer):
    lead = _lead_id()

    class Meta:
        model = Conversation
        fields = ["id", "lead", "ghl_conversation_id", "state", "turn_count", "last_inbound_at", "last_outbound_at",
                  "created_at", "updated_at"]
        read_only_fields = fields


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = ["id", "conversation", "direction", "sender", "body", "message_type", "ghl_message_id", "sent_at",
                  "answered_at"]
        read_only_fields = fields


class PropertySerializer(serializers.ModelSerializer):
    location = ScopedLocationField()

    class Meta:
        model = Property
        fields = ["id", "listing_id", "location", "address", "city", "state_or_province", "postal_code",
                  "neighbourhood", "list_price", "beds", "baths", "living_area", "property_type", "status",
                  "description", "updated_at"]
        read_only_fields = ["id", "updated_at"]


class ListingImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A CSV with RESO column names (ListingId, ListPrice, UnparsedAddress, City)")
    location = ScopedLocationField()


class SkippedRowSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    reason = serializers.CharField()


class ListingImportReportSerializer(serializers.Serializer):
    imported = serializers.IntegerField()
    updated = serializers.IntegerField()
    skipped = SkippedRowSerializer(many=True)


class CountSerializer(serializers.Serializer):
    """How many leads an action changed."""

    changed = serializers.IntegerField()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {"changed": int(instance)}


class DraftSerializer(serializers.ModelSerializer):
    lead = _lead_id()
    decided_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Draft
        fields = ["id", "lead", "location", "bot", "body", "status", "sent_body", "outbox", "decided_by", "decided_at",
                  "created_at"]
        read_only_fields = fields


class DraftApprovalSerializer(serializers.Serializer):
    body = serializers.CharField(required=False, allow_blank=True,
                                 help_text="The text to send instead of the bot's; omit to send it as written")
