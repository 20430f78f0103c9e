"""What the seller, buyer and lead bots say while they qualify a lead, in English and Spanish (`<key>_es`).

Voice (BOTS.md): one question per message, short sentences, no emojis, no hyphens, no softeners, never
"Hey", never a claim we cannot back. A reply is built from lines: at most one lead in (an acknowledgement,
an answer) and then the question, so lead ins never ask anything. Every key is overridable per location
(`Location.bot_settings["texts"]`), and each has a few variants so a lead never gets the same text twice.
"""
from __future__ import annotations

from bots.qualifying_texts_es import SPANISH

_ENGLISH: dict[str, list[str]] = {
    # -- lead bot: light qualification of a lead who is neither a buyer nor a seller yet -----------------
    "ask_intent_plain": [
        "Are you looking to buy, sell, or both?",
        "Is this about buying a home, selling one, or both?",
    ],
    "reask_intent": [
        "Is a move on your mind at all, whether buying or selling?",
        "Would you say you lean more toward buying or selling?",
    ],
    "ask_lead_timeline": [
        "When do you think you might make a move?",
        "Roughly when could a move happen for you?",
    ],
    "reask_lead_timeline": [
        "Is it more like this year, or further out?",
        "Would you say months away, or more like a year or two?",
    ],
    "ask_lead_area": [
        "Which area are you most interested in?",
        "Which part of town are you thinking about?",
    ],
    "reask_lead_area": [
        "Is there a city or neighborhood you keep coming back to?",
        "Any town you have your eye on?",
    ],
    "lead_wrap_up": [
        "Thanks, that helps. When buying or selling is on your mind, text me here and {agent} will take it from there.",
        "Got it, thank you. Whenever you are ready to buy or sell, text me here and {agent} will help.",
    ],
    "lead_done": [
        "Thanks for the update. Text me here whenever you are ready to buy or sell.",
        "Noted, thank you. {agent} is around whenever you want to talk buying or selling.",
    ],
    # -- seller bot ----------------------------------------------------------------------------------------
    "ask_property_address_plain": ["What is the address of the home?", "Which address would you be selling?"],
    "reask_property_address": [
        "What is the street address of the home, with the house number?",
        "Which street address is the home on?",
    ],
    "ask_motivation": [
        "What has you thinking about selling, and where would you move next?",
        "What is making you think about selling, and where would you go?",
        "What is behind the idea of selling, and where would you head next?",
    ],
    "reask_motivation": [
        "Is it a new job, more space, or something else that has you thinking about it?",
        "Is it a move, a change in the family, or something else?",
    ],
    "ask_timeline": [
        "Would a sale within 30 to 45 days work for you?",
        "Could a sale in the next 30 to 45 days work?",
        "If the right buyer came along, would closing in 30 to 45 days work?",
    ],
    "reask_timeline": [
        "Would 30 to 45 days work, or would you need longer?",
        "Is 30 to 45 days doable, or is that too fast?",
    ],
    "ask_property_condition": [
        "Is the home move in ready, or does it need some work?",
        "Would you call the home move in ready, or does it need work?",
        "How is the condition, move in ready or in need of some updates?",
    ],
    "reask_property_condition": [
        "Roughly, is it in good shape, or are there repairs it needs?",
        "Would a buyer move right in, or would they want to fix things first?",
    ],
    "ask_price_expectation": [
        "What price would make you feel good about selling?",
        "What number would make the sale worth it for you?",
        "What price would you be happy to walk away with?",
    ],
    "reask_price_expectation": [
        "Even a ballpark helps. Roughly what number would make it worth selling?",
        "What range would make you happy?",
    ],
    "seller_wrap_up": [
        "Thanks, that gives {agent} a clear picture. {agent} will check in closer to your timeline.",
        "Got it, thank you. {agent} has what is needed and will reach out when the timing fits.",
    ],
    "seller_done": [
        "Thanks for the update, I passed it along to {agent}.",
        "Noted, thank you. {agent} has your details and will be in touch.",
    ],
    # -- buyer bot -----------------------------------------------------------------------------------------
    "ask_area_plain": ["Which area or neighborhoods are you looking in?", "Where would you like to buy?"],
    "reask_area": [
        "Is there a city or neighborhood you keep coming back to?",
        "Which towns would you be open to?",
    ],
    "ask_bedrooms": [
        "How many bedrooms do you need, and any must haves?",
        "How many bedrooms, and anything you cannot live without?",
        "How many bedrooms are you after, and anything on your wish list?",
    ],
    "reask_bedrooms": [
        "Roughly how many bedrooms would work?",
        "Would 3 bedrooms do, or do you need more?",
    ],
    "ask_budget": [
        "What price range feels comfortable?",
        "What budget are you working with?",
        "What price range are you shopping in?",
    ],
    "reask_budget": [
        "Even a ballpark helps. What price range feels right?",
        "What is the most you would want to spend?",
    ],
    "ask_preapproval": [
        "Are you preapproved with a lender yet, or paying cash?",
        "Do you have a preapproval, or is this a cash purchase?",
        "Have you talked with a lender yet, or will you pay cash?",
    ],
    "reask_preapproval": [
        "Have you spoken with a lender at all yet?",
        "Is financing sorted out, or still to do?",
    ],
    "ask_buyer_timeline": [
        "When are you hoping to move?",
        "How soon would you like to be in the new place?",
        "When would you ideally move in?",
    ],
    "reask_buyer_timeline": [
        "Is it more like the next few months, or later?",
        "Would you say within 3 months, or further out?",
    ],
    "buyer_wrap_up": [
        "Thanks, that gives {agent} a clear picture. {agent} will send you homes that fit as they come up.",
        "Got it, thank you. {agent} will keep an eye out and text you homes that fit.",
    ],
    "buyer_done": [
        "Thanks for the update, I passed it along to {agent}.",
        "Noted, thank you. {agent} has your details and will be in touch.",
    ],
    # Listings we actually have, and honest market education when none fit.
    "matches_one": [
        "I found one home that fits: {address} in {city} at {price}, {reasons}.",
        "One home fits right now: {address} in {city} at {price}, {reasons}.",
    ],
    "matches_many": [
        "I found {count} homes that fit. The closest is {address} in {city} at {price}, {reasons}.",
        "{count} homes fit what you asked for. The best match is {address} in {city} at {price}, {reasons}.",
    ],
    "market_below": [
        "Nothing {wish} lists near {budget} right now. The lowest priced one we have is {price}.",
        "Right now the homes {wish} that we have start at {price}, above {budget}.",
    ],
    "market_above": [
        "The homes {wish} that we have top out at {price} right now.",
        "Right now our listings {wish} go up to {price}.",
    ],
    "market_empty": [
        "I do not see any listings {wish} right now.",
        "We have no listings {wish} at the moment.",
    ],
    "reason_under_budget": ["under your budget"],
    "reason_over_budget": ["{over} over your budget"],
    "reason_outside_area": ["outside the {area} area you asked about"],
    "reason_in_area": ["in {area}"],
    "reason_bedrooms": ["{bedrooms} bedrooms as you wanted"],
    "reason_more_bedrooms": ["{beds} bedrooms, more than the {bedrooms} you wanted"],
    "wish_bedrooms": ["with {bedrooms} or more bedrooms"],
    "wish_area": ["in {area}"],
    # -- when the lead says something other than an answer (bots.workflows.acts) ------------------------------
    # Questions: the location's facts (bots.faq) first; these are the honest defaults, never a number.
    "faq_answer": ["{answer}"],
    "answer_value": [
        "I cannot put a number on it by text without seeing the home, but {agent} can do a free market analysis "
        "with you on a call.",
        "An honest number needs someone to look at the home and the recent sales, and {agent} can do that free on "
        "a call.",
    ],
    "answer_small_talk": ["Good, thanks for asking.", "All good here, thanks."],
    "answer_schools": [
        "For schools, the school district's own website has the boundaries and the public reports.",
        "The school district's website is the best source on schools, boundaries and reports.",
    ],
    "answer_rates": [
        "Rates change daily and depend on the loan, so a lender of your choice is the one to quote them.",
        "Any lender you choose can quote today's rate, since it depends on the loan and changes daily.",
    ],
    "answer_fees": [
        "{agent} goes over the fees with you on a call, before anything is signed.",
    ],
    "answer_fees_buyer": [
        "{agent} explains what buying with the team costs on a call, before you sign anything.",
    ],
    "answer_process": [
        "{agent} learns about your plans, then walks you through your options on a short call, with no obligation.",
    ],
    "answer_next_steps": [
        "Next, {agent} reviews what you shared and calls you to talk options. Nothing is decided until you say so.",
    ],
    "answer_preapproval": [
        "A preapproval is a lender's letter saying how much you can borrow, and sellers take offers with one more "
        "seriously.",
    ],
    "answer_fast_sale": [
        "{agent} can talk you through a quick sale and a regular listing on a call, and what each would mean "
        "for you.",
    ],
    "answer_how_reached": [
        "Your number came to {agent}'s team with an inquiry about buying or selling a home.",
    ],
    "question_for_agent": [
        "Good question, I will pass it to {agent} to answer.",
        "Good question. I am passing it to {agent}.",
    ],
    # Feelings: heard first, and the bot steps back.
    "feeling_grief": [
        "I am so sorry for your loss. There is no rush on any of this. Whenever you are ready, {agent} can talk "
        "it through with you.",
    ],
    "feeling_distress": [
        "That sounds really stressful, and I am sorry you are dealing with it. {agent} will reach out to walk you "
        "through your options, with no pressure.",
    ],
    "feeling_anger": [
        "I am sorry this came across badly. I will step back, and {agent} can reach out to you personally.",
    ],
    "feeling_frustration": [
        "Sorry about that, you deserve better. I passed what you told me to {agent}, who will reach out to you "
        "personally.",
    ],
    "feeling_heard": ["I am sorry to hear that."],
    "feeling_grief_short": ["I am so sorry for your loss.", "I am very sorry for your loss."],
    "feeling_distress_short": ["I am sorry you are going through that.", "That sounds like a lot to carry."],
    # Disinterest: a graceful close.
    "close_not_interested": [
        "Understood, I will stop reaching out. If anything changes, you can text {agent} here anytime.",
    ],
    "close_back_off": [
        "Sorry for the bother. I will stop texting you. If you ever need {agent}, this number works anytime.",
    ],
    "close_already_sold": [
        "Congratulations, that is great news. I will close out your file, and you can text {agent} here anytime.",
    ],
    "complaint_apology": [
        "I am sorry about that. Reply STOP anytime and you will get no more texts from us.",
        "Sorry for the trouble. If you would rather not hear from us, reply STOP and the texts end.",
    ],
    # Not leads: brief, polite, no qualification.
    "not_a_lead_agent": [
        "Thanks for reaching out. {agent} handles questions from agents personally and will get back to you.",
    ],
    "not_a_lead_wholesaler": [
        "Thanks, we are not looking for deals or partners right now.",
    ],
    "not_a_lead_vendor": [
        "Thanks, we are not looking for new services right now.",
    ],
    "not_a_lead_wrong_number": [
        "Sorry about that, we will take this number off our list.",
    ],
    # -- lead ins: acknowledge, then the question steers back ------------------------------------------------
    "got_it": ["Thanks.", "Got it.", "Good to know.", "Makes sense.", "Thanks for sharing that."],
    # "No problem" only answers a request (BOTS.md): a text that answered nothing gets a neutral lead in.
    "no_worries": ["Understood.", "Okay.", "All right."],
    "move_on": [
        "No worries, we can come back to that.",
        "That is fine, we can skip that for now.",
    ],
    "ai_identity": [
        "Good question. I am an AI assistant for {agent}'s team.",
        "I am an AI assistant working with {agent}'s team.",
    ],
    "handoff_to_seller": [
        "Happy to help with selling too.",
        "Sure, we can talk about selling.",
    ],
    "handoff_to_buyer": [
        "Happy to help you find a home too.",
        "Sure, we can look at buying.",
    ],
    "stall_thinking": [
        "Of course, take the time you need.",
        "Totally fair, it is a big decision.",
    ],
    "stall_get_back_later": [
        "No problem, I know you are busy.",
        "Understood, no rush on my end.",
    ],
    "stall_online_estimate": [
        "Online estimates can miss a lot, like upgrades and the condition inside.",
        "Those online numbers are a starting point, but they never see the inside of the home.",
    ],
    "stall_has_agent": [
        "Good to hear you have someone in your corner.",
        "Glad you have help already.",
    ],
    "stall_just_looking": [
        "Looking around first makes a lot of sense.",
        "Nothing wrong with getting a feel for things first.",
    ],
    "objection_price": [
        "That is a fair concern, the number has to work for you.",
        "I hear you, the price has to feel right.",
    ],
    "objection_timing": [
        "I hear you, timing matters a lot.",
        "Fair point, the timing has to fit your life.",
    ],
    "objection_competition": [
        "Makes sense to compare your options.",
        "Smart to look at more than one option.",
    ],
    "objection_trust": [
        "Fair question. This is {agent}'s real estate team following up on your inquiry.",
        "Good question. I work with {agent}'s local real estate team.",
    ],
    "objection_decision_authority": [
        "Of course, a decision like this should include everyone involved.",
        "Makes sense to talk it over together first.",
    ],
    "objection_value": [
        "Fair question. {agent}'s job is to handle the hard parts and get you a result you are happy with.",
        "Good question. {agent} takes care of pricing, marketing and negotiating, so you do not have to.",
    ],
    "objection_data": [
        "{agent} can pull the recent sales near you, so you can see real numbers.",
        "{agent} can show you what similar homes nearby actually sold for.",
    ],
    "objection_social_proof": [
        "A lot of homeowners we talk with start out with the same doubts.",
        "You are not the first to feel that way, and that is fine.",
    ],
    "objection_market_test": [
        "One low pressure option: {agent} shows you what buyers would pay, and you decide from there.",
        "You could test the market with no commitment and decide once you see real interest.",
    ],
    # -- closings: the bot's last text before a person takes over ----------------------------------------
    "human_requested": [
        "Of course. {agent} will reach out to you shortly.",
        "Sure thing. I let {agent} know, and you will hear back soon.",
    ],
    "exhausted": [
        "Thanks for your time. {agent} will follow up with you personally.",
        "I appreciate you chatting with me. {agent} will reach out to you directly.",
    ],
    # -- booking a call ---------------------------------------------------------------------------------------
    "offer_slots": [
        "Thanks, that is everything I need. {agent} can call you {slot_list}. Which works best? Reply {choices}.",
        "{agent} would like to talk next steps and is free {slot_list}. Which time suits you? Reply {choices}.",
    ],
    "repeat_slots": [
        "Okay. Reply {choices} to pick a time: {slot_list}.",
        "Sorry, I did not catch that. Reply {choices} for {slot_list}.",
    ],
    "booking_confirmed": [
        "You are booked for {slot}. {agent} will call you then.",
        "Done. {agent} will call you {slot}.",
    ],
    "manual_scheduling": [
        "No problem, the team will reach out to find a time that works for you.",
        "Understood. Someone from the team will reach out to set up a time with you.",
    ],
    "booking_done": [
        "You are all set for {slot}. {agent} will call you then.",
        "Your call with {agent} is set for {slot}.",
    ],
    "manual_done": [
        "The team will reach out to you to set up a time.",
        "Someone from the team will be in touch to find a time.",
    ],
}

QUALIFYING_TEXTS: dict[str, list[str]] = {
    **_ENGLISH,
    **{f"{key}_es": variants for key, variants in SPANISH.items()},
}
