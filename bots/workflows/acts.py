"""The reply fits what the lead's text did before any next question (BOTS.md "When the lead says something other
than an answer"): a sender who is no lead is answered briefly and not qualified, disinterest is closed gracefully,
a complaint gets an apology and the STOP option, a feeling is heard and the bot steps back, a question is answered
first from the location's facts or with an honest redirect.
"""
from __future__ import annotations

from typing import Protocol

from bots.nlu import Extraction
from bots.nlu.types import Disinterest, Feeling, NotALead, QuestionKind
from bots.texts import DEFAULT_TEXTS
from bots.workflows.conversation import TurnContext
from bots.workflows.decision import Line, TurnPlan
from bots.workflows.questions import BY_ID


class Facts(Protocol):
    """The location's own answers (bots.faq.LocationFacts)."""

    def answer(self, kind: str, text: str, language: str) -> str | None: ...


# The tag that says why the bots stopped, per reason (each a per-location tag setting).
NOT_A_LEAD_TAGS = {
    NotALead.AGENT: "agent_inquiry", NotALead.WHOLESALER: "not_a_lead", NotALead.VENDOR: "not_a_lead",
    NotALead.SPAM: "not_a_lead", NotALead.WRONG_NUMBER: "wrong_number",
}
DISINTEREST_TAGS = {
    Disinterest.NOT_INTERESTED: "not_interested", Disinterest.BACK_OFF: "not_interested",
    Disinterest.ALREADY_SOLD: "already_sold",
}
# Feelings that may come with an answer and let the conversation go on after a short line; anger and frustration
# at the bot always make it step back.
GENTLE_GO_ON = frozenset({Feeling.GRIEF, Feeling.DISTRESS})
# Senders recognised as no lead at any point of a conversation; the others only before anything was answered.
ANYTIME = frozenset({NotALead.SPAM, NotALead.WRONG_NUMBER})
# Spam gets no answer at all: a reply only confirms the number is live.
UNANSWERED = frozenset({NotALead.SPAM})


def is_aside(understood: Extraction) -> bool:
    """The text did something other than answer (asked, felt, complained): not a miss of the question asked."""
    return understood.question is not None or understood.feeling is not None or understood.complaint


def plays_out_of_qualification(ctx: TurnContext) -> bool:
    """Not a lead, disinterest or a complaint: the turn answers that alone and asks nothing."""
    understood = ctx.understood
    return is_not_a_lead(ctx) or closes(ctx) or understood.complaint


def is_not_a_lead(ctx: TurnContext) -> bool:
    """The sender is no lead. Spam and a wrong number count whenever they come; an agent, a wholesaler or a vendor
    only as a stranger, before any answer: a seller who has been answering and says "my buyer wants to close in 30
    days" is still a seller. What the text itself seems to answer (a wholesaler's offer, a listing's street) is no
    answer from a non lead."""
    kind = ctx.understood.not_a_lead
    if kind is None:
        return False
    if kind in ANYTIME:
        return True
    earlier = {question.id for question in BY_ID.values() if question.is_answered(ctx.state)} - ctx.progress.answered
    return not earlier


def closes(ctx: TurnContext) -> bool:
    """Disinterest closes the conversation unless the same text wants something ("we sold, now we buy") or answers
    a question ("never mind the last text, it's 4410 Etiwanda Ave")."""
    understood = ctx.understood
    wants = understood.buy_phrases or understood.sell_phrases
    corrected = understood.correction and bool(ctx.progress.answered)
    return understood.disinterest is not None and not wants and not corrected


def answer_out_of_qualification(ctx: TurnContext, plan: TurnPlan) -> None:
    understood = ctx.understood
    if understood.not_a_lead is not None and is_not_a_lead(ctx):
        answer_not_a_lead(ctx, plan, understood.not_a_lead)
    elif closes(ctx):
        assert understood.disinterest is not None
        close_gracefully(ctx, plan, understood.disinterest)
    else:
        apologize(ctx, plan)
    plan.next_question = None


def answer_not_a_lead(ctx: TurnContext, plan: TurnPlan, kind: NotALead) -> None:
    """Agents, wholesalers, vendors, spam, wrong numbers: a brief polite answer, a tag, no qualification."""
    plan.add_tags(ctx.tag(NOT_A_LEAD_TAGS[kind]), ctx.tag("ai_off"))
    if kind is NotALead.AGENT:
        plan.add_tags(ctx.tag("human_follow_up"))
    if kind not in UNANSWERED:
        plan.say(f"not_a_lead_{kind.value}")


def close_gracefully(ctx: TurnContext, plan: TurnPlan, reason: Disinterest) -> None:
    """No more questions and no more follow ups (AI-Off stops the cadence); the tag says why."""
    plan.add_tags(ctx.tag(DISINTEREST_TAGS[reason]), ctx.tag("ai_off"))
    plan.say(f"close_{reason.value}")


def apologize(ctx: TurnContext, plan: TurnPlan) -> None:
    """A complaint about the texts: an apology, the STOP option, and a person looks at what went wrong (the tag
    also stops the follow ups, which are what the lead complained about)."""
    plan.add_tags(ctx.tag("human_follow_up"))
    plan.say("complaint_apology")


def answer_question(ctx: TurnContext, plan: TurnPlan, facts: Facts) -> None:
    """The answer goes first, the workflow's next question after it: the broker's own answer (bots.faq), else the
    bots' honest default for that kind of question; a question nobody answers goes to the agent, and is collected."""
    kind = ctx.understood.question
    if kind is None or _answered_elsewhere(ctx.understood):
        return
    own = facts.answer(kind.value, ctx.understood.text, ctx.state.language)
    if own:
        plan.say("faq_answer", answer=own)
    elif f"answer_{kind.value}_{plan.bot}" in DEFAULT_TEXTS:
        # Some answers differ by side: a buyer asking about fees is not selling a home.
        plan.say(f"answer_{kind.value}_{plan.bot}")
    elif f"answer_{kind.value}" in DEFAULT_TEXTS:
        plan.say(f"answer_{kind.value}")
    else:
        plan.say("question_for_agent")
        plan.unanswered_question = kind.value


def _answered_elsewhere(understood: Extraction) -> bool:
    """Questions another part of the turn answers: "are you a bot?", "who is this?", a stall, a legal question."""
    return understood.question is QuestionKind.OTHER and bool(
        understood.asks_if_bot or understood.objection or understood.stall or understood.respa_question
        or understood.fair_housing_request or understood.wants_human or understood.slot_pick is not None
    )


def hear_feeling(ctx: TurnContext, plan: TurnPlan) -> bool:
    """A feeling said in answer to the question asked ("my mom passed away and we inherited the house" to "what has
    you thinking about selling?") is heard in one short line, and the conversation goes on gently: the lead chose to
    answer. Said out of the blue, it makes the bot step back instead. True when heard the gentle way."""
    feeling = ctx.understood.feeling
    if feeling not in GENTLE_GO_ON or ctx.progress.asked not in ctx.progress.answered:
        return False
    plan.say(f"feeling_{feeling.value}_short")
    return True


def step_back(ctx: TurnContext, plan: TurnPlan, feeling: Feeling) -> None:
    """A feeling with no answer, or anger at us, is heard before anything else and the bot stops pushing: the
    acknowledgement replaces the next question, and a person picks it up (the tag also pauses the follow ups). A
    booking already under way stays."""
    plan.add_tags(ctx.tag("human_follow_up"))
    if plan.booking_step:
        plan.lines.insert(0, Line("feeling_heard"))
        return
    plan.lines.clear()
    plan.say(f"feeling_{feeling.value}")
    plan.next_question = None
