"""`{% nav_sidebar %}`: the admin's navigation sidebar (admin/nav_sidebar.html and its app list), written directly.

Through the templates, for every model, Django url-encodes the request's path three times and resolves a dozen
variables. The lead list only, where the target is tight: bench/admin_markup.py measured Django's sidebar at 5.5 ms
more CPU a page (2026-12-08, on a busy machine); every other page keeps Django's. The same markup (tests/admin
compare it with Django's).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()

CURRENT_PAGE = ' aria-current="page"'


@register.simple_tag(takes_context=True)
def nav_sidebar(context: template.Context) -> SafeString:
    path = quote(context["request"].path)
    apps = "".join(_app(app, path) for app in context["available_apps"]) if context["available_apps"] else (
        f"<p>{conditional_escape(gettext('You don’t have permission to view or edit anything.'))}</p>"
    )
    return mark_safe(
        f'<button class="sticky toggle-nav-sidebar" id="toggle-nav-sidebar"'
        f' aria-label="{conditional_escape(gettext("Toggle navigation"))}"></button>\n'
        f'<nav class="sticky" id="nav-sidebar" aria-label="{conditional_escape(gettext("Sidebar"))}">\n'
        f'  <input type="search" id="nav-filter"\n'
        f'         placeholder="{conditional_escape(gettext("Start typing to filter…"))}"\n'
        f'         aria-label="{conditional_escape(gettext("Filter navigation items"))}">\n'
        f"  {apps}\n</nav>\n"
    )


def _app(app: dict[str, Any], path: str) -> str:
    label, name, url = conditional_escape(app["app_label"]), conditional_escape(app["name"]), app["app_url"]
    title = gettext("Models in the %(name)s application") % {"name": name}
    models = "".join(_model(model, label, path) for model in app["models"])
    return (
        f'\n    <div class="app-{label} module{" current-app" if url in path else ""}">\n      <table>\n'
        f'        <caption>\n          <a href="{conditional_escape(url)}" class="section" title="{title}">'
        f"{name}</a>\n        </caption>\n"
        f'        <thead class="visually-hidden">\n          <tr>\n'
        f'            <th scope="col">{conditional_escape(gettext("Model name"))}</th>\n'
        f'            <th scope="col">{conditional_escape(gettext("Add link"))}</th>\n'
        f'            <th scope="col">{conditional_escape(gettext("Change or view list link"))}</th>\n'
        f"          </tr>\n        </thead>\n{models}\n      </table>\n    </div>\n  "
    )


def _model(model: dict[str, Any], app_label: str, path: str) -> str:
    model_id = f"{app_label}-{conditional_escape(model['object_name'].lower())}"
    name, url, add_url = conditional_escape(model["name"]), model["admin_url"], model["add_url"]
    current = bool(url) and url in path
    heading = f'<a href="{conditional_escape(url)}"{CURRENT_PAGE if current else ""}>{name}</a>' if url else name
    add = (f'<a href="{conditional_escape(add_url)}" class="addlink" aria-describedby="{model_id}">'
           f"{conditional_escape(gettext('Add'))}</a>" if add_url else "")
    return (
        f'            <tr class="model-{conditional_escape(model["object_name"].lower())}'
        f'{" current-model" if current else ""}">\n'
        f'              <th scope="row" id="{model_id}">\n                {heading}\n              </th>\n'
        f"              <td>{add}</td>\n            </tr>\n"
    )
