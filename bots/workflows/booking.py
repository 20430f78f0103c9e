"""Booking a call with a hot seller or buyer, as planning steps: offer numbered slots, read the pick, confirm,
or hand the scheduling to the team.

No I/O here. A turn that decides to offer slots or to book one only sets `TurnPlan.booking_step`; the GHL
calendar is read and written by bots.booking after the turn commits (a turn holds the conversation's row lock),
and bots.booking then applies `offer_slots`, `confirm_booking` or `schedule_by_hand` in a short transaction.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from bots.config import BotConfig
from bots.state import ConversationState
from bots.workflows.conversation import TurnContext
from bots.workflows.decision import TurnPlan

SLOT_PICK_QUESTION = "slot_pick"
# The practice calendar of the simulator: one call a weekday, at a different hour each day.
PRACTICE_HOURS = (10, 14, 16)

_WEEKDAYS_ES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
_MONTHS_ES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
              "noviembre", "diciembre")


def start_booking(ctx: TurnContext, plan: TurnPlan) -> None:
    """A hot lead: ask for slots once. After a booking or a hand-off to the team, scheduling never restarts."""
    booking = ctx.state.booking
    if booking.status == "none":
        booking.status = "fetching"
        plan.booking_step = "offer_slots"
    elif booking.status == "fetching":
        # The slots are on their way (or their task was lost): ask again; the step acts only once.
        plan.booking_step = "offer_slots"
    elif booking.status == "booking":
        plan.booking_step = "book_slot"
    elif booking.status == "booked":
        plan.say("booking_done", slot=slot_text(_picked(ctx.state), ctx.state.language))
    elif booking.status == "manual":
        plan.say("manual_done")
    plan.next_question = None


def take_slot_pick(ctx: TurnContext, plan: TurnPlan) -> None:
    """The lead answers the numbered slots: book the one picked; after too many unreadable answers, the team
    schedules by hand."""
    booking, understood = ctx.state.booking, ctx.understood
    if understood.slot_pick is not None:
        booking.picked = understood.slot_pick
        booking.status = "booking"
        plan.booking_step = "book_slot"
        plan.next_question = None
        return
    if understood.asks_if_bot:
        plan.say("ai_identity")
    else:
        booking.unreadable_picks += 1
        if booking.unreadable_picks >= ctx.config.unreadable_picks_before_manual:
            schedule_by_hand(ctx.state, plan, ctx.config)
            return
    slots = [dt.datetime.fromisoformat(slot) for slot in booking.offered]
    plan.say("repeat_slots", **slot_values(slots, ctx.state.language))
    plan.next_question = SLOT_PICK_QUESTION


def offer_slots(state: ConversationState, plan: TurnPlan, slots: Sequence[dt.datetime], config: BotConfig) -> None:
    """Text the numbered slots ("Reply 1, 2 or 3"); with none free, the team schedules by hand."""
    if not slots:
        schedule_by_hand(state, plan, config)
        return
    state.booking.status = "offered"
    state.booking.offered = [slot.isoformat() for slot in slots]
    state.booking.unreadable_picks = 0
    plan.say("offer_slots", **slot_values(slots, state.language))
    plan.next_question = SLOT_PICK_QUESTION


def confirm_booking(state: ConversationState, plan: TurnPlan, appointment_id: str, config: BotConfig) -> None:
    """Booked: confirm, and step aside for the agent (Human-Follow-Up-Needed + AI-Off)."""
    state.booking.status = "booked"
    state.booking.appointment_id = appointment_id
    plan.say("booking_confirmed", slot=slot_text(_picked(state), state.language))
    plan.add_tags(config.tag("human_follow_up"), config.tag("ai_off"))
    plan.next_question = None


def schedule_by_hand(state: ConversationState, plan: TurnPlan, config: BotConfig) -> None:
    """No slot, a failed booking or three unreadable picks: tag Needs-Manual-Scheduling, the team reaches out."""
    state.booking.status = "manual"
    plan.say("manual_scheduling")
    plan.add_tags(config.tag("manual_scheduling"))
    plan.next_question = None


def choose_slots(
    free: Iterable[dt.datetime], now: dt.datetime, config: BotConfig, zone: ZoneInfo
) -> list[dt.datetime]:
    """Up to `slots_offered` free slots far enough ahead, on different days when the calendar allows, in the
    lead's local time (the lead picks "Tuesday at 10" in their own time)."""
    earliest = now + dt.timedelta(minutes=config.booking_notice_minutes)
    upcoming = sorted(slot.astimezone(zone) for slot in free if slot >= earliest)
    chosen: list[dt.datetime] = []
    for slot in upcoming:
        if len(chosen) < config.slots_offered and slot.date() not in {c.date() for c in chosen}:
            chosen.append(slot)
    for slot in upcoming:
        if len(chosen) < config.slots_offered and slot not in chosen:
            chosen.append(slot)
    return sorted(chosen)


def practice_slots(now: dt.datetime, config: BotConfig, zone: ZoneInfo) -> list[dt.datetime]:
    """The simulator's calendar: no GHL call, the same choice rules."""
    today = now.astimezone(zone).date()
    candidates: list[dt.datetime] = []
    for offset in range(1, config.booking_window_days + 1):
        day = today + dt.timedelta(days=offset)
        if day.weekday() < 5:
            hour = PRACTICE_HOURS[len(candidates) % len(PRACTICE_HOURS)]
            candidates.append(dt.datetime.combine(day, dt.time(hour), tzinfo=zone))
    return choose_slots(candidates, now, config, zone)


def slot_values(slots: Sequence[dt.datetime], language: str) -> dict[str, object]:
    """`slot_list` ("1) Tuesday March 3 at 10 AM, 2) ...") and `choices` ("1, 2 or 3") for the texts."""
    numbered = [f"{number}) {slot_text(slot, language)}" for number, slot in enumerate(slots, start=1)]
    numbers = [str(number) for number in range(1, len(slots) + 1)]
    last_join = " o " if language == "es" else " or "
    return {"slot_list": _joined(numbered, last_join), "choices": _joined(numbers, last_join)}


def slot_text(moment: dt.datetime, language: str) -> str:
    """ "Tuesday March 3 at 10 AM"; in Spanish "martes 3 de marzo a las 10:00"."""
    if language == "es":
        return (f"{_WEEKDAYS_ES[moment.weekday()]} {moment.day} de {_MONTHS_ES[moment.month - 1]} "
                f"a las {moment.hour}:{moment.minute:02d}")
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{moment:%A %B} {moment.day} at {hour}{minutes} {'AM' if moment.hour < 12 else 'PM'}"


def _joined(items: list[str], last_join: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + last_join + items[-1]


def _picked(state: ConversationState) -> dt.datetime:
    return dt.datetime.fromisoformat(state.booking.offered[state.booking.picked or 0])
