"""Shared helpers: run the real CLI in-process, find fixtures, and the shared corpus."""
from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest

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
    """Invoke ``wflint`` in-process (same code path as the console script), its streams captured."""
    saved = sys.stdin, sys.stdout, sys.stderr
    out, err = io.StringIO(), io.StringIO()
    sys.stdin = io.TextIOWrapper(io.BytesIO((input or "").encode("utf-8")), encoding="utf-8")
    sys.stdout, sys.stderr = out, err
    code = 0
    try:
        main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    return Result(code, out.getvalue(), err.getvalue())


def said(finding: dict) -> str:
    """A finding of ``check --format json`` as one sentence: its message and its detail."""
    return finding["message"] + (f"; {finding['detail']}" if finding.get("detail") else "")


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
