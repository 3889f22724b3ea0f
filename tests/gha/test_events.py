"""Runs per event (issue 11 item 4): `if:` conditions evaluated per `on:` event and ref, skip
propagation through `needs:`, and the per-event job graph that checks fixes."""
from __future__ import annotations

import pytest
from helpers import workflow

from wflint.adapters import gha
from wflint.adapters.gha.events import EventGraph, RunContext, may_run, run_contexts
from wflint.adapters.gha.rewriter import keeps_waits
from wflint.edits import apply_edits
from wflint.facets import Starts
from wflint.finding import RemoveOrder

PUSH_MAIN = RunContext("push", "branch", "main", frozenset({"main"}))
PUSH_OTHER = RunContext("push", "branch", "", frozenset({"main"}))
PUSH_TAG = RunContext("push", "tag")
PULL = RunContext("pull_request", "pull")
CALLED = RunContext(None, "branch")
QUEUE = RunContext("merge_group", "branch", "", frozenset({"main"}))


@pytest.mark.parametrize("condition, context, runs", [
    ("github.event_name == 'push'", PULL, False),
    ("${{ github.event_name != 'pull_request' }}", PULL, False),
    ("github.event_name == 'PUSH'", PUSH_TAG, True),  # GitHub compares strings case-insensitively
    ("startsWith(github.ref, 'refs/tags/')", PUSH_MAIN, False),
    ("startsWith(github.ref, 'refs/tags/')", PUSH_TAG, True),
    ("startsWith(github.ref, 'refs/tags/v')", PUSH_TAG, True),  # some tags: may run
    ("github.ref_type == 'tag'", PUSH_MAIN, False),
    ("github.ref == 'refs/heads/main'", PUSH_OTHER, False),
    ("github.ref == 'refs/heads/main'", PUSH_MAIN, True),
    ("github.event.ref == 'refs/heads/main'", PUSH_OTHER, False),  # a push's payload holds its full ref
    ("github.event.ref == 'main'", PUSH_MAIN, False),
    ("github.event.ref == 'refs/heads/main'", PULL, True),  # a pull request's payload has no ref: unknown
    ("github.ref == 'refs/heads/main'", PULL, False),  # a pull request runs on refs/pull/N/merge
    ("github.ref_name == 'main'", PULL, False),  # whose name is N/merge
    ("github.ref_name != 'main'", PULL, True),
    ("github.ref_name == '12/merge'", PULL, True),  # may be that pull request
    ("github.ref_name == 'main'", QUEUE, False),  # a merge queue's own branch, gh-readonly-queue/...
    ("github.ref == 'refs/heads/main'", QUEUE, False),
    ("startsWith(github.ref, 'refs/heads/')", QUEUE, True),
    ("startsWith(github.ref, 'refs/heads/release')", QUEUE, False),
    ("github.repository == 'a/b' && github.event_name == 'schedule'", PUSH_MAIN, False),
    ("needs.plan.outputs.go == 'true' || github.event_name == 'schedule'", PUSH_MAIN, True),  # unknown
    ("github.event_name == 'push'", CALLED, True),  # a called workflow runs on its caller's event
    ("always()", PULL, True),
    ("!(github.event_name == 'push')", PUSH_TAG, False),
    ("fromJSON(needs.x.outputs.y)[0] == 'a'", PUSH_TAG, True),
    ("this is (not an expression", PUSH_TAG, True),  # unreadable: may run
    # rustup's PR-only jobs: a literal array, and contains() of it
    ("${{ contains(fromJSON('[\"pull_request\", \"merge_group\"]'), github.event_name) }}", PUSH_MAIN, False),
    ("contains(fromJSON('[\"pull_request\", \"merge_group\"]'), github.event_name)", PULL, True),
    ("contains(fromJSON('[\"PUSH\"]'), github.event_name)", PUSH_TAG, True),
    ("contains(fromJSON('{\"a\": 1}'), github.event_name)", PUSH_TAG, True),  # not an array: unknown
    ("contains(fromJSON(needs.x.outputs.events), github.event_name)", PUSH_TAG, True),
])
def test_conditions_per_run_context(condition, context, runs):
    assert may_run(condition, context) is runs


def test_run_contexts_follow_the_trigger_filters():
    names = [c.name for c in run_contexts({"push": {"tags": ["v*"]}, "release": None}, [])]
    assert names == ["push@tag", "release@tag"]  # a tag-only push and a release never run on a branch
    named = [c.name for c in run_contexts("push", ["github.ref == 'refs/heads/main'"])]
    assert named == ["push@branch", "push@branch:main", "push@tag"]
    main = ["github.ref == 'refs/heads/main'"]
    # a push's literal filters rule refs out: master only (never main), main only (never another)
    assert [c.name for c in run_contexts({"push": {"branches": ["master"]}}, main)] == ["push@branch"]
    assert [c.name for c in run_contexts({"push": {"branches": ["main"]}}, main)] == ["push@branch:main"]
    assert [c.name for c in run_contexts({"push": {"branches-ignore": ["main"]}}, main)] == ["push@branch"]
    # a merge queue never runs on a branch a condition names, only on its own temporary one
    assert [c.name for c in run_contexts({"merge_group": None}, main)] == ["merge_group@branch"]
    globbed = [c.name for c in run_contexts({"push": {"branches": ["ma*"]}}, main)]
    assert globbed == ["push@branch", "push@branch:main"]  # a pattern rules nothing out
    base = [c.name for c in run_contexts({"pull_request": {"branches": ["master"]}}, main)]
    assert base == ["pull_request@pull"]  # a pull request's filter is on its base, not its ref


JOBS = """\
on:
  push:
  pull_request:
jobs:
  test: {runs-on: x, steps: [{run: make test}]}
  build: {needs: test, runs-on: x, steps: [{run: make build}]}
  deploy:
    needs: build
    if: github.event_name == 'push' && github.ref == 'refs/heads/main'
    runs-on: x
    steps: [{run: git push origin HEAD:gh-pages}]
  announce: {needs: deploy, runs-on: x, steps: [{run: echo shipped}]}
  report: {needs: deploy, if: always(), runs-on: x, steps: [{run: echo done}]}
"""


def test_a_job_runs_only_where_the_jobs_it_needs_run():
    wf = workflow(JOBS)
    starts = {t: task.facet(Starts).starts for t, task in wf.tasks.items()}
    assert starts["deploy"] == ("push@branch:main",)
    assert starts["announce"] == ("push@branch:main",)  # skipped with deploy elsewhere
    assert len(starts["report"]) == len(starts["test"]) > 1  # always(): runs after a skip too


def test_a_fix_that_lets_a_deploy_skip_its_tests_is_refused():
    old = workflow(JOBS)
    graph = EventGraph.of(old)
    assert graph.waits["push@branch:main"]["deploy"] == {"test", "build"}
    text = apply_edits(JOBS, gha.rewrite(JOBS, old, [RemoveOrder("test", "build")]))
    new = workflow(text)
    assert "`deploy` no longer waits for `test`" in keeps_waits(old, new, [RemoveOrder("test", "build")])
    assert gha.verify(old, new, [RemoveOrder("test", "build")]) is not None


def test_a_group_fix_never_joins_jobs_that_ran_side_by_side_on_other_targets():
    from wflint.adapters.gha.rewriter import groups_apart
    from wflint.finding import AddConcurrency

    text = ("on: push\njobs:\n  docs:\n    runs-on: x\n    concurrency: {group: site, cancel-in-progress: false}\n"
            "    steps: [{run: git push origin HEAD:gh-pages}]\n"
            "  app:\n    runs-on: x\n    steps: [{run: npx wrangler deploy}]\n"
            "  pages:\n    runs-on: x\n    steps: [{run: git push --force origin HEAD:gh-pages}]\n")
    old = workflow(text)
    grouped = text.replace("  app:\n    runs-on: x\n", "  app:\n    runs-on: x\n    concurrency: {group: site}\n")
    assert "would share group 'site'" in groups_apart(old, workflow(grouped), [AddConcurrency("app", "site")])
    same_target = text.replace("  pages:\n    runs-on: x\n", "  pages:\n    runs-on: x\n    concurrency: {group: site}\n")
    assert groups_apart(old, workflow(same_target), [AddConcurrency("pages", "site")]) is None


def test_a_group_fix_never_joins_the_instances_of_a_matrix():
    from wflint.adapters.gha.rewriter import groups_apart
    from wflint.finding import AddConcurrency

    text = ("on: push\njobs:\n  ship:\n    runs-on: x\n    strategy: {matrix: {env: [staging, production]}}\n"
            "    environment: ${{ matrix.env }}\n    steps: [{run: ./deploy.sh}]\n")
    old = workflow(text)

    def grouped(group: str, queue: str = "") -> str | None:
        block = f"    concurrency: {{group: '{group}', cancel-in-progress: false{', queue: ' + queue if queue else ''}}}\n"
        new = workflow(text.replace("    runs-on: x\n", "    runs-on: x\n" + block))
        return groups_apart(old, new, [AddConcurrency("ship", group, queue)])

    assert "2 matrix instances of `ship`" in grouped("deploy")
    assert grouped("environment-${{ matrix.env }}") is None  # one group per instance's target
    shared = text.replace("${{ matrix.env }}", "production").replace("env: [staging, production]", "region: [eu, us]")
    old = workflow(shared)
    block = "    concurrency: {group: prod, cancel-in-progress: false, queue: max}\n"
    new = workflow(shared.replace("    runs-on: x\n", "    runs-on: x\n" + block))
    assert groups_apart(old, new, [AddConcurrency("ship", "prod", "max")]) is None  # one target, every instance in turn
    assert "matrix instances" in groups_apart(old, new, [AddConcurrency("ship", "prod")])


def test_a_write_in_a_step_no_run_of_its_job_reaches_is_no_publishing():
    """rustup's `build-linux-pr` runs on pull requests only, and its upload step on pushes only:
    the upload never happens there, so SAF310 has nothing to say (it does for a push job)."""
    from wflint.engine import check_workflow
    from wflint.rule import all_rules

    text = ("on: [push, pull_request]\njobs:\n  build:\n"
            "    if: ${{ contains(fromJSON('[\"pull_request\"]'), github.event_name) }}\n"
            "    runs-on: x\n    steps:\n      - run: make\n"
            "      - if: github.event_name == 'push'\n        run: aws s3 cp --recursive deploy/ s3://bucket/latest/\n")
    rule = [all_rules()["SAF310"]]
    assert check_workflow(workflow(text), rule, preview=True).findings == []
    pushed = text.replace('\\"pull_request\\"', '\\"push\\"').replace('["pull_request"]', '["push"]')
    assert [f.tasks for f in check_workflow(workflow(pushed), rule, preview=True).findings] == [("build",)]


def test_a_merge_queue_entry_has_a_group_of_its_own_when_the_key_holds_the_ref():
    """Each merge queue entry runs on its own branch (gh-readonly-queue/<base>/pr-<n>-<sha>): a key
    holding the ref is unique per run there, so it never cancels another; on a push it is shared."""
    from wflint.adapters.gha.events import per_run_group

    key = "${{ github.workflow }}-${{ github.ref }}"
    assert per_run_group(key, QUEUE) and not per_run_group(key, PUSH_MAIN)


@pytest.mark.parametrize("value, context, runs", [
    ("${{ github.event_name == 'workflow_dispatch' }}", PUSH_MAIN, False),  # the string 'false'
    ("${{ github.event_name == 'push' }}", PUSH_MAIN, True),
    ("${{ github.ref == 'refs/heads/main' }}", PUSH_TAG, False),
    ("${{ github.event_name == 'push' }}", CALLED, True),  # a caller's event: unknown, may run
    (True, PUSH_MAIN, True),
    ("false", PUSH_MAIN, False),
    ("on ${{ github.event_name }}", PUSH_MAIN, True),  # text around an expression: not read, may run
])
def test_an_env_value_a_step_if_tests_is_the_string_github_puts_in_the_variable(value, context, runs):
    """`env.X == 'true'` in a step's `if:` reads the workflow's `X:` as GitHub wrote it: a boolean
    expression becomes 'true' or 'false' (round 9 F8)."""
    from wflint.adapters.gha.events import with_env

    assert may_run(with_env("${{ env.SHIP == 'true' }}", {"ship": value}), context) is runs


def test_a_deploy_step_gated_by_an_env_computed_from_the_event_runs_on_those_events_only():
    from wflint.engine import check_workflow
    from wflint.rule import all_rules

    def saf310(ship_on: str, also: str = "") -> list:
        text = ("on: {push: {branches: [main]}, workflow_dispatch: {}}\n"
                f"env:\n  SHIP: ${{{{ github.event_name == '{ship_on}' }}}}\n"
                "jobs:\n  docs:\n    runs-on: x\n    steps:\n      - run: make site\n"
                f"{also}      - if: env.SHIP == 'true'\n        run: git push --force origin HEAD:gh-pages\n")
        return list(check_workflow(workflow(text), [all_rules()["SAF310"]], preview=False).findings)

    assert saf310("workflow_dispatch") == []  # a person's dispatch only
    assert len(saf310("push")) == 1  # every push to main deploys
    # a script that may set SHIP anew through $GITHUB_ENV: the value is no longer known
    assert len(saf310("workflow_dispatch", "      - run: echo SHIP=true >> $GITHUB_ENV\n")) == 1
