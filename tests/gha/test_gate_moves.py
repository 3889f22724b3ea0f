"""Gates stay where side effects start (issue 12 bullet 5): a build with no side effects that waits
for the tests only to pass the gate on runs beside them, and the first job with side effects waits
for both (`deploy: needs: [build, test]`); checked with actionlint and the per-event job graph."""
from __future__ import annotations

from helpers import actionlint_errors, workflow

from wflint.adapters import gha
from wflint.adapters.gha.events import EventGraph
from wflint.engine import Selection
from wflint.finding import AddOrder, RemoveOrder
from wflint.fixer import fix_text

PIPELINE = """\
on:
  push:
    branches: [main]
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latest
    steps: [{run: make test}]
  build:
    needs: test
    runs-on: ubuntu-latest
    steps:
      - run: make dist
      - uses: actions/upload-artifact@v4
        with: {name: dist, path: dist/}
  deploy:
    needs:
      - build
    if: github.event_name == 'push'
    runs-on: ubuntu-latest
    environment: production
    concurrency: {group: production, cancel-in-progress: false}
    steps:
      - uses: actions/download-artifact@v4
        with: {name: dist}
      - run: ./deploy.sh
"""


def test_the_gate_moves_onto_the_first_job_with_side_effects(tmp_path):
    outcome = fix_text("ci.yml", PIPELINE, Selection(preview=True), unsafe=True)
    assert outcome.applied and "      - build\n      - test\n" in outcome.text
    old, new = workflow(PIPELINE), workflow(outcome.text)
    assert ("test", "build") not in {(e.u, e.v) for e in new.edges}
    before, after = EventGraph.of(old), EventGraph.of(new)
    for context, waits in before.waits.items():  # every event: deploy still waits for the tests
        if "deploy" in waits:
            assert after.waits[context]["deploy"] >= waits["deploy"]
    assert after.waits["pull_request@pull"]["build"] == frozenset()  # the build starts at once
    errors = actionlint_errors({"before.yml": PIPELINE, "after.yml": outcome.text}, tmp_path)
    assert errors["after.yml"] <= errors["before.yml"]


def test_the_finding_says_where_the_gate_goes_and_the_fix_carries_it():
    from wflint.engine import check_workflow
    from wflint.rule import all_rules

    [finding] = check_workflow(workflow(PIPELINE), [all_rules()["PAR001"]], preview=True).findings
    assert "`deploy` needs `test` directly" in finding.full_message
    assert finding.fix.changes == (RemoveOrder("test", "build"), AddOrder("test", "deploy"))


def test_nothing_moves_where_no_side_effect_follows():
    from wflint.engine import check_workflow
    from wflint.rule import all_rules

    lint_only = PIPELINE.split("  deploy:")[0]
    [finding] = check_workflow(workflow(lint_only), [all_rules()["PAR001"]], preview=True).findings
    assert finding.fix.changes == (RemoveOrder("test", "build"),) and "gate moves" not in finding.full_message


def test_without_the_moved_gate_the_fix_is_refused():
    old = workflow(PIPELINE)
    from wflint.edits import apply_edits

    text = apply_edits(PIPELINE, gha.rewrite(PIPELINE, old, [RemoveOrder("test", "build")]))
    assert "no longer waits for `test`" in gha.verify(old, workflow(text), [RemoveOrder("test", "build")])
