"""How the seam behaves when Anthropic does not: the retryable/final split, the circuit breaker, the shared
concurrency limit. Against the fake Anthropic, through the real SDK.
"""
from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from bots.engine import OFFLINE, engine_for
from bots.llm import breaker, client, concurrency, prompts
from bots.llm.engine import ClaudeEngine
from bots.llm.errors import (
    LLMAccountError,
    LLMError,
    LLMFinalError,
    LLMInvalidOutput,
    LLMRetryableError,
    LLMUnavailable,
)
from bots.llm.models import AlertKind, LLMAlert
from bots.nlu import ExtractionContext
from jorgebot.redis import get_redis
from leads.models import Location
from tests.fakes.anthropic import FakeAnthropic

MESSY = "ya so my wife got a job out in denver and we gotta move, place is kinda a fixer tbh"


def ask_once(location: Location, timeout: float = 5.0) -> LLMError | None:
    request = prompts.phrasing_request("What is the address?", "ask_property_address", "en", "hi", location)
    try:
        client.send(request, timeout=timeout)
    except LLMError as exc:
        return exc
    return None


@pytest.mark.parametrize(("status", "error_code", "kind"), [
    (529, None, LLMRetryableError),
    (500, None, LLMRetryableError),
    (429, None, LLMRetryableError),
    (400, None, LLMFinalError),
    (401, None, LLMAccountError),
    (402, None, LLMAccountError),
    (429, "enforced_spend_limit_reached", LLMAccountError),
])
def test_each_error_is_typed_by_whether_a_retry_can_help(
    fake_anthropic: FakeAnthropic, alpha_realty: Location, status: int, error_code: str | None, kind: type
) -> None:
    fake_anthropic.fail_next(status, error_code=error_code)

    error = ask_once(alpha_realty)

    assert type(error) is kind
    assert error is not None and error.status == status


def test_a_rate_limit_carries_anthropics_retry_after(fake_anthropic: FakeAnthropic, alpha_realty: Location) -> None:
    fake_anthropic.fail_next(429, retry_after=1.5)

    error = ask_once(alpha_realty)

    assert isinstance(error, LLMRetryableError) and error.retry_after == 1.5


def test_a_slow_answer_times_out_as_retryable(fake_anthropic: FakeAnthropic, alpha_realty: Location) -> None:
    fake_anthropic.latency_seconds = 1.0

    assert isinstance(ask_once(alpha_realty, timeout=0.3), LLMRetryableError)


def test_a_body_that_is_not_json_is_an_invalid_output(fake_anthropic: FakeAnthropic, alpha_realty: Location) -> None:
    fake_anthropic.answer_malformed_next()

    assert isinstance(ask_once(alpha_realty), LLMInvalidOutput)


@pytest.mark.django_db
def test_credits_running_out_switches_every_location_offline_and_alerts_the_broker(
    fake_anthropic: FakeAnthropic, alpha_realty: Location
) -> None:
    # given Anthropic refuses the account
    fake_anthropic.fail_next(429, error_code="enforced_spend_limit_reached")

    # when a lead's text is read
    ClaudeEngine(alpha_realty).understand(MESSY, ExtractionContext(last_question=None))

    # then the circuit is open for the long cooldown and the broker sees why
    assert breaker.is_open()
    assert engine_for(alpha_realty) is OFFLINE
    alert = LLMAlert.objects.get()
    assert alert.kind == AlertKind.ACCOUNT and alert.location is None


@pytest.mark.django_db
def test_repeated_failures_open_the_circuit_and_one_probe_closes_it(
    fake_anthropic: FakeAnthropic, alpha_realty: Location, settings: Any
) -> None:
    # given the circuit opens after 3 failures
    settings.JORGEBOT_LLM_BREAKER_FAILURES = 3
    fake_anthropic.fail_next(529, times=3)
    for n in range(3):
        ClaudeEngine(alpha_realty).understand(f"{MESSY} {n}", ExtractionContext(last_question=None))
    assert breaker.is_open()
    assert engine_for(alpha_realty) is OFFLINE

    # when the cooldown ends, one caller probes while the others stay offline
    get_redis().delete(breaker.OPEN_KEY)
    assert breaker.allows_call()
    assert not breaker.allows_call()

    # then the probe's success closes the circuit for everyone
    breaker.record_success()
    assert not breaker.is_open()
    assert breaker.allows_call() and breaker.allows_call()


def test_the_concurrency_limit_refuses_a_slot_beyond_it(settings: Any) -> None:
    settings.JORGEBOT_LLM_MAX_CONCURRENCY = 2

    with concurrency.slot(wait_seconds=0), concurrency.slot(wait_seconds=0):
        with pytest.raises(LLMUnavailable):
            with concurrency.slot(wait_seconds=0):
                pass
    with concurrency.slot(wait_seconds=0):
        assert concurrency.in_flight() == 1


def test_a_slot_held_by_a_dead_worker_is_reclaimed(settings: Any) -> None:
    settings.JORGEBOT_LLM_MAX_CONCURRENCY = 1
    # given a slot taken an hour ago by a worker that never gave it back
    seconds, _ = get_redis().time()
    get_redis().zadd(concurrency.KEY, {"dead-worker": (seconds - 3600) * 1000})

    with concurrency.slot(wait_seconds=0):
        assert concurrency.in_flight() == 1


@pytest.mark.django_db(transaction=True)
def test_workers_together_never_exceed_the_concurrency_limit(
    fake_anthropic: FakeAnthropic, alpha_realty: Location, settings: Any
) -> None:
    # given a limit of 2 and a slow Claude
    settings.JORGEBOT_LLM_MAX_CONCURRENCY = 2
    fake_anthropic.latency_seconds = 0.3

    # when 6 readings run at once
    def read(n: int) -> None:
        try:
            ClaudeEngine(alpha_realty).understand(f"{MESSY} number {n}", ExtractionContext(last_question=None))
        finally:
            connection.close()

    threads = [threading.Thread(target=read, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then all were answered, never more than 2 at a time
    assert len(fake_anthropic.answered("reading")) == 6
    assert fake_anthropic.max_in_flight == 2
