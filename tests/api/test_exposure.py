"""What the install shows to someone not signed in: the API's schema and docs need a login, /metrics needs its token
unless DEBUG is on, and outside DEBUG cookies are secure and HSTS is on unless DJANGO_SECURE_SSL turns them off."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from django.test import Client

from tests.api.conftest import ApiAs
from tests.conftest import REPO_ROOT


@pytest.mark.parametrize("path", ["/api/v1/schema/", "/api/v1/docs/"])
def test_the_api_schema_and_docs_need_a_login(client: Client, db: None, path: str) -> None:
    assert client.get(path).status_code in (401, 403)


@pytest.mark.parametrize("path", ["/api/v1/schema/", "/api/v1/docs/"])
def test_a_member_reads_the_api_schema_and_docs(api_as: ApiAs, alpha_agent: Any, path: str) -> None:
    assert api_as(alpha_agent).get(path).status_code == 200


def test_the_docs_page_works_for_someone_signed_in_to_the_admin(client: Client, alpha_agent: Any) -> None:
    client.force_login(alpha_agent)

    assert client.get("/api/v1/docs/").status_code == 200
    assert client.get("/api/v1/schema/", {"format": "json"}).status_code == 200


def test_metrics_are_refused_without_a_token_when_debug_is_off(client: Client, settings: Any, db: None) -> None:
    settings.DEBUG = False
    settings.JORGEBOT_METRICS_TOKEN = ""

    response = client.get("/metrics")

    assert response.status_code == 403
    assert b"JORGEBOT_METRICS_TOKEN" in response.content


def test_metrics_are_open_without_a_token_under_debug(client: Client, settings: Any, db: None) -> None:
    settings.DEBUG = True
    settings.JORGEBOT_METRICS_TOKEN = ""

    assert client.get("/metrics").status_code == 200


def _security_settings(**env: str) -> dict[str, Any]:
    """The security settings as a fresh process reads them from `env` (settings are read once, at import)."""
    names = ["SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS"]
    code = ("import json; from jorgebot import settings as s; "
            f"print(json.dumps({{name: getattr(s, name) for name in {names!r}}}))")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    # Outside DEBUG the settings also need an encryption key (tests/leads/test_token_encryption.py).
    clean["JORGEBOT_ENCRYPTION_KEYS"] = "ZXhwb3N1cmUtdGVzdC1lbmNyeXB0aW9uLWtleS0wMDA="
    output = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env={**clean, **env}, check=True,
                            capture_output=True, text=True).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def test_outside_debug_cookies_are_secure_and_hsts_is_on_by_default() -> None:
    secure = _security_settings(DJANGO_SECRET_KEY="x")

    assert secure == {"SECURE_SSL_REDIRECT": True, "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True,
                      "SECURE_HSTS_SECONDS": 31536000}


@pytest.mark.parametrize("env", [{"DJANGO_DEBUG": "1"}, {"DJANGO_SECRET_KEY": "x", "DJANGO_SECURE_SSL": "0"}])
def test_debug_or_an_explicit_off_serves_plain_http(env: dict[str, str]) -> None:
    assert not any(_security_settings(**env).values())


def test_health_and_metrics_answer_plain_http_when_the_rest_redirects_to_https(
    client: Client, settings: Any, db: None
) -> None:
    # Container health checks and Prometheus scrape the process directly, not through the TLS proxy.
    settings.SECURE_SSL_REDIRECT = True
    settings.JORGEBOT_METRICS_TOKEN = "scrape-secret"

    assert client.get("/health/").status_code == 200
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret").status_code == 200
    assert client.get("/admin/login/").status_code == 301
