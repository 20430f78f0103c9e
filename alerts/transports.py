"""The two ways a notification leaves Jorgebot: an email through Django's mail (SMTP from the environment) and a
chat incoming webhook (Slack or Teams). Each failure says whether trying again can help.

Error texts carry the transport, the status or SMTP code and the exception type: never the address, the webhook
URL (a secret) or the message, because they end up in logs and the admin.
"""
from __future__ import annotations

import smtplib
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings
from django.core.mail import EmailMessage

from alerts.models import Channel

# SMTP answers in the 400s are "try again later" (RFC 5321 §4.2.1); the 500s are refusals.
SMTP_TRANSIENT = range(400, 500)
# HTTP answers worth another try: rate limits and the chat service's own failures.
HTTP_TRANSIENT = {408, 425, 429}


class TransportError(Exception):
    """Sending failed; `retryable` says whether the same message can go through later."""

    retryable: bool = False

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        self.reason = reason
        self.retry_after = retry_after
        super().__init__(reason)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.reason,), {"retry_after": self.retry_after})


class TransportRetryableError(TransportError):
    """A server that is down, slow, busy or says "later" (SMTP 4xx, HTTP 429 and 5xx, timeouts)."""

    retryable = True


class TransportFinalError(TransportError):
    """A refusal: a bad address, a removed webhook, credentials the server rejects (SMTP 5xx, HTTP 4xx)."""

    retryable = False


@dataclass(frozen=True)
class Message:
    """What is said, whichever the channel: a subject, plain lines, and links named by what they open."""

    subject: str
    lines: tuple[str, ...]
    links: tuple[tuple[str, str], ...] = ()

    @property
    def text(self) -> str:
        body = list(self.lines)
        body += [f"{name}: {url}" for name, url in self.links]
        return "\n".join(body)


def send(channel: str, address: str, message: Message) -> None:
    if not address:
        raise TransportFinalError(f"{channel}: no address to send to")
    if channel == Channel.EMAIL:
        send_email(address, message)
    elif channel == Channel.SLACK:
        post_to_chat(address, slack_payload(message), "slack")
    elif channel == Channel.TEAMS:
        post_to_chat(address, teams_payload(message), "teams")
    else:
        raise TransportFinalError(f"unknown channel {channel}")


def send_email(address: str, message: Message) -> None:
    email = EmailMessage(subject=message.subject, body=message.text, to=[address])
    try:
        email.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        failure = TransportRetryableError if all(code in SMTP_TRANSIENT for code in codes) else TransportFinalError
        raise failure(f"email: recipient refused, SMTP {','.join(map(str, codes))}") from None
    except smtplib.SMTPResponseException as error:
        failure = TransportRetryableError if error.smtp_code in SMTP_TRANSIENT else TransportFinalError
        raise failure(f"email: SMTP {error.smtp_code} ({type(error).__name__})") from None
    except (smtplib.SMTPException, OSError) as error:
        # Disconnects, refused connections, timeouts: the server may be back in a minute.
        raise TransportRetryableError(f"email: {type(error).__name__}") from None


def post_to_chat(url: str, payload: dict[str, Any], service: str) -> None:
    try:
        response = httpx.post(url, json=payload, timeout=settings.JORGEBOT_ALERTS_TIMEOUT_SECONDS)
    except httpx.HTTPError as error:
        raise TransportRetryableError(f"{service}: {type(error).__name__}") from None
    status = response.status_code
    if status < 300:
        return
    if status in HTTP_TRANSIENT or status >= 500:
        raise TransportRetryableError(f"{service}: HTTP {status}", retry_after=_retry_after(response))
    raise TransportFinalError(f"{service}: HTTP {status}")


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def slack_payload(message: Message) -> dict[str, Any]:
    """Slack's incoming-webhook message: `text` for notifications and old clients, blocks for the layout."""
    links = " · ".join(f"<{url}|{name}>" for name, url in message.links)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": message.subject[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(_slack_escape(line)
                                                                       for line in message.lines)[:3000]}},
    ]
    if links:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": links}})
    return {"text": message.subject, "blocks": blocks}


def _slack_escape(line: str) -> str:
    # Slack reads &, < and > as markup (https://api.slack.com/reference/surfaces/formatting#escaping).
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def teams_payload(message: Message) -> dict[str, Any]:
    """A Teams workflow webhook's message: one Adaptive Card (the format Teams' "Post to a channel when a webhook
    request is received" workflow takes since the Office 365 connectors were retired)."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": message.subject, "weight": "Bolder", "size": "Medium", "wrap": True},
        *({"type": "TextBlock", "text": line, "wrap": True} for line in message.lines),
    ]
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "actions": [{"type": "Action.OpenUrl", "title": name, "url": url} for name, url in message.links],
    }
    return {
        "type": "message",
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
                         "content": card}],
    }
