"""GHL marketplace app install: the start page sends the installation's owner to GHL to pick a location, and GHL
sends them back to the callback with a code that leads.connections trades for the location's tokens.

Only a signed-in superuser installs (it adds a location to this installation). The `state` GHL carries back is
signed and bound to the session that started, so a callback forged by someone else, or replayed, is refused.
With the GHL_OAUTH_* settings empty both pages answer 404.
"""
from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from leads.connections import CannotConnect, install_marketplace_app, marketplace_app_enabled
from leads.ghl.oauth import authorize_url

_STATE_SALT = "leads.oauth.install"
_SESSION_NONCE = "ghl_oauth_install_nonce"
# Time to pick a location at GHL and come back.
STATE_MAX_AGE_SECONDS = 15 * 60


@require_GET
@staff_member_required
def start_install(request: HttpRequest) -> HttpResponse:
    _check_allowed(request)
    nonce = secrets.token_urlsafe(24)
    request.session[_SESSION_NONCE] = nonce
    state = signing.dumps({"nonce": nonce, "user": request.user.pk}, salt=_STATE_SALT)
    return HttpResponseRedirect(
        authorize_url(
            authorize_base=settings.GHL_OAUTH_AUTHORIZE_URL,
            client_id=settings.GHL_OAUTH_CLIENT_ID,
            redirect_uri=settings.GHL_OAUTH_REDIRECT_URL,
            scopes=settings.GHL_OAUTH_SCOPES,
            state=state,
        )
    )


@require_GET
@staff_member_required
def finish_install(request: HttpRequest) -> HttpResponse:
    _check_allowed(request)
    # One use: a second callback with the same state finds no nonce.
    expected_nonce = request.session.pop(_SESSION_NONCE, None)
    if request.GET.get("error"):
        return _refused("GHL did not install the app (it answered: access not granted). Nothing was changed.")
    try:
        state = signing.loads(request.GET.get("state", ""), salt=_STATE_SALT, max_age=STATE_MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        return _refused("The install took too long: start it again.")
    except signing.BadSignature:
        return _refused("This install link was not started here: start the install from Jorgebot.")
    if expected_nonce is None or state.get("nonce") != expected_nonce or state.get("user") != request.user.pk:
        return _refused("This install link was not started in this session: start the install again.")
    code = request.GET.get("code", "")
    if not code:
        return _refused("GHL sent no install code: start the install again.")
    try:
        connected = install_marketplace_app(code)
    except CannotConnect as error:
        return _refused(error.message, status=503 if error.retryable else 400)
    location = connected.location
    messages.success(request, f"{location.name} is connected through the GHL marketplace app: pick its calendar.")
    return HttpResponseRedirect(reverse("admin:leads_location_change", args=[location.pk]))


def _check_allowed(request: HttpRequest) -> None:
    if not marketplace_app_enabled():
        raise Http404("The GHL marketplace app is not set up")
    if not request.user.is_superuser:
        raise PermissionDenied("Only the installation's owner installs the GHL app")


def _refused(message: str, status: int = 400) -> HttpResponse:
    # Plain text: nothing GHL or the query string sent is echoed into HTML.
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
