"""GHL's marketplace OAuth: the install URL and the token endpoint (authorization code, refresh).

GHL's refresh tokens are single-use: each refresh answers a new one, and the old one is dead from then on.
So a refresh is sent once, never retried here: if the answer is lost, only the caller (holding the row lock)
knows whether to try again. Errors follow leads.ghl.errors; `GrantRefused` means only a new install helps.

No Django here: settings are wired in by whoever builds it (leads.connections).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from leads.ghl.errors import GHLFinalError, GHLRetryableError

logger = logging.getLogger(__name__)

TOKEN_ENDPOINT = "POST /oauth/token"
# The app acts for one sub-account (location), not the agency.
USER_TYPE = "Location"


class GrantRefused(GHLFinalError):
    """GHL refused the authorization code or refresh token (`invalid_grant`): used, expired or revoked."""


@dataclass(frozen=True)
class TokenGrant:
    """What GHL's token endpoint answers. The tokens stay out of `repr()` (and so out of logs)."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int
    location_id: str | None
    scope: str = ""


def authorize_url(*, authorize_base: str, client_id: str, redirect_uri: str, scopes: str, state: str) -> str:
    """Where a person is sent to pick the location that installs the app (GHL's chooselocation page)."""
    query = urlencode(
        {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "scope": scopes, "state": state}
    )
    return f"{authorize_base}?{query}"


class GHLOAuth:
    """Calls GHL's token endpoint for one marketplace app (its client id and secret)."""

    def __init__(self, *, client_id: str, client_secret: str, base_url: str, timeout: float = 10.0) -> None:
        if not client_id or not client_secret:
            raise ValueError("client_id and client_secret are required")
        self._client_id = client_id
        self._client_secret = client_secret
        self._url = base_url.rstrip("/") + "/oauth/token"
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 3.0))

    def exchange_code(self, code: str, redirect_uri: str) -> TokenGrant:
        """The tokens for the location a person just installed the app on."""
        return self._token({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})

    def refresh(self, refresh_token: str) -> TokenGrant:
        """A new access token and a new refresh token; `refresh_token` is spent whatever the outcome."""
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def _token(self, grant: dict[str, str]) -> TokenGrant:
        form = {"client_id": self._client_id, "client_secret": self._client_secret, "user_type": USER_TYPE, **grant}
        try:
            # A connection of its own: a token call is rare (an install, a renewal a day per location).
            response = httpx.post(self._url, data=form, timeout=self._timeout)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise GHLRetryableError(type(exc).__name__, endpoint=TOKEN_ENDPOINT) from exc
        except httpx.RequestError as exc:
            # The request may have reached GHL: a refresh token may be spent.
            raise GHLRetryableError(type(exc).__name__, endpoint=TOKEN_ENDPOINT, maybe_applied=True) from exc
        body = _json_object(response)
        if response.is_success:
            return _grant(body, response.status_code)
        if response.status_code == 429 or response.status_code >= 500:
            raise GHLRetryableError("token endpoint unavailable", endpoint=TOKEN_ENDPOINT, status=response.status_code)
        error = body.get("error")
        logger.warning("GHL token endpoint refused grant_type=%s status=%s error=%s",
                       grant["grant_type"], response.status_code, error)
        if error == "invalid_grant":
            raise GrantRefused("invalid_grant", endpoint=TOKEN_ENDPOINT, status=response.status_code)
        # invalid_client and the like: the app's settings are wrong, not the location's install.
        raise GHLFinalError(str(error or "request rejected"), endpoint=TOKEN_ENDPOINT, status=response.status_code)


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _grant(body: dict[str, Any], status: int) -> TokenGrant:
    access_token = body.get("access_token")
    refresh_token = body.get("refresh_token")
    expires_in = body.get("expires_in")
    if not isinstance(access_token, str) or not access_token or not isinstance(refresh_token, str) or not refresh_token:
        raise GHLFinalError("response has no tokens", endpoint=TOKEN_ENDPOINT, status=status)
    if not isinstance(expires_in, int | float) or expires_in <= 0:
        raise GHLFinalError("response has no expires_in", endpoint=TOKEN_ENDPOINT, status=status)
    location_id = body.get("locationId")
    return TokenGrant(
        access_token=access_token,
        refresh_token=refresh_token,
        expires_in=int(expires_in),
        location_id=location_id if isinstance(location_id, str) and location_id else None,
        scope=str(body.get("scope") or ""),
    )
