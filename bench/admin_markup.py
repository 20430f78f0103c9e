"""The lead list's hand-written admin markup against Django's own: the CPU a page costs with each.

The lead list writes some of Django's admin markup directly instead of through the templates: the sidebar
(`{% nav_sidebar %}`), the filter panel (`{% lead_filters %}`) and the action bar's menu and hidden field
(console.admin.base.ActionForm). Each is an upgrade risk, kept only if the lead list's target needs it
(p95 <= 150 ms at load, bench/dashboard.py). This measures what each saves: the same page, rendered in-process by
Django's test client for a broker with 300 leads (a page of 50 rows), with the hand-written markup and with
Django's, in alternating rounds so that a busy machine weighs on both alike. CPU time (time.process_time), not
wall time: the figure is the server's work for one page.

    python -m jorgebot.embedded -- python bench/admin_markup.py
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import bench_environment, run_django  # noqa: E402

CODE = """
import statistics, time
from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_list import admin_list_filter
from django.contrib.auth import get_user_model
from django.template import engines
from django.template.loader import get_template
from django.test import Client
from django.utils.safestring import mark_safe
from console.admin import leads as lead_admins
from console.templatetags import lead_list, nav_sidebar
from leads.models import Contact, Conversation, Location, LocationMembership

location = Location.objects.create(id="BenchMarkupLocation01", name="Bench", api_token="bench-token")
contacts = Contact.objects.bulk_create([
    Contact(location=location, ghl_id=f"BenchMarkupLead{{n:05d}}", first_name=f"Lead{{n}}", score=n % 100,
            temperature=("hot", "warm", "cold")[n % 3], tags=["seller-lead"])
    for n in range(300)])
Conversation.objects.bulk_create([Conversation(contact=contact) for contact in contacts])
broker = get_user_model().objects.create_user("bench-broker", password="x")
LocationMembership.objects.create(user=broker, location=location, role="broker")
client = Client(HTTP_HOST="localhost")
client.force_login(broker)

HAND_WRITTEN = {{
    "nav_sidebar": nav_sidebar.register.tags["nav_sidebar"],
    "lead_filters": lead_list.register.tags["lead_filters"],
    "action_form": lead_admins.ContactAdmin.action_form,
}}


def stock_nav_sidebar(context):
    return get_template("admin/nav_sidebar.html").render(context.flatten())


def stock_lead_filters(cl):
    return mark_safe("".join(str(admin_list_filter(cl, spec)) for spec in cl.filter_specs))


nav_sidebar.register.simple_tag(stock_nav_sidebar, takes_context=True, name="stock_nav_sidebar")
lead_list.register.simple_tag(stock_lead_filters, name="stock_lead_filters")
STOCK = {{
    "nav_sidebar": nav_sidebar.register.tags.pop("stock_nav_sidebar"),
    "lead_filters": lead_list.register.tags.pop("stock_lead_filters"),
    "action_form": helpers.ActionForm,
}}


def use(parts, which):
    for part in parts:
        chosen = (STOCK if part in which else HAND_WRITTEN)[part]
        if part == "action_form":
            lead_admins.ContactAdmin.action_form = chosen
        else:
            (nav_sidebar if part == "nav_sidebar" else lead_list).register.tags[part] = chosen
    for engine in engines.all():
        for loader in engine.engine.template_loaders:
            getattr(loader, "reset", lambda: None)()


def page_cpu_ms():
    started = time.process_time()
    response = client.get("/admin/leads/contact/")
    assert response.status_code == 200, response.status_code
    assert response.content.count(b"<tr") >= 50, response.content.count(b"<tr")
    return (time.process_time() - started) * 1000


PARTS = ("nav_sidebar", "lead_filters", "action_form")
VARIANTS = {{"hand-written": (), "stock sidebar": ("nav_sidebar",), "stock filters": ("lead_filters",),
            "stock action bar": ("action_form",), "all stock": PARTS}}
samples = {{name: [] for name in VARIANTS}}
for name, which in VARIANTS.items():  # warm-up: compile each variant's templates once
    use(PARTS, which)
    [page_cpu_ms() for _ in range(5)]
for _ in range({rounds}):
    for name, which in VARIANTS.items():
        use(PARTS, which)
        samples[name] += [page_cpu_ms() for _ in range({pages})]
base = statistics.median(samples["hand-written"])
for name, values in samples.items():
    median = statistics.median(values)
    print(f"{{name:17}} median {{median:6.2f}} ms CPU/page  (+{{median - base:5.2f}} ms, x{{median / base:.3f}})")
stock = statistics.median(samples["all stock"])
print(f"RESULT lead_list_cpu_ms={{base:.2f}} stock_cpu_ms={{stock:.2f}} extra_ms={{stock - base:.2f}} "
      f"ratio={{stock / base:.3f}} sidebar_ms={{statistics.median(samples['stock sidebar']) - base:.2f}} "
      f"filters_ms={{statistics.median(samples['stock filters']) - base:.2f}} "
      f"action_bar_ms={{statistics.median(samples['stock action bar']) - base:.2f}}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--pages", type=int, default=10, help="pages per variant per round")
    args = parser.parse_args()
    with bench_environment("admin_markup") as env:
        print(run_django(env, CODE.format(rounds=args.rounds, pages=args.pages)), end="")


if __name__ == "__main__":
    main()
