"""The nightly analytics at 100,000 leads: reading every open lead, rescoring it and predicting whether it is going
cold, in bulk, against a naive loop that handles one lead at a time through the ORM, measured in the same run.

Seeds 100,000 leads (two locations) with conversations, about 650,000 texts, qualification answers, won and lost
outcomes and deals, by COPY (its time is printed); trains the scoring and churn models the way the weekly job does
(timed apart: training is not part of the night); then runs the night (`run_nightly_analytics`): the features of
every open lead read once, rescoring, churn, the forecast (timed apart: it is per location, not per lead), and the
next night a day later. The naive loop reads each lead, its conversation and its texts through the ORM, scores it
with the same models one row at a time (with the model's own per-lead reasons, then again without them), and saves
the history row, the lead and its prediction one by one; it runs on a sample and is scaled per lead.
Targets: features + rescoring + churn <= 60 s wall on this 2-core machine, and >= 20x faster than the naive loop.

    python -m jorgebot.embedded -- python bench/nightly_rescore.py      (or with DATABASE_URL/REDIS_URL set)
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import bench_environment  # noqa: E402

LOCATIONS = (("BenchLocationA000001", "Bench Realty", 0.9), ("BenchLocationB000002", "Bench Homes", 0.1))
SOURCES = (("Zillow", 0.4), ("Website", 0.3), ("Referral", 0.15), ("Facebook", 0.15))
BOTS = (("seller", 0.45), ("buyer", 0.35), ("lead", 0.2))
OPEN_STATUSES = (("new", 0.15), ("contacted", 0.55), ("qualified", 0.15), ("appointment", 0.1),
                 ("under_contract", 0.05))
FINANCING = ("pre_approved", "cash", "talking_to_lender", "none")
SEED_CHUNK = 20_000  # rows per COPY write, as in bench/dashboard.py
TARGET_SECONDS = 60.0
SECONDS_PER_DAY = 86_400.0
TARGET_SPEEDUP = 20.0


# -- seeding -----------------------------------------------------------------------------------------------


def _copy_text(value: object) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def _lines(rows: list[tuple[object, ...]]) -> Iterator[str]:
    for start in range(0, len(rows), SEED_CHUNK):
        chunk = rows[start : start + SEED_CHUNK]
        yield "\n".join("\t".join(_copy_text(value) for value in row) for row in chunk) + "\n"


def _choice(rng: np.random.Generator, weighted: tuple[tuple[str, float], ...], size: int) -> np.ndarray:
    return rng.choice([value for value, _ in weighted], size=size, p=[weight for _, weight in weighted])


def generate(contacts: int, now: dt.datetime, seed: int = 7) -> dict[str, list[tuple[object, ...]]]:
    """Leads whose chance of winning follows their source, reply speed, answers and financing, and whose silence
    follows their reply speed: something real for both models to find."""
    rng = np.random.default_rng(seed)
    age_days = rng.uniform(1, 365, contacts)
    source = _choice(rng, SOURCES, contacts)
    bot = _choice(rng, BOTS, contacts)
    fast = rng.random(contacts) < 0.5
    answers = np.where(bot == "seller", rng.integers(0, 5, contacts), 0)
    financing = np.where(bot == "buyer", rng.choice(FINANCING, contacts), "")
    log_odds = (-1.8 + 1.6 * (source == "Referral") + 1.0 * fast + 0.35 * answers
                + 1.2 * np.isin(financing, ("pre_approved", "cash")))
    won = rng.random(contacts) < 1 / (1 + np.exp(-log_odds))
    # Teams close out what went quiet: half the leads older than six weeks are won or lost by now.
    closed = (age_days > 45) & (rng.random(contacts) < 0.5)
    open_status = _choice(rng, OPEN_STATUSES, contacts)
    opted_out = rng.random(contacts) < 0.03

    contact_rows, conversation_rows, message_rows, deal_rows = [], [], [], []
    for index in range(contacts):
        pk = index + 1
        created = now - dt.timedelta(days=float(age_days[index]))
        texts = _thread(rng, created, now, bool(fast[index]))
        status = ("won" if won[index] else "lost") if closed[index] else str(open_status[index])
        outcome_at = min(created + dt.timedelta(days=float(rng.uniform(10, 45))), now) if closed[index] else None
        location = LOCATIONS[0][0] if rng.random() < LOCATIONS[0][2] else LOCATIONS[1][0]
        contact_rows.append((
            pk, location, f"BenchContact{pk:09d}", "Ana", "Lee", f"+1909{pk:07d}", f"lead{pk}@example.com",
            str(source[index]), "{}", "{}", "America/Los_Angeles", "91730", False,
            created + dt.timedelta(hours=1) if opted_out[index] else None, str(bot[index]), "", None, status, "",
            created, outcome_at or (texts[-1][2] if texts else created),
        ))
        inbound = [sent for direction, _, sent in texts if direction == "inbound"]
        outbound = [sent for direction, _, sent in texts if direction == "outbound"]
        state = _state(rng, str(bot[index]), int(answers[index]), str(financing[index]))
        conversation_rows.append((pk, pk, f"BenchConvo{pk:09d}", json.dumps(state), len(outbound),
                                  max(inbound) if inbound else None, max(outbound) if outbound else None, created,
                                  texts[-1][2] if texts else created))
        for direction, sender, sent in texts:
            message_rows.append((pk, direction, sender, "text", "SMS", "", sent, None, sent))
        deal = _deal(rng, pk, location, status, created, outcome_at, now)
        if deal:
            deal_rows.append(deal)
    return {"leads_contact": contact_rows, "leads_conversation": conversation_rows, "leads_message": message_rows,
            "analytics_deal": deal_rows}


def _thread(rng: np.random.Generator, created: dt.datetime, now: dt.datetime,
            fast: bool) -> list[tuple[str, str, dt.datetime]]:
    texts: list[tuple[str, str, dt.datetime]] = [("inbound", "lead", created)]
    moment = created
    for _ in range(int(rng.integers(1, 12))):
        moment += dt.timedelta(minutes=float(rng.uniform(0.2, 2)))
        texts.append(("outbound", "bot", moment))
        if rng.random() > (0.9 if fast else 0.5):
            break
        moment += dt.timedelta(minutes=float(rng.uniform(1, 8) if fast else rng.uniform(60, 900)))
        texts.append(("inbound", "lead", moment))
        moment += dt.timedelta(days=float(rng.uniform(0.5, 6)))
    return [text for text in texts if text[2] < now]


def _state(rng: np.random.Generator, bot: str, answers: int, financing: str) -> dict[str, Any]:
    seller_answers = {"motivation": "relocation", "timeline_acceptable": str(rng.choice(["yes", "no"])),
                      "property_condition": str(rng.choice(["move_in_ready", "needs_work"])), "price_high": 650000}
    state: dict[str, Any] = {"bot": bot, "seller": dict(list(seller_answers.items())[:answers])}
    if financing:
        state["buyer"] = {"financing": financing, "budget_high": int(rng.integers(300, 900)) * 1000 if
                          rng.random() < 0.6 else None, "timeline_days": int(rng.integers(15, 365))}
    if rng.random() < 0.08:
        state["booking"] = {"status": "booked"}
    return state


def _deal(rng: np.random.Generator, pk: int, location: str, status: str, created: dt.datetime,
          outcome_at: dt.datetime | None, now: dt.datetime) -> tuple[object, ...] | None:
    value = int(rng.integers(300, 900)) * 1000
    opened = created + dt.timedelta(days=float(rng.uniform(1, 8)))
    if status in ("won", "lost") and outcome_at is not None and (status == "won" or rng.random() < 0.5):
        opened = min(opened, outcome_at)
        return (location, pk, f"BenchDeal{pk:09d}", "Pipeline", "Stage", status, value, "", None, opened,
                outcome_at, outcome_at, outcome_at)
    if status in ("qualified", "appointment", "under_contract") and opened < now:
        return (location, pk, f"BenchDeal{pk:09d}", "Pipeline", "Stage", "open", value, "", None, opened, None,
                opened, opened)
    return None


COLUMNS = {
    "leads_contact": ("id", "location_id", "ghl_id", "first_name", "last_name", "phone", "email", "source", "tags",
                      "custom_fields", "timezone", "postal_code", "dnd_sms", "opted_out_at", "active_bot",
                      "temperature", "score", "status", "market_segment", "created_at", "updated_at"),
    "leads_conversation": ("id", "contact_id", "ghl_conversation_id", "state", "turn_count", "last_inbound_at",
                           "last_outbound_at", "created_at", "updated_at"),
    "leads_message": ("conversation_id", "direction", "sender", "body", "message_type", "ghl_message_id", "sent_at",
                      "answered_at", "created_at"),
    "analytics_deal": ("location_id", "contact_id", "ghl_id", "pipeline_id", "pipeline_stage_id", "status", "value",
                       "assigned_to", "expected_close", "opened_at", "closed_at", "ghl_event_at", "updated_at"),
}


def seed(contacts: int, now: dt.datetime) -> dict[str, float]:
    """COPY the generated leads; returns seconds per stage and row counts."""
    from django.db import connection

    from leads.models import Location

    for location_id, name, _ in LOCATIONS:
        Location.objects.create(id=location_id, name=name, timezone="America/Los_Angeles")
    started = time.perf_counter()
    tables = generate(contacts, now)
    timings: dict[str, float] = {"generate_s": time.perf_counter() - started}
    # Django's connection is in autocommit: each COPY commits on its own, and VACUUM may run.
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        # The rows are consistent by construction: skip the per-row foreign key triggers (about half the time).
        cursor.execute("SET session_replication_role = replica")
        for table, rows in tables.items():
            started = time.perf_counter()
            with cursor.copy(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN") as copy:
                for block in _lines(rows):
                    copy.write(block)
            timings[f"copy_{table}_s"] = time.perf_counter() - started
            timings[f"{table}_rows"] = len(rows)
        cursor.execute("SET session_replication_role = DEFAULT")
        started = time.perf_counter()
        for table in ("leads_contact", "leads_conversation"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")
    timings["vacuum_analyze_s"] = time.perf_counter() - started
    return timings


# -- the naive loop ----------------------------------------------------------------------------------------


def naive_features(contact: Any, now: dt.datetime) -> dict[str, Any]:
    """One lead's features the obvious way: its conversation and texts through the ORM, then plain Python."""
    conversation = getattr(contact, "conversation", None)
    state = conversation.state if conversation else {}
    texts = list(conversation.messages.filter(sent_at__lt=now).order_by("sent_at", "id")) if conversation else []
    gaps = [
        (text.sent_at - previous.sent_at).total_seconds()
        for previous, text in zip(texts, texts[1:], strict=False)
        if text.direction == "inbound" and previous.direction == "outbound" and previous.sender == "bot"
    ]
    inbound = [text.sent_at for text in texts if text.direction == "inbound"]
    seller, buyer = state.get("seller") or {}, state.get("buyer") or {}
    timeline = seller.get("timeline_acceptable")
    return {
        "location_id": contact.location_id, "stage": contact.status, "bot_lead_score": state.get("lead_score"),
        "source": contact.source or None, "active_bot": contact.active_bot,
        "inbound_texts": float(len(inbound)), "outbound_texts": float(len(texts) - len(inbound)),
        "median_reply_minutes": statistics.median(gaps) / 60 if gaps else np.nan,
        "days_since_last_reply": (now - max(inbound)).total_seconds() / SECONDS_PER_DAY if inbound else np.nan,
        "days_since_created": max((now - contact.created_at).total_seconds() / SECONDS_PER_DAY, 0.0),
        "seller_answers": float(sum(seller.get(key) is not None for key in
                                    ("motivation", "timeline_acceptable", "property_condition", "price_high"))),
        "timeline_accepted": {"yes": 1.0, "no": 0.0}.get(timeline, np.nan),
        "property_condition": seller.get("property_condition"), "financing": buyer.get("financing"),
        "has_budget": float(buyer.get("budget_high") is not None),
        "buyer_timeline_days": float(buyer["timeline_days"]) if buyer.get("timeline_days") is not None else np.nan,
        "call_booked": float((state.get("booking") or {}).get("status") == "booked"),
        "objections": float(state.get("objections") or 0), "handoffs": float(len(state.get("handoffs") or [])),
    }


def naive_night(contact_ids: list[int], now: dt.datetime, *, explain: bool) -> float:
    """The nightly jobs one lead at a time: read, score, explain (with the model's own per-lead reasons, when
    `explain`), save. Returns seconds."""
    import pandas as pd

    from analytics import churn, selectors
    from analytics.models import ChurnPrediction, LeadScore, ModelKind
    from leads.models import Contact

    scorer_row, churn_row = selectors.active_model(ModelKind.SCORING), selectors.active_model(ModelKind.CHURN)
    assert scorer_row is not None and churn_row is not None
    scorer, churner = scorer_row.fitted_model(), churn_row.fitted_model()
    started = time.perf_counter()
    for contact_id in contact_ids:
        contact = Contact.objects.select_related("conversation").get(pk=contact_id)
        row = pd.DataFrame([naive_features(contact, now)], index=[contact.pk])
        probability = float(scorer.probability(row[list(scorer.features)])[0])
        reasons = [reason.text for reason in scorer.reasons(row[list(scorer.features)])[0]] if explain else []
        LeadScore.objects.create(contact=contact, score=round(probability * 100), probability=probability,
                                 source="model", model=scorer_row, reasons=reasons, computed_at=now)
        contact.score = round(probability * 100)
        contact.temperature = "hot" if contact.score >= 80 else "warm" if contact.score >= 40 else "cold"
        contact.save(update_fields=["score", "temperature"])
        risk = float(churner.probability(row[list(churner.features)])[0])
        tier = str(churn.tiers_of(np.array([risk]))[0])
        ChurnPrediction.objects.update_or_create(contact=contact, defaults={
            "location_id": contact.location_id, "probability": risk, "tier": tier, "horizon_days": 14,
            "reasons": [reason.text for reason in churner.reasons(row[list(churner.features)])[0]] if explain else [],
            "recommended_action": churn.recommended_action(tier), "model": churn_row, "predicted_at": now,
        })
    return time.perf_counter() - started


def check_naive_features(contact_ids: list[int], now: dt.datetime) -> float:
    """Largest difference between the bulk features and the naive ones on the sample (0 means the same leads)."""
    import pandas as pd

    from analytics.features import SCORING_FEATURES, describe_at
    from leads.models import Contact

    bulk = describe_at(contact_ids, now)
    naive = pd.DataFrame(
        [naive_features(contact, now) for contact in Contact.objects.select_related("conversation")
         .filter(pk__in=contact_ids).order_by("pk")],
        index=sorted(contact_ids),
    ).reindex(bulk.index)
    numeric = [column for column in SCORING_FEATURES if bulk[column].dtype.kind == "f"]
    return float(np.nanmax(np.abs(bulk[numeric].to_numpy(float) - naive[numeric].to_numpy(float))))


# -- the measurement ---------------------------------------------------------------------------------------


def child(args: argparse.Namespace) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jorgebot.settings")
    django.setup()
    from analytics import populations, selectors
    from analytics.models import ModelKind
    from analytics.services import retrain_models, run_nightly_analytics

    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    timings = seed(args.contacts, now)
    seed_seconds = time.perf_counter() - started
    print(f"seeded {args.contacts:,} leads, {timings['leads_message_rows']:,.0f} texts, "
          f"{timings['analytics_deal_rows']:,.0f} deals in {seed_seconds:.1f} s ("
          + ", ".join(f"{k} {v:.1f}" for k, v in timings.items() if k.endswith("_s")) + ")", flush=True)

    started = time.perf_counter()
    trained = retrain_models(now=now)
    train_seconds = time.perf_counter() - started
    for model in trained:
        print(f"trained {model}: {model.training_rows:,} rows, tested on {model.test_rows:,} newer: ROC-AUC "
              f"{model.roc_auc:.3f} (prior {model.prior_roc_auc:.3f}), Brier {model.brier:.3f}; {model.note}",
              flush=True)
    print(f"training (weekly, not part of the night): {train_seconds:.1f} s", flush=True)
    snapshot = populations.churn_snapshot(now - dt.timedelta(days=28), 14)
    print(f"churn training snapshot: {int(snapshot['went_cold'].sum()):,} went cold, "
          f"{int((1 - snapshot['went_cold']).sum()):,} kept replying", flush=True)
    assert selectors.active_model(ModelKind.SCORING) and selectors.active_model(ModelKind.CHURN), "models not active"

    started = time.perf_counter()
    night = run_nightly_analytics(now=now)
    night_seconds = time.perf_counter() - started
    rescored, churned = night.rescored, night.churn
    # The target covers reading the leads, rescoring and churn; the forecast (per location) is reported beside it.
    nightly = night.features_seconds + rescored.seconds + churned.seconds
    print(f"nightly run: {night_seconds:.1f} s in all; features of {rescored.leads:,} open leads read in "
          f"{night.features_seconds:.1f} s, rescoring {rescored.seconds:.1f} s "
          f"({rescored.history_rows:,} history rows, {rescored.contacts_updated:,} leads updated, {rescored.source}), "
          f"churn {churned.seconds:.1f} s "
          f"({churned.by_tier}), forecast {night.forecast_seconds:.1f} s ({night.forecasts} months)", flush=True)
    started = time.perf_counter()
    # The next night: every lead is a day older and a day more silent, so some scores move and most do not.
    again = run_nightly_analytics(now=now + dt.timedelta(days=1))
    next_seconds = time.perf_counter() - started
    print(f"the next night: {next_seconds:.1f} s ({again.rescored.history_rows:,} history rows, "
          f"{again.rescored.contacts_updated:,} leads updated; churn {again.churn.by_tier})", flush=True)

    sample = populations.open_leads()["contact_id"].sample(n=args.naive_sample, random_state=0).tolist()
    difference = check_naive_features(sample[:200], now)
    naive_seconds = naive_night(sample, now, explain=True)
    per_lead_ms = 1000 * naive_seconds / len(sample)
    naive_scaled = per_lead_ms / 1000 * rescored.leads
    speedup = naive_scaled / nightly
    print(f"naive loop: {len(sample):,} leads in {naive_seconds:.1f} s = {per_lead_ms:.1f} ms a lead, "
          f"{naive_scaled:,.0f} s for {rescored.leads:,} (features agree with the bulk ones within {difference:.2g})")
    # The same loop without reasons: what one lead at a time costs even with the per-lead explanation left out.
    plain_sample = sample[: max(1, len(sample) // 2)]
    plain_ms = 1000 * naive_night(plain_sample, now, explain=False) / len(plain_sample)
    plain_speedup = plain_ms / 1000 * rescored.leads / nightly
    print(f"naive loop without reasons: {plain_ms:.1f} ms a lead ({len(plain_sample):,} leads), "
          f"{plain_ms / 1000 * rescored.leads:,.0f} s for {rescored.leads:,}: bulk is {plain_speedup:.0f}x faster")
    print(f"bulk {nightly:.1f} s vs naive {naive_scaled:,.0f} s: {speedup:.0f}x faster "
          f"(targets <= {TARGET_SECONDS:.0f} s: {'ok' if nightly <= TARGET_SECONDS else 'OVER'}, "
          f">= {TARGET_SPEEDUP:.0f}x: {'ok' if min(speedup, plain_speedup) >= TARGET_SPEEDUP else 'UNDER'})")
    print(f"RESULT leads={args.contacts} open_leads={rescored.leads} seed_s={seed_seconds:.1f} "
          f"train_s={train_seconds:.1f} features_s={night.features_seconds:.1f} rescore_s={rescored.seconds:.1f} "
          f"churn_s={churned.seconds:.1f} nightly_s={nightly:.1f} forecast_s={night.forecast_seconds:.1f} "
          f"next_night_s={next_seconds:.1f} naive_ms_per_lead={per_lead_ms:.1f} naive_scaled_s={naive_scaled:.0f} "
          f"speedup={speedup:.1f} naive_plain_ms_per_lead={plain_ms:.1f} speedup_without_reasons={plain_speedup:.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--naive-sample", type=int, default=1_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0
    with bench_environment("nightly") as env:
        command = [sys.executable, __file__, "--child", "--contacts", str(args.contacts),
                   "--naive-sample", str(args.naive_sample)]
        return subprocess.run(command, env={**env, "DATABASE_POOL": "0"}, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
