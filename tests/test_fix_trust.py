"""`wflint fix` people trust, over every fixture and every corpus file of every format:
idempotent, byte-identical when nothing applies, never loses a data dependency; --diff writes
nothing; writes keep the file mode."""
from __future__ import annotations

import os
import stat

import pytest

from conftest import CORPUS, FIXTURES, run
from wflint import discover
from wflint.engine import Selection, load
from wflint.errors import ParseError
from wflint.fixer import fix_text
from wflint.ir import EdgeKind

NEEDED = (EdgeKind.DATA, EdgeKind.IMPLICIT, EdgeKind.CONTROL)


def workflow_files() -> list[str]:
    roots = [str(FIXTURES)] + ([str(CORPUS)] if CORPUS.is_dir() else [])
    return [p for p, _ in discover.expand(roots)]


FILES = workflow_files()


def needed_edges(path: str, text: str) -> set[tuple[str, str, str, str]]:
    try:
        workflows = load(path, text=text, explicit=False) or []
    except ParseError:
        return set()
    return {(w.name, e.u, e.v, e.kind.value) for w in workflows for e in w.edges if e.kind in NEEDED}


@pytest.mark.parametrize("path", FILES, ids=lambda p: os.path.relpath(p, FIXTURES.parent.parent))
def test_fix_is_idempotent_keeps_data_and_is_identical_when_nothing_applies(path):
    text = open(path, encoding="utf-8", errors="surrogateescape").read()
    try:
        first = fix_text(path, text, Selection(), unsafe=True, explicit=False)
    except UnicodeError:
        pytest.skip("not UTF-8")
    if not first.applied:
        assert first.text == text  # byte-identical
        return
    second = fix_text(path, first.text, Selection(), unsafe=True, explicit=False)
    assert second.text == first.text, "a second fix changed the file again"
    assert needed_edges(path, text) <= needed_edges(path, first.text), "a fix removed a data dependency"


def test_fix_diff_writes_nothing_and_fix_keeps_the_mode(write):
    path = write("w.wflint.yaml", (FIXTURES / "rules" / "PAR001" / "bad-after.wflint.yaml").read_text())
    os.chmod(path, 0o640)
    before = path.read_bytes()
    result = run("fix", path, "--diff")
    assert path.read_bytes() == before
    if result.exit_code == 1:  # a rewriter exists for this format: the diff is shown
        assert result.stdout.startswith(f"--- a/{path}")
        run("fix", path)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    else:
        assert result.exit_code == 0 and "to change by hand" in result.stderr
