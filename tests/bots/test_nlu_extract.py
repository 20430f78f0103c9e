"""The engine as a whole: any text is read, nothing is read twice, and a long message stays fast."""
from __future__ import annotations

import time
import unicodedata
from datetime import datetime

import pytest

from bots.nlu import (
    Extraction,
    ExtractionContext,
    Financing,
    Intent,
    Motivation,
    PriceRange,
    PropertyCondition,
    TimelineAnswer,
    extract,
)


def read(message: str, last_question: str | None = None) -> Extraction:
    return extract(message, ExtractionContext(last_question=last_question))


@pytest.mark.parametrize("message", [
    "", " ", "?", "👍", "🏠💰🙏", "....", "\n\n", "$", "$$$", "k", "0", "-1", "1e9", "{", "}", "<>", "İstanbul",
    "ﬁxer", "١٢٣", "a" * 1600, "9" * 1600, "Straße 12", "\u200b", "ñ" * 20,
])
def test_any_text_is_read_without_error(message: str) -> None:
    found = read(message, "price_expectation")
    assert isinstance(found, Extraction)


def test_an_empty_message_says_nothing() -> None:
    assert read("") == Extraction()


def test_decomposed_accents_read_like_composed_ones() -> None:
    decomposed = unicodedata.normalize("NFD", "no más")
    assert read(decomposed).opt_out


def test_an_address_keeps_the_leads_own_spelling() -> None:
    assert read("It's 8765 BANYAN St, Rancho Cucamonga").property_address == "8765 BANYAN St, Rancho Cucamonga"


def test_the_numbers_of_an_address_are_not_read_as_anything_else() -> None:
    found = read("1234 3rd St, Upland CA 91786", "price_expectation")
    assert found.property_address == "1234 3rd St, Upland CA 91786"
    assert found.price_expectation is None
    assert found.bedrooms is None
    assert found.buyer_timeline_days is None


def test_a_spanish_seller_conversation_is_understood() -> None:
    first = read("Hola, quiero vender mi casa")
    assert (first.intent, first.language) == (Intent.SELL, "es")
    assert read("Nos mudamos a Texas por un nuevo trabajo", "motivation").motivation is Motivation.RELOCATION
    assert read("Sí, eso nos funciona", "timeline").timeline_acceptable is TimelineAnswer.YES
    assert read("Está en buen estado", "property_condition").property_condition is PropertyCondition.MOVE_IN_READY
    assert read("Unos 650 mil", "price_expectation").price_expectation == PriceRange(650_000, 650_000)


def test_a_spanish_buyer_message_is_understood() -> None:
    found = read("Buscamos casa de 3 recámaras en Fontana, presupuesto hasta 550 mil, ya estamos pre-aprobados")
    assert found.intent is Intent.BUY
    assert found.areas == ("Fontana",)
    assert found.bedrooms == 3
    assert found.budget == PriceRange(440_000, 550_000)
    assert found.financing is Financing.PRE_APPROVED
    assert found.language == "es"


def test_the_context_does_not_change_what_a_full_answer_says() -> None:
    message = "Relocating to Denver, need to sell asap, it needs work, hoping for 600k"
    answers = {question: read(message, question) for question in (None, "motivation", "timeline", "budget")}
    assert len({(found.motivation, found.timeline_acceptable, found.property_condition, found.price_expectation)
                for found in answers.values()}) == 1


@pytest.mark.parametrize("message", [
    "1 " * 800, "123 main " * 150, "$" * 1600, "1," * 800, "stop " * 300, '{"a":' * 300, "not " * 400,
    "moving to " * 150, "very " * 300 + "good", "between 1 and " * 100, "is it " * 250,
])
def test_a_maximum_length_message_is_read_in_well_under_a_second(message: str) -> None:
    # A guard against a regular expression that backtracks without end, not a benchmark: an SMS is
    # at most 1,600 characters, and a typical one is read in a fraction of a millisecond.
    started = time.perf_counter()
    extract(message, ExtractionContext(last_question="price_expectation", now=datetime(2026, 11, 22)))
    assert time.perf_counter() - started < 1.0
