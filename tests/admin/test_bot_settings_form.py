"""The bot settings page of a location (console.bot_settings): a broker edits every setting through a form that
checks it before anything is kept, previews the texts, tries the settings on the conversation corpus, and never
touches the Claude spend limit, which is the superuser's."""
from __future__ import annotations

from typing import Any

from django.test import Client

from bots.config import SPEND_LIMIT_KEY, config_for
from bots.llm.accounting import daily_limit_usd
from leads.models import Location
from tests.admin.conftest import AdminAs

NEW_ASK_ADDRESS = "Which home is it? The street address, with the house number."


def page_of(location: Location) -> str:
    return f"/admin/leads/location/{location.pk}/bot-settings/"


def as_posted(page: Any, action: str, changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a browser posts from the page as shown, with `changes` typed in: every field's shown value."""
    data: dict[str, Any] = {"action": action}
    texts = page.context["texts"]
    for form in (page.context["form"], *texts.forms):
        for field in form:
            value = field.value()
            if field.name == "DELETE":
                continue
            data[field.html_name] = "" if value is None else field.field.prepare_value(value)
    data.update({field.html_name: field.value() for field in texts.management_form})
    for name, value in (changes or {}).items():
        data[name] = value
    return data


def with_text(data: dict[str, Any], key: str, *variants: str) -> dict[str, Any]:
    """Type a text into the empty row the page offers for a new one."""
    row = int(data["texts-TOTAL_FORMS"]) - 1
    return {**data, f"texts-{row}-key": key, f"texts-{row}-variants": "\n".join(variants)}


def test_the_location_page_links_to_the_form_instead_of_a_json_box(
    admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location
) -> None:
    page = admin_as(alpha_broker).get(f"/admin/leads/location/{alpha_realty.pk}/change/").content.decode()

    assert page_of(alpha_realty) in page
    assert 'name="bot_settings"' not in page


def test_a_broker_saves_settings_through_the_form_and_the_bot_answers_with_them(
    admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location
) -> None:
    # given
    browser = admin_as(alpha_broker)
    page = browser.get(page_of(alpha_realty))
    data = with_text(as_posted(page, "save", {
        "agent_name": "Ana", "daily_message_cap": "12", "seller_bot_mode": "suggest", "hot_lead_score": "85",
        "early_end_states": "FL, OK, WA, TX", "tags__hot_seller": "Seller-HOT",
    }), "ask_property_address", NEW_ASK_ADDRESS)

    # when
    response = browser.post(page_of(alpha_realty), data)

    # then
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    alpha_realty.refresh_from_db()
    assert alpha_realty.bot_settings == {
        "agent_name": "Ana", "daily_message_cap": 12, "seller_bot_mode": "suggest", "hot_lead_score": 85,
        "early_end_states": ["FL", "OK", "WA", "TX"], "tags": {"hot_seller": "Seller-HOT"},
        "texts": {"ask_property_address": [NEW_ASK_ADDRESS]},
    }
    config = config_for(alpha_realty)
    assert config.early_end_states == ("FL", "OK", "WA", "TX") and config.mode_of("seller") == "suggest"
    reply = browser.post("/api/v1/simulator/", {"location": alpha_realty.pk, "message": "I want to sell my house",
                                                "tags": ["lead-bot"]}, content_type="application/json").json()
    assert reply["reply"] == NEW_ASK_ADDRESS


def test_the_form_shows_the_saved_settings_and_saving_them_unchanged_keeps_them(
    admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location
) -> None:
    saved = {"agent_name": "Ana", "lead_follow_up_days": [2, 9], "texts": {"lead_done_es": ["Gracias. {agent}."]},
             "commission_rate": 0.03, "deal_stage_probabilities": {"UnderContract": 0.9}}
    Location.objects.filter(pk=alpha_realty.pk).update(bot_settings=saved)
    browser = admin_as(alpha_broker)

    response = browser.post(page_of(alpha_realty), as_posted(browser.get(page_of(alpha_realty)), "save"))

    assert response.status_code == 302
    alpha_realty.refresh_from_db()
    assert alpha_realty.bot_settings == saved


def test_invalid_settings_are_refused_with_a_message_and_nothing_is_lost(
    admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location
) -> None:
    saved = {"daily_message_cap": 10}
    Location.objects.filter(pk=alpha_realty.pk).update(bot_settings=saved)
    browser = admin_as(alpha_broker)
    data = with_text(as_posted(browser.get(page_of(alpha_realty)), "save", {
        "hot_lead_score": "30", "daily_message_cap": "18", "sending_window_start_hour": "6",
    }), "booking_confirmed", "You are booked. {agent} will call you.")

    response = browser.post(page_of(alpha_realty), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was saved: fix the settings marked below." in page
    form, texts = response.context["form"], response.context["texts"]
    assert form.errors == {"sending_window_start_hour": ["must be from 8 to 20"],
                           "warm_lead_score": ["must be below the hot lead score"]}
    assert texts.forms[-1].errors == {"variants": ["Variant 1: must keep {slot}"]}
    # What the broker typed is shown again to fix, and the saved settings are untouched.
    assert form["daily_message_cap"].value() == "18" and "You are booked. {agent} will call you." in \
        response.content.decode()
    alpha_realty.refresh_from_db()
    assert alpha_realty.bot_settings == saved


def test_a_list_typed_with_letters_for_days_is_refused_by_the_form(
    admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location
) -> None:
    browser = admin_as(alpha_broker)
    data = as_posted(browser.get(page_of(alpha_realty)), "save", {"lead_follow_up_days": "3, seven, 14"})

    response = browser.post(page_of(alpha_realty), data)

    assert response.context["form"].errors == {
        "lead_follow_up_days": ["Whole days separated by commas, like 3, 7, 14."]}
    alpha_realty.refresh_from_db()
    assert alpha_realty.bot_settings == {}


def test_a_broker_sees_no_spend_limit_and_a_forged_one_is_ignored(
    admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location
) -> None:
    Location.objects.filter(pk=alpha_realty.pk).update(bot_settings={SPEND_LIMIT_KEY: 2.0})
    browser = admin_as(alpha_broker)
    page = browser.get(page_of(alpha_realty))
    assert SPEND_LIMIT_KEY not in page.content.decode()

    response = browser.post(page_of(alpha_realty), as_posted(page, "save", {SPEND_LIMIT_KEY: "500",
                                                                            "daily_message_cap": "20"}))

    assert response.status_code == 302
    alpha_realty.refresh_from_db()
    assert alpha_realty.bot_settings == {SPEND_LIMIT_KEY: 2.0, "daily_message_cap": 20}
    assert daily_limit_usd(alpha_realty) == 2


def test_a_broker_cannot_set_a_spend_limit_where_there_is_none(
    admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location
) -> None:
    browser = admin_as(alpha_broker)

    browser.post(page_of(alpha_realty), as_posted(browser.get(page_of(alpha_realty)), "save", {SPEND_LIMIT_KEY: "500"}))

    alpha_realty.refresh_from_db()
    assert SPEND_LIMIT_KEY not in alpha_realty.bot_settings


def test_a_superuser_sets_the_spend_limit_and_claude_is_held_to_it(
    admin_as: AdminAs, owner: Any, alpha_realty: Location
) -> None:
    browser = admin_as(owner)
    page = browser.get(page_of(alpha_realty))
    assert f'name="{SPEND_LIMIT_KEY}"' in page.content.decode()

    response = browser.post(page_of(alpha_realty), as_posted(page, "save", {SPEND_LIMIT_KEY: "7.50"}))

    assert response.status_code == 302
    alpha_realty.refresh_from_db()
    assert alpha_realty.bot_settings == {SPEND_LIMIT_KEY: 7.5}
    assert str(daily_limit_usd(alpha_realty)) == "7.5"


def test_only_the_locations_brokers_open_its_settings(
    admin_as: AdminAs, alpha_agent: Any, beta_broker: Any, alpha_realty: Location
) -> None:
    assert admin_as(alpha_agent).get(page_of(alpha_realty)).status_code == 404
    forged = admin_as(beta_broker).post(page_of(alpha_realty), {"action": "save", "daily_message_cap": "1"})
    assert forged.status_code == 404
    assert Client().get(page_of(alpha_realty)).status_code == 302  # to the sign in
    alpha_realty.refresh_from_db()
    assert alpha_realty.bot_settings == {}


def test_preview_shows_a_text_filled_in_as_a_lead_would_read_it_and_saves_nothing(
    admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location
) -> None:
    browser = admin_as(alpha_broker)
    data = with_text(as_posted(browser.get(page_of(alpha_realty)), "preview", {"agent_name": "Ana"}),
                     "booking_confirmed_es", "Listo: {slot}. {agent} le llama.")

    response = browser.post(page_of(alpha_realty), data)

    assert "Listo: el martes 3 de marzo a las 10 AM. Ana le llama." in response.content.decode()
    alpha_realty.refresh_from_db()
    assert alpha_realty.bot_settings == {}


def test_trying_a_changed_text_shows_the_replies_side_by_side_and_saves_nothing(
    admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location
) -> None:
    browser = admin_as(alpha_broker)
    locations_before = set(Location.objects.values_list("pk", flat=True))
    data = with_text(as_posted(browser.get(page_of(alpha_realty)), "try"), "ask_property_address", NEW_ASK_ADDRESS)

    response = browser.post(page_of(alpha_realty), data)

    trial = response.context["trial"]
    assert trial.played > 200 and trial.changed
    changed = [reply for conversation in trial.changed for reply in conversation.replies
               if reply.proposed == NEW_ASK_ADDRESS]
    assert changed and all(reply.saved and reply.saved != NEW_ASK_ADDRESS for reply in changed)
    page = response.content.decode()
    assert "Nothing was saved." in page and changed[0].saved in page
    alpha_realty.refresh_from_db()
    assert alpha_realty.bot_settings == {}
    assert set(Location.objects.values_list("pk", flat=True)) == locations_before


def test_trying_settings_that_break_a_conversations_checks_says_which(
    admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location
) -> None:
    browser = admin_as(alpha_broker)
    # The corpus's checks expect the default agent: a lead who asks for Jorge by name, a reply that names him.
    data = as_posted(browser.get(page_of(alpha_realty)), "try", {"agent_name": "Ana"})

    response = browser.post(page_of(alpha_realty), data)

    failing = {conversation.file: conversation.now_fails for conversation in response.context["trial"].now_failing}
    assert {"seller_asks_for_jorge.yaml", "questions_unknown_question_goes_to_the_agent.yaml"} <= set(failing)
    assert "'Jorge' not in" in failing["questions_unknown_question_goes_to_the_agent.yaml"]
    page = response.content.decode()
    assert "would now fail a check" in page and "Would now fail: seller_asks_for_jorge.yaml turn 2" in page


def test_stored_settings_no_bot_reads_are_shown_and_dropped_on_save(
    admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location
) -> None:
    Location.objects.filter(pk=alpha_realty.pk).update(
        bot_settings={"daily_cap": 5, "tags": {"hot": "Hot"}, "early_end_states": "FL, OK, WA"})
    browser = admin_as(alpha_broker)
    page = browser.get(page_of(alpha_realty))
    assert "daily_cap = 5" in page.content.decode() and "tags.hot = &#x27;Hot&#x27;" in page.content.decode()

    response = browser.post(page_of(alpha_realty), as_posted(page, "save"))

    assert response.status_code == 302
    alpha_realty.refresh_from_db()
    # The old box's text "FL, OK, WA" is now the list it meant.
    assert alpha_realty.bot_settings == {}
    assert config_for(alpha_realty).early_end_states == ("FL", "OK", "WA")


def test_settings_of_the_wrong_shape_from_the_old_json_box_open_and_are_fixed_by_saving(
    admin_as: AdminAs, alpha_broker: Any, alpha_realty: Location
) -> None:
    Location.objects.filter(pk=alpha_realty.pk).update(
        bot_settings={"tags": "Hot-Seller", "texts": {"ask_intent": "Buying or selling?"}})
    browser = admin_as(alpha_broker)
    page = browser.get(page_of(alpha_realty))
    assert "tags = &#x27;Hot-Seller&#x27;" in page.content.decode()

    response = browser.post(page_of(alpha_realty), as_posted(page, "save"))

    assert response.status_code == 302
    alpha_realty.refresh_from_db()
    # The one text typed as a string is the one variant it meant; the tags no bot could read are gone.
    assert alpha_realty.bot_settings == {"texts": {"ask_intent": ["Buying or selling?"]}}
