"""What an operator deploys: the image leaves out state and secrets, and compose restarts and health-checks every
long-running service, with turns and bulk work on separate workers."""
from __future__ import annotations

from typing import Any

import yaml
from django.conf import settings

from tests.conftest import REPO_ROOT

TURN_QUEUES = {"webhooks", "bots"}


def compose_services() -> dict[str, dict[str, Any]]:
    return yaml.safe_load((REPO_ROOT / "compose.yaml").read_text())["services"]


def worker_queues(service: dict[str, Any]) -> set[str]:
    command = service.get("command") or []
    if command[:4] != ["celery", "-A", "jorgebot", "worker"]:
        return set()
    return set(command[command.index("-Q") + 1].split(","))


def test_the_image_never_bakes_in_the_virtualenv_git_runtime_state_or_secrets() -> None:
    ignored = {line.strip() for line in (REPO_ROOT / ".dockerignore").read_text().splitlines()}
    assert {".venv/", ".git/", "var/", ".env", "staticfiles/"} <= ignored


def test_every_long_running_service_restarts_and_has_a_health_check() -> None:
    for name, service in compose_services().items():
        if name == "migrate":
            assert service["restart"] == "no"
            continue
        assert service.get("restart") == "unless-stopped", name
        assert service.get("healthcheck", {}).get("test"), name


def test_workers_consume_every_queue_and_turns_never_share_a_worker_with_bulk_work() -> None:
    workers = {name: worker_queues(service) for name, service in compose_services().items() if worker_queues(service)}
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert routed <= set().union(*workers.values())
    for name, queues in workers.items():
        assert queues <= TURN_QUEUES or not queues & TURN_QUEUES, f"{name} mixes turns with bulk work: {queues}"
    # each worker's health check pings the node name it starts with
    for name, service in compose_services().items():
        if name in workers:
            node = service["command"][service["command"].index("-n") + 1].split("@")[0]
            assert f"-d {node}@" in " ".join(service["healthcheck"]["test"])
