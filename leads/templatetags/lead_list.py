"""`{% lead_results cl %}`: the lead list's rows, written out directly.

Django's generic cell rendering (admin_list.items_for_result) spent about 0.6 ms a row, half the CPU of a
50-lead page: for every cell it looks the column up again, builds choice maps and formats through several
layers. These are the same cells, with everything per column worked out once per page.
"""
from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from django import template
from django.contrib.admin.templatetags.admin_list import ResultList, result_headers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.views.main import ChangeList
from django.urls import reverse
from django.utils.safestring import mark_safe

from leads.models import BotKind, Contact, LeadStatus, Temperature

register = template.Library()

Cell = Callable[[Any, Contact, str], str]
EMPTY = "-"
BOTS = dict(BotKind.choices)
STATUSES = dict(LeadStatus.choices)
TEMPERATURES = dict(Temperature.choices)


def _td(column: str, text: object, nowrap: bool = False) -> str:
    extra = " nowrap" if nowrap else ""
    return f'<td class="field-{column}{extra}">{html.escape(str(text))}</td>'


CELLS: dict[str, Cell] = {
    "action_checkbox": lambda admin, lead, link: f'<td class="action-checkbox">{admin.action_checkbox(lead)}</td>',
    "display_name": lambda admin, lead, link: (
        f'<th class="field-display_name"><a href="{link}">{html.escape(lead.display_name)}</a></th>'
    ),
    "location": lambda admin, lead, link: _td("location", lead.location.name, nowrap=True),
    "active_bot": lambda admin, lead, link: _td("active_bot", BOTS.get(lead.active_bot, lead.active_bot)),
    "temperature": lambda admin, lead, link: _td("temperature", TEMPERATURES.get(lead.temperature, EMPTY)),
    "score": lambda admin, lead, link: _td("score", EMPTY if lead.score is None else lead.score),
    "status": lambda admin, lead, link: _td("status", STATUSES.get(lead.status, lead.status)),
    "last_reply": lambda admin, lead, link: _td("last_reply", admin.last_reply(lead) or "never"),
    "bot_state": lambda admin, lead, link: _td("bot_state", admin.bot_state(lead)),
}


@register.inclusion_tag("admin/change_list_results.html")
def lead_results(cl: ChangeList) -> dict[str, Any]:
    headers = list(result_headers(cl))
    cells = [CELLS[column] for column in cl.list_display]
    change = reverse("admin:leads_contact_changelist") + "{}/change/"
    # The list's filters ride along on each link, so "Save" comes back to the same filtered list.
    preserved = add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, "/")[1:]
    admin = cl.model_admin
    rows = [
        ResultList(None, [mark_safe("".join(cell(admin, lead, change.format(lead.pk) + preserved) for cell in cells))])
        for lead in cl.result_list
    ]
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": sum(1 for header in headers if header["sortable"] and header["sorted"]),
        "results": rows,
    }
