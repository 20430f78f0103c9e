"""The Redis token bucket that keeps every worker under GHL's per-location request budget.

Runs against a real Redis (database 9 unless TEST_REDIS_URL says otherwise); each test uses
its own key prefix and deletes only its own keys. Assertions count tokens granted; timings are
checked only against generous bounds.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from redis import Redis

from leads.ghl.client import GHLClient
from leads.ghl.errors import GHLRetryableError
from leads.ghl.ratelimit import TokenBucket
from tests.fakes.ghl import FakeGHL

# So slow that no token refills while a test runs: what is granted is exactly the burst.
NO_REFILL = 0.001


@pytest.fixture
def redis_url() -> str:
    return os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def prefix(redis_client: Redis) -> Iterator[str]:
    prefix = f"test:ghl:bucket:{uuid.uuid4().hex}:"
    yield prefix
    keys = list(redis_client.scan_iter(match=prefix + "*"))
    if keys:
        redis_client.delete(*keys)


def take_without_waiting(bucket: TokenBucket, location_id: str) -> bool:
    try:
        bucket.acquire(location_id, timeout=0)
    except GHLRetryableError:
        return False
    return True


def test_a_burst_is_granted_up_to_capacity_across_threads_and_connections(redis_url: str, prefix: str) -> None:
    # given: two buckets on separate connections, as two worker processes would have
    connections = [Redis.from_url(redis_url), Redis.from_url(redis_url)]
    buckets = [TokenBucket(conn, capacity=10, refill_per_second=NO_REFILL, prefix=prefix) for conn in connections]
    start = threading.Barrier(8)
    granted: list[bool] = []
    granted_lock = threading.Lock()

    def worker(bucket: TokenBucket) -> None:
        start.wait()
        results = [take_without_waiting(bucket, "loc_a") for _ in range(5)]
        with granted_lock:
            granted.extend(results)

    # when: 8 threads ask for 40 tokens at once
    threads = [threading.Thread(target=worker, args=(buckets[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for conn in connections:
        conn.close()

    # then
    assert granted.count(True) == 10
    assert granted.count(False) == 30


def test_an_empty_bucket_refills_over_time_but_never_beyond_capacity(redis_client: Redis, prefix: str) -> None:
    # given: a drained bucket that refills one token every 50 ms
    bucket = TokenBucket(redis_client, capacity=3, refill_per_second=20.0, prefix=prefix)
    assert [take_without_waiting(bucket, "loc_a") for _ in range(4)] == [True, True, True, False]

    # when: waiting is allowed, a token comes back
    started = time.monotonic()
    bucket.acquire("loc_a", timeout=2.0)
    assert time.monotonic() - started < 1.5

    # then: a long pause refills six tokens' worth, of which the bucket keeps three
    time.sleep(0.3)
    assert [take_without_waiting(bucket, "loc_a") for _ in range(4)] == [True, True, True, False]


def test_acquire_gives_up_early_with_retry_after_when_the_wait_exceeds_the_timeout(
    redis_client: Redis, prefix: str
) -> None:
    bucket = TokenBucket(redis_client, capacity=1, refill_per_second=1.0, prefix=prefix)
    bucket.acquire("loc_a", timeout=0)

    started = time.monotonic()
    with pytest.raises(GHLRetryableError) as caught:
        bucket.acquire("loc_a", timeout=0.05)

    # It did not sleep through a wait that could not end in a token.
    assert time.monotonic() - started < 0.5
    assert caught.value.retry_after is not None
    assert 0.5 < caught.value.retry_after <= 1.0


def test_each_location_has_its_own_bucket(redis_client: Redis, prefix: str) -> None:
    bucket = TokenBucket(redis_client, capacity=1, refill_per_second=NO_REFILL, prefix=prefix)

    assert take_without_waiting(bucket, "loc_a")
    assert not take_without_waiting(bucket, "loc_a")
    assert take_without_waiting(bucket, "loc_b")


def test_an_idle_bucket_expires_once_it_would_be_full_again(redis_client: Redis, prefix: str) -> None:
    bucket = TokenBucket(redis_client, capacity=100, refill_per_second=10.0, prefix=prefix)

    bucket.acquire("loc_a", timeout=0)

    ttl_ms = redis_client.pttl(prefix + "loc_a")
    assert 0 < ttl_ms <= 11_000


def test_the_client_spends_a_token_on_every_attempt_retries_included(redis_client: Redis, prefix: str) -> None:
    # given: a budget of three requests and a GHL that fails the first one
    bucket = TokenBucket(redis_client, capacity=3, refill_per_second=NO_REFILL, prefix=prefix)
    with FakeGHL() as fake:
        fake.fail_next(500)
        client = GHLClient(
            location_id="loc_a",
            api_token="pit-test",
            base_url=fake.url,
            rate_limiter=bucket,
            timeout=0.1,
            backoff_base=0.01,
        )

        # when
        with client:
            client.send_sms("contact_1", "first")  # 500, then 201: two tokens
            client.send_sms("contact_1", "second")  # the last token
            with pytest.raises(GHLRetryableError) as caught:
                client.send_sms("contact_1", "third")

        # then: the third text never reached GHL
        assert caught.value.endpoint == "rate limiter"
        assert [call.status for call in fake.calls] == [500, 201, 201]
        assert fake.sms_sent() == ["first", "second"]
