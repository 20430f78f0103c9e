"""`{{ moment|local_moment }}` and `{% lead_time moment lead_zone %}`: a time in the reader's zone, labelled, and the
lead's own clock beside it when it reads otherwise (console.local_time)."""
from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from console import local_time

register = template.Library()


@register.filter
def local_moment(moment: dt.datetime | None) -> str:
    """"Dec 7, 5:05 PM PST", in the zone the page is shown in."""
    return "" if moment is None else local_time.moment_text(moment, timezone.get_current_timezone())


@register.simple_tag
def lead_time(moment: dt.datetime | None, lead_zone: dt.tzinfo | None) -> SafeString | str:
    """"(8:05 PM the lead's time)" when the lead's clock reads otherwise than the reader's; nothing when alike."""
    if moment is None or lead_zone is None:
        return ""
    text = local_time.lead_time_text(moment, lead_zone, timezone.get_current_timezone())
    return "" if text is None else format_html('<span class="jb-lead-time" title="{}">({})</span>', lead_zone, text)
