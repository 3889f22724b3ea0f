"""Jobs whose `if:`s test one value every job of a run sees alike (`inputs.*`, `github.event.*`,
`vars.*`) in ways that cannot both hold never run in one run, so they race on nothing
(``split.py``). Jobs whose tests can both hold still do, and so do jobs of one run that test
values that differ between its jobs (`matrix`, `needs` outputs)."""
from __future__ import annotations

import pytest
from helpers import workflow

from wflint.adapters.gha.events import RunContext, Truth, condition_tree, may_run
from wflint.adapters.gha.split import split_on_shared_values
from wflint.engine import check_workflow
from wflint.facets import Starts
from wflint.rule import all_rules

_DEPLOY = """\
on:
  workflow_dispatch:
    inputs:
      environment: {{type: choice, options: [staging, production]}}
  push:
jobs:
  build:
    runs-on: ubuntu-latest
    steps: [{{run: make}}]
  one:
    needs: build
    if: {one}
    runs-on: ubuntu-latest
    steps: [{{uses: actions/checkout@v4}}, {{run: git push origin HEAD:deploy}}]
  two:
    needs: build
    if: {two}
    runs-on: ubuntu-latest
    steps: [{{uses: actions/checkout@v4}}, {{run: git push origin HEAD:deploy}}]
"""


def _conflicts(one: str, two: str) -> list[str]:
    text = _DEPLOY.format(one=f'"{one}"', two=f'"{two}"')
    wf = workflow(text, ".github/workflows/deploy.yml")
    return [f.code for f in check_workflow(wf, [all_rules()["SAF001"]], preview=True).findings]


@pytest.mark.parametrize("one, two", [
    ("inputs.environment == 'staging'", "inputs.environment == 'production'"),
    ("inputs.environment == 'Staging'", "inputs.environment == 'production'"),
    ("github.event.inputs.environment == 'staging'", "github.event.inputs.environment != 'staging'"),
    ("contains(github.event.head_commit.message, '[skip docs]')",
     "!contains(github.event.head_commit.message, '[skip docs]')"),
    ("inputs.dry_run", "!inputs.dry_run"),
    ("vars.TARGET == 'aws' && github.event_name == 'push'", "vars.TARGET == 'gcp'"),
    ("contains(github.event.pull_request.labels.*.name, 'deploy')",
     "${{ !contains(github.event.pull_request.labels.*.name, 'deploy') }}"),
])
def test_jobs_whose_tests_of_one_run_value_exclude_each_other_never_race(one, two):
    assert _conflicts(one, two) == []


@pytest.mark.parametrize("one, two", [
    ("inputs.environment == 'staging'", "inputs.environment != 'production'"),  # both on staging
    ("inputs.environment == 'staging' || inputs.force", "inputs.environment == 'production'"),
    ("contains(github.event.head_commit.message, '[a]')", "contains(github.event.head_commit.message, '[b]')"),
    ("needs.build.outputs.x == 'a'", "needs.build.outputs.x == 'b'"),  # one output: not split, unknown
    ("inputs.a == inputs.b", "inputs.a != 'x'"),  # compared with each other: unknown
])
def test_jobs_whose_tests_can_both_hold_still_race(one, two):
    assert _conflicts(one, two) == ["SAF001"]


def test_a_job_that_needs_an_excluded_job_is_excluded_with_it():
    text = _DEPLOY.format(one="\"inputs.environment == 'staging'\"", two="\"inputs.environment == 'production'\"")
    text = text.replace("  two:\n    needs: build", "  after:\n    needs: one\n    runs-on: ubuntu-latest\n"
                        "    steps: [{uses: actions/checkout@v4}, {run: git push origin HEAD:deploy}]\n"
                        "  two:\n    needs: build")
    wf = workflow(text, ".github/workflows/deploy.yml")
    cases = {job: set(wf.tasks[job].facet(Starts).cases) for job in ("one", "after", "two")}
    assert cases["after"] <= cases["one"] and not cases["after"] & cases["two"]


def test_the_cases_leave_the_runs_a_report_names_alone():
    text = _DEPLOY.format(one="\"inputs.environment == 'staging'\"", two="\"inputs.environment == 'production'\"")
    wf = workflow(text, ".github/workflows/deploy.yml")
    assert wf.tasks["one"].facet(Starts).starts == wf.tasks["two"].facet(Starts).starts == wf.tasks["build"].facet(
        Starts).starts


def test_a_value_one_condition_tests_splits_nothing():
    contexts = [RunContext("push", "branch")]
    assert split_on_shared_values(["inputs.a == 'x'", "github.event_name == 'push'"], contexts) is contexts


def test_the_cases_cover_every_value():
    """Each value of `inputs.env` falls in one case: 'a', 'b', or none of them (whose truth is unknown)."""
    cases = split_on_shared_values(["inputs.env == 'a'", "inputs.env == 'b'", "inputs.env"],
                                   [RunContext("workflow_dispatch", "branch")])
    assert len(cases) == 3
    assert [may_run("inputs.env == 'a'", c) for c in cases] == [True, False, False]
    assert [may_run("inputs.env == 'b'", c) for c in cases] == [False, True, False]
    assert [may_run("inputs.env", c) for c in cases] == [True, True, True]  # none of them: maybe empty
    assert [may_run("!inputs.env", c) for c in cases] == [False, False, True]


def test_a_truth_case_is_known_only_as_a_condition():
    tree = condition_tree("inputs.flag")
    assert tree is not None
    on = RunContext("workflow_dispatch", "branch", assumed=((tree, Truth(True)),), case="inputs.flag is true")
    assert may_run("inputs.flag", on) and not may_run("!inputs.flag", on)
    assert may_run("inputs.flag == 'no'", on)  # which true value: unknown
