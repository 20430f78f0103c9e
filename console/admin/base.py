"""What every admin page of the console builds on: `LocationScopedAdmin` applies a user's location scope once
(queryset, object checks, location choices), with the paginator, filters and action form they share; every save
and deletion through it, or through `SuperuserOnlyAdmin`, goes on the audit trail (`AuditedAdmin`)."""
from __future__ import annotations

import hashlib
import html
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.db.models.fields.related import ForeignKey
from django.forms import BaseFormSet, ModelChoiceField, ModelForm
from django.http import HttpRequest
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from console import audit_trail
from leads.access import LocationScope, location_id_of, scope_of
from leads.models import (
    Location,
)


class DirectSelect(forms.Select):
    """Django's <select>, written directly: through the form template engine the action menu cost a millisecond
    and a half on every page of a list. The same markup (tests/admin compare it with Django's); a menu with
    option groups still goes through Django's templates."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        if any(isinstance(label, (list, tuple)) for _, label in self.choices):
            return super().render(name, value, attrs, renderer)
        chosen = self.format_value(value)
        options: list[str] = []
        selected = False
        for option_value, label in self.choices:
            select = not selected and str(option_value) in chosen
            selected = selected or select
            options.append(f'\n  <option value="{conditional_escape(option_value)}"{" selected" if select else ""}>'
                           f"{conditional_escape(str(label))}</option>\n")
        html_attrs = _html_attributes(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{conditional_escape(name)}"{html_attrs}>{"".join(options)}\n</select>')


class DirectHiddenInput(forms.HiddenInput):
    """Django's hidden <input>, written directly: through the form templates it cost a quarter of a millisecond."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        shown = self.format_value(value)
        html_value = "" if shown is None else f' value="{conditional_escape(shown)}"'
        html_attrs = _html_attributes(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<input type="{self.input_type}" name="{conditional_escape(name)}"{html_value}{html_attrs}>')


def _html_attributes(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html: True is a bare attribute, False none at all."""
    return "".join(
        f" {conditional_escape(key)}" + ("" if setting is True else f'="{conditional_escape(setting)}"')
        for key, setting in attrs.items() if setting is not False
    )


class ActionForm(helpers.ActionForm):
    """Django's action bar, with its menu and its hidden "all selected" field written directly. The lead list only
    (ContactAdmin): bench/admin_markup.py measured 5.6 ms of CPU a page saved there, where the target is tight;
    every other page keeps Django's."""

    action = forms.ChoiceField(label=helpers.ActionForm.base_fields["action"].label, widget=DirectSelect)
    select_across = forms.BooleanField(
        label="", required=False, initial=0, widget=DirectHiddenInput({"class": "select-across"})
    )


class AuditedAdmin(admin.ModelAdmin):
    """Puts every save and deletion made through the page on the audit trail, with what changed."""

    def location_id_of(self, obj: Model) -> str | None:
        return None

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            audit_trail.remember_stored_values(obj)
        return obj

    def save_related(
        self, request: HttpRequest, form: ModelForm[Any], formsets: list[BaseFormSet[Any]], change: bool
    ) -> None:
        # Django calls this after save_model, whatever a page's save_model does, inside the page's transaction.
        super().save_related(request, form, formsets, change)
        audit_trail.record_admin_save(request, form.instance, formsets, added=not change,
                                      location_id=self.location_id_of(form.instance))

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        # Called before the rows go, by the delete page and the "delete selected" action alike.
        audit_trail.record_admin_deletions(request, queryset, self.location_id_of)
        return super().log_deletions(request, queryset)


class LocationScopedAdmin(AuditedAdmin):
    """A model admin that shows only the rows of the user's locations, and offers only those locations.

    `location_field` is the path from the model to its `Location` ("" for Location itself). Members may
    view and change; `brokers_only` keeps adding, changing and deleting for brokers (listings, settings).
    Django's per-model permissions are not consulted: the membership is the permission.
    """

    location_field = "location"
    brokers_only = False
    members_may_add = True
    members_may_delete = True

    def scope(self, request: HttpRequest) -> LocationScope:
        return scope_of(request.user)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.scope(request).filter(super().get_queryset(request), self.location_field)

    def location_id_of(self, obj: Model) -> str | None:
        return location_id_of(obj, self.location_field)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.scope(request).is_member_anywhere

    def action_checkbox(self, obj: Model) -> SafeString:
        # Django renders this box through the form template engine: over a millisecond a row, the
        # larger part of a 50-lead page. The same markup, written directly (and without format_html, which
        # escapes each part through several layers: a millisecond a page).
        return mark_safe(
            f'<input type="checkbox" name="{helpers.ACTION_CHECKBOX_NAME}" value="{obj.pk}" class="action-select"'
            f' aria-label="Select {html.escape(str(obj))}">'
        )

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        scope = self.scope(request)
        return scope.is_member_anywhere if obj is None else scope.can_see(self.location_id_of(obj))

    def get_paginator(
        self, request: HttpRequest, queryset: QuerySet[Any], per_page: int, orphans: int = 0,
        allow_empty_first_page: bool = True,
    ) -> Paginator:
        if not issubclass(self.paginator, CappedCountPaginator):
            return super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)
        return self.paginator(queryset, per_page, orphans, allow_empty_first_page, list_key=self._list_key(request))

    def _list_key(self, request: HttpRequest) -> str:
        """Which list this is: the same for every page and sort order of it, and for every user of its locations."""
        scope = self.scope(request)
        locations = "all" if scope.everything else ",".join(scope.location_ids)
        filters = sorted((name, values) for name, values in request.GET.lists() if name not in (PAGE_VAR, ORDER_VAR))
        which = hashlib.sha256(repr((locations, request.path, filters)).encode()).hexdigest()
        return f"jorgebot:list-past-the-cap:{which}"

    def _may_write(self, request: HttpRequest, obj: Model | None) -> bool:
        scope = self.scope(request)
        if obj is None:
            return scope.is_broker_anywhere if self.brokers_only else scope.is_member_anywhere
        location_id = self.location_id_of(obj)
        return scope.is_broker_of(location_id) if self.brokers_only else scope.can_see(location_id)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may_write(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        if not self.members_may_add:
            return self.scope(request).everything
        return self._may_write(request, None)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if not self.members_may_delete:
            return self.scope(request).everything
        return self._may_write(request, obj)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        if db_field.related_model is Location:
            scope = self.scope(request)
            locations = Location.objects.all()
            kwargs["queryset"] = (
                scope.filter_for_brokers(locations, "") if self.brokers_only else scope.filter(locations, "")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CappedCountPaginator(Paginator):
    """Counts at most `cap` + 1 rows: past that the list says "10,000+" instead of counting every lead.

    An exact COUNT(*) reads every matching index entry on each page view (a hundred thousand for a big
    location); nobody pages that far, they filter or search. Even the capped count reads `cap` + 1 entries, so a
    list found past the cap is remembered as such under `list_key` (which list: the locations, the admin page and
    its filters) and not counted again for `past_cap_seconds`; a list under the cap is counted exactly every time.
    """

    cap = 10_000
    # Leads leave a list a few hundred at a time at most (a bulk action): one past the cap stays past it a minute.
    past_cap_seconds = 60
    # The admin's changelist queryset: the count runs in the database.
    object_list: QuerySet[Any]

    def __init__(
        self, object_list: QuerySet[Any], per_page: int, orphans: int = 0, allow_empty_first_page: bool = True,
        list_key: str | None = None,
    ) -> None:
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.list_key = list_key

    @cached_property
    def count(self) -> int:
        if self.list_key is not None and cache.get(self.list_key):
            return self.cap + 1
        # Unordered, so PostgreSQL stops after `cap` + 1 entries of whichever index fits the filters.
        count: int = self.object_list.order_by().values("pk")[: self.cap + 1].count()
        if self.list_key is not None and count > self.cap:
            cache.set(self.list_key, True, self.past_cap_seconds)
        return count

    @property
    def capped(self) -> bool:
        return self.count > self.cap


class ScopedLocationFilter(admin.SimpleListFilter):
    """The location filter, offering only the user's locations (and hidden when there is just one)."""

    title = "location"
    parameter_name = "location"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        scope = scope_of(request.user)
        if not scope.everything and len(scope.roles) < 2:
            return []  # nothing to choose from, so no need to read the location's name
        return list(scope.filter(Location.objects.order_by("name"), "").values_list("id", "name"))

    def has_output(self) -> bool:
        return len(self.lookup_choices) > 1

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(location_id=self.value()) if self.value() else queryset


# -- leads -------------------------------------------------------------------------------------------


class SuperuserOnlyAdmin(AuditedAdmin):
    """A page for whoever runs the install, across every location: only superusers see it."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser)
