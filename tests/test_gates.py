"""ruff and mypy run over the source as part of the test command (and so in CI)."""
from __future__ import annotations

import subprocess
import sys

from conftest import ROOT, tool


def test_ruff_is_clean():
    proc = subprocess.run([tool("ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_resolves_every_wflint_import_from_the_source_folders():
    """The three folders hold tails of one package; mypy finds it uninstalled (pyproject's mypy_path)."""
    tool("mypy")
    proc = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental"], cwd=ROOT, capture_output=True, text=True)
    unresolved = [line for line in proc.stdout.splitlines() if "import-not-found" in line or "import-untyped" in line]
    unresolved = [line for line in unresolved if 'module named "wflint' in line]
    assert "checked" in proc.stdout.splitlines()[-1] or proc.returncode == 0, proc.stdout[-2000:]
    assert unresolved == [], unresolved
