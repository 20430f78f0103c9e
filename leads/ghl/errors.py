"""Errors raised by the GHL client, split by whether trying again can help.

Callers (Celery tasks) branch on the type: a `GHLRetryableError` is rescheduled after
`retry_after` seconds, a `GHLFinalError` is recorded and given up on. Messages carry only
the endpoint label, HTTP status and ids: never the token, a phone number or message text,
because these strings end up in logs, Sentry and the admin.
"""

from __future__ import annotations

from jorgebot.errors import ServiceError


class GHLError(ServiceError):
    """A call to GHL failed; `retryable` says whether the same call can succeed later."""

    keyword_fields = ("endpoint", "status", "retry_after", "trace_id", "maybe_applied")
    headline_fields = ("endpoint",)

    def __init__(
        self,
        reason: str,
        *,
        endpoint: str,
        status: int | None = None,
        retry_after: float | None = None,
        trace_id: str | None = None,
        maybe_applied: bool = False,
    ) -> None:
        self.endpoint = endpoint
        self.status = status
        self.retry_after = retry_after
        # GHL's own request id (`traceId` in error bodies): what their support asks for.
        self.trace_id = trace_id
        # True when the request reached GHL but no answer came back (a read timeout on a
        # POST): the SMS may have gone out, so a blind resend could text the lead twice.
        self.maybe_applied = maybe_applied
        super().__init__(reason)

    def headline(self) -> str:
        return f"GHL {self.endpoint}: {self.reason}"


class GHLRetryableError(GHLError):
    """429, 5xx, timeouts, connection errors, or our own rate limiter saying "not yet"."""

    retryable = True


class GHLFinalError(GHLError):
    """4xx other than 429, or a response we cannot read: retrying the same call won't help."""

    retryable = False
