"""The brokers-only write permission asks the view whose row it is; a view that cannot say refuses the change."""
from __future__ import annotations

from typing import Any

from django.test import RequestFactory
from rest_framework.request import Request
from rest_framework.views import APIView

from console.api.permissions import BrokersWrite
from console.api.viewsets import PropertyViewSet
from leads.models import Property


def a_change_by(user: Any) -> Request:
    request = Request(RequestFactory().put("/api/v1/properties/1/"))
    request.user = user
    return request


def test_a_broker_changes_a_row_of_her_location(alpha_broker: Any, alpha_listing: Property) -> None:
    assert BrokersWrite().has_object_permission(a_change_by(alpha_broker), PropertyViewSet(), alpha_listing)


def test_a_view_that_cannot_say_whose_row_it_is_lets_nobody_change_it(
    alpha_broker: Any, alpha_listing: Property
) -> None:
    assert not BrokersWrite().has_object_permission(a_change_by(alpha_broker), APIView(), alpha_listing)
