"""Shared helpers: run the real CLI in-process, find fixtures, and the shared corpus."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from wflint.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SEED = FIXTURES / "examples" / "customer-health.wflint.yaml"
SEED_BRIEF = FIXTURES / "examples" / "customer-health.wflint.txt"
CORPUS = Path(os.environ.get("WFLINT_CORPUS", ROOT.parent / "shared" / "corpus"))


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code, self.stdout, self.stderr = exit_code, stdout, stderr

    def json(self):
        return json.loads(self.stdout)


def run(*args: str, input: str | None = None) -> Result:
    """Invoke ``wflint`` in-process (same code path as the console script)."""
    runner = CliRunner()
    result = runner.invoke(main, [str(a) for a in args], input=input, catch_exceptions=False,
                           prog_name="wflint")
    return Result(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def write(tmp_path):
    """Write a file under tmp_path and return its path."""
    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path
    return _write


def corpus_dir(name: str) -> Path:
    path = CORPUS / name
    if not path.is_dir():
        pytest.skip(f"shared corpus not found at {path} (it lives beside the repository in CI)")
    return path


def tool(name: str) -> str:
    """A command-line tool from the test extra: on PATH or beside this Python. Missing in CI fails."""
    import shutil
    import sys

    found = shutil.which(name) or shutil.which(name, path=os.path.dirname(sys.executable))
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"{name} is not installed; the test extra should provide it")
    pytest.skip(f"{name} not installed (pip install -e '.[test]' provides it)")
