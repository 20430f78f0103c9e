"""Readings the conversation corpus caught the offline engine getting wrong, kept right."""
from __future__ import annotations

from bots.nlu import ExtractionContext, TimelineAnswer, extract


def test_five_thousand_dollars_after_the_price_question_is_no_price() -> None:
    reading = extract("I put $5,000 into the yard last year", ExtractionContext(last_question="price_expectation"))

    assert reading.price_expectation is None


def test_a_street_named_with_a_count_word_is_an_address_when_written_as_a_name() -> None:
    reading = extract("We're selling 92 Day Creek Blvd because of a new job", ExtractionContext(last_question=None))

    assert reading.property_address == "92 Day Creek Blvd"
    assert reading.timeline_acceptable is None


def test_a_duration_is_still_no_street() -> None:
    assert extract("it's a 30 min drive", ExtractionContext(last_question=None)).property_address is None


def test_busy_right_now_is_a_stall_not_an_urgent_sale() -> None:
    reading = extract("I'm busy right now", ExtractionContext(last_question="timeline"))

    assert reading.timeline_acceptable is None
    assert reading.stall is not None


def test_selling_right_now_is_still_urgent() -> None:
    reading = extract("we need to sell right now", ExtractionContext(last_question=None))

    assert reading.timeline_acceptable is TimelineAnswer.YES
