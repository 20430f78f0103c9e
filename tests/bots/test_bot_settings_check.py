"""bots.config.settings_problems (with analytics.config's, as console.bot_settings checks a whole `bot_settings`):
every kind of wrong setting is named, per setting, before it can reach a turn."""
from __future__ import annotations

from typing import Any

import pytest

from bots.config import SPEND_LIMIT_KEY, BotConfig
from bots.texts import DEFAULT_TEXTS, variant_problems
from console.bot_settings import location_settings_problems


def problems_of(overrides: Any) -> dict[str, str]:
    return {problem.setting: problem.message for problem in location_settings_problems(overrides)}


def test_a_location_with_sound_settings_has_no_problems_and_every_turn_can_read_them() -> None:
    overrides = {
        "agent_name": "Ana", "daily_message_cap": 12, "mode": "suggest", "seller_bot_mode": "off",
        "hot_lead_score": 85, "warm_lead_score": 50, "match_price_tolerance": 0.1, "human_takeover_hours": 12,
        "early_end_states": ["FL", "OK", "WA", "TX"], "seller_follow_up_days": [1, 4, 9],
        "tags": {"hot_seller": "Seller-HOT"}, "fields": {"offer_type": "deal_type"},
        "texts": {"booking_confirmed": ["Booked: {slot}. {agent} will call."],
                  "opt_in_confirmation_es": ["Está suscrito otra vez. ¿Busca comprar o vender?"]},
        SPEND_LIMIT_KEY: 2.5, "commission_rate": 0.03,
    }

    assert problems_of(overrides) == {}
    config = BotConfig.from_overrides(overrides)
    assert config.early_end_states == ("FL", "OK", "WA", "TX") and config.daily_message_cap == 12
    assert problems_of({}) == {}


def test_every_default_text_passes_the_checks_a_brokers_text_must_pass() -> None:
    failing = {key: variant_problems(key, variant, "Jorge", 320)
               for key, variants in DEFAULT_TEXTS.items() for variant in variants
               if variant_problems(key, variant, "Jorge", 320)}

    assert failing == {}


def test_an_unknown_setting_is_named() -> None:
    assert problems_of({"daily_cap": 10}) == {"daily_cap": "is not a setting"}
    assert problems_of(["daily_message_cap", 10]) == {"bot settings": "must be a JSON object of settings"}


@pytest.mark.parametrize(("overrides", "setting", "message"), [
    ({"daily_message_cap": "ten"}, "daily_message_cap", "must be a number"),
    ({"daily_message_cap": True}, "daily_message_cap", "must be a number"),
    ({"daily_message_cap": 2.5}, "daily_message_cap", "must be a whole number"),
    ({"match_price_tolerance": float("nan")}, "match_price_tolerance", "must be a number"),
    ({"agent_name": 7}, "agent_name", "must be text"),
    ({"agent_name": "{agent}"}, "agent_name", "must be a name of 1 to 60 characters, without braces"),
    ({"mode": "sometimes"}, "mode", "must be one of auto, suggest, off"),
    ({"buyer_bot_mode": "loud"}, "buyer_bot_mode", "must be one of auto, suggest, off, or empty for the location's"),
    ({"tags": ["Hot-Seller"]}, "tags", "must be an object of names by key"),
    ({"texts": "Hello"}, "texts", "must be an object of variant lists by text key"),
    ({SPEND_LIMIT_KEY: "lots"}, SPEND_LIMIT_KEY, "must be an amount in dollars, 0 or more"),
    ({"commission_rate": "3%"}, "commission_rate", "must be a share from 0 to 1 (0.025 is 2.5 %)"),
])
def test_a_wrong_type_is_named_with_what_it_must_be(overrides: dict[str, Any], setting: str, message: str) -> None:
    assert problems_of(overrides) == {setting: message}


@pytest.mark.parametrize(("overrides", "setting", "message"), [
    ({"daily_message_cap": 40}, "daily_message_cap", "must be from 1 to 25"),
    ({"sending_window_start_hour": 6}, "sending_window_start_hour", "must be from 8 to 20"),
    ({"sending_window_end_hour": 23}, "sending_window_end_hour", "must be from 9 to 21"),
    ({"match_price_tolerance": 1.5}, "match_price_tolerance", "must be from 0 to 1"),
    ({"max_reply_chars": 500}, "max_reply_chars", "must be from 160 to 320"),
    ({SPEND_LIMIT_KEY: -1}, SPEND_LIMIT_KEY, "must be an amount in dollars, 0 or more"),
    ({"deal_stage_probabilities": {"Won": 2}}, "deal_stage_probabilities.Won", "must be a chance from 0 to 1"),
    ({"seller_follow_up_days": [2, 2, 5]}, "seller_follow_up_days", "must go up, each day once"),
    ({"lead_follow_up_days": [0, 3]}, "lead_follow_up_days", "must be whole days from 1 to 365"),
    ({"early_end_states": ["TX"]}, "early_end_states", "must keep FL, OK, WA: their law ends texts earlier"),
    ({"early_end_states": ["FL", "OK", "WA", "Texas"]}, "early_end_states", "must be two letter state codes, like FL"),
])
def test_a_value_out_of_range_is_named_with_the_range(overrides: dict[str, Any], setting: str, message: str) -> None:
    assert problems_of(overrides) == {setting: message}


def test_settings_that_are_each_fine_but_not_together_are_named() -> None:
    assert problems_of({"hot_lead_score": 50, "warm_lead_score": 60}) == {
        "warm_lead_score": "must be below the hot lead score"}
    assert problems_of({"sending_window_start_hour": 15, "sending_window_end_hour": 12}) == {
        "sending_window_end_hour": "must be after the first hour texts may go out"}


def test_a_list_typed_as_text_is_refused_instead_of_read_letter_by_letter() -> None:
    assert problems_of({"early_end_states": "FL, OK, WA"}) == {
        "early_end_states": "must be a list (one item per entry), not text"}
    assert problems_of({"texts": {"ask_intent": "Buying or selling?"}}) == {
        "texts.ask_intent": "must be a list of variants, not a single text"}
    assert problems_of({"texts": {"ask_intent": []}}) == {"texts.ask_intent": "must be a list of one or more variants"}


def test_an_unknown_text_tag_or_field_key_is_named() -> None:
    assert problems_of({"texts": {"ask_intnet": ["Buying or selling?"]}}) == {
        "texts.ask_intnet": "is not a text the bots send"}
    assert problems_of({"tags": {"hot": "Hot"}}) == {"tags.hot": "is not one the bots know"}
    assert problems_of({"fields": {"budget": "budget"}}) == {"fields.budget": "is not one the bots know"}
    assert problems_of({"tags": {"hot_seller": ""}}) == {"tags.hot_seller": "must be a name of 1 to 60 characters"}


def test_one_tag_name_for_two_meanings_is_refused() -> None:
    assert problems_of({"tags": {"warm_seller": "Hot-Seller"}}) == {
        "tags.warm_seller": "'Hot-Seller' is already the name of hot_seller"}


def test_a_text_keeps_the_placeholders_its_default_always_fills_in() -> None:
    assert problems_of({"texts": {"booking_confirmed": ["You are booked. {agent} will call."]}}) == {
        "texts.booking_confirmed variant 1": "must keep {slot}"}
    assert problems_of({"texts": {"booking_done_es": ["Listo, {agent} le llama."]}}) == {
        "texts.booking_done_es variant 1": "must keep {slot}"}


def test_a_text_uses_only_placeholders_it_can_fill_in_and_no_stray_braces() -> None:
    assert problems_of({"texts": {"ask_intent": ["Hi {first_name}, buying or selling?"]}}) == {
        "texts.ask_intent variant 1": "uses {first_name}, which this text cannot fill in (none here)"}
    assert problems_of({"texts": {"lead_done": ["Thanks {agnet}."]}}) == {
        "texts.lead_done variant 1": "uses {agnet}, which this text cannot fill in (it can use {agent})"}
    assert problems_of({"texts": {"ask_intent": ["Buying {or selling?"]}}) == {
        "texts.ask_intent variant 1": "has a { or } that is not a placeholder: write placeholders as {agent}, and "
                                      "no other braces"}
    assert problems_of({"texts": {"ask_intent": ["Fine", "  "]}}) == {"texts.ask_intent variant 2": "is empty"}


def test_a_text_longer_than_two_sms_segments_with_its_values_filled_in_is_refused() -> None:
    long = "Thanks for reaching out to the team today, we read every message. " * 5

    assert problems_of({"texts": {"ask_intent": [long]}}) == {
        "texts.ask_intent variant 1": f"is {len(long)} characters with sample values filled in: at most 320 "
                                      "(two SMS segments)"}
    # The location's own shorter limit applies.
    assert "texts.ask_intent variant 1" in problems_of({"max_reply_chars": 160, "texts": {"ask_intent": [long[:200]]}})
