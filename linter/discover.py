"""Find the workflow files under the paths given on the command line (DESIGN §8).

Folders are searched the way git sees them where they are in a git work tree (so ``.gitignore``
holds), otherwise walked while skipping ``.git``, virtual environments and ``node_modules``.
A file of no known format found in a folder is passed over; one named explicitly is an error.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from .errors import UsageError

SKIP_DIRS = {".git", "node_modules", "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache",
             ".ruff_cache", "site-packages", ".venv", "venv"}
CANDIDATE_SUFFIXES = (".yaml", ".yml", ".json", ".py", ".txt", ".md")


def expand(paths: list[str]) -> list[tuple[str, bool]]:
    """(path, named explicitly) for every candidate file, in a stable order, without duplicates."""
    out: dict[str, bool] = {}
    for raw in paths:
        if raw == "-":
            out["-"] = True
            continue
        path = Path(raw)
        if path.is_dir():
            for found in _walk(path):
                out.setdefault(found, False)
        elif path.is_file():
            out[str(path)] = True
        else:
            raise UsageError(f"{raw}: no such file or directory")
    return list(out.items())


def _walk(root: Path) -> list[str]:
    listed = _git_files(root)
    if listed is None:
        listed = []
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS
                             and not (Path(folder, d, "pyvenv.cfg")).exists())
            listed.extend(os.path.join(folder, f) for f in sorted(files))
    return [p for p in listed if p.endswith(CANDIDATE_SUFFIXES)
            and not any(part in SKIP_DIRS for part in Path(p).parts[:-1])]


def _git_files(root: Path) -> list[str] | None:
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True, timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    names = [n for n in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if n]
    return sorted(str(root / n) for n in names if (root / n).is_file())
