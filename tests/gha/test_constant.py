"""A constant `cancel-in-progress:` expression (issue 12 bullet 2): one that tests for a ref or an
event no run of the workflow has is always true (it cancels the runs it was meant to keep) or
always false; the push filters say which refs can run."""
from __future__ import annotations

import pytest
from helpers import workflow

from wflint.engine import check_workflow
from wflint.rule import all_rules

WORKFLOW = """\
on:
{on}
concurrency:
  group: ci-${{{{ github.ref }}}}
  cancel-in-progress: {cancel}
jobs:
  test:
    runs-on: x
    steps: [{{run: make test}}]
"""
NOT_MAIN = "${{ github.ref != 'refs/heads/main' }}"
ON_PR = "${{ github.event_name == 'pull_request' }}"


def saf313(on: str, cancel: str, preview: bool = True):
    text = WORKFLOW.format(on=on, cancel=cancel)
    return list(check_workflow(workflow(text), [all_rules()["SAF313"]], preview=preview).findings)


@pytest.mark.parametrize("on", [
    "  push: {branches: [master]}\n  pull_request:",  # the repository's branch is master
    "  push: {branches-ignore: [main]}",
    "  push: {branches: [master, 'release-1.0'], tags: [v1]}",
])
def test_a_branch_no_run_is_on_makes_the_expression_always_true(on):
    [finding] = saf313(on, NOT_MAIN, preview=False)
    assert "always true" in finding.message and "the branch `main`" in finding.message
    text = WORKFLOW.format(on=on, cancel=NOT_MAIN)
    assert text.splitlines()[finding.line - 1].strip().startswith("cancel-in-progress:")
    assert finding.severity.value == "warning"


@pytest.mark.parametrize("on", [
    "  push:\n  pull_request:",  # a push to main is a run
    "  push: {branches: [main, develop]}",
    "  push: {branches: ['release/*', master]}",  # a pattern: wflint matches no globs, main is not ruled out
    "  workflow_dispatch:",  # a manual run may pick any branch
    "  push: {branches: [master]}\n  schedule: [{cron: '0 3 * * *'}]",  # on the default branch, maybe main
])
def test_an_expression_that_can_differ_between_runs_is_no_finding(on):
    assert saf313(on, NOT_MAIN) == []


def test_an_event_no_trigger_fires_makes_it_always_false_shown_in_preview():
    [finding] = saf313("  push: {branches: [main]}", ON_PR)
    assert "always false" in finding.message and "the event `pull_request`" in finding.message
    assert finding.severity.value == "info" and saf313("  push: {branches: [main]}", ON_PR, preview=False) == []


@pytest.mark.parametrize("on, cancel", [
    ("  pull_request:", ON_PR),  # every run is a pull request: constant, and meant
    ("  push: {branches: [master]}", "true"),  # a literal is written to be constant
    ("  workflow_call:", ON_PR),  # a called workflow runs on its caller's event
])
def test_a_constant_that_tests_for_what_runs_is_meant(on, cancel):
    assert saf313(on, cancel) == []


def test_a_job_group_is_judged_on_the_runs_of_its_job():
    text = ("on: {push: {branches: [main]}, pull_request: {}}\njobs:\n  deploy:\n"
            "    if: github.event_name == 'push'\n    runs-on: x\n"
            "    concurrency:\n      group: deploy\n      cancel-in-progress: ${{ github.ref != 'refs/heads/master' }}\n"
            "    steps: [{run: ./deploy.sh}]\n")
    [finding] = check_workflow(workflow(text), [all_rules()["SAF313"]]).findings
    assert finding.tasks == ("deploy",) and "the branch `master`" in finding.message and finding.line == 8
