"""Who may do what through the API: members of a location read and work its leads; only its brokers change
its listings. Which rows exist at all is decided earlier, by the scoped queryset (leads.access)."""
from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from django.db.models import Model
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from leads.access import scope_of


@runtime_checkable
class RowsByLocation(Protocol):
    """A view that says which location a row belongs to (console.api.viewsets.ScopedViewSet)."""

    def location_id_of(self, obj: Model) -> str | None: ...


class IsLocationMember(BasePermission):
    """Signed in and a member of at least one location (a superuser is a member of all)."""

    message = "You are not a member of any location."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated and scope_of(request.user).is_member_anywhere)


class BrokersWrite(IsLocationMember):
    """Members read; only a broker of the row's location writes (agents get 403 on their own location's rows)."""

    message = "Only a broker of this location may change it."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not super().has_permission(request, view):
            return False
        return request.method in SAFE_METHODS or scope_of(request.user).is_broker_anywhere

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        # A view that cannot say whose row it is lets nobody change it.
        return isinstance(view, RowsByLocation) and scope_of(request.user).is_broker_of(view.location_id_of(obj))
