"""The composite action (action.yml) passes the real actionlint, inputs checked through a caller."""
from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml
from conftest import FIXTURES, ROOT, tool


def lint(repo) -> subprocess.CompletedProcess:
    return subprocess.run([tool("actionlint"), "-shellcheck=", "-pyflakes=", "-no-color"], cwd=repo,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def caller_repo(tmp_path):
    tool("actionlint")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    shutil.copy(ROOT / "action.yml", tmp_path / "action.yml")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(FIXTURES / "ci" / "use-action.yml", tmp_path / ".github" / "workflows" / "wflint.yml")
    return tmp_path


def test_action_and_its_caller_pass_actionlint(caller_repo):
    proc = lint(caller_repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_really_reads_the_action_inputs(caller_repo):
    workflow = caller_repo / ".github" / "workflows" / "wflint.yml"
    workflow.write_text(workflow.read_text().replace("fail-on: error", "fail-on: error\n          colour: red"))
    proc = lint(caller_repo)
    assert proc.returncode == 1 and 'input "colour" is not defined in action "wflint"' in proc.stdout


def test_action_runs_check_as_sarif_and_gates_on_fail_on():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    script = "\n".join(step.get("run", "") for step in action["runs"]["steps"])
    assert "--format sarif --output-file" in script and '--fail-on "$WFLINT_FAIL_ON"' in script
    upload = next(s for s in action["runs"]["steps"] if "upload-sarif" in s.get("uses", ""))
    assert upload["with"]["sarif_file"] == "${{ steps.check.outputs.sarif-file }}"
