"""Who the audit trail says acted: the signed-in person, and never an anonymous request."""
from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from rest_framework.request import Request

from audit.models import Channel
from console.audit_trail import admin_actor, api_actor


def test_the_signed_in_person_is_who_acted(alpha_broker: Any) -> None:
    request = RequestFactory().post("/admin/leads/contact/1/change/")
    request.user = alpha_broker

    actor = admin_actor(request)

    assert (actor.user, actor.username, actor.channel) == (alpha_broker, "alice", Channel.ADMIN)


def test_an_anonymous_admin_request_is_refused_rather_than_recorded() -> None:
    request = RequestFactory().post("/admin/leads/contact/1/change/")
    request.user = AnonymousUser()

    with pytest.raises(PermissionDenied):
        admin_actor(request)


def test_an_anonymous_api_request_is_refused_rather_than_recorded() -> None:
    request = Request(RequestFactory().post("/api/v1/drafts/1/discard/"))
    request.user = AnonymousUser()

    with pytest.raises(PermissionDenied):
        api_actor(request)
