"""The broker's admin: Django's admin with the dashboard as its front page, open to every location member.

A member of a location (broker or agent) may sign in without Django's staff flag: what they see is decided by
their memberships (leads.access), not by Django's per-model permissions.
"""
from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path

_APP_LIST_ATTRIBUTE = "_jorgebot_app_list"


def _may_use_admin(user: Any) -> bool:
    from leads.access import scope_of

    return bool(user.is_active and (user.is_staff or scope_of(user).is_member_anywhere))


class MemberAuthenticationForm(AdminAuthenticationForm):
    """Django's admin sign-in, letting in location members as well as staff."""

    def confirm_login_allowed(self, user: Any) -> None:
        AuthenticationForm.confirm_login_allowed(self, user)
        if not _may_use_admin(user):
            raise self.get_invalid_login_error()


class BrokerAdminSite(admin.AdminSite):
    site_header = "Jorgebot"
    site_title = "Jorgebot"
    index_title = "Dashboard"
    index_template = "admin/jorgebot/dashboard.html"
    login_form = MemberAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        return _may_use_admin(request.user)

    def get_urls(self) -> list[URLPattern | URLResolver]:
        return [path("try-the-bot/", self.admin_view(self.try_the_bot), name="try_the_bot"),
                path("preferences/", self.admin_view(self.preferences), name="preferences"), *super().get_urls()]

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict[str, Any]]:
        # Django's index asks for the whole list twice (its own and each_context's sidebar): build it once a
        # request.
        if app_label is not None:
            return super().get_app_list(request, app_label)
        built: list[dict[str, Any]] | None = getattr(request, _APP_LIST_ATTRIBUTE, None)
        if built is None:
            built = super().get_app_list(request)
            setattr(request, _APP_LIST_ATTRIBUTE, built)
        return built

    def try_the_bot(self, request: HttpRequest) -> TemplateResponse:
        """Text the bots as a pretend lead of one of your locations; the page talks to POST /api/v1/simulator/."""
        from leads.access import scope_of
        from leads.models import Location

        locations = scope_of(request.user).filter(Location.objects.order_by("name"), "")
        context = {**self.each_context(request), "title": "Try the bot", "locations": locations}
        return TemplateResponse(request, "admin/jorgebot/try_the_bot.html", context)

    def preferences(self, request: HttpRequest) -> HttpResponse:
        """The user's own settings: the time zone they read times in (console.local_time)."""
        from console.local_time import chosen_zone_name, default_zone_of, known_zone_names
        from console.preferences import TimeZoneForm

        form = TimeZoneForm(request.user, request.POST or None, initial={"time_zone": chosen_zone_name(request.user)})
        saved = form.save() if request.method == "POST" and form.is_valid() else None
        if saved is not None:
            shown = saved.time_zone or f"your location's ({default_zone_of(request.user).key})"
            messages.success(request, f"Saved: times show in {shown}.")
            return HttpResponseRedirect(request.path)
        context = {**self.each_context(request), "title": "Your time zone", "form": form,
                   "default_zone": default_zone_of(request.user).key, "zone_names": sorted(known_zone_names())}
        return TemplateResponse(request, "admin/jorgebot/preferences.html", context)

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        """The dashboard for the days and location in the URL (`?range=7d&location=...`), so a view can be shared;
        what cannot be honoured is said in a message, and the default shown instead."""
        from console.dashboard import cached_dashboard
        from console.dashboard_filters import RANGE_LABELS, DashboardFilters
        from leads.access import scope_of

        filters = DashboardFilters.from_query(request.GET)
        board = cached_dashboard(scope_of(request.user), filters)
        for problem in (*filters.problems, *board.problems):
            messages.warning(request, problem)
        context = {"dashboard": board, "charts": board.charts(), "ranges": list(RANGE_LABELS.items()),
                   **(extra_context or {})}
        return super().index(request, context)
