"""Fixtures shared by every domain: personas, the fake GHL, signed webhooks, a real Celery worker.

Tests talk to real PostgreSQL and Redis (DATABASE_URL / REDIS_URL, or the embedded servers that
`make test` starts). Redis is flushed per test in the three logical databases the app uses.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test import Client

from leads.models import Contact, Location
from tests.fakes import ghl_events
from tests.fakes.ghl import FakeGHL

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"

# The worker subprocess runs with short retry waits so failure paths finish in seconds.
WORKER_SETTINGS = {
    "JORGEBOT_REPLY_DEBOUNCE_SECONDS": "0.5",
    "GHL_BACKOFF_SECONDS": "0.05",
    "GHL_MAX_ATTEMPTS": "2",
    "JORGEBOT_DELIVERY_RETRY_SECONDS": "0.2",
    "JORGEBOT_DELIVERY_MAX_ATTEMPTS": "3",
    # Short, so a task held by a killed worker comes back within the test; above every countdown used.
    "CELERY_VISIBILITY_TIMEOUT": "6",
    "CELERY_UNACKED_RESTORE_SECONDS": "1",
}


def _redis_urls() -> list[str]:
    return [settings.REDIS_URL, settings.CELERY_BROKER_URL, settings.CACHALOT_REDIS_URL]


@pytest.fixture(autouse=True)
def _clean_redis() -> Iterator[None]:
    for url in _redis_urls():
        redis.Redis.from_url(url).flushdb()
    yield


@pytest.fixture(autouse=True)
def _test_settings(settings: Any) -> None:
    settings.GHL_WEBHOOK_ED25519_PUBLIC_KEY = ghl_events.ED25519_PUBLIC_KEY_PEM
    settings.GHL_WEBHOOK_RSA_PUBLIC_KEY = ghl_events.RSA_PUBLIC_KEY_PEM
    settings.GHL_WORKFLOW_WEBHOOK_SECRET = "workflow-secret-for-tests"
    # In-process turns answer at once; the worker process has its own debounce (WORKER_SETTINGS).
    settings.JORGEBOT_REPLY_DEBOUNCE_SECONDS = 0.0
    # Publish each webhook's event at once, so a test can count what was enqueued.
    settings.JORGEBOT_WEBHOOK_BATCH_SECONDS = 0.0
    settings.GHL_BACKOFF_SECONDS = 0.01
    from leads.services import forget_served_locations

    forget_served_locations()


# -- personas ----------------------------------------------------------------------------------


@pytest.fixture
def alpha_realty(db: None, session_fake_ghl: FakeGHL) -> Location:
    """The brokerage the fake GHL serves: the location every webhook builder posts for."""
    return Location.objects.create(
        id=ghl_events.LOCATION_ID, name=ghl_events.LOCATION_NAME, api_token="alpha-token", timezone="America/Chicago"
    )


@pytest.fixture
def beta_homes(db: None) -> Location:
    """Another brokerage on the same install: a tenant alpha must never see."""
    return Location.objects.create(id="BetaHomesLoc0000001B", name="Beta Homes", api_token="beta-token")


@pytest.fixture
def maria(alpha_realty: Location) -> Contact:
    """A lead alpha already knows (synced from GHL), with no bot tag: the lead bot answers her."""
    from django.utils import timezone

    return Contact.objects.create(
        location=alpha_realty,
        ghl_id=ghl_events.CONTACT_ID,
        first_name=ghl_events.FIRST_NAME,
        last_name=ghl_events.LAST_NAME,
        phone=ghl_events.PHONE,
        synced_at=timezone.now(),
    )


# -- GHL ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def session_fake_ghl() -> Iterator[FakeGHL]:
    with FakeGHL() as fake:
        yield fake


@pytest.fixture
def fake_ghl(session_fake_ghl: FakeGHL, settings: Any) -> Iterator[FakeGHL]:
    """The fake GHL API (a real HTTP server), emptied for each test; our client points at it."""
    session_fake_ghl.reset()
    settings.GHL_API_BASE_URL = session_fake_ghl.url
    yield session_fake_ghl
    session_fake_ghl.reset()


PostWebhook = Callable[..., Any]


@pytest.fixture
def post_webhook(client: Client) -> PostWebhook:
    """POST a payload to the webhook as GHL would, signed with the test keys (override headers to tamper)."""

    def post(payload: dict[str, Any], *, scheme: str = "ed25519", headers: dict[str, str] | None = None) -> Any:
        body, signed = ghl_events.signed_body(payload, scheme)  # type: ignore[arg-type]
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers if headers is not None else signed).items()}
        return client.post("/webhooks/ghl/", data=body, content_type="application/json", **extra)

    return post


# -- a real Celery worker ----------------------------------------------------------------------


def _database_url_of_test_db() -> str:
    db = connection.settings_dict
    host = db["HOST"] or ""
    if host.startswith("/"):
        return f"postgres://{db['USER']}@:{db['PORT'] or 5432}/{db['NAME']}?host={host}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


class WorkerProcess:
    """`celery worker` in its own process group, against the test database, the fake GHL and Redis."""

    def __init__(self, env: dict[str, str], name: str, concurrency: int = 2) -> None:
        self.env = env
        self.name = name
        self.concurrency = concurrency
        self.log_path = REPO_ROOT / "var" / f"test-{name}.log"
        self.log_path.parent.mkdir(exist_ok=True)
        self.start()

    def start(self) -> None:
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "jorgebot", "worker", "-Q", "webhooks,bots,llm,analytics",
             "-c", str(self.concurrency), "-n", f"{self.name}@%h", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "-l", "INFO"],
            cwd=REPO_ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self._wait_until_ready()

    def _wait_until_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.log_path.read_text()[-3000:]}")
            if " ready." in self.log_path.read_text():
                return
            time.sleep(0.1)
        raise RuntimeError(f"worker not ready:\n{self.log_path.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the whole worker, pool included: no warm shutdown, no acks."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
                return
        self._log.close()


@pytest.fixture(scope="session")
def worker_env(django_db_setup: None, session_fake_ghl: FakeGHL) -> dict[str, str]:
    return {
        **os.environ,
        **WORKER_SETTINGS,
        "DATABASE_URL": _database_url_of_test_db(),
        "DATABASE_POOL": "false",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "GHL_API_BASE_URL": session_fake_ghl.url,
        "GHL_WEBHOOK_ED25519_PUBLIC_KEY": ghl_events.ED25519_PUBLIC_KEY_PEM,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "worker-secret-for-tests",
        "JORGEBOT_LOG_LEVEL": "INFO",
    }


@pytest.fixture(scope="session")
def _session_worker(worker_env: dict[str, str]) -> Iterator[WorkerProcess]:
    worker = WorkerProcess(worker_env, "session")
    yield worker
    worker.stop()


@pytest.fixture
def celery_worker(transactional_db: None, _session_worker: WorkerProcess, fake_ghl: FakeGHL) -> WorkerProcess:
    """A real worker process (shared by the session); tests using it must commit their data."""
    if _session_worker.process.poll() is not None:
        raise RuntimeError(f"the session worker died:\n{_session_worker.log_path.read_text()[-3000:]}")
    return _session_worker


def wait_for(condition: Callable[[], Any], timeout: float = 15.0, interval: float = 0.05) -> Any:
    """Poll until `condition()` is truthy; the worker runs in another process, so tests wait for effects."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)
