"""The notifications' admin: a broker manages every subscription of their locations, an agent only their own; each
sees what was sent to the subscriptions they manage."""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.db.models.fields.related import ForeignKey
from django.forms import ModelChoiceField
from django.http import HttpRequest

from alerts.models import AlertEvent, Channel, Notification, NotificationStatus, Subscription
from console.admin.base import LocationScopedAdmin, ScopedLocationFilter
from console.audit_trail import signed_in_user
from leads.access import LocationScope, scope_of
from leads.models import LocationMembership


class SubscriptionForm(forms.ModelForm):
    events = forms.MultipleChoiceField(choices=AlertEvent.choices, widget=forms.CheckboxSelectMultiple)
    webhook_url = forms.URLField(
        assume_scheme="https", max_length=500, required=False, label="Webhook URL",
        help_text="Slack or Teams incoming-webhook URL",
    )
    # Set by SubscriptionAdmin.get_form: whose form this is decides what it may say.
    request: HttpRequest

    class Meta:
        model = Subscription
        fields = ["location", "user", "channel", "email", "webhook_url", "events", "timing", "active"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        me = self.request.user
        scope = scope_of(me)
        location, user = data.get("location"), data.get("user")
        if location is None and not scope.everything:
            raise ValidationError({"location": "Choose one of your locations."})
        if location is not None and not scope.is_broker_of(location.pk):
            # An agent's subscription is theirs: to their own address, or their own chat channel.
            if user is None or user.pk != me.pk:
                raise ValidationError({"user": "You may only subscribe yourself."})
            if data.get("email"):
                raise ValidationError({"email": "Alerts go to your own address; a broker may add another."})
        if user is not None and location is not None and not _may_hear_of(user, location.pk):
            raise ValidationError({"user": "This person is not a member of the location."})
        channel = data.get("channel")
        if channel == Channel.EMAIL and user is None and not data.get("email"):
            raise ValidationError({"email": "Give an address, or the person whose address it is."})
        if channel == Channel.EMAIL and user is not None and not data.get("email") and not user.email:
            raise ValidationError({"email": "This person has no email address: give one."})
        if channel in (Channel.SLACK, Channel.TEAMS) and not data.get("webhook_url"):
            raise ValidationError({"webhook_url": "Paste the channel's incoming-webhook URL."})
        return data


def _may_hear_of(user: Any, location_id: str) -> bool:
    return bool(user.is_superuser or LocationMembership.objects.filter(user=user, location_id=location_id).exists())


@admin.register(Subscription)
class SubscriptionAdmin(LocationScopedAdmin):
    form = SubscriptionForm
    list_display = ("__str__", "location", "user", "channel", "timing", "event_names", "active")
    list_filter = (ScopedLocationFilter, "channel", "timing", "active")
    list_select_related = ("location", "user")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        everything = admin.ModelAdmin.get_queryset(self, request)
        scope = self.scope(request)
        if scope.everything:
            return everything
        return everything.filter(
            Q(location_id__in=scope.broker_location_ids()) | Q(location_id__in=scope.location_ids, user=request.user)
        )

    def _may_manage(self, request: HttpRequest, obj: Subscription | None) -> bool:
        scope = self.scope(request)
        if obj is None:
            return scope.is_member_anywhere
        if scope.everything or scope.is_broker_of(obj.location_id):
            return True
        return obj.user_id == request.user.pk and scope.can_see(obj.location_id)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_manage(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_manage(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_manage(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.scope(request).is_member_anywhere

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form: Any = super().get_form(request, obj, change, **kwargs)
        return type("BoundSubscriptionForm", (form,), {"request": request})

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {**super().get_changeform_initial_data(request), "user": request.user.pk}

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        if db_field.name == "user":
            kwargs["queryset"] = _people_managed_by(self.scope(request), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Subscription, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = signed_in_user(request)
        super().save_model(request, obj, form, change)

    @admin.display(description="events")
    def event_names(self, subscription: Subscription) -> str:
        labels = dict(AlertEvent.choices)
        return ", ".join(str(labels.get(event, event)) for event in subscription.events)


def _people_managed_by(scope: LocationScope, me: Any) -> QuerySet[Any]:
    """Whom a subscription may be for: a broker's colleagues at their locations and themselves; an agent only
    themselves; the install's owner anyone."""
    people = get_user_model().objects.filter(is_active=True).order_by("username")
    if scope.everything:
        return people
    colleagues = Q(location_memberships__location_id__in=scope.broker_location_ids())
    return people.filter(colleagues | Q(pk=me.pk)).distinct()


@admin.register(Notification)
class NotificationAdmin(LocationScopedAdmin):
    """What was told to whom: read-only; a failed one can be sent again."""

    list_display = ("created_at", "event", "location", "title", "subscription", "status", "attempts", "last_error",
                    "sent_at")
    list_filter = (ScopedLocationFilter, "event", "status", "digest")
    list_select_related = ("location", "subscription__user", "subscription__location")
    actions = ["send_again"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        everything = admin.ModelAdmin.get_queryset(self, request)
        scope = self.scope(request)
        if scope.everything:
            return everything
        return everything.filter(
            Q(subscription__location_id__in=scope.broker_location_ids())
            | Q(subscription__location_id__in=scope.location_ids, subscription__user=request.user)
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return self.scope(request).is_member_anywhere
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Send the selected failed notifications again")
    def send_again(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        from alerts import tasks

        failed = list(queryset.filter(status=NotificationStatus.FAILED).values_list("pk", flat=True))
        Notification.objects.filter(pk__in=failed).update(status=NotificationStatus.WAITING, attempts=0)
        for notification_id in failed:
            tasks.deliver_notifications.apply_async(args=[[notification_id]])
        self.message_user(request, f"{len(failed)} notification(s) queued to be sent again.", messages.SUCCESS)
