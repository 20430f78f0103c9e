"""The response cache: an identical request (same model, prompt and inputs) is answered from Redis, not Claude.

The key is a hash of the whole request, so a new model, a changed prompt or another location's context is
a different key and nothing stale is served. Only answers we could use are stored.
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from django.conf import settings

from bots.llm.client import ClaudeReply, ClaudeRequest
from bots.llm.pricing import Usage
from jorgebot.redis import get_redis

KEY_PREFIX = "jorgebot:llm:answer:"


def cache_key(request: ClaudeRequest) -> str:
    # The system prompt and tools (about 20 KB) are the same for every lead: their digest is computed once per
    # process, and only the small per-lead part is serialised and hashed on each call.
    prefix = _prefix_digest(tuple(block.get("text", "") for block in request.system), _canonical(request.tools))
    rest = _canonical({"model": request.model, "max_tokens": request.max_tokens, "messages": request.messages,
                       "tool_choice": request.tool_choice})
    return KEY_PREFIX + hashlib.sha256(f"{prefix}:{rest}".encode()).hexdigest()


def cached_reply(key: str) -> ClaudeReply | None:
    raw = get_redis().get(key)
    if raw is None:
        return None
    stored = json.loads(raw)
    # A cached answer cost nothing this time: no usage.
    return ClaudeReply(model=stored["model"], content=stored["content"], usage=Usage())


@lru_cache(maxsize=1024)
def _prefix_digest(system_texts: tuple[str, ...], tools: str) -> str:
    digest = hashlib.sha256(tools.encode())
    for text in system_texts:
        digest.update(b"\0" + text.encode())
    return digest.hexdigest()


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def remember_reply(key: str, reply: ClaudeReply) -> None:
    stored = json.dumps({"model": reply.model, "content": reply.content}, separators=(",", ":"))
    get_redis().set(key, stored, ex=settings.JORGEBOT_LLM_CACHE_TTL_SECONDS)
