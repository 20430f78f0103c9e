"""The analytics in the broker's admin: each model's measured figures and calibration, every lead's score history
with its reasons, overrides, who is going cold (most urgent first), deals, and the commission forecast with its
back-tested error. Every list is limited to the user's locations (console.admin.base.LocationScopedAdmin); the
models are trained on all locations together and show figures only, never a lead. No page names a GHL token.
"""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from analytics import services
from analytics.models import (
    AnalyticsRun,
    ChurnPrediction,
    LeadScore,
    RevenueForecast,
    ScoreOverride,
    ScoringModel,
)
from console.admin.base import CappedCountPaginator, LocationScopedAdmin, ScopedLocationFilter, SuperuserOnlyAdmin
from leads.access import scope_of
from leads.models import Contact, Deal

# The reliability plot's size in pixels; a small square reads at a glance beside the table.
PLOT_SIZE = 220
PLOT_MARGIN = 24


def reliability_plot(calibration: list[dict[str, float]]) -> SafeString:
    """An inline SVG: each probability band's mean prediction (x) against what happened (y), dot area by leads.
    On the diagonal, "70 %" means 7 in 10."""
    inner = PLOT_SIZE - 2 * PLOT_MARGIN
    most = max((band["leads"] for band in calibration), default=1)

    def x(value: float) -> float:
        return PLOT_MARGIN + value * inner

    def y(value: float) -> float:
        return PLOT_SIZE - PLOT_MARGIN - value * inner

    # format_html escapes its arguments into text first, so numbers arrive already formatted.
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="{}" fill="#417690" fill-opacity="0.8"><title>{}</title></circle>',
        (
            (f"{x(band['predicted']):.1f}", f"{y(band['observed']):.1f}",
             f"{2 + 6 * (band['leads'] / most) ** 0.5:.1f}",
             f"{band['leads']} leads: predicted {band['predicted']:.0%}, happened {band['observed']:.0%}")
            for band in calibration
        ),
    )
    return format_html(
        '<svg width="{size}" height="{size}" viewBox="0 0 {size} {size}" role="img" '
        'aria-label="Reliability plot: predicted against observed">'
        '<rect x="{m}" y="{m}" width="{inner}" height="{inner}" fill="none" stroke="#ccc"/>'
        '<line x1="{m}" y1="{bottom}" x2="{right}" y2="{m}" stroke="#999" stroke-dasharray="4 3"/>'
        '{dots}'
        '<text x="{mid}" y="{size}" font-size="10" text-anchor="middle" dy="-6">predicted</text>'
        '<text x="10" y="{mid}" font-size="10" text-anchor="middle" transform="rotate(-90 10 {mid})">happened</text>'
        "</svg>",
        size=PLOT_SIZE, m=PLOT_MARGIN, inner=inner, bottom=PLOT_SIZE - PLOT_MARGIN, right=PLOT_SIZE - PLOT_MARGIN,
        mid=PLOT_SIZE // 2, dots=dots,
    )


def calibration_table(calibration: list[dict[str, float]]) -> SafeString:
    rows = format_html_join(
        "",
        "<tr><td>{} to {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (f"{band['low']:.0%}", f"{band['high']:.0%}", band["leads"], f"{band['predicted']:.1%}",
             f"{band['observed']:.1%}")
            for band in calibration
        ),
    )
    return format_html(
        "<table><thead><tr><th>band</th><th>leads</th><th>predicted</th><th>happened</th></tr></thead>"
        "<tbody>{}</tbody></table>",
        rows,
    )


def _reasons(reasons: list[str]) -> str:
    return "; ".join(reasons)


class ReadOnlyMixin:
    """Rows the nightly jobs or GHL write: people read them here, they do not edit them."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(ScoringModel)
class ScoringModelAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Every trained model with how it did on newer leads it never saw, next to the prior on the same leads."""

    list_display = ("__str__", "is_active", "trained_at", "training_rows", "test_rows", "accuracy_shown",
                    "roc_auc_shown", "prior_roc_auc_shown", "brier_shown", "lift_shown", "note")
    list_filter = ("kind", "is_active")
    ordering = ("kind", "-version")
    fields = ("kind", "version", "is_active", "note", "trained_at", "training_window_start", "training_window_end",
              "training_rows", "test_rows", "positive_rate", "accuracy", "roc_auc", "prior_roc_auc", "brier",
              "lift_top_decile", "calibration_shown", "features_shown", "excluded_shown", "sklearn_version")
    readonly_fields = fields

    def has_module_permission(self, request: HttpRequest) -> bool:
        return scope_of(request.user).is_member_anywhere

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return scope_of(request.user).is_member_anywhere

    def get_queryset(self, request: HttpRequest) -> QuerySet[ScoringModel]:
        # The pickled model is megabytes a page never shows.
        return super().get_queryset(request).defer("model_bytes")

    @admin.display(description="accuracy")
    def accuracy_shown(self, model: ScoringModel) -> str:
        return f"{model.accuracy:.1%}"

    @admin.display(description="ROC-AUC")
    def roc_auc_shown(self, model: ScoringModel) -> str:
        return f"{model.roc_auc:.3f}"

    @admin.display(description="prior's ROC-AUC")
    def prior_roc_auc_shown(self, model: ScoringModel) -> str:
        return "" if model.prior_roc_auc is None else f"{model.prior_roc_auc:.3f}"

    @admin.display(description="Brier")
    def brier_shown(self, model: ScoringModel) -> str:
        return f"{model.brier:.3f}"

    @admin.display(description="lift, top 10 %")
    def lift_shown(self, model: ScoringModel) -> str:
        return f"{model.lift_top_decile:.2f}x"

    @admin.display(description="calibration on the test leads")
    def calibration_shown(self, model: ScoringModel) -> SafeString:
        return format_html("{}{}", reliability_plot(model.calibration), calibration_table(model.calibration))

    @admin.display(description="learned from")
    def features_shown(self, model: ScoringModel) -> str:
        return ", ".join(model.features)

    @admin.display(description="not allowed to use")
    def excluded_shown(self, model: ScoringModel) -> str:
        return "; ".join(f"{column} ({why})" for column, why in model.excluded.items()) or "nothing offered was refused"


class LeadFilter(admin.SimpleListFilter):
    """One lead's rows (`?lead=<id>`), as linked from the churn list; never offered as a menu."""

    title = "lead"
    parameter_name = "lead"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return []

    def has_output(self) -> bool:
        return False

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(contact_id=int(value)) if value and value.isdigit() else queryset


@admin.register(LeadScore)
class LeadScoreAdmin(ReadOnlyMixin, LocationScopedAdmin):
    """Score history: every change of a lead's score, what set it (model, prior, a person) and why."""

    location_field = "contact__location"
    list_display = ("computed_at", "lead", "score", "source", "model", "reasons_shown")
    list_filter = ("source", LeadFilter)
    list_select_related = ("contact", "model")
    search_fields = ("contact__first_name", "contact__last_name")
    ordering = ("-computed_at", "-id")
    list_per_page = 50
    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request: HttpRequest) -> QuerySet[LeadScore]:
        return super().get_queryset(request).defer("model__model_bytes")

    @admin.display(description="lead", ordering="contact__last_name")
    def lead(self, score: LeadScore) -> str:
        return score.contact.display_name

    @admin.display(description="reasons")
    def reasons_shown(self, score: LeadScore) -> str:
        return _reasons(score.reasons)


@admin.register(ScoreOverride)
class ScoreOverrideAdmin(LocationScopedAdmin):
    """Scores brokers set by hand. They stick through every nightly rescoring; deleting one clears it. Agents see
    them; brokers set and clear them."""

    location_field = "contact__location"
    brokers_only = True
    list_display = ("contact", "score", "reason", "set_by", "set_at")
    list_select_related = ("contact", "set_by")
    autocomplete_fields = ("contact",)
    fields = ("contact", "score", "reason")
    ordering = ("-set_at",)

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> tuple[str, ...]:
        return ("contact",) if obj is not None else ()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> ModelChoiceField | None:
        if db_field.related_model is Contact:
            # Only leads of locations the user runs, whatever a crafted form posts.
            kwargs["queryset"] = self.scope(request).filter_for_brokers(Contact.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: ScoreOverride, form: Any, change: bool) -> None:
        services.override_score(obj.contact, obj.score, obj.reason, request.user)

    def delete_model(self, request: HttpRequest, obj: ScoreOverride) -> None:
        services.clear_score_override(obj.contact)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ScoreOverride]) -> None:
        for override in queryset.select_related("contact"):
            services.clear_score_override(override.contact)


@admin.register(ChurnPrediction)
class ChurnPredictionAdmin(ReadOnlyMixin, LocationScopedAdmin):
    """Open leads by how likely they are to go silent, critical first, with the next step for each."""

    list_display = ("contact", "tier", "probability_shown", "recommended_action", "reasons_shown", "history",
                    "predicted_at")
    list_filter = ("tier", ScopedLocationFilter)
    list_select_related = ("contact",)
    # Tiers follow the probability, so the most likely to go cold first is critical first.
    ordering = ("-probability", "contact_id")
    list_per_page = 50
    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    @admin.display(description="chance of going cold", ordering="probability")
    def probability_shown(self, prediction: ChurnPrediction) -> str:
        return f"{prediction.probability:.0%} in {prediction.horizon_days} days"

    @admin.display(description="why")
    def reasons_shown(self, prediction: ChurnPrediction) -> str:
        return _reasons(prediction.reasons)

    @admin.display(description="score history")
    def history(self, prediction: ChurnPrediction) -> SafeString:
        url = reverse("admin:analytics_leadscore_changelist")
        return format_html('<a href="{}?lead={}">scores</a>', url, prediction.contact_id)


@admin.register(Deal)
class DealAdmin(LocationScopedAdmin):
    """GHL opportunities as the webhooks report them. Only the expected close date is ours to set."""

    list_display = ("ghl_id", "contact", "status", "value", "pipeline_stage_id", "expected_close", "closed_at",
                    "updated_at")
    list_filter = ("status", ScopedLocationFilter)
    list_select_related = ("contact",)
    search_fields = ("ghl_id",)
    ordering = ("-updated_at",)
    members_may_add = False
    members_may_delete = False
    fields = ("ghl_id", "contact", "location", "pipeline_id", "pipeline_stage_id", "status", "value", "assigned_to",
              "expected_close", "opened_at", "closed_at", "ghl_event_at")
    readonly_fields = tuple(name for name in fields if name != "expected_close")


@admin.register(RevenueForecast)
class RevenueForecastAdmin(ReadOnlyMixin, LocationScopedAdmin):
    """Commission expected this month and the next two, per location, with the interval, the four categories,
    and how far off the trend model was on the location's own past months."""

    list_display = ("location", "month_shown", "expected", "interval", "closed", "commit", "best_case", "pipeline",
                    "method", "backtest")
    list_filter = (ScopedLocationFilter,)
    list_select_related = ("location",)
    ordering = ("location", "-month")

    @admin.display(description="month", ordering="month")
    def month_shown(self, forecast: RevenueForecast) -> str:
        return f"{forecast.month:%B %Y}"

    @admin.display(description="interval")
    def interval(self, forecast: RevenueForecast) -> str:
        return f"{forecast.low:,.0f} to {forecast.high:,.0f} ({forecast.interval_level:.0%})"

    @admin.display(description="back-tested error")
    def backtest(self, forecast: RevenueForecast) -> str:
        if forecast.backtest_wmape is None:
            return f"not enough history ({forecast.history_months} months)"
        return f"{forecast.backtest_wmape:.1f} % over {forecast.backtest_pairs} past month-horizons"


@admin.register(AnalyticsRun)
class AnalyticsRunAdmin(ReadOnlyMixin, SuperuserOnlyAdmin):
    """The nightly runs and retrainings, newest first: for whoever runs the install (the counts span every location,
    so brokers do not see them)."""

    list_display = ("started_at", "kind", "status", "seconds_shown", "stages_shown", "leads_rescored",
                    "score_changes", "churn_predictions", "forecasts", "models_trained", "error")
    list_filter = ("kind", "status")
    ordering = ("-started_at", "-id")
    show_full_result_count = False

    @admin.display(description="seconds")
    def seconds_shown(self, run: AnalyticsRun) -> str:
        return "" if run.seconds is None else f"{run.seconds:.1f}"

    @admin.display(description="stages (s)")
    def stages_shown(self, run: AnalyticsRun) -> str:
        return ", ".join(f"{stage} {seconds:.1f}" for stage, seconds in run.stage_seconds)
