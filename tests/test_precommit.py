"""The hooks, run by the real pre-commit against this repository (``pre-commit try-repo``)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
CACHE = ROOT / ".cache" / "pre-commit"  # hook environments, reused within one checkout


def sh(*args, cwd, env=None, check=True):
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def workrepo(tmp_path_factory):
    if not (ROOT / ".git").exists():
        pytest.skip("try-repo needs this checkout to be a git repository")
    repo = tmp_path_factory.mktemp("workflows")
    sh("git", "init", "-q", cwd=repo)
    sh("git", "config", "user.email", "t@example.com", cwd=repo)
    sh("git", "config", "user.name", "t", cwd=repo)
    (repo / "flows").mkdir()
    shutil.copy(FIXTURES / "rules" / "SAF001" / "bad.wflint.yaml", repo / "flows" / "race.wflint.yaml")
    shutil.copy(FIXTURES / "rules" / "PAR001" / "bad-sequential.wflint.yaml", repo / "flows" / "seq.wflint.yaml")
    (repo / "notes.md").write_text("# not a workflow\n")
    (repo / "data.json").write_text('{"not": "a workflow"}\n')
    sh("git", "add", "-A", cwd=repo)
    return repo


def try_repo(repo, hook, verbose=True):
    env = dict(os.environ, PRE_COMMIT_HOME=str(CACHE), PRE_COMMIT_COLOR="never")
    return sh(sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--all-files",
              *(["--verbose"] if verbose else []), cwd=repo, env=env, check=False)


def test_check_hook_fails_on_the_race_and_passes_over_other_files(workrepo):
    proc = try_repo(workrepo, "wflint")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "flows/race.wflint.yaml:6:3: SAF001" in out
    assert "flows/seq.wflint.yaml:5:3: PAR001" in out
    assert "not a workflow file" not in out and "Traceback" not in out


def test_check_hook_passes_once_the_race_is_fixed(workrepo):
    race = workrepo / "flows" / "race.wflint.yaml"
    original = race.read_text()
    race.write_text((FIXTURES / "rules" / "SAF001" / "good.wflint.yaml").read_text())
    sh("git", "add", "-A", cwd=workrepo)
    try:
        proc = try_repo(workrepo, "wflint", verbose=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        # verbose: true on the hook: a passing commit still shows what could run in parallel
        assert "flows/seq.wflint.yaml:5:3: PAR001" in proc.stdout + proc.stderr
    finally:
        race.write_text(original)
        sh("git", "add", "-A", cwd=workrepo)


def test_fix_hook_leaves_files_alone_when_nothing_applies(workrepo):
    before = {p: p.read_bytes() for p in (workrepo / "flows").iterdir()}
    proc = try_repo(workrepo, "wflint-fix")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "to change by hand" in out  # the spec format has no rewriter: fixes are listed
    assert {p: p.read_bytes() for p in (workrepo / "flows").iterdir()} == before
