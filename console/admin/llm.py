"""The broker's view of Claude, read-only: spend per day against the limit, every call, alerts, bulk jobs.

Each page shows only the user's locations (console.admin.base.LocationScopedAdmin); an alert about the Anthropic
account itself concerns every location, so every member sees it.
"""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from bots.llm.accounting import daily_limit_usd
from bots.llm.models import DailySpend, LLMAlert, LLMCall, LLMJob
from console.admin.base import LocationScopedAdmin, ScopedLocationFilter


class ReadOnlyScopedAdmin(LocationScopedAdmin):
    """Records of what happened: nobody adds, edits or deletes them here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DailySpend)
class DailySpendAdmin(ReadOnlyScopedAdmin):
    list_display = ("day", "location", "cost", "limit", "calls", "cache_hits", "hit_rate", "failed_calls",
                    "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")
    list_filter = (ScopedLocationFilter,)
    date_hierarchy = "day"
    list_select_related = ("location",)

    @admin.display(description="cost (USD)", ordering="cost_usd")
    def cost(self, spend: DailySpend) -> str:
        return f"${spend.cost_usd:.4f}"

    @admin.display(description="daily limit (USD)")
    def limit(self, spend: DailySpend) -> str:
        return f"${daily_limit_usd(spend.location):.2f}" if spend.location else "none"

    @admin.display(description="response cache hit rate")
    def hit_rate(self, spend: DailySpend) -> str:
        rate = spend.cache_hit_rate
        return "none" if rate is None else f"{rate:.0%}"


@admin.register(LLMCall)
class LLMCallAdmin(ReadOnlyScopedAdmin):
    list_display = ("created_at", "location", "task", "model", "outcome", "input_tokens", "output_tokens",
                    "cache_read_tokens", "cache_write_tokens", "latency_ms", "cost", "batch")
    list_filter = ("task", "outcome", "batch", "model", ScopedLocationFilter)
    date_hierarchy = "created_at"
    list_select_related = ("location",)

    @admin.display(description="cost (USD)", ordering="cost_usd")
    def cost(self, call: LLMCall) -> str:
        return f"${call.cost_usd:.6f}"


@admin.register(LLMAlert)
class LLMAlertAdmin(ReadOnlyScopedAdmin):
    list_display = ("created_at", "kind", "location", "day", "detail")
    list_filter = ("kind",)
    list_select_related = ("location",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        everything = admin.ModelAdmin.get_queryset(self, request)
        return self.scope(request).filter(everything) | everything.filter(location__isnull=True)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.location_id is None:
            return self.scope(request).is_member_anywhere
        return super().has_view_permission(request, obj)


@admin.register(LLMJob)
class LLMJobAdmin(admin.ModelAdmin):
    """Bulk jobs span locations: the install's staff see them."""

    list_display = ("created_at", "mode", "status", "items_done", "items_failed", "items_pending", "polls",
                    "anthropic_batch_id", "finished_at")
    list_filter = ("mode", "status")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).annotate(
            done=Count("items", filter=Q(items__status="done")),
            failed=Count("items", filter=Q(items__status="failed")),
            pending=Count("items", filter=Q(items__status="pending")),
        )

    @admin.display(description="done", ordering="done")
    def items_done(self, job: Any) -> int:
        return int(job.done)

    @admin.display(description="failed", ordering="failed")
    def items_failed(self, job: Any) -> int:
        return int(job.failed)

    @admin.display(description="pending", ordering="pending")
    def items_pending(self, job: Any) -> int:
        return int(job.pending)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

