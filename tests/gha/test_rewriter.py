"""Text splices: exact results for each edit shape, refusals, verification, and actionlint."""
from __future__ import annotations

import pytest
from helpers import actionlint_errors, edges, workflow

from wflint.adapters import gha
from wflint.edits import apply_edits
from wflint.errors import RewriteError
from wflint.facets import Steps
from wflint.finding import AddConcurrency, FixChange, InsertJoin, ParallelSteps, RemoveEdge, RemoveOrder

BASE = """\
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo a
  b:
    runs-on: ubuntu-latest
    steps:
      - run: echo b
  flow:
    needs: [ a, b ]   # kept comment
    runs-on: ubuntu-latest
    steps:
      - run: echo c
  block:
    # why block waits
    needs:
      - a    # first
      - "b"
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v6
      - name: Lint
        run: ruff check .
      - name: Types
        run: |
          mypy src
          mypy tests
      - run: pytest
  scalar:
    needs: a
    runs-on: ubuntu-latest
    steps:
      - run: echo e
"""


def apply(changes: list[FixChange], text: str = BASE) -> str:
    old = workflow(text)
    new_text = apply_edits(text, gha.rewrite(text, old, changes))
    assert gha.verify(old, workflow(new_text), changes) is None
    return new_text


def remove(u: str, v: str) -> RemoveOrder:
    return RemoveOrder(u, v)


@pytest.mark.parametrize("changes, before, after", [
    ([remove("b", "flow")], "    needs: [ a, b ]   # kept comment\n", "    needs: [ a ]   # kept comment\n"),
    ([remove("a", "flow")], "    needs: [ a, b ]   # kept comment\n", "    needs: [ b ]   # kept comment\n"),
    ([remove("a", "flow"), remove("b", "flow")], "    needs: [ a, b ]   # kept comment\n", ""),
    ([remove("a", "block")], "      - a    # first\n", ""),
    ([remove("b", "block")], '      - "b"\n', ""),
    ([remove("a", "block"), remove("b", "block")], '    needs:\n      - a    # first\n      - "b"\n', ""),
    ([remove("a", "scalar")], "    needs: a\n", ""),
])
def test_remove_needs_entry_changes_only_that_text(changes, before, after):
    assert apply(changes) == BASE.replace(before, after, 1)


def test_add_concurrency_to_a_job():
    out = apply([AddConcurrency("scalar", "environment-production")])
    assert out == BASE.replace("  scalar:\n", "  scalar:\n    concurrency:\n      group: environment-production\n"
                                              "      cancel-in-progress: false\n")
    quoted = apply([AddConcurrency("a", "${{ github.workflow }}-a: x", "max")])
    assert '      group: "${{ github.workflow }}-a: x"\n      cancel-in-progress: false\n      queue: max\n' in quoted


def test_four_space_indentation_is_followed():
    text = "on: push\njobs:\n    deploy:\n        runs-on: x\n        steps:\n            - run: a\n"
    out = apply([AddConcurrency("deploy", "g")], text)
    assert out == text.replace("    deploy:\n", "    deploy:\n        concurrency:\n            group: g\n"
                                               "            cancel-in-progress: false\n")


def test_parallel_steps_wraps_the_lines_and_keeps_block_scalars():
    out = apply([ParallelSteps("block", ("block#1", "block#2"))])
    assert out == BASE.replace(
        "      - name: Lint\n        run: ruff check .\n      - name: Types\n        run: |\n"
        "          mypy src\n          mypy tests\n",
        "      - parallel:\n          - name: Lint\n            run: ruff check .\n          - name: Types\n"
        "            run: |\n              mypy src\n              mypy tests\n")
    assert workflow(out).tasks["block"].facet(Steps).steps[2].group == 1


@pytest.mark.parametrize("text, change, reason", [
    (BASE, AddConcurrency("nope", "g"), "no job"),
    (BASE, remove("b", "scalar"), "not in the file"),
    (BASE, ParallelSteps("block", ("block#0", "block#3")), "adjacent"),
    (BASE, InsertJoin("a", ()), "cannot apply"),
    ("on: push\njobs:\n  a: {runs-on: x, steps: [{run: a}]}\n", AddConcurrency("a", "g"),
     "block mapping"),
    ("on: push\njobs:\n  a:\n    concurrency: g\n    runs-on: x\n", AddConcurrency("a", "g"),
     "already has"),
])
def test_refuses_what_it_cannot_do_safely(text, change, reason):
    with pytest.raises(RewriteError, match=reason):
        gha.rewrite(text, workflow(text), [change])


def test_verify_catches_an_edit_that_did_something_else():
    old = workflow(BASE)
    wrong = workflow(BASE.replace("      - a    # first\n", ""))
    assert gha.verify(old, wrong, [remove("b", "block")]) == "a removed `needs:` entry is still there"
    assert gha.verify(old, old, [AddConcurrency("a", "g")]).startswith("job `a` did not get")


def test_rewrites_add_no_actionlint_error(tmp_path):
    """Real actionlint as the oracle: every edit shape above, before and after."""
    cases = {"base.yml": BASE}
    for i, changes in enumerate([[remove("b", "flow")], [remove("a", "block"), remove("b", "block")],
                                 [remove("a", "scalar")],
                                 [AddConcurrency("scalar", "environment-production", "max")],
                                 [ParallelSteps("block", ("block#1", "block#2"))],
                                 [AddConcurrency("", "${{ github.workflow }}-${{ github.ref }}")]]):
        cases[f"edit{i}.yml"] = apply(changes)
    cases["control.yml"] = BASE.replace("needs: a\n", "needs: nope\n")  # the oracle can fail
    errors = actionlint_errors(cases, tmp_path)
    assert [kind for kind, _ in errors.pop("control.yml")] == ["job-needs"]
    for name, found in errors.items():
        assert found == set(), (name, found)
    assert edges(workflow(cases["edit2.yml"])) == {
        ("a", "flow"): "order", ("b", "flow"): "order", ("a", "block"): "order", ("b", "block"): "order"}


def test_aliases_and_duplicates():
    text = ("on: push\njobs:\n  a: {runs-on: x, steps: [{run: a}]}\n  b: {runs-on: x, steps: [{run: b}]}\n"
            "  c:\n    needs: &both [a, b]\n    runs-on: x\n    steps: [{run: c}]\n"
            "  d:\n    needs: *both\n    runs-on: x\n    steps: [{run: d}]\n"
            "  e:\n    needs: [a, a, b]\n    runs-on: x\n    steps: [{run: e}]\n")
    for job in ("c", "d"):  # the anchor and its alias: one edit would change both jobs
        with pytest.raises(RewriteError, match="anchor"):
            gha.rewrite(text, workflow(text), [remove("a", job)])
    assert "    needs: [b]\n" in apply([remove("a", "e")], text)


def test_remove_edge_drops_a_redundant_needs_entry():
    text = ("on: push\njobs:\n  a: {runs-on: x, steps: [{run: a}]}\n  b: {needs: a, runs-on: x, steps: [{run: b}]}\n"
            "  c:\n    needs: [a, b]\n    runs-on: x\n    steps: [{run: c}]\n")
    assert apply([RemoveEdge("a", "c")], text) == text.replace("needs: [a, b]", "needs: [b]")
    assert gha.supports(workflow(text), RemoveEdge("a", "c"))
    assert not gha.supports(workflow(text), InsertJoin("c", ()))


def test_add_concurrency_to_the_workflow():
    out = apply([AddConcurrency("", "${{ github.workflow }}-deploy")])
    assert out == BASE.replace("jobs:\n", "concurrency:\n  group: ${{ github.workflow }}-deploy\n"
                                          "  cancel-in-progress: false\njobs:\n", 1)
    with pytest.raises(RewriteError, match="already has"):
        gha.rewrite(out, workflow(out), [AddConcurrency("", "g")])
