"""Guessing passwords: the token sign-in is throttled per client address (read through the trusted proxies only, never
from a header the client writes) and per username, and repeated failed sign-ins to the admin lock that username out
from that address for a while."""
from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from console.api import throttling

TOKEN = "/api/v1/auth/token/"
ADMIN_LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def three_a_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    rates = {"anon": "3/min", "signin_username": "100/min", "user": "100/min"}
    monkeypatch.setattr(throttling.FixedWindowThrottle, "THROTTLE_RATES", rates)
    # One window for the whole test: a run that crossed the top of a minute started counting again.
    monkeypatch.setattr(throttling.FixedWindowThrottle, "timer", lambda self: 90.0)


def sign_in(username: str, **environ: str) -> int:
    return APIClient().post(TOKEN, {"username": username, "password": "guess"}, **environ).status_code


def test_a_made_up_x_forwarded_for_does_not_escape_the_throttle(three_a_minute: None, alpha_agent: Any) -> None:
    # given no proxy is trusted (the default), a guesser names a new address in each request
    answers = [sign_in("bob", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}") for n in range(4)]

    # then its own address is counted all the same
    assert answers == [400, 400, 400, 429]


def test_behind_a_trusted_proxy_the_address_the_proxy_saw_is_counted(
    three_a_minute: None, alpha_agent: Any, settings: Any
) -> None:
    # given one trusted proxy, which appends the address it got each request from
    settings.JORGEBOT_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    # when one client guesses, prefixing made-up addresses of its own, and another client signs in
    guesser = [sign_in("bob", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.9", **proxy) for n in range(4)]
    other = sign_in("bob", HTTP_X_FORWARDED_FOR="203.0.113.50", **proxy)

    # then the guesser is throttled by the address the proxy saw, and the other client is not
    assert guesser == [400, 400, 400, 429]
    assert other == 400


def test_sign_ins_for_one_username_are_throttled_from_every_address(
    alpha_agent: Any, alpha_broker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rates = {"anon": "100/min", "signin_username": "3/min", "user": "100/min"}
    monkeypatch.setattr(throttling.FixedWindowThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(throttling.FixedWindowThrottle, "timer", lambda self: 90.0)

    # when guesses at bob's password come from four addresses (a botnet), in any letter case
    answers = [sign_in(name, REMOTE_ADDR=f"192.0.2.{n}") for n, name in enumerate(["bob", "Bob", "bob ", "BOB"])]

    # then the fourth is throttled, and alice is not
    assert answers == [400, 400, 400, 429]
    assert sign_in("alice", REMOTE_ADDR="192.0.2.77") == 400


def test_repeated_failed_admin_sign_ins_lock_the_username_out_from_that_address(
    alpha_agent: Any, alpha_broker: Any, settings: Any
) -> None:
    # given five wrong passwords for bob from one address
    browser = Client(REMOTE_ADDR="192.0.2.10")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        browser.post(ADMIN_LOGIN, {"username": "bob", "password": "wrong"})

    # when bob's right password comes next from there
    locked = browser.post(ADMIN_LOGIN, {"username": "bob", "password": "bob-password"})

    # then it is refused for now; alice signs in from the same address, and bob from his own
    assert locked.status_code == 429
    assert browser.post(ADMIN_LOGIN, {"username": "alice", "password": "alice-password"}).status_code == 302
    elsewhere = Client(REMOTE_ADDR="192.0.2.11").post(ADMIN_LOGIN, {"username": "bob", "password": "bob-password"})
    assert elsewhere.status_code == 302


def test_the_token_sign_in_shares_the_lockout(alpha_agent: Any, settings: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client(REMOTE_ADDR="192.0.2.20").post(ADMIN_LOGIN, {"username": "bob", "password": "wrong"})

    locked = APIClient().post(TOKEN, {"username": "bob", "password": "bob-password"}, REMOTE_ADDR="192.0.2.20")
    elsewhere = APIClient().post(TOKEN, {"username": "bob", "password": "bob-password"}, REMOTE_ADDR="192.0.2.21")

    # Django's authenticate() turns the lockout into "wrong credentials": no token, and no hint it was right
    assert locked.status_code == 400 and "token" not in locked.json()
    assert elsewhere.status_code == 200 and elsewhere.json()["token"]
