"""Redis down never turns a page into a 500: the API and the admin read PostgreSQL while the caches are unreachable,
and cachalot's cache empties itself when Redis is back (the invalidations written meanwhile were lost)."""
from __future__ import annotations

from typing import Any

import pytest
import redis
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import Client

from leads.models import Contact
from tests.api.conftest import ApiAs
from tests.leads.test_webhook_faults import RedisOutage, redis_unreachable  # noqa: F401  (a fixture)


@pytest.mark.django_db(transaction=True)
def test_the_api_and_the_admin_answer_while_redis_is_down(
    redis_unreachable: RedisOutage,  # noqa: F811
    api_as: ApiAs, alpha_broker: Any, maria: Contact, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the fixture has made every Redis refuse connections already; the API's throttle counts on Redis too
    monkeypatch.setattr("console.api.throttling.get_redis", lambda: redis.Redis.from_url(redis_unreachable.address))
    api, admin = api_as(alpha_broker), Client()
    admin.force_login(alpha_broker)

    leads = api.get("/api/v1/leads/")
    dashboard = admin.get("/admin/")
    lead_list = admin.get("/admin/leads/contact/")

    assert leads.status_code == 200 and [row["id"] for row in leads.json()["results"]] == [maria.pk]
    assert dashboard.status_code == 200 and lead_list.status_code == 200


def test_cachalots_cache_is_emptied_the_first_time_redis_answers_after_an_outage(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    cachalot, default = caches["cachalot"], caches["default"]
    cachalot.set("a query's result", "from before the outage")
    default.set("a throttle count", 3)

    real_set = RedisCache.set

    def refused(self: Any, *args: Any, **kwargs: Any) -> None:
        raise redis.exceptions.ConnectionError("Connection refused")

    # a write (an invalidation) while Redis refuses connections is skipped, not raised
    monkeypatch.setattr(RedisCache, "set", refused)
    cachalot.set("a table's invalidation stamp", "lost")
    default.set("a throttle count", 4)
    monkeypatch.setattr(RedisCache, "set", real_set)

    # then the first operation that reaches Redis again empties cachalot's cache, and only cachalot's
    assert cachalot.get("a query's result") is None
    assert default.get("a throttle count") == 3
