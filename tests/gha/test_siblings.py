"""Races across workflows (issue 12 bullet 3): the workflows of one repository that write one
floating target are judged together, and each race is reported once."""
from __future__ import annotations

from pathlib import Path

from wflint.engine import Selection, lint_paths

DEPLOY = """\
on:
  push:
    branches: [main]
{concurrency}jobs:
  ship:
    runs-on: ubuntu-latest
{job_concurrency}    steps: [{{run: git push --force origin HEAD:gh-pages}}]
"""


def lay_out(tmp_path: Path, files: dict[str, tuple[str, str]]) -> str:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    for name, (workflow_group, job_group) in files.items():
        (folder / name).write_text(DEPLOY.format(concurrency=workflow_group, job_concurrency=job_group))
    return str(folder)


def saf312(folder: str) -> list[tuple[str, str]]:
    return [(Path(r.path).name, f.full_message) for r in lint_paths([folder], Selection(preview=True))
            for f in r.findings if f.code == "SAF312"]


def test_workflows_pushing_one_branch_race_and_each_race_is_reported_once(tmp_path):
    per_workflow = "concurrency: {group: '${{ github.workflow }}-deploy', cancel-in-progress: false}\n"
    folder = lay_out(tmp_path, {"a.yml": (per_workflow, ""), "b.yml": (per_workflow, ""), "c.yml": ("", "")})
    found = saf312(folder)
    assert [name for name, _ in found] == ["a.yml", "b.yml"]  # a–b and a–c in a.yml, b–c in b.yml
    assert "`ship` in b.yml also writes `git:gh-pages`" in found[0][1] and "c.yml" in found[0][1]


def test_one_key_in_both_files_holds_them_apart(tmp_path):
    shared = "    concurrency: {group: git-push-gh-pages, cancel-in-progress: false}\n"
    assert saf312(lay_out(tmp_path, {"a.yml": ("", shared), "b.yml": ("", shared)})) == []


def test_a_workflow_outside_a_repository_layout_is_judged_alone(tmp_path):
    for name in ("a.yml", "b.yml"):
        (tmp_path / name).write_text(DEPLOY.format(concurrency="", job_concurrency=""))
    assert saf312(str(tmp_path)) == []


def test_environments_are_not_compared_across_files(tmp_path):
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    for name in ("api.yml", "web.yml"):  # one `production` environment, two services
        (folder / name).write_text("on: push\njobs:\n  ship:\n    runs-on: x\n    environment: production\n"
                                   f"    steps: [{{run: ./deploy-{name[:-4]}.sh}}]\n")
    assert saf312(str(folder)) == []


def test_one_environment_deployed_with_one_tool_from_two_files_is_a_preview_race(tmp_path):
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    for name in ("api.yml", "hotfix.yml"):  # both `wrangler deploy` into production: likely one service
        (folder / name).write_text("on: {push: {branches: [main]}}\njobs:\n  ship:\n    runs-on: x\n"
                                   "    environment: production\n    steps: [{run: npx wrangler deploy}]\n")
    [(name, message)] = saf312(str(folder))
    assert name == "api.yml" and "hotfix.yml also writes `env:production`" in message
    shown = [f for r in lint_paths([str(folder)], Selection()) for f in r.findings if f.code == "SAF312"]
    assert shown == []  # a guess from the environment and the tool: --preview only


def test_workflows_pushing_one_floating_image_tag_race(tmp_path):
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    push = "on: {{push: {{branches: [main]}}}}\njobs:\n  image:\n    runs-on: x\n    steps: [{{run: docker push {image}}}]\n"
    (folder / "nightly.yml").write_text(push.format(image="ghcr.io/acme/app:latest"))
    (folder / "release.yml").write_text(push.format(image="ghcr.io/acme/app:latest"))
    (folder / "ship.yml").write_text(push.format(image="ghcr.io/acme/app:${{ github.sha }}"))  # its own tag
    [(name, message)] = saf312(str(folder))
    assert name == "nightly.yml" and "release.yml also writes `registry:docker:ghcr.io/acme/app:latest`" in message
