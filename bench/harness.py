"""Shared parts of the benchmarks: a throwaway database, the app under gunicorn, a worker, a load client.

Benchmarks run against real PostgreSQL and Redis (DATABASE_URL / REDIS_URL, or the embedded
servers: `python -m jorgebot.embedded -- python bench/NAME.py`). Each makes its own database and
Redis logical databases and removes them after, so it never touches an install's data.
"""
from __future__ import annotations

import asyncio
import os
import runpy
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Redis logical databases 13-15 belong to the benchmarks (app, broker, cachalot), unless
# JORGEBOT_BENCH_REDIS_URL=redis://host:port/N names others (N to N+2): with it and JORGEBOT_BENCH_NAME_SUFFIX,
# two people can benchmark on one machine without flushing each other's Redis or dropping each other's database.
BENCH_REDIS_DB = 13


def _admin_connection(database_url: str) -> psycopg.Connection:
    parts = urlsplit(database_url)
    host = parse_qs(parts.query).get("host", [parts.hostname or "127.0.0.1"])[0]
    return psycopg.connect(
        host=host, port=parts.port or 5432, user=parts.username or "postgres", password=parts.password or None,
        dbname="postgres", autocommit=True,
    )


@contextmanager
def bench_environment(name: str, **extra: str) -> Iterator[dict[str, str]]:
    """Env for app processes: a fresh migrated database `jorgebot_bench_<name>` and empty Redis dbs."""
    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jorgebot")
    redis_url = os.environ.get("JORGEBOT_BENCH_REDIS_URL") or os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    first_redis_db = BENCH_REDIS_DB
    if os.environ.get("JORGEBOT_BENCH_REDIS_URL"):
        first_redis_db = int(urlsplit(redis_url).path.lstrip("/") or 0)
    db_name = f"jorgebot_bench_{name}{os.environ.get('JORGEBOT_BENCH_NAME_SUFFIX', '')}"
    with _admin_connection(database_url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{db_name}"')
    parts = urlsplit(database_url)
    bench_db_url = urlunsplit((parts.scheme, parts.netloc, f"/{db_name}", parts.query, ""))
    redis_parts = urlsplit(redis_url)
    bench_redis_url = urlunsplit((redis_parts.scheme, redis_parts.netloc, f"/{first_redis_db}", "", ""))
    env = {
        **os.environ,
        "DATABASE_URL": bench_db_url,
        "REDIS_URL": bench_redis_url,
        "CELERY_BROKER_URL": "",
        "DJANGO_SECRET_KEY": "benchmark-secret-key",
        "DJANGO_DEBUG": "0",
        "JORGEBOT_ENCRYPTION_KEYS": "YmVuY2htYXJrLWVuY3J5cHRpb24ta2V5LTAwMDAwMDA=",
        # Plain http on loopback: no redirect to https, no secure-only cookies.
        "DJANGO_SECURE_SSL": "0",
        "JORGEBOT_LOG_LEVEL": "WARNING",
        **extra,
    }
    env.pop("CELERY_BROKER_URL")
    for db in range(first_redis_db, first_redis_db + 3):
        redis.Redis.from_url(urlunsplit((redis_parts.scheme, redis_parts.netloc, f"/{db}", "", ""))).flushdb()
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    try:
        yield env
    finally:
        with _admin_connection(database_url) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def run_django(env: dict[str, str], code: str) -> str:
    """Run Python with Django set up in the benchmark's environment (seeding, inspection)."""
    prelude = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'jorgebot.settings'); "
               "django.setup()\n")
    result = subprocess.run([sys.executable, "-c", prelude + code], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        # What failed, not only that it did: the traceback is the last thing the process wrote.
        raise RuntimeError(f"the benchmark's Django code failed:\n{result.stderr[-3000:]}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def production_gunicorn() -> tuple[int, int]:
    """The worker processes and threads production runs (gunicorn.conf.py): what a benchmark uses unless asked."""
    production = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return int(production["workers"]), int(production["threads"])


@contextmanager
def gunicorn(env: dict[str, str], workers: int, threads: int) -> Iterator[str]:
    """The app as production serves it: every setting from gunicorn.conf.py but the address and the counts."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "jorgebot.wsgi", "--config", str(ROOT / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads), "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    _wait_for_port(port, process)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


@contextmanager
def celery_worker(
    env: dict[str, str], concurrency: int, pool: str = "prefork", queues: str = "webhooks,bots,llm,analytics"
) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "jorgebot", "worker", "-Q", queues,
         "-c", str(concurrency), "-P", pool, "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-l", "WARNING"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    time.sleep(3)
    try:
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("server exited during start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        return percentile(self.latencies_ms, q)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


RequestFactory = Callable[[int], tuple[str, str, bytes, dict[str, str]]]


async def _send(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str,
                request: tuple[str, str, bytes, dict[str, str]]) -> int:
    method, path, body, headers = request
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    writer.write(head.encode() + body)
    status_line = await reader.readline()
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value.strip())
    if length:
        await reader.readexactly(length)
    return int(status_line.split()[1])


def drive(base_url: str, make: RequestFactory, concurrency: int, seconds: float, expect: int = 200,
          rate: float | None = None) -> LoadResult:
    """Load the server over `concurrency` keep-alive connections for `seconds`.

    Closed loop (rate None): each connection sends its next request as soon as the last answered,
    which finds the saturation throughput. Open loop (rate given): request i is due at
    start + i / rate whatever happened before, and its latency counts from when it was due, so a
    slow server cannot hide its queueing (no coordinated omission). A raw asyncio client, so the
    load generator costs little of the two cores it shares with the server.
    """
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    latencies: list[float] = []
    errors = [0]
    counter = [0]

    async def connection(stop_at: float, started: float) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while True:
                n = counter[0]
                counter[0] += 1
                due = started + n / rate if rate else time.perf_counter()
                if due >= stop_at:
                    return
                if rate:
                    await asyncio.sleep(max(0.0, due - time.perf_counter()))
                status = await _send(reader, writer, host, make(n))
                latencies.append((time.perf_counter() - due) * 1000)
                if status != expect:
                    errors[0] += 1
        finally:
            writer.close()

    async def run() -> float:
        started = time.perf_counter()
        await asyncio.gather(*[connection(started + seconds, started) for _ in range(concurrency)])
        return time.perf_counter() - started

    elapsed = asyncio.run(run())
    return LoadResult(len(latencies), errors[0], elapsed, latencies)


def describe(label: str, result: LoadResult) -> str:
    return (f"{label:<10} {result.rate:8.0f} req/s  p50 {result.percentile(50):6.2f} ms  "
            f"p95 {result.percentile(95):6.2f} ms  errors {result.errors}/{result.requests}")


def median(values: list[float]) -> float:
    return statistics.median(values)


@dataclass(frozen=True)
class RunningProcess:
    pid: int
    parent: int
    command: str  # the command line, arguments joined by spaces
    cpu_seconds: float  # user + system, all threads, so far


def running_processes() -> list[RunningProcess]:
    """Every live process, from /proc. CPU time, unlike latency, barely depends on what else the machine runs:
    on a shared machine it is the figure that says what a request costs."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended while we looked
        found.append(RunningProcess(int(entry.name), int(fields[1]), command,
                                    (int(fields[11]) + int(fields[12])) / ticks))
    return found


def gunicorn_cpu_seconds(port: int) -> float:
    """CPU time of the gunicorn listening on `port`, master and workers (forked, so with the same command line)."""
    return sum(process.cpu_seconds for process in running_processes()
               if "gunicorn" in process.command and f"127.0.0.1:{port}" in process.command)


def cpu_seconds_of_tree(root_pid: int) -> float:
    """CPU time of a process and every live descendant: a Celery worker with its pool processes."""
    processes = running_processes()
    parents = {process.pid: process.parent for process in processes}
    total = 0.0
    for process in processes:
        ancestor = process.pid
        while ancestor not in (root_pid, 0, 1) and ancestor in parents:
            ancestor = parents[ancestor]
        if ancestor == root_pid:
            total += process.cpu_seconds
    return total
