"""`make run`: migrate, create an admin and demo data, then run web, worker and beat together.

Ctrl-C stops all three. Meant for a laptop; production runs them as separate services (compose.yaml).
"""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADMIN_PASSWORD_FILE = ROOT / "var" / "admin-password.txt"


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def _admin_password() -> str:
    ADMIN_PASSWORD_FILE.parent.mkdir(exist_ok=True)
    if not ADMIN_PASSWORD_FILE.exists():
        ADMIN_PASSWORD_FILE.write_text(secrets.token_urlsafe(12))
        ADMIN_PASSWORD_FILE.chmod(0o600)
    return ADMIN_PASSWORD_FILE.read_text().strip()


# After the demo data, tonight's rescoring, churn and forecast, so the lead pages show scores with their reasons
# instead of waiting for 09:00 UTC.
DEMO_DATA_COMMANDS = (("seed_demo",), ("run_nightly_analytics",))


def main() -> int:
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jorgebot.settings")
    port = os.environ.get("PORT", "8000")
    _manage("migrate", "--noinput")
    _manage("collectstatic", "--noinput", "--verbosity", "0")
    password = _admin_password()
    _manage("ensure_admin", "--username", "admin", "--password", password)
    for command in DEMO_DATA_COMMANDS:
        _manage(*command)
    commands = {
        "web": [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        "worker": [sys.executable, "-m", "celery", "-A", "jorgebot", "worker", "-Q", "webhooks,bots,llm,analytics",
                   "-c", "2", "-l", "INFO"],
        "beat": [sys.executable, "-m", "celery", "-A", "jorgebot", "beat", "-l", "INFO"],
    }
    processes = {name: subprocess.Popen(command, cwd=ROOT) for name, command in commands.items()}
    print(f"\nJorgebot is running: http://127.0.0.1:{port}/admin/  user admin, password {password}\n", flush=True)
    try:
        while all(process.poll() is None for process in processes.values()):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes.values():
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
