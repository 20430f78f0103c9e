"""The HTTP side of the fakes of external APIs (GHL, Anthropic): a real HTTP/1.1 server on 127.0.0.1, in a
daemon thread, that reads each request into a `RecordedCall` and writes back what the fake answers.

Real sockets, so the real clients (httpx, the `anthropic` SDK), and Celery workers in other processes, talk to
the fakes exactly as they would to the real APIs.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

# Status, headers, body.
Answer = tuple[int, dict[str, str], bytes]


@dataclass(frozen=True)
class RecordedCall:
    """One request as a fake received it, with the status it answered."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names lower-cased
    json: Any  # None when the body is empty or not JSON
    status: int
    # time.time() when the request arrived: benchmarks measure webhook-to-SMS latency with it.
    received_at: float = 0.0
    # A form-encoded body (OAuth's token endpoint), field by field.
    form: dict[str, str] = field(default_factory=dict)


class LoopbackAPI:
    """A fake API's server: subclasses set up their state, call `super().__init__()`, and implement `answer`,
    which runs on a server thread per connection."""

    thread_name = "fake-api"

    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"
        # A short poll interval so stop() (and so every test's teardown) returns at once.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name=self.thread_name, daemon=True
        )
        self._thread.start()

    def answer(self, call: RecordedCall) -> Answer:
        raise NotImplementedError

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Benchmarks open dozens of connections at once.
    request_queue_size = 256

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out and hung up is the point of some tests, not an error.
        pass


def _handler_for(api: LoopbackAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.1 keep-alive, so the clients' connection pools behave as they would against the real API.
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle on, the body would wait for the client's delayed
        # ACK (40 ms a call), a delay no real API adds.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def do_PUT(self) -> None:
            self._answer()

        def do_DELETE(self) -> None:
            self._answer()

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self) -> None:
            status, headers, body = api.answer(self._read_call())
            try:
                self.send_response(status)
                if not any(name.lower() == "content-type" for name in headers):
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def _read_call(self) -> RecordedCall:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            is_form = self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded")
            return RecordedCall(
                method=self.command,
                path=url.path,
                query=dict(parse_qsl(url.query)),
                headers={name.lower(): value for name, value in self.headers.items()},
                json=body,
                status=0,
                received_at=time.time(),
                form=dict(parse_qsl(raw.decode())) if is_form else {},
            )

    return Handler
