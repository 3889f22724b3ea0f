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


def test_action_runs_check_once_and_uploads_only_a_sarif_file_that_exists():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    script = "\n".join(step.get("run", "") for step in action["runs"]["steps"])
    assert script.count('"$WFLINT_BIN" check') == 1 and '--fail-on "$WFLINT_FAIL_ON"' in script
    assert "pip install" in script and "python3 -m pip" not in script  # never the system pip (PEP 668)
    upload = next(s for s in action["runs"]["steps"] if "upload-sarif" in s.get("uses", ""))
    assert upload["uses"].endswith("@v4") and "steps.check.outputs.sarif-file != ''" in upload["if"]
    assert upload["with"]["sarif_file"] == "${{ steps.check.outputs.sarif-file }}"


def _run_step(step: dict, env: dict, cwd) -> subprocess.CompletedProcess:
    """One composite step's script as the runner runs it: bash -e, the step's env with inputs filled."""
    import os

    return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=cwd, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=600)


def test_the_action_installs_into_its_own_venv_and_checks_once(tmp_path):
    """The install and check steps run for real in a runner-like environment (RUNNER_TEMP,
    GITHUB_ENV, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY): annotations, a SARIF file, a summary, the gate."""
    steps = yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"]
    files = {name: tmp_path / name for name in ("env", "output", "summary")}
    for path in files.values():
        path.write_text("")
    runner = {"RUNNER_TEMP": str(tmp_path), "GITHUB_ENV": str(files["env"]), "GITHUB_OUTPUT": str(files["output"]),
              "GITHUB_STEP_SUMMARY": str(files["summary"])}
    install = _run_step(steps[0], {**runner, "WFLINT_VERSION": "", "ACTION_PATH": str(ROOT)}, tmp_path)
    assert install.returncode == 0, install.stderr
    wflint_bin = dict(line.split("=", 1) for line in files["env"].read_text().splitlines())["WFLINT_BIN"]
    assert wflint_bin.startswith(str(tmp_path))  # its own environment, not the job's Python
    repo = tmp_path / "repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    shutil.copy(FIXTURES / "rules" / "SAF310" / "bad.yml", repo / ".github" / "workflows" / "release.yml")
    inputs = {"WFLINT_PATHS": ".", "WFLINT_FAIL_ON": "warning", "WFLINT_ARGS": "", "WFLINT_CONFIG": "",
              "WFLINT_REPORT": "true", "WFLINT_BIN": wflint_bin}
    check = _run_step(steps[1], {**runner, **inputs}, repo)
    assert check.returncode == 1, check.stdout + check.stderr  # the gate: a SAF310 warning reaches fail-on
    assert "::warning file=.github/workflows/release.yml," in check.stdout
    sarif = dict(line.split("=", 1) for line in files["output"].read_text().splitlines())["sarif-file"]
    import json

    results = json.loads(open(sarif).read())["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results] == \
        [".github/workflows/release.yml"]
    summary = files["summary"].read_text()
    assert "| `.github/workflows/release.yml:" in summary
    # the workflow's report follows the findings, its headings under the summary's own
    assert "\n## Workflow analysis: release.yml" in summary and "\n### 6. Implementation recommendations" in summary
    assert len(summary.encode()) <= 1024 * 1024
