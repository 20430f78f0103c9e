"""What the console writes on the audit trail (audit.services): who acted and through what door, and what an admin
page changed, as [before, after] for each field, secrets hidden. The admin's base classes call these for every save
and deletion, broker_actions for every action on leads, and the API's viewsets for theirs.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.admin import helpers
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Field, Model
from django.forms import BaseFormSet, BaseModelFormSet
from django.http import HttpRequest
from django.utils.text import capfirst
from rest_framework.request import Request

from analytics.models import ScoreOverride
from audit.models import AuditAction, Channel
from audit.services import Actor, record_action
from leads.fields import EncryptedTextField
from leads.models import Contact, Location, LocationMembership

HIDDEN = "(hidden)"
REPLACED = "(replaced)"
_SECRET_WORDS = ("secret", "token", "password")
# Where an admin page keeps the values an object had when the page read it (Django's ModelForm changes the
# instance in place before save_model, so they cannot be read back later).
_STORED = "_audit_stored_values"


def admin_actor(request: HttpRequest) -> Actor:
    # Django's list actions post the rows chosen (or "all of them"); the lead page's buttons and forms do not.
    chosen = helpers.ACTION_CHECKBOX_NAME in request.POST or request.POST.get("select_across") == "1"
    return Actor(signed_in_user(request), Channel.ADMIN_ACTION if chosen else Channel.ADMIN)


def api_actor(request: Request) -> Actor:
    return Actor(signed_in_user(request), Channel.API)


def signed_in_user(request: HttpRequest | Request) -> User:
    """The person acting: the admin and the API let only signed-in people act, so an anonymous one is refused."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Sign in first.")
    return user


def remember_stored_values(obj: Model) -> None:
    """Keep the values `obj` has now, to compare with after a save (`record_admin_save`)."""
    setattr(obj, _STORED, _values_of(obj))


def changes_of(obj: Model, before: dict[str, Any]) -> dict[str, list[Any]]:
    """Each field that differs from `before`, as [before, after]; a settings dict key by key; a secret as
    "(hidden)" / "(replaced)", never its value."""
    changes: dict[str, list[Any]] = {}
    secrets = {field.name for field in obj._meta.concrete_fields if _is_secret(field)}
    for name, new in _values_of(obj).items():
        if before and name not in before:
            continue  # not read when the page or the call looked (a deferred field), so not compared
        old = before.get(name)
        if old == new or (not before and new in (None, "", [], {})):
            continue
        if name in secrets:
            changes[name] = [HIDDEN if old else "", REPLACED if new else ""]
        elif isinstance(old, dict) and isinstance(new, dict):
            for key in sorted(old.keys() | new.keys()):
                if old.get(key) != new.get(key):
                    changes[f"{name}.{key}"] = [old.get(key), new.get(key)]
        else:
            changes[name] = [old, new]
    return changes


def record_admin_save(
    request: HttpRequest, obj: Model, formsets: Iterable[BaseFormSet[Any]], *, added: bool, location_id: str | None
) -> None:
    """An admin page saved `obj` (and its inlines): one entry for what changed, and one per inline row."""
    by = admin_actor(request)
    record_save(by, obj, added=added, location_id=location_id)
    for formset in formsets:
        if isinstance(formset, BaseModelFormSet):  # the admin's inlines: rows of a model
            _record_inline_rows(by, formset, location_id)


def record_admin_deletions(
    request: HttpRequest, objects: Iterable[Model], location_id_of: Callable[[Model], str | None]
) -> None:
    """An admin page is about to delete these."""
    by = admin_actor(request)
    for obj in objects:
        _record_deletion(by, obj, location_id_of(obj))


def record_api_save(request: Request, obj: Model, *, added: bool, location_id: str | None) -> None:
    """An API call created or changed `obj`."""
    record_save(api_actor(request), obj, added=added, location_id=location_id)


def record_api_deletion(request: Request, obj: Model, *, location_id: str | None) -> None:
    """An API call is about to delete `obj`."""
    _record_deletion(api_actor(request), obj, location_id)


def record_save(by: Actor, obj: Model, *, added: bool, location_id: str | None) -> None:
    """`obj` was saved by `by`: one entry with what changed since `remember_stored_values` (all of it when added),
    none when nothing did. For pages of their own (not a ModelAdmin's form) that change a model."""
    changes = changes_of(obj, {} if added else getattr(obj, _STORED, {}))
    if added or changes:
        record_action(by, _action_of(obj, changes, added), location_id=location_id, lead=_lead_of(obj),
                      changes=changes, summary=f"{describe(obj)}: {', '.join(changes)}" if changes else describe(obj))


def _record_deletion(by: Actor, obj: Model, location_id: str | None) -> None:
    if isinstance(obj, LocationMembership):
        action = AuditAction.MEMBER_REMOVED
    elif isinstance(obj, ScoreOverride):
        action = AuditAction.SCORE_OVERRIDE_CLEARED
    else:
        action = AuditAction.DELETED
    record_action(by, action, location_id=location_id, lead=_lead_of(obj), summary=describe(obj))


def describe(obj: Model) -> str:
    """The object as an entry names it: a lead by her number only, so her name is not kept in the trail, and a score
    set by hand without its reason (free text about her)."""
    if isinstance(obj, ScoreOverride):
        return f"Score of lead {obj.contact_id} set by hand"
    label = str(obj.pk) if isinstance(obj, Contact) else str(obj)
    return f"{capfirst(obj._meta.verbose_name)} {label}"


def _record_inline_rows(by: Actor, formset: BaseModelFormSet[Any, Any], location_id: str | None) -> None:
    members = getattr(formset, "model", None) is LocationMembership
    forms_by_pk = {form.instance.pk: form for form in formset.initial_forms}
    for row in formset.new_objects:
        record_action(by, AuditAction.MEMBER_ADDED if members else AuditAction.ADDED, location_id=location_id,
                      changes=changes_of(row, {}), summary=describe(row))
    for row, changed_fields in formset.changed_objects:
        initial = forms_by_pk[row.pk].initial
        changes = {name: [initial.get(name), _values_of(row).get(name)] for name in changed_fields}
        record_action(by, AuditAction.MEMBER_CHANGED if members else AuditAction.CHANGED, location_id=location_id,
                      changes=changes, summary=f"{describe(row)}: {', '.join(changes)}")
    for row in formset.deleted_objects:
        record_action(by, AuditAction.MEMBER_REMOVED if members else AuditAction.DELETED, location_id=location_id,
                      summary=describe(row))


def _action_of(obj: Model, changes: dict[str, list[Any]], added: bool) -> AuditAction:
    if isinstance(obj, ScoreOverride):
        return AuditAction.SCORE_OVERRIDDEN
    if added:
        return AuditAction.MEMBER_ADDED if isinstance(obj, LocationMembership) else AuditAction.ADDED
    if isinstance(obj, Contact) and "status" in changes:
        return AuditAction.STATUS_CHANGED
    if isinstance(obj, Location):
        return AuditAction.SETTINGS_CHANGED
    return AuditAction.MEMBER_CHANGED if isinstance(obj, LocationMembership) else AuditAction.CHANGED


def _lead_of(obj: Model) -> Contact | None:
    if isinstance(obj, Contact):
        return obj
    lead = getattr(obj, "contact", None)
    return lead if isinstance(lead, Contact) else None


def _values_of(obj: Model) -> dict[str, Any]:
    """The stored fields a person may change, as loaded (a deferred field is left out rather than read); a secret
    as stored (sealed), so nothing is decrypted to compare."""
    return {
        field.name: obj.__dict__[field.attname] if _is_secret(field) else field.value_from_object(obj)
        for field in obj._meta.concrete_fields
        if field.attname in obj.__dict__ and not field.primary_key
        and not getattr(field, "auto_now", False) and not getattr(field, "auto_now_add", False)
    }


def _is_secret(field: Field[Any, Any]) -> bool:
    return isinstance(field, EncryptedTextField) or any(word in field.name for word in _SECRET_WORDS)
