"""The repository stands on its own: a fresh clone needs nothing beside it to run or to test."""
from __future__ import annotations

import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# Spelled in two parts so this file does not name what it looks for.
SIBLING_FOLDER = "../" + "shared"


def tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=False, text=True
    )
    if listed.returncode == 0:
        return [REPO_ROOT / name for name in listed.stdout.split("\0") if name]
    # An export without .git: every file but the virtualenv and runtime state.
    skipped = {".venv", ".git", "var", "staticfiles", "__pycache__", ".pytest_cache", ".ruff_cache"}
    return [path for path in REPO_ROOT.rglob("*") if path.is_file() and not skipped & set(path.parts)]


def test_no_tracked_file_reads_or_names_a_folder_beside_the_repository() -> None:
    offenders = []
    for path in tracked_files():
        if not path.is_file():
            continue  # deleted in the working tree, not yet committed
        if SIBLING_FOLDER.encode() in path.read_bytes():
            offenders.append(str(path.relative_to(REPO_ROOT)))
    assert offenders == []


def test_the_public_data_sets_are_in_the_repository() -> None:
    from analytics.ml import datasets

    for path in (datasets.LEADS_CSV, datasets.TELCO_CSV, datasets.HSN1F_CSV):
        assert path.is_file() and REPO_ROOT in path.parents
    assert (datasets.DATA_DIR / "README.md").is_file()
