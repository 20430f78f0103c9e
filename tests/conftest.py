"""Fixtures shared by every domain: personas, the fake GHL and Anthropic, signed webhooks, real Celery workers.

Tests talk to real PostgreSQL and Redis (DATABASE_URL / REDIS_URL, or the embedded servers that
`make test` starts). Redis is flushed per test in the three logical databases the app uses.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test import Client
from kombu.transport import redis as kombu_redis

from leads.models import Contact, Location
from tests.fakes import ghl_events
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.ghl import FakeGHL

REPO_ROOT = Path(__file__).resolve().parent.parent

# The worker subprocess runs with short retry waits so failure paths finish in seconds.
WORKER_SETTINGS = {
    "JORGEBOT_REPLY_DEBOUNCE_SECONDS": "0.5",
    "GHL_BACKOFF_SECONDS": "0.05",
    "GHL_MAX_ATTEMPTS": "2",
    "JORGEBOT_DELIVERY_RETRY_SECONDS": "0.2",
    # A text GHL keeps refusing is given up on after about two seconds (a day in production).
    "JORGEBOT_DELIVERY_RETRY_HOURS": "0.0005",
    # Short, so a task held by a killed worker comes back within the test; above every countdown used.
    "CELERY_VISIBILITY_TIMEOUT": "6",
    "CELERY_UNACKED_RESTORE_SECONDS": "1",
}
# The Claude worker (`claude_worker`) talks to the fake Anthropic with short waits, and a budget generous
# enough that a loaded machine does not turn a retry into a fallback.
CLAUDE_WORKER_SETTINGS = {
    "ANTHROPIC_API_KEY": "test-anthropic-key",
    "JORGEBOT_LLM_REPLY_BUDGET_SECONDS": "6",
    "JORGEBOT_LLM_RETRY_BASE_SECONDS": "0.1",
    "JORGEBOT_LLM_BATCH_POLL_SECONDS": "0.2",
}


def _redis_urls() -> list[str]:
    return [settings.REDIS_URL, settings.CELERY_BROKER_URL, settings.CACHALOT_REDIS_URL]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`pytest -m "not worker"` is the quick local run: a test that starts Celery processes against the test
    database (every one is built on `worker_env`) and is not marked `worker` is a mistake, caught here."""
    unmarked = [item.nodeid for item in items
                if "worker_env" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("worker")]
    if unmarked:
        raise pytest.UsageError("these start Celery processes, so need @pytest.mark.worker: " + ", ".join(unmarked))


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
    # Offline unless a test asks for the fake Anthropic: a developer's real key must never be used here.
    settings.ANTHROPIC_API_KEY = ""
    # Every persona and sign-in hashes a password: Django's PBKDF2 (a million rounds, over half a second here) is
    # what production needs and no test measures.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from leads.ingest.doors import forget_served_locations

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


# -- people who sign in: a broker and an agent of alpha, a broker of beta, the install's owner ------


def _member(username: str, location: Location, role: str) -> Any:
    from django.contrib.auth import get_user_model

    from leads.models import LocationMembership

    user = get_user_model().objects.create_user(username=username, password=f"{username}-password")
    LocationMembership.objects.create(user=user, location=location, role=role)
    return user


@pytest.fixture
def alpha_broker(alpha_realty: Location) -> Any:
    """Alice runs Alpha Realty: she sees its leads, manages its listings and exports."""
    return _member("alice", alpha_realty, "broker")


@pytest.fixture
def alpha_agent(alpha_realty: Location) -> Any:
    """Bob is an agent at Alpha Realty: he works its leads but manages nothing."""
    return _member("bob", alpha_realty, "agent")


@pytest.fixture
def beta_broker(beta_homes: Location) -> Any:
    """Charlie runs Beta Homes: to him, Alpha Realty does not exist."""
    return _member("charlie", beta_homes, "broker")


@pytest.fixture
def owner(db: None) -> Any:
    """Whoever installed Jorgebot: a superuser who sees every location."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser(username="owner", password="owner-password")


@pytest.fixture
def beta_lead(beta_homes: Location) -> Contact:
    """Beta's lead: the row every alpha persona must be unable to see, in the admin and the API."""
    return Contact.objects.create(
        location=beta_homes, ghl_id="BetaLeadContact0001B", first_name="Bruno", last_name="Beta",
        phone="+16195550177", email="bruno@example.com",
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


# -- Anthropic ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def session_fake_anthropic() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as fake:
        yield fake


@pytest.fixture
def fake_anthropic(session_fake_anthropic: FakeAnthropic, settings: Any) -> Iterator[FakeAnthropic]:
    """The fake Anthropic API (a real HTTP server), emptied for each test; Claude is on and points at it."""
    session_fake_anthropic.reset()
    settings.ANTHROPIC_API_KEY = CLAUDE_WORKER_SETTINGS["ANTHROPIC_API_KEY"]
    settings.ANTHROPIC_BASE_URL = session_fake_anthropic.url
    yield session_fake_anthropic
    session_fake_anthropic.reset()


PostWebhook = Callable[..., Any]


def post_webhook_through(client: Any) -> PostWebhook:
    """POST a payload to the webhook as GHL would, signed with the test keys (override headers to tamper),
    through `client`: Django's test Client, or tests.leads.wsgi_client.WsgiClient for gunicorn's fast path."""

    def post(payload: dict[str, Any], *, scheme: str = "ed25519", headers: dict[str, str] | None = None) -> Any:
        body, signed = ghl_events.signed_body(payload, scheme)  # type: ignore[arg-type]
        sent = headers if headers is not None else signed
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in sent.items()}
        return client.post("/webhooks/ghl/", data=body, content_type="application/json", **extra)

    return post


@pytest.fixture
def post_webhook(client: Client) -> PostWebhook:
    return post_webhook_through(client)


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

    # Workers of this session that are up. They share the test broker, so one consumes at a time.
    running: ClassVar[set[WorkerProcess]] = set()

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
        WorkerProcess.running.add(self)
        self._wait_until_ready()

    def take_over(self) -> None:
        """Be the only worker on the broker: stop the others, and start again if another stopped this one."""
        for other in WorkerProcess.running - {self}:
            other.stop()
        if self not in WorkerProcess.running:
            self.start()

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
        WorkerProcess.running.discard(self)

    def stop(self) -> None:
        WorkerProcess.running.discard(self)
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
    # Offline: a developer's Anthropic key must not reach the default worker.
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    return {
        **inherited,
        **WORKER_SETTINGS,
        "DATABASE_URL": _database_url_of_test_db(),
        "DATABASE_POOL": "false",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "GHL_API_BASE_URL": session_fake_ghl.url,
        "GHL_WEBHOOK_ED25519_PUBLIC_KEY": ghl_events.ED25519_PUBLIC_KEY_PEM,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "worker-secret-for-tests",
        # The worker must open the tokens this process sealed.
        "JORGEBOT_ENCRYPTION_KEYS": ",".join(settings.JORGEBOT_ENCRYPTION_KEYS),
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
    if _session_worker in WorkerProcess.running and _session_worker.process.poll() is not None:
        raise RuntimeError(f"the session worker died:\n{_session_worker.log_path.read_text()[-3000:]}")
    _session_worker.take_over()
    return _session_worker


@pytest.fixture(scope="session")
def _claude_worker(worker_env: dict[str, str], session_fake_anthropic: FakeAnthropic) -> Iterator[WorkerProcess]:
    for other in set(WorkerProcess.running):
        other.stop()
    worker = WorkerProcess(
        {**worker_env, **CLAUDE_WORKER_SETTINGS, "ANTHROPIC_BASE_URL": session_fake_anthropic.url}, "claude"
    )
    yield worker
    worker.stop()


@pytest.fixture
def claude_worker(
    transactional_db: None, _claude_worker: WorkerProcess, fake_ghl: FakeGHL, fake_anthropic: FakeAnthropic
) -> WorkerProcess:
    """A real worker with Claude on, against the fake Anthropic; the offline session worker waits meanwhile."""
    if _claude_worker in WorkerProcess.running and _claude_worker.process.poll() is not None:
        raise RuntimeError(f"the Claude worker died:\n{_claude_worker.log_path.read_text()[-3000:]}")
    _claude_worker.take_over()
    return _claude_worker


WORKER_QUEUES = ("webhooks", "bots", "llm", "analytics")


def tasks_left() -> list[tuple[str, int]]:
    """(task name, retries) of every task the broker holds: waiting in a queue (at any priority), or handed to a
    worker and not yet acknowledged. Tasks acknowledge late (CELERY_TASK_ACKS_LATE), so a task a worker has
    reserved, holds for its countdown, or is running stays in the broker's unacked hash until it is done."""
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    sep, steps = kombu_redis.Channel.sep, kombu_redis.PRIORITY_STEPS
    queued = [json.loads(raw) for queue in WORKER_QUEUES for step in steps
              for raw in broker.lrange(f"{queue}{sep}{step}" if step else queue, 0, -1)]
    # An unacknowledged entry is [message, exchange, routing key].
    held = [json.loads(raw)[0] for raw in broker.hvals(kombu_redis.Channel.unacked_key)]
    messages = [*queued, *held]
    return [(m["headers"]["task"], int(m["headers"].get("retries") or 0)) for m in messages]


def wait_until_nothing_left_to_do(timeout: float = 30.0, quiet_for: float = 0.2) -> None:
    """Wait until the worker has nothing left to do: no task queued, reserved, scheduled or running, and no text
    pending or being sent. Proves "nothing else happens" without a fixed sleep: once nothing is left, nothing
    more can be sent. It must hold for `quiet_for` seconds, to cover the moment a worker has popped a task from
    a queue and not yet recorded it as unacknowledged. Every outbox row is the test's own: worker tests commit,
    and the tables are emptied after each."""
    from leads.models import OutboxMessage

    deadline = time.monotonic() + timeout
    quiet_since: float | None = None
    while True:
        tasks = tasks_left()
        sending = list(OutboxMessage.objects.filter(status__in=["pending", "sending"]).values_list("pk", "status"))
        now = time.monotonic()
        if tasks or sending:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since >= quiet_for:
            return
        if now > deadline:
            raise AssertionError(f"the worker still had work after {timeout}s: tasks {tasks}, outbox rows {sending}")
        time.sleep(0.02)


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
