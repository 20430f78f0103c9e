"""Reads of the analytics: the models in charge, the newest scores, and the lists the admin, the dashboard and the
API show (always within a user's location scope). The nightly jobs' bulk reads are in analytics.populations.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import CharField, F, FloatField, JSONField, OuterRef, Q, QuerySet, Subquery

from analytics.models import (
    ChurnPrediction,
    ChurnTier,
    LeadScore,
    ScoringModel,
)
from bots.config import BotConfig
from leads.access import LocationScope
from leads.models import CLOSED_STATUSES, Contact, Deal, Location


def active_model(kind: str) -> ScoringModel | None:
    return ScoringModel.objects.filter(kind=kind, is_active=True).first()


def models_that_may_score(kind: str) -> Iterator[ScoringModel]:
    """The active model, then earlier ones that beat the prior, newest first: each loaded only when reached."""
    beat_prior = Q(prior_roc_auc__isnull=True) | Q(roc_auc__gt=F("prior_roc_auc"))
    ids = ScoringModel.objects.filter(Q(is_active=True) | beat_prior, kind=kind).order_by("-is_active", "-version")
    for pk in ids.values_list("pk", flat=True):
        row = ScoringModel.objects.filter(pk=pk).first()
        if row is not None:
            yield row


def latest_model(kind: str) -> ScoringModel | None:
    """The newest model of a kind, in charge or not (the retraining compares outcomes against it)."""
    return ScoringModel.objects.filter(kind=kind).defer("model_bytes").order_by("-version").first()


_LATEST_SCORES_SQL = """
SELECT DISTINCT ON (contact_id) contact_id, score, source, model_id, reasons
FROM analytics_leadscore
WHERE contact_id = ANY(%s::bigint[])
ORDER BY contact_id, computed_at DESC, id DESC
"""


def latest_scores(contact_ids: list[int]) -> dict[int, tuple[int, str, int | None, list[str]]]:
    """Each lead's newest score row: (score, source, model id, reasons)."""
    with connection.cursor() as cursor:
        cursor.execute(_LATEST_SCORES_SQL, [contact_ids])
        rows = cursor.fetchall()
    # Django reads jsonb as text and leaves the decoding to JSONField; a raw cursor has to decode it itself.
    return {
        contact_id: (score, source, model_id, json.loads(reasons) if isinstance(reasons, str) else reasons)
        for contact_id, score, source, model_id, reasons in rows
    }


def latest_computed_score(contact: Contact) -> LeadScore | None:
    """The newest score the prior or a model gave this lead (what it goes back to when an override is cleared)."""
    return contact.score_history.exclude(source="override").first()


def score_bands(location_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
    """Each location's lead-score bands (hot from, warm from), from its bot settings."""
    bands = {}
    for location_id, overrides in Location.objects.filter(pk__in=list(location_ids)).values_list("pk", "bot_settings"):
        config = BotConfig.from_overrides(overrides)
        bands[location_id] = (config.hot_lead_score, config.warm_lead_score)
    return bands


# -- what people see ------------------------------------------------------------------------------------------


def score_history(contact: Contact, limit: int = 50) -> QuerySet[LeadScore]:
    """A lead's scores, newest first, with the model behind each."""
    return contact.score_history.select_related("model").defer("model__model_bytes")[:limit]


def going_cold(scope: LocationScope, limit: int = 10) -> list[ChurnPrediction]:
    """The open leads most likely to go silent (critical and high risk only), most urgent first."""
    urgent = ChurnPrediction.objects.filter(tier__in=[ChurnTier.CRITICAL, ChurnTier.HIGH])
    return list(scope.filter(urgent).select_related("contact").order_by("-probability")[:limit])


def locations_with_deals() -> QuerySet[Location]:
    return Location.objects.filter(pk__in=Deal.objects.values("location_id")).order_by("pk")


# -- the dashboard's "call these first" ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadToCall:
    """An open lead worth a call, with what the scoring knows about it."""

    contact_id: int
    name: str
    location: str
    score: int | None
    # The calibrated chance to convert (0 to 1) where a trained model scored the lead; None where only the prior
    # (or a person) did, and those leads are ordered by their score after the ones a model scored.
    probability: float | None
    source: str
    reasons: list[str]

    @property
    def scored_by_model(self) -> bool:
        return self.probability is not None


def leads_to_call_first(contacts: QuerySet[Contact], limit: int = 10) -> list[LeadToCall]:
    """The open, not opted-out, not deleted leads among `contacts` most likely to convert, in one query.

    Each lead's newest score row gives the chance and the reasons (`leadscore_history_idx`, one probe a lead).
    """
    newest = LeadScore.objects.filter(contact=OuterRef("pk")).order_by("-computed_at", "-id")
    rows = (
        contacts.filter(opted_out_at__isnull=True, deleted_at__isnull=True)
        .exclude(status__in=[status.value for status in CLOSED_STATUSES])
        .annotate(
            chance=Subquery(newest.values("probability")[:1], output_field=FloatField()),
            scored_by=Subquery(newest.values("source")[:1], output_field=CharField()),
            why=Subquery(newest.values("reasons")[:1], output_field=JSONField()),
        )
        .order_by(F("chance").desc(nulls_last=True), F("score").desc(nulls_last=True), "-updated_at", "-id")
        .values("pk", "first_name", "last_name", "ghl_id", "location__name", "score", "chance", "scored_by", "why")
    )[:limit]
    return [
        LeadToCall(
            contact_id=row["pk"],
            name=f"{row['first_name']} {row['last_name']}".strip() or f"Contact {row['ghl_id']}",
            location=row["location__name"], score=row["score"], probability=row["chance"],
            source=row["scored_by"] or "", reasons=[str(reason) for reason in row["why"] or []],
        )
        for row in rows
    ]
