"""The layers of docs/architecture.md hold: the console on top, no domain app importing it, leads importing no other
app of ours. The contracts are in pyproject.toml ([tool.importlinter]); import-linter reads every import, those
inside functions too."""
from __future__ import annotations

from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _from_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT))


def test_the_apps_import_contracts_hold() -> None:
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def test_a_contract_the_code_breaks_is_reported(tmp_path: Path) -> None:
    # The check sees real imports: the console reads leads, so "the console imports nothing of leads" is broken.
    config = tmp_path / "contracts.toml"
    config.write_text(
        '[tool.importlinter]\nroot_packages = ["leads", "console"]\n\n'
        '[[tool.importlinter.contracts]]\nname = "console without leads"\ntype = "forbidden"\n'
        'source_modules = ["console"]\nforbidden_modules = ["leads"]\n'
    )
    assert lint_imports(config_filename=str(config), no_cache=True) == 1
