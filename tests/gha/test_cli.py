"""The command line on GitHub workflows: fix writes the file once, suppressions, folders."""
from __future__ import annotations

from conftest import run

DEPLOY = """\
on:
  push:
    branches: [main]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v6
      - run: make dist
      - run: ruff check .
      - run: mypy src
      - run: make test
  deploy:  # the deploy
    needs: build
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: ./deploy.sh
"""


def test_fix_adds_the_concurrency_group_and_a_second_fix_changes_nothing(write):
    path = write("repo/.github/workflows/deploy.yml", DEPLOY)
    assert run("check", "--preview", path, "--select", "SAF310", "--fail-on", "warning").exit_code == 1
    diff = run("fix", "--preview", path, "--diff")
    assert diff.exit_code == 1 and "+    concurrency:\n+      group: environment-production\n" in diff.stdout
    assert path.read_text() == DEPLOY  # --diff writes nothing
    assert run("fix", "--preview", path).exit_code == 0
    assert path.read_text() == DEPLOY.replace(
        "  deploy:  # the deploy\n",
        "  deploy:  # the deploy\n    concurrency:\n      group: environment-production\n"
        "      cancel-in-progress: false\n")
    assert run("check", "--preview", path, "--select", "SAF310", "--fail-on", "warning").exit_code == 0
    again = path.read_text()
    run("fix", "--preview", path)
    assert path.read_text() == again


def test_unsafe_fixes_also_group_the_read_only_steps(write):
    path = write("repo/.github/workflows/deploy.yml", DEPLOY)
    assert run("fix", "--preview", path, "--unsafe-fixes").exit_code == 0
    text = path.read_text()
    assert "      - parallel:\n          - run: ruff check .\n          - run: mypy src\n" in text
    assert "needs: build" in text  # the deploy keeps its test-before-publish gate


def test_inline_suppression_on_the_job_key(write):
    path = write("ci.yml", DEPLOY.replace("# the deploy", "# wflint: ignore[SAF310] deploys are idempotent"))
    codes = [f["code"] for f in run("check", "--preview", path, "--format", "json", "--fail-on", "never").json()["findings"]]
    assert "SAF310" not in codes and "WFL002" not in codes


def test_folder_search_finds_workflows_by_place_and_by_content(write, tmp_path):
    write("repo/.github/workflows/a.yml", "jobs: {}\n")  # by place: read, and found unreadable
    write("repo/ci/b.yaml", "on: push\njobs:\n  x: {runs-on: y, steps: [{run: z}]}\n")
    write("repo/ci/other.yaml", "key: value\n")
    result = run("check", "--preview", tmp_path / "repo", "--format", "json", "--fail-on", "never").json()
    assert result["summary"]["files"] == 2
    assert [(f["code"], f["path"].rsplit("/", 1)[-1]) for f in result["findings"]] == [("WFL001", "a.yml")]


def test_report_without_timings_speaks_of_structure(write):
    path = write("ci.yml", "on: push\njobs:\n  a: {runs-on: x, steps: [{run: make lint}]}\n"
                           "  b: {needs: a, runs-on: x, steps: [{run: make docs}]}\n"
                           "  c: {runs-on: x, steps: [{run: make c}]}\n")
    text = run("report", path).stdout
    assert ("The design is 2 stage(s) deep and up to 2 wide; after the recommended changes 1 deep "
            "and up to 3 wide.") in text
    assert "| Task | Stage |" in text and "Total time saved: unknown without timing data" in text
    assert "```mermaid" not in text  # no invented schedule to draw
    data = run("report", path, "--format", "json").json()["structure"]
    assert (data["timed"], data["depth_before"], data["depth_after"], data["removable_orderings"]) == (False, 2, 1, 1)
    timed = write("t.json", '{"a": 60, "b": 30, "c": 10}')
    timed_text = run("report", path, "--timings", timed).stdout
    assert "stage(s) deep" not in timed_text and "Total time saved: 30s" in timed_text


def test_a_composite_action_kept_below_the_workflows_folder_is_no_workflow(write):
    """GitHub loads only the files at the top of .github/workflows/: a composite action's
    action.yml in a folder below it (bokeh keeps one there) is passed over, never WFL001."""
    action = write("repo/.github/workflows/composite/setup/action.yml",
                   "name: setup\nruns:\n  using: composite\n  steps:\n    - run: echo hi\n      shell: bash\n")
    write("repo/.github/workflows/ci.yml", "on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: make}]\n")
    folder = run("check", str(action.parents[3]))
    assert folder.exit_code == 0 and "WFL001" not in folder.stdout and "1 file" in folder.stdout
    staged = run("check", "--ignore-unknown", str(action))  # as the pre-commit hook passes it
    assert staged.exit_code == 0 and "WFL001" not in staged.stdout
