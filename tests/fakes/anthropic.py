"""A fake Anthropic Messages API: a real HTTP server on loopback that the real `anthropic` SDK talks to.

Point `ANTHROPIC_BASE_URL` at `FakeAnthropic.url` (a Celery worker in another process can, too). It answers
`POST /v1/messages` (a reading tool call worked out from simple rules on the lead's text, or a phrasing that
keeps the draft), `POST /v1/messages/count_tokens`, and the Message Batches API (create, poll, JSONL results
at an absolute `results_url`). Usage reports tokens at about four characters each, with prompt-cache reads
and writes for prefixes marked `cache_control` (above each model's minimum), as Anthropic does. A test can
make it slow, fail (429, 529, 500, a spend limit), answer malformed JSON or a malformed tool input, script
exact answers, and read back every request, e.g. to check that a lead's words never reach `system`.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.loopback import Answer, LoopbackAPI, RecordedCall

JSONBody = dict[str, Any]

# Anthropic caches a marked prefix only from this many tokens on (its "minimum cacheable prompt length").
MIN_CACHEABLE_TOKENS = {"claude-haiku-4-5": 4096, "claude-opus-4-5": 4096, "claude-opus-4-6": 4096}
DEFAULT_MIN_CACHEABLE_TOKENS = 1024
# A cached prefix lives this long after its last use ("5m", the default, or "1h" in cache_control's ttl).
CACHE_TTL_SECONDS = {"5m": 300.0, "1h": 3600.0}
ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 402: "billing_error",
               403: "permission_error", 404: "not_found_error", 429: "rate_limit_error", 500: "api_error",
               529: "overloaded_error"}
_LEAD_MESSAGE = re.compile(r"<lead_message>\n?(.*?)\n?</lead_message>", re.S)
_DRAFT = re.compile(r"<draft>\n?(.*?)\n?</draft>", re.S)
_LANGUAGE = re.compile(r"<language>(\w+)</language>")


@dataclass
class _Scripted:
    """An answer (or a failure) for the next `remaining` message requests of one kind."""

    remaining: int
    task: str | None  # "reading", "phrasing" or None for any
    status: int = 200
    body: str | None = None  # the raw body, as sent
    payload: JSONBody | None = None  # a tool input or a text answer
    headers: dict[str, str] = field(default_factory=dict)
    # time.time() after which it stops (an outage of a given length, for the soak); None: after `remaining`.
    until: float | None = None

    def matches(self, task: str) -> bool:
        if self.until is not None and time.time() >= self.until:
            return False
        return self.remaining > 0 and self.task in (None, task)


@dataclass
class _Batch:
    id: str
    requests: list[JSONBody]
    created_at: str
    polls: int = 0
    results: list[JSONBody] | None = None


class FakeAnthropic(LoopbackAPI):
    """Anthropic's API on 127.0.0.1 for tests and benchmarks; use as a context manager or call `stop()`."""

    thread_name = "fake-anthropic"

    def __init__(self, *, latency_seconds: float = 0.0, batch_polls_to_end: int = 2) -> None:
        self.latency_seconds = latency_seconds
        self.batch_polls_to_end = batch_polls_to_end
        self._lock = threading.Lock()
        # Bumped by reset(): a request that was still being answered then (a slow reply its client gave up on, in
        # the test before) is not recorded as the next test's.
        self._generation = 0
        self._reset_state()
        super().__init__()

    def _reset_state(self) -> None:
        self._calls: list[RecordedCall] = []
        self._scripted: list[_Scripted] = []
        # Prompt-cache prefix digest -> (when it expires).
        self._cached_prefixes: dict[str, float] = {}
        self._batches: dict[str, _Batch] = {}
        self._batch_failures: dict[str, str] = {}
        self._next_id = 0
        self._in_flight = 0
        self.max_in_flight = 0

    # -- controls ------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget requests, scripts, the prompt cache, batches, and the latency."""
        with self._lock:
            self._reset_state()
            self._generation += 1
            self.latency_seconds = 0.0
            self.batch_polls_to_end = 2

    def fail_next(self, status: int, *, times: int = 1, task: str | None = None, error_code: str | None = None,
                  retry_after: float | None = None) -> None:
        """Answer the next `times` message requests (of `task`: "reading" or "phrasing") with an API error."""
        error: JSONBody = {"type": ERROR_TYPES.get(status, "api_error"), "message": f"fake {status}"}
        if error_code:
            error["details"] = {"error_code": error_code}
        headers = {"retry-after": str(retry_after)} if retry_after is not None else {}
        self._script(_Scripted(times, task, status, json.dumps({"type": "error", "error": error}), headers=headers))

    def fail_for(self, status: int, seconds: float) -> None:
        """Answer every message request with an API error for the next `seconds` (e.g. 529: overloaded)."""
        error = {"type": ERROR_TYPES.get(status, "api_error"), "message": f"fake {status}"}
        self._script(_Scripted(2**62, None, status, json.dumps({"type": "error", "error": error}),
                               until=time.time() + seconds))

    def answer_next(self, *, tool_input: JSONBody | None = None, text: str | None = None, times: int = 1,
                    task: str | None = None) -> None:
        """Answer the next `times` message requests with this tool input (reading) or this text (phrasing)."""
        payload = {"tool_input": tool_input} if tool_input is not None else {"text": text}
        self._script(_Scripted(times, task, payload=payload))

    def answer_malformed_next(self, body: str = '{"id": "msg_broken", "content": [', *, times: int = 1,
                              task: str | None = None) -> None:
        """Answer with a body that says JSON and is not (a truncated answer)."""
        self._script(_Scripted(times, task, body=body))

    def fail_in_batch(self, marker: str, result: str = "errored") -> None:
        """A batch request whose lead text contains `marker` ends `errored` (overloaded) or `expired`."""
        with self._lock:
            self._batch_failures[marker] = result

    def _script(self, scripted: _Scripted) -> None:
        with self._lock:
            self._scripted.append(scripted)

    # -- inspection ----------------------------------------------------------------------------

    @property
    def calls(self) -> list[RecordedCall]:
        with self._lock:
            return list(self._calls)

    @property
    def in_flight(self) -> int:
        """Message requests being answered right now (the fan-out benchmark reads `max_in_flight`)."""
        with self._lock:
            return self._in_flight

    def message_requests(self, task: str | None = None) -> list[JSONBody]:
        """Bodies of `POST /v1/messages` (any status), oldest first; `task` picks "reading" or "phrasing"."""
        return [c.json for c in self.calls if c.method == "POST" and c.path == "/v1/messages"
                and (task is None or _task_of(c.json) == task)]

    def answered(self, task: str | None = None) -> list[JSONBody]:
        return [c.json for c in self.calls if c.method == "POST" and c.path == "/v1/messages" and c.status == 200
                and (task is None or _task_of(c.json) == task)]

    def batch_requests(self) -> list[JSONBody]:
        return [request["params"] for c in self.calls if c.method == "POST" and c.path == "/v1/messages/batches"
                for request in c.json.get("requests", [])]

    def system_texts(self) -> list[str]:
        """Every system prompt sent, in messages and batches alike."""
        bodies = self.message_requests() + self.batch_requests()
        return [block.get("text", "") if isinstance(block, dict) else str(block)
                for body in bodies for block in _as_blocks(body.get("system"))]

    # -- behaviour (server threads) --------------------------------------------------------------

    def answer(self, call: RecordedCall) -> Answer:
        with self._lock:
            generation = self._generation
        status, headers, body = self._handle(call.method, call.path, call.headers, call.json)
        with self._lock:
            if generation == self._generation:
                self._calls.append(dataclasses.replace(call, status=status))
        return status, {"request-id": f"req_fake_{uuid.uuid4().hex[:12]}", **headers}, body

    def _handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Answer:
        if "authorization" not in headers and "x-api-key" not in headers:
            return _error(401, "authentication_error", "missing api key")
        if method == "POST" and path == "/v1/messages":
            return self._messages(headers, body)
        if method == "POST" and path == "/v1/messages/count_tokens":
            return _json(200, {"input_tokens": _request_tokens(body)})
        if method == "POST" and path == "/v1/messages/batches":
            return self._create_batch(body)
        match = re.fullmatch(r"/v1/messages/batches/([\w-]+)(/results)?", path)
        if method == "GET" and match:
            return self._batch_results(match[1]) if match[2] else self._poll_batch(match[1])
        return _error(404, "not_found_error", f"no route {method} {path}")

    def _messages(self, headers: dict[str, str], body: Any) -> Answer:
        if not isinstance(body, dict) or "anthropic-version" not in headers:
            return _error(400, "invalid_request_error", "bad request")
        task = _task_of(body)
        with self._lock:
            scripted = next((s for s in self._scripted if s.matches(task)), None)
            if scripted is not None:
                scripted.remaining -= 1
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            latency = self.latency_seconds
        try:
            if scripted is not None and scripted.status != 200:
                return scripted.status, {"content-type": "application/json", **scripted.headers}, scripted.body.encode()
            if latency:
                time.sleep(latency)
            if scripted is not None and scripted.body is not None:
                return 200, {"content-type": "application/json"}, scripted.body.encode()
            return _json(200, self._message_for(body, scripted.payload if scripted else None))
        finally:
            with self._lock:
                self._in_flight -= 1

    def _message_for(self, body: JSONBody, payload: JSONBody | None, *, batch: bool = False) -> JSONBody:
        task = _task_of(body)
        if task == "reading":
            tool_input = payload["tool_input"] if payload else reading_by_rules(_lead_text(body))
            content: list[JSONBody] = [{"type": "tool_use", "id": f"toolu_{uuid.uuid4().hex[:12]}",
                                        "name": body["tools"][0]["name"], "input": tool_input}]
            output = json.dumps(tool_input)
        else:
            text = payload["text"] if payload else phrasing_by_rules(_user_text(body))
            content, output = [{"type": "text", "text": text}], text
        with self._lock:
            self._next_id += 1
            message_id = f"msg_fake_{self._next_id}"
            usage = self._usage(body, output)
        if batch:
            usage["service_tier"] = "batch"
        return {"id": message_id, "type": "message", "role": "assistant", "model": body.get("model"),
                "content": content, "stop_reason": "tool_use" if task == "reading" else "end_turn",
                "stop_sequence": None, "usage": usage}

    def _usage(self, body: JSONBody, output: str) -> JSONBody:
        """Tokens as Anthropic counts them, with the prompt cache: the longest prefix seen before is read,
        the rest up to the last breakpoint written. Called holding the lock."""
        total = _request_tokens(body)
        breakpoints = _cache_breakpoints(body)
        cached_read = cached_write = 0
        minimum = MIN_CACHEABLE_TOKENS.get(str(body.get("model")), DEFAULT_MIN_CACHEABLE_TOKENS)
        if breakpoints and breakpoints[-1][0] >= minimum:
            now = time.time()
            last_tokens = breakpoints[-1][0]
            cached_read = max((tokens for tokens, digest, _ in breakpoints
                               if self._cached_prefixes.get(digest, 0.0) > now), default=0)
            cached_write = last_tokens - cached_read
            # Reading or writing a prefix refreshes its lifetime, as Anthropic's cache does.
            self._cached_prefixes.update({digest: now + ttl for _, digest, ttl in breakpoints})
        return {"input_tokens": total - cached_read - cached_write, "output_tokens": max(1, len(output) // 4),
                "cache_creation_input_tokens": cached_write, "cache_read_input_tokens": cached_read}

    def _create_batch(self, body: Any) -> Answer:
        requests = body.get("requests") if isinstance(body, dict) else None
        if not isinstance(requests, list) or not requests:
            return _error(400, "invalid_request_error", "requests must be a non-empty list")
        with self._lock:
            self._next_id += 1
            batch = _Batch(f"msgbatch_fake_{self._next_id}", requests, _now())
            self._batches[batch.id] = batch
        return _json(200, self._batch_view(batch))

    def _poll_batch(self, batch_id: str) -> Answer:
        with self._lock:
            batch = self._batches.get(batch_id)
            if batch is None:
                return _error(404, "not_found_error", "no such batch")
            batch.polls += 1
        if batch.polls >= self.batch_polls_to_end and batch.results is None:
            batch.results = [self._batch_result(request) for request in batch.requests]
        return _json(200, self._batch_view(batch))

    def _batch_result(self, request: JSONBody) -> JSONBody:
        lead_text = _lead_text(request["params"])
        failure = next((result for marker, result in self._batch_failures.items() if marker in lead_text), None)
        if failure == "errored":
            error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
            return {"custom_id": request["custom_id"], "result": {"type": "errored", "error": error}}
        if failure is not None:
            return {"custom_id": request["custom_id"], "result": {"type": failure}}
        message = self._message_for(request["params"], None, batch=True)
        return {"custom_id": request["custom_id"], "result": {"type": "succeeded", "message": message}}

    def _batch_results(self, batch_id: str) -> Answer:
        batch = self._batches.get(batch_id)
        if batch is None or batch.results is None:
            return _error(404, "not_found_error", "results are not ready")
        # Out of request order on purpose: results are matched by custom_id.
        lines = "".join(json.dumps(result) + "\n" for result in reversed(batch.results))
        return 200, {"content-type": "application/binary"}, lines.encode()

    def _batch_view(self, batch: _Batch) -> JSONBody:
        ended = batch.results is not None
        counts = {"processing": 0 if ended else len(batch.requests), "succeeded": 0, "errored": 0, "canceled": 0,
                  "expired": 0}
        for result in batch.results or []:
            counts[result["result"]["type"]] += 1
        return {
            "id": batch.id, "type": "message_batch", "processing_status": "ended" if ended else "in_progress",
            "request_counts": counts, "created_at": batch.created_at, "expires_at": batch.created_at,
            "ended_at": _now() if ended else None, "archived_at": None, "cancel_initiated_at": None,
            "results_url": f"{self.url}/v1/messages/batches/{batch.id}/results" if ended else None,
        }


def reading_by_rules(text: str) -> JSONBody:
    """A plausible reading of a lead's text from a few rules: enough for tests to see Claude's answers used."""
    folded = text.lower()
    found: JSONBody = {}
    if address := re.search(r"\b\d+\s+[a-z]+(?:\s+[a-z]+)?\s+(?:st|street|ave|avenue|rd|road|dr|drive|ln|lane|way|"
                            r"blvd|ct|court)\b(?:,\s*[a-z]+(?:\s+[a-z]+)?)?", folded):
        found["property_address"] = text[address.start():address.end()]
    for motivation, pattern in (("relocation", r"job|transfer|relocat"), ("divorce", r"divorc|separat"),
                                ("inherited", r"passed|inherit|estate"), ("financial", r"behind on|foreclos"),
                                ("downsizing", r"downsiz|retir|too big"), ("upgrading", r"more room|bigger|baby")):
        if re.search(pattern, folded):
            found["motivation"] = motivation
            break
    if destination := re.search(r"\b(?:out in|to|in) ([a-z]+)\b", folded):
        if found.get("motivation") == "relocation" and destination[1] not in {"the", "a", "my", "our", "sell"}:
            found["relocation_destination"] = destination[1].title()
    if re.search(r"fixer|needs work|mess|dated|leak", folded):
        found["property_condition"] = "needs_work"
    elif re.search(r"renovated|great shape|turnkey|updated", folded):
        found["property_condition"] = "move_in_ready"
    if re.search(r"asap|quick|gotta move|soon|fast", folded):
        found["timeline_acceptable"], found["timeline_urgency"] = "yes", "high"
    elif re.search(r"no rush|next year", folded):
        found["timeline_acceptable"], found["timeline_urgency"] = "no", "low"
    if price := re.search(r"\$?(\d{3})\s*k\b|\$(\d{3}),?000\b", folded):
        dollars = int(price[1] or price[2]) * 1000
        found["price_low"] = found["price_high"] = dollars
    if bedrooms := re.search(r"\b(\d)\s*(?:bed|br\b|bedroom)", folded):
        found["bedrooms"] = int(bedrooms[1])
    if re.search(r"\bsell|\blist(?:ing)?\b|place|move|house", folded):
        found["intent"] = "sell"
    elif re.search(r"\bbuy|looking for a (?:home|house)", folded):
        found["intent"] = "buy"
    return found


def phrasing_by_rules(user_text: str) -> str:
    """The draft with a short acknowledgement in front, as a good phrasing would: same question, same numbers."""
    draft = _DRAFT.search(user_text)
    language = _LANGUAGE.search(user_text)
    opener = "Gracias por escribir." if language and language[1] == "es" else "Thanks, that helps."
    return f"{opener} {draft[1].strip() if draft else ''}".strip()


def _task_of(body: Any) -> str:
    return "reading" if isinstance(body, dict) and body.get("tools") else "phrasing"


def _as_blocks(system: Any) -> list[Any]:
    if system is None:
        return []
    return [{"type": "text", "text": system}] if isinstance(system, str) else list(system)


def _user_text(body: JSONBody) -> str:
    texts = []
    for message in body.get("messages", []):
        content = message.get("content")
        if isinstance(content, str):
            texts.append(content)
        else:
            texts += [block.get("text", "") for block in content or [] if isinstance(block, dict)]
    return "\n".join(texts)


def _lead_text(body: JSONBody) -> str:
    match = _LEAD_MESSAGE.search(_user_text(body))
    return match[1] if match else ""


def _tokens(text: str) -> int:
    return (len(text) + 3) // 4


def _request_tokens(body: Any) -> int:
    if not isinstance(body, dict):
        return 0
    tools = _tokens(json.dumps(body.get("tools", []))) if body.get("tools") else 0
    system = sum(_tokens(block.get("text", "")) for block in _as_blocks(body.get("system")))
    return tools + system + _tokens(_user_text(body))


def _cache_breakpoints(body: JSONBody) -> list[tuple[int, str, float]]:
    """(tokens up to and including a block marked cache_control, a digest of that prefix, its lifetime), in
    prompt order: tools, then system."""
    breakpoints = []
    digest = hashlib.sha256(str(body.get("model")).encode())
    tokens = 0
    tools = body.get("tools") or []
    if tools:
        tokens += _tokens(json.dumps(tools))
        digest.update(json.dumps(tools, sort_keys=True).encode())
    for block in _as_blocks(body.get("system")):
        tokens += _tokens(block.get("text", ""))
        digest.update(block.get("text", "").encode())
        if block.get("cache_control"):
            ttl = CACHE_TTL_SECONDS.get(block["cache_control"].get("ttl", "5m"), 300.0)
            breakpoints.append((tokens, digest.copy().hexdigest(), ttl))
    return breakpoints


def _json(status: int, payload: JSONBody) -> Answer:
    return status, {"content-type": "application/json"}, json.dumps(payload).encode()


def _error(status: int, error_type: str, message: str) -> Answer:
    return _json(status, {"type": "error", "error": {"type": error_type, "message": message}})


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")
