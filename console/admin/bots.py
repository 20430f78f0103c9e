"""The admin of the conversation engine: drafts to approve in suggest mode, planned follow-ups, the compliance log,
the global kill switch.

Drafts are read-only except for the one thing a broker does with them: approve (as written, or with an edit)
or discard, through console.broker_actions (bots.drafts turns a draft into a text; the audit trail records who).
Location scoping comes from console.admin.base.LocationScopedAdmin.
"""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from bots import drafts
from bots.models import ComplianceEvent, Draft, DraftStatus, FollowUp, SendingSwitch
from console import broker_actions
from console.admin.base import LocationScopedAdmin, ScopedLocationFilter, SuperuserOnlyAdmin
from console.audit_trail import admin_actor


class DraftForm(forms.ModelForm):
    """The broker's edit: the text to send, prefilled with what the bot wrote. Saving approves it."""

    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 60}), required=False,
                           help_text="Saving sends this text to the lead (after the compliance gate). Edit it first "
                                     "if you like; use the list's action to discard instead.")

    class Meta:
        model = Draft
        fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].initial = self.instance.body


@admin.register(Draft)
class DraftAdmin(LocationScopedAdmin):
    """Suggest mode: what the bot would have said, waiting for a person."""

    form = DraftForm
    list_display = ("created_at", "contact", "bot", "status", "body", "decided_by")
    list_filter = ("status", "bot", ScopedLocationFilter)
    list_select_related = ("contact", "decided_by")
    ordering = ("-created_at",)
    actions = ("approve_as_written", "discard")
    members_may_add = False
    members_may_delete = False
    readonly_fields = ("contact", "bot", "status", "body", "sent_body", "decided_by", "decided_at", "created_at")

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> tuple[str, ...]:
        editable = isinstance(obj, Draft) and obj.status == DraftStatus.PENDING
        return (*self.readonly_fields[:4], "text") if editable else tuple(self.readonly_fields)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        pending = obj is None or (isinstance(obj, Draft) and obj.status == DraftStatus.PENDING)
        return pending and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Draft, form: forms.ModelForm, change: bool) -> None:
        try:
            broker_actions.approve_draft(obj.pk, by=admin_actor(request), body=form.cleaned_data.get("text"))
        except (drafts.DraftRejected, drafts.DraftNotPending) as exc:
            self.message_user(request, f"Not sent: {exc}.", messages.ERROR)

    @admin.action(description="Approve the selected drafts as written")
    def approve_as_written(self, request: HttpRequest, queryset: QuerySet[Draft]) -> None:
        sent = 0
        for draft in queryset.filter(status=DraftStatus.PENDING):
            try:
                broker_actions.approve_draft(draft.pk, by=admin_actor(request))
                sent += 1
            except drafts.DraftNotPending:
                continue
        self.message_user(request, f"{sent} draft(s) approved and sent to the compliance gate.", messages.SUCCESS)

    @admin.action(description="Discard the selected drafts")
    def discard(self, request: HttpRequest, queryset: QuerySet[Draft]) -> None:
        discarded = 0
        for draft in queryset.filter(status=DraftStatus.PENDING):
            try:
                broker_actions.discard_draft(draft.pk, by=admin_actor(request))
                discarded += 1
            except drafts.DraftNotPending:
                continue
        self.message_user(request, f"{discarded} draft(s) discarded.", messages.SUCCESS)


@admin.register(FollowUp)
class FollowUpAdmin(LocationScopedAdmin):
    """Texts the bot plans to start itself, and what became of them."""

    list_display = ("due_at", "contact", "cadence", "step", "status", "status_reason")
    list_filter = ("status", "cadence", ScopedLocationFilter)
    list_select_related = ("contact",)
    ordering = ("-due_at",)
    readonly_fields = ("contact", "cadence", "step", "anchor_at", "due_at", "status", "status_reason", "outbox",
                       "created_at")
    fields = readonly_fields
    members_may_add = False
    members_may_delete = False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(ComplianceEvent)
class ComplianceEventAdmin(LocationScopedAdmin):
    """What the inbound screen caught in leads' texts, and what the bot did: the broker's record, for brokers only
    (an agent works the lead; the log is the brokerage's legal record). Nothing here is written by hand."""

    list_display = ("created_at", "contact", "kind", "protected_class", "text", "action")
    list_filter = ("kind", "protected_class", ScopedLocationFilter)
    list_select_related = ("contact",)
    search_fields = ("text",)
    ordering = ("-created_at",)
    list_per_page = 50
    show_facets = admin.ShowFacets.NEVER
    readonly_fields = ("created_at", "contact", "kind", "protected_class", "family", "text", "action")
    fields = readonly_fields
    members_may_add = False
    members_may_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ComplianceEvent]:
        return self.scope(request).filter_for_brokers(admin.ModelAdmin.get_queryset(self, request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.scope(request).is_broker_anywhere

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        scope = self.scope(request)
        return scope.is_broker_anywhere if obj is None else scope.is_broker_of(self.location_id_of(obj))

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(SendingSwitch)
class SendingSwitchAdmin(SuperuserOnlyAdmin):
    """Stops every text of every location at once, without a deploy; for whoever runs the install."""

    list_display = ("__str__", "reason", "changed_at")
    fields = ("paused", "reason")

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser) and not SendingSwitch.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
