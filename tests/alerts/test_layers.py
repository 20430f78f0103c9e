"""Alerts sit above the domain: they listen to leads, bots and analytics, and none of those imports them."""
from __future__ import annotations

import ast
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DOMAIN_APPS = ("leads", "bots", "analytics")


def imported_modules(source: Path) -> set[str]:
    tree = ast.parse(source.read_text(), filename=str(source))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_no_domain_app_imports_the_alerts() -> None:
    offenders = [
        str(path.relative_to(REPO_ROOT))
        for app in DOMAIN_APPS
        for path in sorted((REPO_ROOT / app).rglob("*.py"))
        if any(name == "alerts" or name.startswith("alerts.") for name in imported_modules(path))
    ]
    assert offenders == []
