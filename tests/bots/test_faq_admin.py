"""The broker's FAQ in the admin: the unanswered questions, most asked first, each with "Add an answer", whose
saved answer the next lead gets; a broker never sees another location's questions."""
from __future__ import annotations

import re
from html import unescape
from typing import Any

from cachalot.api import cachalot_disabled
from django.test import Client

from bots.faq import collect_unanswered
from bots.models import FaqEntry, UnansweredQuestion
from leads.models import Location

MANAGEMENT = "do you guys also do property management?"
CHANGELIST = "/admin/bots/unansweredquestion/"


def signed_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def test_a_broker_adds_an_answer_from_the_list_and_the_next_lead_gets_it(
    client: Client, alpha_broker: Any, alpha_realty: Location
) -> None:
    # given two questions, one asked twice
    collect_unanswered(alpha_realty.id, "other", "do you work weekends?", "en")
    collect_unanswered(alpha_realty.id, "other", MANAGEMENT, "en")
    collect_unanswered(alpha_realty.id, "other", "Property management, do you do it?", "en")
    signed_in(client, alpha_broker)

    # when the broker opens the list, the most asked question comes first with its count
    page = client.get(CHANGELIST).content.decode()
    assert page.index(MANAGEMENT) < page.index("do you work weekends?")
    assert re.search(r'class="field-times_asked">2<', page)

    # and follows its "Add an answer" link to a form already filled in for that question
    link = unescape(re.findall(r'<a class="button" href="([^"]+)">Add an answer</a>', page)[0])
    form = client.get(link)
    assert form.status_code == 200
    assert 'value="management property"' in form.content.decode()

    # and saves an answer
    saved = client.post(link, {"location": alpha_realty.id, "kind": "other", "keywords": "management property",
                               "language": "en", "answer": "We focus on sales; Jorge can refer you to a manager."})

    # then it is back on the list, the question is answered and gone from the open ones
    assert saved.status_code == 302 and saved["Location"] == CHANGELIST
    entry = FaqEntry.objects.get(location=alpha_realty)
    question = UnansweredQuestion.objects.get(words="management property")
    assert question.answered_by_id == entry.pk
    assert MANAGEMENT not in client.get(CHANGELIST).content.decode()

    # and the next lead who asks gets the answer (try the bot, as a broker would check it)
    reply = client.post("/api/v1/simulator/", {"location": alpha_realty.id, "message": "property management?",
                                              "tags": ["lead-bot"]}, content_type="application/json").json()["reply"]
    assert reply.startswith("We focus on sales; Jorge can refer you to a manager.")


def test_an_answer_of_kind_other_needs_keywords(client: Client, alpha_broker: Any, alpha_realty: Location) -> None:
    signed_in(client, alpha_broker)
    response = client.post("/admin/bots/faqentry/add/", {"location": alpha_realty.id, "kind": "other",
                                                         "keywords": "", "language": "en", "answer": "Yes."})
    assert response.status_code == 200
    assert not FaqEntry.objects.exists()


def test_a_broker_never_sees_another_locations_questions(
    client: Client, alpha_broker: Any, alpha_realty: Location, beta_homes: Location
) -> None:
    collect_unanswered(beta_homes.id, "other", "do you sell boats?", "en")
    beta_question = UnansweredQuestion.objects.get()
    signed_in(client, alpha_broker)

    assert "do you sell boats" not in client.get(CHANGELIST).content.decode()
    # nor answers it through a crafted link
    client.post(f"/admin/bots/faqentry/add/?from_question={beta_question.pk}",
                {"location": alpha_realty.id, "kind": "other", "keywords": "boats", "language": "en", "answer": "No."})
    beta_question.refresh_from_db()
    assert beta_question.answered_by_id is None


def test_the_lists_cost_the_same_queries_for_three_rows_as_for_thirty(
    client: Client, alpha_broker: Any, alpha_realty: Location
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    signed_in(client, alpha_broker)

    def queries_for(rows: int) -> tuple[int, int]:
        UnansweredQuestion.objects.all().delete()
        FaqEntry.objects.all().delete()
        for n in range(rows):
            collect_unanswered(alpha_realty.id, "other", f"do you handle topic{n} questions?", "en")
            FaqEntry.objects.create(location=alpha_realty, kind="other", keywords=f"topic{n}", answer="Yes.")
        counts = []
        for url in (CHANGELIST, "/admin/bots/faqentry/"):
            with cachalot_disabled(), CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
        return counts[0], counts[1]

    assert queries_for(3) == queries_for(30)
