"""Fixtures of the notifications' tests: a real SMTP server on loopback (aiosmtpd), a fake chat incoming-webhook
server (Slack, Teams), and a worker that sends to both with short retry waits."""
from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from leads.models import Location
from tests.conftest import WorkerProcess
from tests.fakes.ghl import FakeGHL
from tests.fakes.loopback import Answer, LoopbackAPI, RecordedCall

PUBLIC_URL = "https://jorgebot.alpha.example"


@dataclass(frozen=True)
class Mail:
    to: list[str]
    sender: str
    subject: str
    body: str


class SMTPInbox:
    """aiosmtpd's handler: keeps each message it accepts; `refuse_next` answers the next DATA commands with an
    SMTP reply instead ("451 ..." says later, "550 ..." says never)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.mails: list[Mail] = []
        self.refusals: list[str] = []
        self.attempts = 0

    def refuse_next(self, reply: str, times: int = 1) -> None:
        with self._lock:
            self.refusals += [reply] * times

    def reset(self) -> None:
        with self._lock:
            self.mails, self.refusals, self.attempts = [], [], 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self._lock:
            self.attempts += 1
            if self.refusals:
                return self.refusals.pop(0)
            parsed = email.message_from_bytes(envelope.original_content or b"", policy=email.policy.default)
            body = parsed.get_body(preferencelist=("plain",))
            self.mails.append(Mail(
                to=list(envelope.rcpt_tos), sender=str(envelope.mail_from), subject=str(parsed["subject"]),
                body=body.get_content() if body is not None else "",
            ))
        return "250 Message accepted for delivery"


class FakeChat(LoopbackAPI):
    """A Slack or Teams incoming webhook: records each POST; `fail_next` answers the next ones with a status."""

    thread_name = "fake-chat"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: list[RecordedCall] = []
        self.failures: list[int] = []
        super().__init__()

    def fail_next(self, status: int, times: int = 1) -> None:
        with self._lock:
            self.failures += [status] * times

    def reset(self) -> None:
        with self._lock:
            self.calls, self.failures = [], []

    def posts_to(self, path: str) -> list[Any]:
        with self._lock:
            return [call.json for call in self.calls if call.path == path and call.status == 200]

    def answer(self, call: RecordedCall) -> Answer:
        with self._lock:
            status = self.failures.pop(0) if self.failures else 200
            self.calls.append(RecordedCall(call.method, call.path, call.query, call.headers, call.json, status))
        # Slack answers "ok" in plain text; Teams' workflows 202 with nothing; both are a success to us.
        return status, {"Content-Type": "text/plain"}, b"ok" if status == 200 else b"no_service"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def _smtp_server() -> Iterator[tuple[SMTPInbox, int]]:
    inbox = SMTPInbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def smtp_inbox(_smtp_server: tuple[SMTPInbox, int]) -> Iterator[SMTPInbox]:
    inbox, _ = _smtp_server
    inbox.reset()
    yield inbox
    inbox.reset()


@pytest.fixture(scope="session")
def _fake_chat() -> Iterator[FakeChat]:
    with FakeChat() as fake:
        yield fake


@pytest.fixture
def fake_chat(_fake_chat: FakeChat) -> Iterator[FakeChat]:
    _fake_chat.reset()
    yield _fake_chat
    _fake_chat.reset()


@pytest.fixture(scope="session")
def _alerts_worker(
    worker_env: dict[str, str], _smtp_server: tuple[SMTPInbox, int], _fake_chat: FakeChat
) -> Iterator[WorkerProcess]:
    for other in set(WorkerProcess.running):
        other.stop()
    worker = WorkerProcess({
        **worker_env,
        "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(_smtp_server[1]), "DEFAULT_FROM_EMAIL": "alerts@alpha.example",
        "JORGEBOT_PUBLIC_URL": PUBLIC_URL,
        # Three tries, a tenth of a second apart and doubling: a failure path finishes in under a second.
        "JORGEBOT_ALERTS_MAX_ATTEMPTS": "3", "JORGEBOT_ALERTS_RETRY_SECONDS": "0.1",
    }, "alerts")
    yield worker
    worker.stop()


@pytest.fixture
def alerts_worker(
    transactional_db: None, _alerts_worker: WorkerProcess, fake_ghl: FakeGHL, settings: Any
) -> WorkerProcess:
    """A real worker that sends to the loopback SMTP server and chat fake; tests using it commit their data."""
    if _alerts_worker in WorkerProcess.running and _alerts_worker.process.poll() is not None:
        raise RuntimeError(f"the alerts worker died:\n{_alerts_worker.log_path.read_text()[-3000:]}")
    _alerts_worker.take_over()
    # Links are made where the event is noticed: here, for turns taken in the test's process.
    settings.JORGEBOT_PUBLIC_URL = PUBLIC_URL
    return _alerts_worker


@pytest.fixture
def alpha_sellers_named_their_tags(alpha_realty: Location) -> Location:
    """Alpha calls its hot sellers Seller-HOT (tests/conversations/location_tag_names_are_settings.yaml)."""
    alpha_realty.bot_settings = {"tags": {"seller_activation": "Seller-Bot-On", "hot_seller": "Seller-HOT",
                                          "seller_qualified": "Qualified-Seller", "lead_bot": "AI-Lead"}}
    alpha_realty.save()
    return alpha_realty
