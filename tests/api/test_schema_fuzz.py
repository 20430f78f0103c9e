"""Every endpoint of /api/v1/schema/, fuzzed from the schema itself (schemathesis) with a broker's token against the
live test server: whatever it is sent, the API answers without a 5xx. `-m fuzz` selects it; a bounded number of
examples per endpoint (JORGEBOT_FUZZ_EXAMPLES) keeps it inside a minute in `make test`."""
from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token

from leads.models import Contact, Location
from tests.api.conftest import listing

EXAMPLES = int(os.environ.get("JORGEBOT_FUZZ_EXAMPLES", "8"))


@pytest.fixture
def broker_token(transactional_db: None, alpha_broker: Any, maria: Contact, alpha_realty: Location) -> str:
    """Alice's token, with a lead and a listing of hers in the (committed) database for the live server to find."""
    listing(alpha_realty, "FUZZ0001")
    return str(Token.objects.get_or_create(user=alpha_broker)[0].key)


def api_operations() -> list[Any]:
    """Every operation of the schema /api/v1/schema/ serves."""
    schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.fuzz
def test_no_request_to_any_endpoint_gets_a_server_error(live_server: Any, broker_token: str) -> None:
    # One test for every endpoint, so the live server and the database are set up once (a test per endpoint spent
    # most of its time emptying the database between them).
    auth = {"Authorization": f"Token {broker_token}"}
    operations = api_operations()
    assert len(operations) > 30
    server_errors: list[str] = []
    for operation in operations:

        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def fuzz(case: Any) -> None:
            response = case.call(base_url=live_server.url, headers=auth)
            if response.status_code >= 500:
                server_errors.append(f"{case.method} {case.formatted_path} -> {response.status_code}: "
                                     f"{case.as_curl_command(headers=auth)}")

        fuzz()

    assert server_errors == []
