"""Requests straight into `jorgebot.wsgi.application`, the callable gunicorn serves, so a test sees what
GHL would: the webhook fast path in front of Django included (Django's test Client skips it)."""
from __future__ import annotations

import io
import json
from typing import Any
from wsgiref.util import setup_testing_defaults

from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from jorgebot.wsgi import application


class WsgiResponse:
    def __init__(self, status: str, headers: list[tuple[str, str]], content: bytes) -> None:
        self.status_code = int(status.split(" ", 1)[0])
        self.headers = {name.lower(): value for name, value in headers}
        self.content = content

    def __getitem__(self, name: str) -> str:
        return self.headers[name.lower()]

    def json(self) -> Any:
        return json.loads(self.content)


class WsgiClient:
    """The slice of Django's test Client the webhook tests use: post() and get() with environ extras."""

    def request(self, method: str, path: str, body: bytes, content_type: str, **extra: str) -> WsgiResponse:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "CONTENT_TYPE": content_type,
            "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body), "SERVER_NAME": "testserver",
            **extra,
        }
        setup_testing_defaults(environ)
        started: list[Any] = []
        # As Django's test Client does: a request handed on to Django must not close the test's connection,
        # which holds the test's transaction.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            chunks = application(environ, lambda status, headers, exc_info=None: started.extend((status, headers)))
            try:
                content = b"".join(chunks)
            finally:
                getattr(chunks, "close", lambda: None)()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return WsgiResponse(started[0], started[1], content)

    def post(self, path: str, data: bytes | str = b"", content_type: str = "application/json", **extra: str) -> Any:
        body = data.encode() if isinstance(data, str) else data
        return self.request("POST", path, body, content_type, **extra)

    def get(self, path: str, **extra: str) -> Any:
        return self.request("GET", path, b"", "", **extra)
