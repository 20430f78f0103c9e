"""The soak: mixed traffic (locustfile.py) against the whole app for `--minutes`, while faults happen one at a time.

One command (`make soak`, or `python bench/soak.py`) starts everything of its own: a PostgreSQL cluster (initdb,
on a free port) and a redis-server on a free port (never the machine's servers), migrates, seeds `--locations`
GHL locations (Claude on for `--claude-locations` of them, against the fake Anthropic; the others at a Claude
budget of 0), a broker, then gunicorn with gunicorn.conf.py, a turns worker (webhooks, bots), a bulk worker
(llm, analytics), beat, the fake GHL and the fake Anthropic, and runs locust headless with `--csv`. Meanwhile
bench/faults.py does, after a fault-free minute: SIGKILL of the turns worker while a Claude call is in flight
(then starts it again), a Redis restart, a PostgreSQL restart, the fake GHL answering 503 for two minutes then
429 for two minutes, the fake Anthropic answering 529. Durations scale with `--minutes` (given for 10).
After the load it waits for the backlog to drain (`--drain-seconds`), then counts, from the ledger locust wrote,
the fake GHL's record and the database:

- webhooks sent / answered 200 / stored; lost = answered 200 but not in the database (must be 0);
- duplicate SMS: texts GHL accepted beyond the outbox rows with that text for that lead (must be 0);
- texts GHL accepted for a lead after the opt-out confirmation it sent them (must be 0);
- reply latency (lead's text posted -> the fake GHL accepting the next text to that lead) p50/p95/p99 outside
  faults and during each; recovery after each fault (its end -> the first reply to a text sent after it);
- peak resident memory of each process; errors by kind seen by locust, by fault window.

It exits 1 when lost, duplicate or to-opted-out is not 0.

    .venv/bin/python bench/soak.py                  # 10 minutes, every fault
    .venv/bin/python bench/soak.py --minutes 0.5 --faults kill-worker
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.faults import (  # noqa: E402
    AppProcess,
    Fault,
    FaultPlan,
    MemoryWatch,
    PrivatePostgres,
    PrivateRedis,
    Supervisor,
    beat_process,
    celery_process,
    gunicorn_process,
)
from bench.harness import ROOT, bench_environment, production_gunicorn, run_django  # noqa: E402
from bench.soak_figures import (
    Figures,
    accepted_texts,
    error_figures,
    read_database,
    read_ledger,
    report,
    text_figures,
    unhandled,
    webhook_figures,
)
from tests.fakes import ghl_events  # noqa: E402
from tests.fakes.anthropic import FakeAnthropic  # noqa: E402
from tests.fakes.ghl import FakeGHL  # noqa: E402

FAULT_NAMES = ("kill-worker", "redis-restart", "postgres-restart", "ghl-5xx", "ghl-429", "anthropic-529")
BASELINE_SECONDS = 60.0  # fault-free, on a 10-minute soak
CLAUDE_LATENCY_SECONDS = 0.3
BROKER = ("soak-broker", "soak-broker-password")

SEED = """
import json
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from leads.models import Location, LocationMembership
broker = get_user_model().objects.create_user(username={username!r}, password={password!r})
for n in range({locations}):
    # Claude on for the first {claude} locations; a Claude budget of 0 keeps the others offline.
    settings = {{}} if n < {claude} else {{"llm_daily_spend_limit_usd": 0}}
    location = Location.objects.create(id=f"SoakLocation{{n:08d}}", name=f"Soak Realty {{n}}",
                                       api_token=f"soak-token:SoakLocation{{n:08d}}",
                                       timezone="America/Chicago", bot_settings=settings)
    LocationMembership.objects.create(user=broker, location=location, role="broker")
print(json.dumps({{"token": Token.objects.create(user=broker).key}}))
"""

PENDING = """
SELECT (SELECT count(*) FROM leads_webhookevent WHERE processed_at IS NULL)
     + (SELECT count(*) FROM leads_outboxmessage WHERE status IN ('pending', 'sending'))
"""


@dataclass
class Stack:
    """What the soak started: the servers, the app's processes and the fakes."""

    postgres: PrivatePostgres
    redis: PrivateRedis
    ghl: FakeGHL
    anthropic: FakeAnthropic
    web: AppProcess
    turns: AppProcess
    bulk: AppProcess
    beat: AppProcess

    @property
    def processes(self) -> list[AppProcess]:
        return [self.web, self.turns, self.bulk, self.beat]


def plan_faults(stack: Stack, names: list[str]) -> list[Fault]:
    def mid_turn() -> None:
        # A Claude call in flight means a pool process of the turns worker is inside a turn.
        deadline = time.time() + 20
        while stack.anthropic.in_flight == 0 and time.time() < deadline:
            time.sleep(0.01)

    def kill_worker(seconds: float) -> str:
        in_flight = stack.anthropic.in_flight
        stack.turns.kill()
        time.sleep(seconds)
        stack.turns.start()
        return f"SIGKILL with {in_flight} Claude call(s) in flight; started again after {seconds:.0f} s"

    def restart_redis(seconds: float) -> str:
        stack.redis.stop()
        time.sleep(seconds)
        stack.redis.start()
        return f"redis-server stopped (SIGTERM) for {seconds:.0f} s"

    def restart_postgres(seconds: float) -> str:
        stack.postgres.stop("fast")
        time.sleep(seconds)
        stack.postgres.start()
        return f"PostgreSQL stopped (fast) for {seconds:.0f} s"

    def ghl_failing(status: int) -> Callable[[float], str]:
        def inflict(seconds: float) -> str:
            stack.ghl.fail_for(status, seconds)
            time.sleep(seconds)
            return f"fake GHL answered {status} to every call for {seconds:.0f} s"
        return inflict

    def anthropic_overloaded(seconds: float) -> str:
        stack.anthropic.fail_for(529, seconds)
        time.sleep(seconds)
        return f"fake Anthropic answered 529 to every message request for {seconds:.0f} s"

    # Outage length and recovery after it, on a 10-minute soak (the GHL outage is 5xx then 429, back to back).
    faults = {
        "kill-worker": Fault("kill-worker", 3, 37, kill_worker, ready=mid_turn),
        "redis-restart": Fault("redis-restart", 10, 45, restart_redis),
        "postgres-restart": Fault("postgres-restart", 10, 45, restart_postgres),
        "ghl-5xx": Fault("ghl-5xx", 120, 0, ghl_failing(503)),
        "ghl-429": Fault("ghl-429", 120, 40, ghl_failing(429)),
        "anthropic-529": Fault("anthropic-529", 50, 40, anthropic_overloaded),
    }
    return [faults[name] for name in names]


def start_stack(logs: Path, env: dict[str, str], postgres: PrivatePostgres, redis: PrivateRedis,
                ghl: FakeGHL, anthropic: FakeAnthropic, stack: ExitStack) -> Stack:
    workers, threads = production_gunicorn()
    app = Stack(
        postgres, redis, ghl, anthropic,
        web=gunicorn_process(env, logs, workers, threads),
        turns=celery_process("worker-turns", env, logs, "webhooks,bots", 4),
        # Claude's bulk work waits on I/O: threads, as docs/operations.md deploys it.
        bulk=celery_process("worker-bulk", env, logs, "llm,analytics", 4, pool="threads"),
        beat=beat_process(env, logs),
    )
    # The workers boot while gunicorn does (only gunicorn is waited for: its port).
    for process in [app.turns, app.bulk, app.beat, app.web]:
        process.start()
        stack.callback(process.stop)
    return app


def warm_up(base_url: str, key: ed25519.Ed25519PrivateKey, ghl: FakeGHL, location_id: str) -> float:
    """One lead answered end to end before the load, as after a deploy; returns its seconds."""
    import httpx

    started = time.time()
    contact_id = "SoakWarmUpLead000001"
    payload = ghl_events.inbound_message(body="Hi, thinking about selling", contact_id=contact_id,
                                         location_id=location_id)
    body = ghl_events.encode(payload)
    headers = {"Content-Type": "application/json", "x-ghl-signature": _sign(key, body)}
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            if httpx.post(f"{base_url}/webhooks/ghl/", content=body, headers=headers, timeout=10).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(1)
    while not ghl.sms_sent(contact_id):
        if time.time() > deadline:
            raise RuntimeError("the warm-up lead got no reply in 180 s (see the logs directory)")
        time.sleep(0.2)
    return time.time() - started


def _sign(key: ed25519.Ed25519PrivateKey, body: bytes) -> str:
    import base64

    return base64.b64encode(key.sign(body)).decode()


class GHLEcho:
    """GHL's echo: every text sent through the API comes back as a signed OutboundMessage webhook, which is how the
    app learns that a text whose answer it lost (a timeout, a worker killed mid-send) did go out."""

    def __init__(self, base_url: str, key: ed25519.Ed25519PrivateKey, ghl: FakeGHL) -> None:
        self.base_url = base_url
        self.key = key
        self.ghl = ghl
        self.entries: list[dict[str, Any]] = []  # ledger entries, as locust writes them
        self._waiting: list[tuple[bytes, dict[str, Any]]] = []
        self._seen = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ghl-echo", daemon=True)

    def __enter__(self) -> GHLEcho:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        import httpx

        with httpx.Client(base_url=self.base_url, timeout=10) as client:
            while not self._stop.wait(0.5) or self._waiting:
                self._collect()
                self._waiting = [(body, facts) for body, facts in self._waiting if not self._post(client, body, facts)]
                if self._stop.is_set() and self._waiting:
                    time.sleep(1)  # the app is down (a 429): GHL keeps redelivering

    def _collect(self) -> None:
        accepted = self.ghl.texts_accepted(self._seen)
        self._seen += len(accepted)
        for call, message_id in accepted:
            # Each location has its own token (see SEED), as GHL knows the location from it.
            location_id = call.headers.get("authorization", "").rsplit(":", 1)[-1]
            contact_id = call.json["contactId"]
            payload = ghl_events.outbound_message(body=call.json["message"], contact_id=contact_id,
                                                  conversation_id=f"conv_{contact_id}", message_id=message_id,
                                                  location_id=location_id, source="api")
            facts = {"k": "webhook", "id": payload["webhookId"], "type": "OutboundMessage", "purpose": "echo",
                     "contact": contact_id, "location": location_id, "message": message_id}
            self._waiting.append((ghl_events.encode(payload), facts))

    def _post(self, client: Any, body: bytes, facts: dict[str, Any]) -> bool:
        """True once the app answered anything but 429 (GHL redelivers on 429 only)."""
        import httpx

        sent = time.time()
        try:
            status = client.post("/webhooks/ghl/", content=body, headers={
                "Content-Type": "application/json", "x-ghl-signature": _sign(self.key, body)}).status_code
        except httpx.HTTPError:
            status = 0
        self.entries.append({**facts, "t": sent, "status": status})
        return status not in (0, 429)


def run_locust(directory: Path, base_url: str, seconds: float, users: int, extra_env: dict[str, str]) -> int:
    locust = shutil.which("locust", path=str(Path(sys.executable).parent)) or "locust"
    command = [locust, "-f", str(ROOT / "locustfile.py"), "--headless", "-u", str(users), "-r", str(users),
               "--run-time", f"{seconds:.0f}s", "--host", base_url, "--csv", str(directory / "locust"),
               "--only-summary", "--stop-timeout", "5", "--loglevel", "WARNING"]
    with (directory / "logs" / "locust.log").open("ab") as log:
        return subprocess.run(command, cwd=ROOT, env={**os.environ, **extra_env}, stdout=log,
                              stderr=subprocess.STDOUT).returncode


def drain(database_url: str, seconds: float) -> float:
    """Wait until no stored webhook is unapplied and no outbox row waits to go out; returns the seconds waited."""
    started = time.time()
    while time.time() - started < seconds:
        try:
            with psycopg.connect(database_url, connect_timeout=5) as connection:
                row = connection.execute(PENDING).fetchone()
            if row is not None and row[0] == 0:
                break
        except psycopg.Error:
            pass
        time.sleep(2)
    return time.time() - started


# -- the figures --------------------------------------------------------------------------------------------------


# -- the report ---------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--faults", default=",".join(FAULT_NAMES), help=f"comma-separated, of {FAULT_NAMES}; or none")
    parser.add_argument("--users", type=int, default=10, help="locust users: 6 GHL, 3 API, 1 admin in 10")
    parser.add_argument("--locations", type=int, default=6)
    parser.add_argument("--claude-locations", type=int, default=2)
    parser.add_argument("--drain-seconds", type=float, default=180.0, help="longest wait for the backlog after")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "soak",
                        help="where the logs, locust's CSV files and the ledger go (emptied first)")
    args = parser.parse_args(argv)
    names = [name for name in args.faults.split(",") if name and name != "none"]
    unknown = set(names) - set(FAULT_NAMES)
    if unknown:
        parser.error(f"unknown faults {sorted(unknown)}")

    # SIGTERM (a test's timeout, a supervisor) unwinds like Ctrl-C, so the servers are stopped, not orphaned.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    load_before = os.getloadavg()[0]
    print(f"load average before: {' '.join(f'{value:.2f}' for value in os.getloadavg())}", flush=True)
    # The servers' data in a throwaway directory; what a person reads afterwards in --out.
    directory = Path(tempfile.mkdtemp(prefix="jorgebot-soak-"))
    directory.chmod(0o755)  # PostgreSQL runs as another user when we are root
    shutil.rmtree(args.out, ignore_errors=True)
    (args.out / "logs").mkdir(parents=True)
    key = ed25519.Ed25519PrivateKey.generate()
    key_file = directory / "ghl-webhook-key.pem"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    ledger = args.out / "ledger.jsonl"
    try:
        with ExitStack() as stack:
            postgres = PrivatePostgres(directory / "postgres")
            postgres.start()
            stack.callback(postgres.stop, "immediate", True)
            redis = PrivateRedis(directory / "redis")
            redis.start()
            stack.callback(redis.stop)
            ghl = stack.enter_context(FakeGHL())
            anthropic = stack.enter_context(FakeAnthropic(latency_seconds=CLAUDE_LATENCY_SECONDS))
            # bench_environment makes its database on the server DATABASE_URL names: ours.
            os.environ["DATABASE_URL"] = postgres.url
            os.environ["JORGEBOT_BENCH_REDIS_URL"] = redis.url
            env = stack.enter_context(bench_environment(
                "soak", GHL_WEBHOOK_ED25519_PUBLIC_KEY=public_pem, GHL_API_BASE_URL=ghl.url,
                JORGEBOT_REPLY_DEBOUNCE_SECONDS="0", ANTHROPIC_API_KEY="soak-key", ANTHROPIC_BASE_URL=anthropic.url,
                JORGEBOT_API_THROTTLE="1000000/min",
            ))
            seeded = json.loads(run_django(env, SEED.format(username=BROKER[0], password=BROKER[1],
                                                            locations=args.locations, claude=args.claude_locations)))
            locations = [f"SoakLocation{n:08d}" for n in range(args.locations)]
            app = start_stack(args.out / "logs", env, postgres, redis, ghl, anthropic, stack)
            base_url = f"http://127.0.0.1:{app.web.port}"
            print(f"warm-up lead answered in {warm_up(base_url, key, ghl, locations[0]):.1f} s; "
                  f"{args.minutes:g} minutes of load, faults: {', '.join(names) or 'none'}", flush=True)
            plan = FaultPlan(plan_faults(app, names), BASELINE_SECONDS, args.minutes / 10)
            with MemoryWatch(app.processes) as memory, GHLEcho(base_url, key, ghl) as echo, \
                    Supervisor(app.processes) as supervisor:
                thread = plan.start()
                locust_exit = run_locust(args.out, base_url, args.minutes * 60, args.users, {
                    "JORGEBOT_SOAK_KEY": str(key_file), "JORGEBOT_SOAK_LOCATIONS": ",".join(locations),
                    "JORGEBOT_SOAK_API_TOKEN": seeded["token"], "JORGEBOT_SOAK_BROKER": ":".join(BROKER),
                    "JORGEBOT_SOAK_LEDGER": str(ledger),
                })
                plan.stop()
                thread.join(timeout=300)
                drained_s = drain(env["DATABASE_URL"], args.drain_seconds)
            # GHL's last echoes went out as the echo stopped: let the worker apply them too.
            drained_s += drain(env["DATABASE_URL"], 30)
            if plan.error is not None:
                raise RuntimeError(f"the fault plan failed: {plan.error!r}") from plan.error
            database = read_database(env["DATABASE_URL"])
            texts = accepted_texts(ghl)
        load_after = os.getloadavg()[0]
        print(f"load average after: {' '.join(f'{value:.2f}' for value in os.getloadavg())}; locust exited "
              f"{locust_exit} (1 when any request failed); logs, CSV and ledger in {args.out}", flush=True)
        (args.out / "texts.jsonl").write_text("".join(json.dumps(text.__dict__) + "\n" for text in texts))
        entries = read_ledger(ledger) + echo.entries
        figures = Figures()
        webhook_figures(figures, entries, database)
        text_figures(figures, entries, texts, database, plan.timeline)
        error_figures(figures, entries, plan.timeline)
        print(report(figures, database, plan.timeline, memory, (load_before, load_after),
                     args.minutes, drained_s, supervisor.crashes))
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return 1 if figures.lost or figures.duplicates or figures.to_opted_out or unhandled(figures) else 0


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    sys.exit(main())
