"""The gate's phrase lists: curated phrases catch Fair Housing, RESPA and person claims; ordinary words pass."""
from __future__ import annotations

import pytest

from bots.phrases import Problem, find_problem, fit_to_length


@pytest.mark.parametrize(("text", "problem"), [
    ("It's a very safe neighborhood.", Problem.FAIR_HOUSING),
    ("Low crime and quiet streets.", Problem.FAIR_HOUSING),
    ("The crime rate is low there.", Problem.FAIR_HOUSING),
    ("Stay away from that area, it's sketchy.", Problem.FAIR_HOUSING),
    ("Great schools nearby!", Problem.FAIR_HOUSING),
    ("It is in a top rated school district.", Problem.FAIR_HOUSING),
    ("The school ratings there are high.", Problem.FAIR_HOUSING),
    ("Perfect for young families.", Problem.FAIR_HOUSING),
    ("A family-friendly neighborhood with parks.", Problem.FAIR_HOUSING),
    ("Adults only community.", Problem.FAIR_HOUSING),
    ("A mostly white area.", Problem.FAIR_HOUSING),
    ("It's a Hispanic neighborhood.", Problem.FAIR_HOUSING),
    ("What are the demographics like? Very diverse neighborhood.", Problem.FAIR_HOUSING),
    ("Good people live there.", Problem.FAIR_HOUSING),
    ("A Christian community close by.", Problem.FAIR_HOUSING),
    ("Walk to the synagogue.", Problem.FAIR_HOUSING),
    ("You'd fit in better in Alta Loma.", Problem.FAIR_HOUSING),
    ("No wheelchairs in the upstairs unit.", Problem.FAIR_HOUSING),
    ("A great bachelor pad.", Problem.FAIR_HOUSING),
    ("Es una zona segura.", Problem.FAIR_HOUSING),
    ("We pay a referral fee for every friend you send.", Problem.RESPA),
    ("The lender gets a kickback.", Problem.RESPA),
    ("You must use our lender to close.", Problem.RESPA),
    ("You will need to use Jorge's title company.", Problem.RESPA),
    ("We'll give you a $500 gift card for using our lender.", Problem.RESPA),
    ("Our lender is required for this listing.", Problem.RESPA),
    ("I'm a real person, not a bot.", Problem.CLAIMS_TO_BE_HUMAN),
    ("No, I am not an AI.", Problem.CLAIMS_TO_BE_HUMAN),
    ("This is Jorge. Is 4 a good time?", Problem.CLAIMS_TO_BE_HUMAN),
    ("Jorge here. Want to talk tomorrow?", Problem.CLAIMS_TO_BE_HUMAN),
    ("I'm your real estate agent for this.", Problem.CLAIMS_TO_BE_HUMAN),
    ("Soy una persona real.", Problem.CLAIMS_TO_BE_HUMAN),
])
def test_a_text_that_breaks_a_rule_is_caught_with_its_rule(text: str, problem: Problem) -> None:
    finding = find_problem(text, "Jorge")
    assert finding is not None and finding.problem is problem


@pytest.mark.parametrize("text", [
    "A single-family home with kids' rooms and a family room.",
    "Close to schools, parks and the freeway.",
    "Is it safe to text you here?",
    "White cabinets and a new roof.",
    "Jorge will call you tomorrow at 10.",
    "Jorge's team will reach out.",
    "I'm an AI assistant for Jorge's team.",
    "You are free to choose any lender you like.",
    "Are you preapproved with a lender yet, or paying cash?",
    "It is a 4 bedroom home near Etiwanda High.",
    "3 bedrooms for the kids and a big yard.",
    "A quiet street in Fontana with a 3 car garage.",
    "Family room, formal dining and a pool.",
])
def test_an_ordinary_real_estate_text_passes(text: str) -> None:
    assert find_problem(text, "Jorge") is None


def test_the_agents_name_is_the_locations() -> None:
    assert find_problem("This is Maria from the office.", "Maria") is not None
    assert find_problem("This is Maria from the office.", "Jorge") is None


def test_a_long_text_loses_middle_sentences_and_keeps_its_closing_question() -> None:
    text = "Thanks for that. " + "Here is one more detail about the home. " * 10 + "What price would work for you?"
    shortened = fit_to_length(text, 160)
    assert shortened is not None and len(shortened) <= 160
    assert shortened.startswith("Thanks for that.") and shortened.endswith("What price would work for you?")


def test_one_sentence_too_long_to_shorten_cannot_be_fitted() -> None:
    assert fit_to_length("word " * 100, 320) is None
    assert fit_to_length("Short and fine?", 320) == "Short and fine?"
