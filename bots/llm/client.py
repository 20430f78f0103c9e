"""The one module that talks to Anthropic, through the official SDK: single messages and Message Batches.

The SDK's own retries are off (`max_retries=0`): a failed call comes back at once as a typed error from
bots.llm.errors, and the caller decides whether a Celery retry fits in its time budget or the offline
engine answers. Timeouts are explicit on every call. Nothing here logs a prompt or an answer.

The SDK takes seconds to import, so it is imported on first use (`load_sdk`): a process that never calls
Claude never pays for it, and one that will (a key is set) loads it while starting (bots.llm.apps).
"""
from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.utils import timezone

from bots.llm.errors import LLMAccountError, LLMError, LLMFinalError, LLMInvalidOutput, LLMRetryableError
from bots.llm.pricing import Usage

if TYPE_CHECKING:
    import anthropic
    from anthropic.types.message_create_params import MessageCreateParamsNonStreaming

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.anthropic.com"
# Anthropic's error codes for an account that may not spend (any more): nothing sent will be answered.
_ACCOUNT_ERROR_CODES = frozenset({
    "enforced_spend_limit_reached", "contract_spend_limit_reached", "linked_organization_spend_limit_reached",
    "linked_organization_billing_unavailable", "organization_on_hold",
})
# Worth asking again later: request timeout, conflict, rate limit; 5xx (529 is "overloaded") below.
_RETRYABLE_STATUSES = frozenset({408, 409, 429})

JSON = dict[str, Any]


@dataclass(frozen=True)
class ClaudeRequest:
    """One Messages API request, as plain JSON: the same shape goes to `messages.create` and into a batch."""

    model: str
    max_tokens: int
    system: list[JSON]
    messages: list[JSON]
    tools: list[JSON] = field(default_factory=list)
    tool_choice: JSON | None = None

    def params(self) -> JSON:
        params: JSON = {"model": self.model, "max_tokens": self.max_tokens, "system": self.system,
                        "messages": self.messages}
        if self.tools:
            params["tools"] = self.tools
        if self.tool_choice:
            params["tool_choice"] = self.tool_choice
        return params


@dataclass(frozen=True)
class ClaudeReply:
    """What came back, reduced to what we use: the content blocks as JSON, the usage, the request id."""

    model: str
    content: list[JSON]
    usage: Usage
    stop_reason: str | None = None
    request_id: str | None = None

    def tool_input(self, tool_name: str) -> JSON:
        for block in self.content:
            if block.get("type") == "tool_use" and block.get("name") == tool_name:
                if isinstance(block.get("input"), dict):
                    return block["input"]
                raise LLMInvalidOutput("tool input is not an object", request_id=self.request_id)
        raise LLMInvalidOutput(f"no call to the {tool_name} tool", request_id=self.request_id)

    def text(self) -> str:
        texts = [block["text"] for block in self.content if block.get("type") == "text" and isinstance(
            block.get("text"), str)]
        if not texts:
            raise LLMInvalidOutput("no text in the answer", request_id=self.request_id)
        return "".join(texts)


@dataclass(frozen=True)
class BatchResult:
    """One line of a Message Batch's results: an answer, or why there is none."""

    custom_id: str
    reply: ClaudeReply | None
    error: LLMError | None


_clients: dict[tuple[int, str, str], anthropic.Anthropic] = {}
_clients_lock = threading.Lock()


def load_sdk() -> ModuleType:
    """The `anthropic` SDK module, imported on the first call."""
    import anthropic

    return anthropic


def _client() -> anthropic.Anthropic:
    """One SDK client (one HTTP connection pool) per process, key and base URL; a forked worker builds its own."""
    base_url = settings.ANTHROPIC_BASE_URL or DEFAULT_BASE_URL
    key = (os.getpid(), settings.ANTHROPIC_API_KEY, base_url)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = load_sdk().Anthropic(
                api_key=settings.ANTHROPIC_API_KEY,
                base_url=base_url,
                max_retries=0,
                timeout=_timeout(settings.JORGEBOT_LLM_TIMEOUT_SECONDS),
            )
            _clients[key] = client
        return client


def _timeout(seconds: float) -> anthropic.Timeout:
    return load_sdk().Timeout(seconds, connect=min(seconds, settings.JORGEBOT_LLM_CONNECT_TIMEOUT_SECONDS))


def send(request: ClaudeRequest, *, timeout: float) -> ClaudeReply:
    """One Messages API call, answered within `timeout` seconds or raised as a typed error."""
    try:
        message = _client().messages.create(**request.params(), timeout=_timeout(timeout))
    except load_sdk().APIError as exc:
        raise _translate(exc) from exc
    except ValueError as exc:
        # The body said JSON and was not (a proxy page, a truncated answer).
        raise LLMInvalidOutput(f"unreadable answer: {type(exc).__name__}") from exc
    return _reply_of(message)


def submit_batch(requests: list[tuple[str, ClaudeRequest]]) -> str:
    """Create a Message Batch of (custom_id, request); the batch id to poll."""
    try:
        batch = _client().messages.batches.create(
            # `params()` is plain JSON in the shape the SDK's TypedDict describes.
            requests=[
                {"custom_id": custom_id, "params": cast("MessageCreateParamsNonStreaming", request.params())}
                for custom_id, request in requests
            ],
            timeout=_timeout(settings.JORGEBOT_LLM_TIMEOUT_SECONDS * 6),
        )
    except load_sdk().APIError as exc:
        raise _translate(exc) from exc
    return str(batch.id)


def batch_has_ended(batch_id: str) -> bool:
    try:
        batch = _client().messages.batches.retrieve(batch_id, timeout=_timeout(settings.JORGEBOT_LLM_TIMEOUT_SECONDS))
    except load_sdk().APIError as exc:
        raise _translate(exc) from exc
    return batch.processing_status == "ended"


def batch_results(batch_id: str) -> Iterator[BatchResult]:
    """The results of an ended batch, in whatever order Anthropic gives them (match them by custom_id)."""
    try:
        lines = _client().messages.batches.results(
            batch_id, timeout=_timeout(settings.JORGEBOT_LLM_TIMEOUT_SECONDS * 6)
        )
        for line in lines:
            yield _batch_result_of(line)
    except load_sdk().APIError as exc:
        raise _translate(exc) from exc


def _batch_result_of(line: Any) -> BatchResult:
    custom_id = str(line.custom_id)
    result = line.result
    if result.type == "succeeded":
        try:
            return BatchResult(custom_id, _reply_of(result.message), None)
        except LLMInvalidOutput as exc:
            return BatchResult(custom_id, None, exc)
    if result.type == "errored":
        error_type = getattr(getattr(result.error, "error", None), "type", None) or "unknown"
        retryable = error_type in {"overloaded_error", "api_error", "rate_limit_error", "timeout_error"}
        error_class = LLMRetryableError if retryable else LLMFinalError
        return BatchResult(custom_id, None, error_class(f"batch item errored: {error_type}"))
    # "canceled" or "expired": never processed, so asking again singly can still succeed.
    return BatchResult(custom_id, None, LLMRetryableError(f"batch item {result.type}"))


def _reply_of(message: Any) -> ClaudeReply:
    """The SDK's Message as plain JSON; anything that is not a well-formed message is an invalid output."""
    request_id = getattr(message, "_request_id", None)
    try:
        usage = message.usage
        content = [_block_of(block) for block in message.content]
        return ClaudeReply(
            model=str(message.model),
            content=content,
            usage=Usage(
                input_tokens=int(usage.input_tokens or 0),
                output_tokens=int(usage.output_tokens or 0),
                cache_read_tokens=int(getattr(usage, "cache_read_input_tokens", None) or 0),
                cache_write_tokens=int(getattr(usage, "cache_creation_input_tokens", None) or 0),
            ),
            stop_reason=getattr(message, "stop_reason", None),
            request_id=request_id,
        )
    except (AttributeError, TypeError, ValueError) as exc:
        raise LLMInvalidOutput(f"malformed message: {type(exc).__name__}", request_id=request_id) from exc


def _block_of(block: Any) -> JSON:
    kind = getattr(block, "type", None) if not isinstance(block, dict) else block.get("type")
    data = block if isinstance(block, dict) else block.model_dump()
    if kind == "text":
        return {"type": "text", "text": data.get("text")}
    if kind == "tool_use":
        tool_input = data.get("input")
        if isinstance(tool_input, str):
            # Some proxies pass the tool input through as a JSON string.
            tool_input = json.loads(tool_input)
        return {"type": "tool_use", "name": data.get("name"), "input": tool_input}
    return {"type": str(kind)}


def _translate(exc: anthropic.APIError) -> LLMError:
    anthropic = load_sdk()
    if isinstance(exc, anthropic.APITimeoutError):
        return LLMRetryableError("timed out")
    if isinstance(exc, anthropic.APIConnectionError):
        return LLMRetryableError("could not connect")
    if isinstance(exc, anthropic.APIResponseValidationError):
        return LLMInvalidOutput("answer did not match the API's schema")
    if not isinstance(exc, anthropic.APIStatusError):
        return LLMInvalidOutput(f"unexpected {type(exc).__name__}")
    status, request_id = exc.status_code, exc.request_id
    reason = exc.type or f"http {status}"
    if exc.error_code:
        reason = f"{reason} ({exc.error_code})"
    if exc.error_code in _ACCOUNT_ERROR_CODES or exc.type == "billing_error" or status in {401, 402, 403}:
        return LLMAccountError(reason, status=status, request_id=request_id)
    if status in _RETRYABLE_STATUSES or status >= 500:
        return LLMRetryableError(reason, status=status, request_id=request_id,
                                 retry_after=_retry_after(exc.response.headers))
    return LLMFinalError(reason, status=status, request_id=request_id)


def _retry_after(headers: Any) -> float | None:
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, (parsedate_to_datetime(value) - timezone.now()).total_seconds())
        except (TypeError, ValueError):
            return None
