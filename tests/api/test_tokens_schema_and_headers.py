"""How a client signs in (tokens, throttled), what it is told about the API (OpenAPI), and the headers it gets."""
from __future__ import annotations

import gzip
import re
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from console.api.throttling import PerUserRateThrottle, SignInPerAddressThrottle
from leads.models import Contact, Location
from tests.api.conftest import ApiAs


def test_a_member_trades_username_and_password_for_a_token_that_reads_the_api(
    alpha_agent: Any, maria: Contact
) -> None:
    client = APIClient()

    token = client.post("/api/v1/auth/token/", {"username": "bob", "password": "bob-password"}).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert [row["id"] for row in client.get("/api/v1/leads/").json()["results"]] == [maria.pk]


def test_a_wrong_password_gets_no_token(alpha_agent: Any) -> None:
    response = APIClient().post("/api/v1/auth/token/", {"username": "bob", "password": "guess"})

    assert response.status_code == 400
    assert "token" not in response.json()


def test_a_made_up_token_is_refused(db: None) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    assert client.get("/api/v1/leads/").status_code == 401


def test_sign_in_attempts_are_throttled_per_address(alpha_agent: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SignInPerAddressThrottle, "THROTTLE_RATES", {"anon": "3/min"})
    # One window for the whole test: a run that crossed the top of a minute started counting again.
    monkeypatch.setattr(SignInPerAddressThrottle, "timer", lambda self: 90.0)
    client = APIClient()

    answers = [client.post("/api/v1/auth/token/", {"username": "bob", "password": "guess"}).status_code
               for _ in range(4)]

    assert answers == [400, 400, 400, 429]


def test_api_calls_are_throttled_per_user(
    api_as: ApiAs, alpha_agent: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(PerUserRateThrottle, "THROTTLE_RATES", {"user": "2/min"})
    monkeypatch.setattr(PerUserRateThrottle, "timer", lambda self: 120.0)
    api = api_as(alpha_agent)

    answers = [api.get("/api/v1/locations/").status_code for _ in range(3)]

    assert answers == [200, 200, 429]
    assert 0 < int(api.get("/api/v1/locations/")["Retry-After"]) <= 60


def test_answers_carry_the_security_headers(api_as: ApiAs, alpha_agent: Any) -> None:
    response = api_as(alpha_agent).get("/api/v1/leads/")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_a_large_answer_is_gzipped_for_a_client_that_asks(
    api_as: ApiAs, alpha_agent: Any, alpha_realty: Location
) -> None:
    Contact.objects.bulk_create(
        [Contact(location=alpha_realty, ghl_id=f"bulk{n}", first_name="Lead", last_name=f"Number {n}")
         for n in range(20)]
    )

    response = api_as(alpha_agent).get("/api/v1/leads/", HTTP_ACCEPT_ENCODING="gzip")

    assert response["Content-Encoding"] == "gzip"
    assert b'"results"' in gzip.decompress(response.content)


def test_the_openapi_schema_names_every_endpoint(api_as: ApiAs, alpha_agent: Any) -> None:
    schema = api_as(alpha_agent).get("/api/v1/schema/", {"format": "json"}).json()

    assert set(schema["paths"]) >= {
        "/api/v1/auth/token/", "/api/v1/leads/", "/api/v1/leads/{id}/", "/api/v1/leads/{id}/pause/",
        "/api/v1/leads/{id}/resume/", "/api/v1/leads/{id}/hand-to-human/",
        "/api/v1/leads/{id}/hand-back/", "/api/v1/conversations/",
        "/api/v1/conversations/{id}/", "/api/v1/messages/", "/api/v1/messages/{id}/", "/api/v1/properties/",
        "/api/v1/properties/{id}/", "/api/v1/properties/import/", "/api/v1/locations/", "/api/v1/locations/{id}/",
        "/api/v1/leads/{id}/score-override/", "/api/v1/drafts/", "/api/v1/drafts/{id}/", "/api/v1/drafts/{id}/approve/",
        "/api/v1/drafts/{id}/discard/", "/api/v1/scores/", "/api/v1/scores/{id}/", "/api/v1/churn-predictions/",
        "/api/v1/churn-predictions/{id}/", "/api/v1/forecasts/", "/api/v1/forecasts/{id}/", "/api/v1/simulator/",
    }
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_the_docs_page_loads_swagger_from_our_own_static_files(client: Client, alpha_agent: Any) -> None:
    client.force_login(alpha_agent)
    page = client.get("/api/v1/docs/").content.decode()

    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    # Every script and stylesheet from this server: no absolute or protocol-relative address (a CDN). Not a search
    # for "cdn" in the page, which the random CSRF token in it contains now and then.
    loaded = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", page)
    assert loaded
    assert [url for url in loaded if url.startswith(("http:", "https:", "//"))] == []
