"""Errors from asking Claude, split by whether trying again can help (the same split as leads.ghl.errors).

A `LLMRetryableError` may succeed later (429, 529 overloaded, 5xx, timeouts): a Celery task retries it while
its time budget lasts. A `LLMFinalError` will not (400, 401, credits): the caller answers offline. Messages
carry the HTTP status, Anthropic's error type and request id only: never a prompt or an answer.
"""
from __future__ import annotations

from jorgebot.errors import ServiceError


class LLMError(ServiceError):
    keyword_fields = ("status", "retry_after", "request_id")

    def __init__(
        self, reason: str, *, status: int | None = None, retry_after: float | None = None, request_id: str | None = None
    ) -> None:
        self.status = status
        # Seconds to wait before trying again: Anthropic's `retry-after`, or our backoff.
        self.retry_after = retry_after
        self.request_id = request_id
        super().__init__(reason)

    def headline(self) -> str:
        return f"Claude: {self.reason}"


class LLMRetryableError(LLMError):
    """Anthropic is busy or briefly down (429, 529, 5xx), or the call timed out or never connected."""

    retryable = True


class LLMUnavailable(LLMRetryableError):
    """We chose not to call: the circuit is open, or no concurrency slot freed in time. Not Anthropic's failure."""


class LLMFinalError(LLMError):
    """Anthropic refused the request (400, 401, 403, 404, 413): the same request will be refused again."""


class LLMAccountError(LLMFinalError):
    """Anthropic refused the account itself: credits ran out, a spend limit, a revoked key. Nothing will work."""


class LLMInvalidOutput(LLMFinalError):
    """Claude answered, but not in a shape we can use (malformed JSON, no tool call, a wrong tool input)."""
