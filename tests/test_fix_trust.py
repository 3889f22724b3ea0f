"""`wflint fix` people trust, over every fixture and every corpus file of every format:
idempotent, byte-identical when nothing applies, never loses a data dependency; --diff writes
nothing; writes keep the file mode."""
from __future__ import annotations

import os
import stat
from pathlib import Path

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
        first = fix_text(path, text, Selection(preview=True), unsafe=True, explicit=False)
    except UnicodeError:
        pytest.skip("not UTF-8")
    if not first.applied:
        assert first.text == text  # byte-identical
        return
    second = fix_text(path, first.text, Selection(preview=True), unsafe=True, explicit=False)
    assert second.text == first.text, "a second fix changed the file again"
    lost = needed_edges(path, text) - needed_edges(path, first.text)
    assert not {e for e in lost if not _still_flows(path, first.text, e)}, "a fix removed a data dependency"


def _still_flows(path: str, text: str, edge: tuple) -> bool:
    """A dependency a fix routes through a new join (u → join → v) still holds."""
    name, u, v, _ = edge
    workflow = next(w for w in load(path, text=text, explicit=False) if w.name == name)
    succ: dict[str, set[str]] = {}
    for e in workflow.edges:
        if e.kind in NEEDED:
            succ.setdefault(e.u, set()).add(e.v)
    seen, stack = set(), [u]
    while stack:
        n = stack.pop()
        if n == v:
            return True
        if n not in seen:
            seen.add(n)
            stack.extend(succ.get(n, ()))
    return False


def test_fix_diff_writes_nothing_and_fix_keeps_the_mode(write):
    path = write("w.wflint.yaml", (FIXTURES / "rules" / "PAR001" / "bad-after.wflint.yaml").read_text())
    os.chmod(path, 0o640)
    before = path.read_bytes()
    result = run("fix", "--preview", path, "--diff")
    assert result.exit_code == 1 and path.read_bytes() == before
    assert result.stdout.startswith(f"--- a/{str(path).lstrip('/')}")
    assert "-  publish:   {duration: 1s, needs: [extract], after: [thumbnail]}" in result.stdout
    assert "+  publish:   {duration: 1s, needs: [extract]}" in result.stdout
    assert "would fix 2 findings in 1 file." in result.stderr
    fixed = run("fix", "--preview", path)
    assert fixed.exit_code == 0 and "fixed 2 findings in 1 file." in fixed.stdout
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert run("check", "--preview", path, "--select", "PAR001", "--format", "json").json()["findings"] == []
    assert run("fix", "--preview", path, "--diff").exit_code == 0  # nothing left: a second fix changes nothing


def test_sequential_designs_are_listed_for_hand_changes(write):
    path = write("w.wflint.yaml", (FIXTURES / "examples" / "customer-health.wflint.yaml").read_text())
    result = run("fix", "--preview", path)
    assert result.exit_code == 0 and "2 to change by hand" in result.stdout
    # and check says so of each fix: none is offered as applied that fix then leaves by hand
    shown = run("check", "--show-fixes", path).stdout
    assert shown.count("fix (safe, by hand)") == 2 and "fix (safe):" not in shown
    assert all(f["fix"]["by_hand"] for f in run("check", "--format", "json", path).json()["findings"])


def test_redundant_edge_is_removed_and_order_kept(write):
    path = write("w.wflint.yaml", (FIXTURES / "rules" / "GRA003" / "bad.wflint.yaml").read_text())
    assert "fixed 1 finding in 1 file." in run("fix", "--preview", path).stdout
    assert "after:" not in path.read_text()
    report = run("report", path, "--format", "json").json()
    assert report["current_s"] == 3  # a → b → c still in order


@pytest.mark.parametrize("before, after", [
    ("current: graph\ntasks:\n  a: {}\n  b: {}\n  c:\n    after:\n      - a\n      - b  # keep\n    duration: 1s\n",
     "current: graph\ntasks:\n  a: {}\n  b: {}\n  c:\n    duration: 1s\n"),
    ("current: graph\ntasks:\n  a: {}\n  b: {}\n  c: {after: [a, b], duration: 1s}\n",
     "current: graph\ntasks:\n  a: {}\n  b: {}\n  c: {duration: 1s}\n"),
    ("current: graph\ntasks:\n  a: {}\n  b: {}\n  c: {duration: 1s, after: a}\n",
     "current: graph\ntasks:\n  a: {}\n  b: {}\n  c: {duration: 1s}\n"),
])
def test_after_removal_in_block_and_flow_style(write, before, after):
    path = write("w.wflint.yaml", before)
    run("fix", "--preview", path)
    assert path.read_text() == after


def test_no_default_fix_is_a_rewrite_that_saves_nothing():
    """What `fix` (and the pre-commit fix hook) applies by default saves time or removes a race:
    a parallelization rewrite that saves 0 s on the engine's model is preview-only, unless it is
    one of equal parallel chains (credited 0 s in turn): then another default fix of the same
    workflow saves time only with it."""
    from wflint.api import check_paths
    from wflint.finding import Applicability

    roots = [FIXTURES] + ([CORPUS] if CORPUS.is_dir() else [])
    applied = [f for f in check_paths(roots) if f.fix and f.fix.changes and f.fix.applicability is Applicability.SAFE]
    assert applied
    idle = [f for f in applied if f.code.startswith("PAR") and f.saved_s is not None and f.saved_s <= 0]
    saving = {(f.path, f.workflow) for f in applied if f.code.startswith("PAR") and (f.saved_s or 0) > 0}
    assert [f for f in idle if (f.path, f.workflow) not in saving or "once the other parallel groups" not in f.detail] == []
    assert [Path(f.path).name for f in idle] == ["bad-equal-parallel-chains.wflint.yaml"]


WAVES = '''from airflow.sdk import DAG
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator

with DAG("waves", schedule=None):
    waves = [[SQLExecuteQueryOperator(task_id=f"load_{i}_{j}", conn_id="wh", sql=f"INSERT INTO part_{i}_{j} SELECT 1")
              for j in range(2)] for i in range(3)]
    for i in range(2):
        waves[i][-1] >> waves[i + 1]
'''


def test_check_shows_by_hand_the_fix_that_fix_turns_down(write):
    """Each fix is tried on the file's text (not written): one the rewriter turns down (it would
    delete the statement `waves[i][-1] >> waves[i + 1]`) is shown "by hand" by check, never
    "safe" beside a `wflint fix` that then refuses it (rounds 7-9 FX)."""
    path = write("dags/waves.py", WAVES)
    shown = run("check", path, "--format", "json", "--fail-on", "never").json()["findings"]
    (par001,) = [f for f in shown if f["code"] == "PAR001"]
    assert par001["fix"]["applicability"] == "safe" and par001["fix"]["by_hand"] is True, par001["fix"]
    fixed = run("fix", path)
    assert "delete that statement by hand" in fixed.stderr + fixed.stdout
    assert Path(path).read_text() == WAVES
