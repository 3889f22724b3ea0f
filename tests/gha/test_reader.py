"""The reader: what each `needs` edge carries, matrix sizes, steps, effects, parse errors."""
from __future__ import annotations

import pytest
from helpers import edges, workflow

from wflint.adapters import gha
from wflint.adapters.gha.facts import JobFacts
from wflint.adapters.gha.matrix import matrix_size
from wflint.errors import ParseError
from wflint.facets import Concurrency, Steps
from wflint.ir import Mode

GOOD = """\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    outputs: {version: "${{ steps.v.outputs.version }}"}
    steps:
      - id: v
        run: echo "version=1" >> "$GITHUB_OUTPUT"
      - uses: actions/upload-artifact@v4
        with: {name: dist, path: dist}
  uses-output:
    needs: build
    runs-on: ubuntu-latest
    steps: [{run: "echo ${{ needs.build.outputs.version }}"}]
  downloads:
    needs: [build]
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v4
        with: {pattern: "d*"}
  gated:
    if: github.ref == 'refs/heads/main'
    runs-on: ubuntu-latest
    steps: [{run: echo gate}]
  after-gate:
    needs: gated
    runs-on: ubuntu-latest
    steps: [{run: echo x}]
  finalizer:
    needs: [uses-output]
    if: ${{ always() }}
    runs-on: ubuntu-latest
    steps: [{run: echo report}]
  status:
    needs: [uses-output]
    if: needs.uses-output.result == 'success'
    runs-on: ubuntu-latest
    steps: [{run: echo ok}]
  summary:
    needs: [downloads, status]
    runs-on: ubuntu-latest
    steps: [{run: "echo '${{ toJSON(needs) }}'"}]
  publish:
    needs: [after-gate]
    runs-on: ubuntu-latest
    steps: [{run: twine upload dist/*}]
  plain:
    needs: [after-gate]
    runs-on: ubuntu-latest
    steps: [{run: make docs}]
  docs:
    needs: [uses-output]
    runs-on: ubuntu-latest
    steps: [{run: make docs}]
  regated:
    needs: [after-gate, gated]
    runs-on: ubuntu-latest
    steps: [{run: make docs}]
"""


def test_each_needs_edge_is_classified_by_what_it_carries():
    wf = workflow(GOOD)
    assert edges(wf) == {
        ("build", "uses-output"): "data",  # needs.build.outputs
        ("build", "downloads"): "data",  # artifact by pattern
        ("gated", "after-gate"): "control",  # upstream if: skips downstream
        ("uses-output", "finalizer"): "control",  # always()
        ("uses-output", "status"): "control",  # needs.X.result only
        ("downloads", "summary"): "data",  # toJSON(needs)
        ("status", "summary"): "data",
        ("after-gate", "publish"): "control",  # test-before-publish
        ("after-gate", "plain"): "control",  # gated's skip reaches plain through after-gate
        ("uses-output", "docs"): "order",  # nothing but order
        ("after-gate", "regated"): "order",  # regated needs gated directly: the gate stays
        ("gated", "regated"): "order",  # ... and through after-gate
    }
    details = {(e.u, e.v): e.detail for e in wf.edges}
    assert details[("build", "uses-output")] == "uses-output reads needs.build.outputs"
    assert "artifact `dist`" in details[("build", "downloads")]
    assert details[("gated", "after-gate")] == "gate: after-gate is skipped when gated is skipped"
    assert details[("after-gate", "plain")] == "gate: plain is skipped when gated is skipped through after-gate"


def test_effects_of_jobs():
    wf = workflow(GOOD)
    build = wf.tasks["build"]
    assert [(e.resource, e.mode) for e in build.effects] == [("artifact:dist", Mode.WRITE)]
    # a download by pattern ("d*") takes whatever has finished: no read of `dist` to race on,
    # only the needs edge it explains (data, above)
    assert ("artifact:dist", Mode.READ) not in [(e.resource, e.mode) for e in wf.tasks["downloads"].effects]
    assert wf.tasks["downloads"].facet(JobFacts).artifacts_in == ("d*",)
    assert wf.tasks["publish"].facet(JobFacts).publishes == ("registry:pypi",)
    assert wf.tasks["build"].facet(Steps).steps[0].files == ("output",)
    assert wf.execution_model.name == "github-actions" and wf.limits.concurrency == 20


def test_case_insensitive_needs_and_dangling():
    wf = workflow("on: push\njobs:\n  Build: {runs-on: x, steps: [{run: a}]}\n"
                  "  test: {needs: [build, nope], runs-on: x, steps: [{run: b}]}\n")
    assert edges(wf) == {("Build", "test"): "order"}
    assert [(d.task, d.target) for d in wf.dangling] == [("test", "nope")]


@pytest.mark.parametrize("matrix, size", [
    ({"os": ["a", "b"], "py": [1, 2, 3]}, 6),
    ({"os": ["a", "b"], "py": [1, 2], "exclude": [{"os": "a", "py": 1}]}, 3),
    ({"os": ["a", "b"], "include": [{"os": "a", "extra": 1}]}, 2),  # extends a combination
    ({"os": ["a", "b"], "include": [{"os": "c"}]}, 3),  # fits none: a new one
    ({"include": [{"os": "a"}, {"os": "b"}]}, 2),
    ({"os": ["a"]}, 1),
    ("${{ fromJSON(needs.plan.outputs.matrix) }}", None),
    ({"os": "${{ fromJSON(inputs.os) }}"}, None),
])
def test_matrix_size(matrix, size):
    assert matrix_size(matrix) == size


def test_parallel_and_background_steps_are_concurrent():
    wf = workflow("""\
on: push
jobs:
  j:
    runs-on: x
    steps:
      - parallel:
          - run: a
          - run: b
      - id: bg
        background: true
        run: server
      - run: c
      - wait: bg
      - run: d
""")
    pairs = set(wf.tasks["j"].facet(Steps).concurrent_pairs)
    assert pairs == {("j#0", "j#1"), ("j.bg", "j#3")}


def test_local_reusable_workflow_is_resolved_beside_the_caller(tmp_path):
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "build.yml").write_text("on: workflow_call\njobs:\n  b:\n    runs-on: x\n    steps:\n"
                                      "      - uses: actions/upload-artifact@v4\n        with: {name: wheels}\n")
    caller = folder / "ci.yml"
    text = ("on: push\njobs:\n  build:\n    uses: ./.github/workflows/build.yml\n"
            "  self:\n    uses: $/.github/workflows/build.yml\n"
            "  remote:\n    uses: octo/repo/.github/workflows/x.yml@v1\n"
            "  test:\n    needs: [build]\n    runs-on: x\n    steps:\n"
            "      - uses: actions/download-artifact@v4\n        with: {name: wheels}\n")
    caller.write_text(text)
    wf = gha.read(str(caller), text)[0]
    assert edges(wf) == {("build", "test"): "data"}
    assert wf.tasks["build"].facet(JobFacts).artifacts_out == ("wheels",) and not wf.tasks["build"].opaque
    assert wf.tasks["self"].facet(JobFacts).artifacts_out == ("wheels",)
    assert wf.tasks["remote"].opaque


def test_sniff():
    assert gha.sniff("repo/.github/workflows/ci.yml", "")
    assert gha.sniff("x.yaml", "name: a\non:\n  push:\njobs:\n  a: {}\n")
    assert not gha.sniff("x.yaml", "tasks: {}\n")
    assert not gha.sniff("ci.json", "on: push\njobs: {}\n")
    assert not gha.sniff("a.wflint.yaml", "on: push\njobs: {}\n")


@pytest.mark.parametrize("text, reason, line", [
    ("on: push\njobs:\n  a: &a {runs-on: x}\n  b:\n    <<: *a\n", "merge keys", 5),
    ("on: push\njobs: []\n", "non-empty mapping", 2),
    ("jobs: {a: {runs-on: x}}\n", "missing top-level `on:`", 1),
    ("on: push\njobs:\n  a: [1]\n", "job `a` must be a mapping", 3),
    ("on: push\njobs:\n  a: {runs-on: x\n", "invalid YAML", 4),
    ("on: push\non: pull_request\njobs: {a: {}}\n", "duplicate key 'on'", 2),
    ("on: push\njobs:\n  a:\n    needs: [b, a]\n  b: {}\n", "job `a` needs itself", 4),
])
def test_unreadable_files_raise_parse_error_with_a_line(text, reason, line):
    with pytest.raises(ParseError) as info:
        gha.read("ci.yml", text)
    assert reason in info.value.reason and info.value.line == line


def test_anchors_without_merge_keys_are_read():
    wf = workflow("on: push\njobs:\n  a: {runs-on: &r ubuntu-latest, steps: [{run: a}]}\n"
                  "  b: {runs-on: *r, needs: a, steps: [{run: b}]}\n")
    assert wf.tasks["b"].facet(JobFacts).runs_on == "ubuntu-latest"


def test_local_composite_action_effects_belong_to_the_calling_job(tmp_path):
    action = tmp_path / ".github" / "actions" / "publish"
    action.mkdir(parents=True)
    (action / "action.yml").write_text(
        "name: publish\nruns:\n  using: composite\n  steps:\n"
        "    - uses: actions/upload-artifact@v4\n      with: {name: site}\n"
        "    - run: git push origin HEAD:gh-pages\n      shell: bash\n")
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    text = ("on: push\njobs:\n  build:\n    runs-on: x\n    steps:\n      - uses: ./.github/actions/publish\n"
            "      - uses: ./.github/actions/missing\n"
            "  check:\n    needs: build\n    runs-on: x\n    steps:\n"
            "      - uses: actions/download-artifact@v4\n        with: {name: site}\n")
    wf = gha.read(str(folder / "ci.yml"), text)[0]
    build = wf.tasks["build"]
    assert {e.resource for e in build.writes} == {"artifact:site", "git:gh-pages"}
    assert build.facet(JobFacts).publishes == ("git:gh-pages",)
    assert build.facet(Steps).steps[1].opaque_action is True
    assert edges(wf) == {("build", "check"): "data"}


def test_cancel_ends_a_background_step():
    wf = workflow("on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n"
                  "      - {id: srv, background: true, run: ./server}\n      - run: ./client\n"
                  "      - cancel: srv\n      - run: ./after\n")
    assert wf.tasks["j"].facet(Steps).concurrent_pairs == (("j.srv", "j#1"),)


def test_concurrency_facts():
    wf = workflow("on: push\nconcurrency: {group: ci, cancel-in-progress: true}\njobs:\n"
                  "  d:\n    concurrency: {group: prod, cancel-in-progress: false, queue: max}\n"
                  "    runs-on: x\n    steps: [{run: a}]\n")
    concurrency = wf.tasks["d"].facet(Concurrency)
    assert (concurrency.group, concurrency.cancel_in_progress, concurrency.queue) == ("prod", False, "max")
    assert concurrency.workflow_group == "ci"


@pytest.mark.parametrize("script, files, publishes", [
    ('echo "a=1" >> "$GITHUB_OUTPUT"', ["output"], []),
    ("echo /opt/bin >> $GITHUB_PATH\necho X=1 >> ${GITHUB_ENV}", ["path", "env"], []),
    ('Add-Content -Path $env:GITHUB_ENV -Value "X=1"', ["env"], []),
    ("git push origin HEAD:refs/heads/main", [], ["git:main"]),
    ("git push --force origin ${{ github.head_ref }}", [], ["git:*"]),
    ("cargo publish --dry-run", [], []),
    ("uv publish dist/*\ngh release upload v1 dist/*", [], ["registry:pypi", "release"]),
    ("# git push origin main\necho nothing", [], []),
])
def test_run_script_effects(script, files, publishes):
    from wflint.adapters.gha.steps import step_record

    rec = step_record("j", 0, {"run": script}, ())
    assert rec["files"] == files and rec["publishes"] == publishes


def test_hidden_channels_keep_needs_as_data():
    """Images through one registry, artifacts from a workflow wflint cannot read: not order-only."""
    wf = workflow("""\
on: push
jobs:
  push-base:
    runs-on: x
    steps:
      - uses: docker/login-action@v3
        with: {registry: ghcr.io}
      - run: docker push ghcr.io/o/base
  annotate:
    needs: push-base
    runs-on: x
    steps:
      - uses: docker/login-action@v3
        with: {registry: ghcr.io}
      - run: docker buildx imagetools create -t ghcr.io/o/base:latest ghcr.io/o/base
  remote:
    uses: octo/ci/.github/workflows/build.yml@v1
  collect:
    needs: remote
    runs-on: x
    steps:
      - uses: actions/download-artifact@v4
        with: {pattern: "ext-*"}
  cached:
    runs-on: x
    steps: [{uses: ./.github/actions/ccache-action}, {run: make}]
  after-cached:
    needs: cached
    runs-on: x
    steps: [{uses: ./.github/actions/ccache-action}, {run: make test}]
""")
    assert edges(wf) == {("push-base", "annotate"): "data", ("remote", "collect"): "data",
                         ("cached", "after-cached"): "order"}  # a compiler cache is no data


def test_plan_cap_and_durations_come_from_config(tmp_path):
    from wflint.config import find_config
    from wflint.engine import load_configured

    (tmp_path / "wflint.toml").write_text('[limits]\nconcurrency = 60\n\n[durations]\njob = "5m"\n')
    path = tmp_path / "ci.yml"
    path.write_text("on: push\njobs:\n  a: {runs-on: x, steps: [{run: a}]}\n")
    wf = gha.read(str(path), path.read_text())[0]
    assert wf.limits.concurrency == 20  # GitHub Free plan, without config
    configured = load_configured(str(path), find_config(str(path)))[0]
    assert configured.limits.concurrency == 60
    assert configured.tasks["a"].duration.seconds == 300 and configured.tasks["a"].duration.source.value == "configured"


@pytest.mark.parametrize("script, read_only", [
    ("prettier --check .", True), ("prettier --write .", False), ("ruff format --check .", True),
    ("ruff format .", False), ("eslint --fix .", False), ("black --diff --check .", True),
    ("npx tsc --noEmit", True), ("make lint", False), ("echo ok", False), ("uv lock --check", True),
])
def test_read_only_checks(script, read_only):
    from wflint.adapters.gha.steps import step_record

    assert step_record("j", 0, {"run": script}, ())["read_only"] is read_only


GATED = """\
on: push
jobs:
  fmt: {runs-on: ubuntu-latest, steps: [{run: cargo fmt --check}]}
  clippy: {runs-on: ubuntu-latest, steps: [{run: cargo clippy}]}
  basics:
    needs: [fmt, clippy]
    runs-on: ubuntu-latest
    steps:
      - run: exit 0
  test:
    needs: basics
    runs-on: ubuntu-latest
    steps: [{run: cargo test}]
"""


@pytest.mark.parametrize("script, gate", [
    ("exit 0", True), ("echo all checks passed", True), ("true; echo ok", True),
    ("echo ok > out.txt", False), ('echo "v=1" >> "$GITHUB_OUTPUT"', False), ("make check", False),
])
def test_a_job_that_does_no_work_is_a_gate_its_needs_make(script, gate):
    """A job whose steps only `exit 0` or print is structure (tokio's `basics`): the expensive jobs
    wait for the cheap checks on purpose, so no ordering through it is offered for removal."""
    from wflint.analysis import analyze
    from wflint.facets import Structure

    wf = workflow(GATED.replace("run: exit 0", f"run: {script}"))
    assert (wf.tasks["basics"].facet(Structure) is not None) is gate
    assert wf.tasks["test"].facet(Structure) is None
    relaxed = analyze(wf).relaxation.relaxed
    assert (("basics", "test") in relaxed and ("fmt", "basics") in relaxed) is gate


PACKAGED = """\
on: push
jobs:
  package:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v6
      - uses: hynek/build-and-inspect-python-package@v2
  build:
    needs: [package]
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v4
        with: {name: Packages, path: dist}
      - run: pytest
"""


@pytest.mark.parametrize("maker, kind", [
    ("hynek/build-and-inspect-python-package@v2", "data"),  # uploads `Packages` unseen (pytest's test.yml)
    ("actions/setup-python@v5", "order"),  # an action wflint models: it uploads nothing
])
def test_an_artifact_nothing_readable_uploads_comes_from_an_action_wflint_cannot_see_into(maker, kind):
    wf = workflow(PACKAGED.replace("hynek/build-and-inspect-python-package@v2", maker))
    (edge,) = [e for e in wf.edges if (e.u, e.v) == ("package", "build")]
    assert edge.kind.value == kind
    if kind == "data":
        assert edge.detail == ("build downloads artifact `Packages`, which no step wflint can read uploads: "
                               "an action package runs may")


def test_a_local_action_run_by_a_local_action_is_read_too(tmp_path):
    """`install` runs `./.github/actions/dl`, which downloads `build`'s artifact: `coverage`'s
    `needs: build` carries data (atmos: it was called a redundant ordering), also where the run id
    is an input the caller leaves empty. An action that runs itself is read once, then unknown."""
    actions = tmp_path / ".github" / "actions"
    for name, body in (("install", "    - uses: ./.github/actions/dl\n"),
                       ("dl", "    - uses: actions/download-artifact@v4\n"  # run-id empty unless given
                              "      with: {name: site, run-id: '${{ inputs.run-id }}'}\n"),
                       ("loop", "    - uses: ./.github/actions/loop\n")):
        (actions / name).mkdir(parents=True)
        (actions / name / "action.yml").write_text(f"name: {name}\nruns:\n  using: composite\n  steps:\n{body}")
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    text = ("on: push\njobs:\n  build:\n    runs-on: x\n    steps:\n"
            "      - uses: actions/upload-artifact@v4\n        with: {name: site}\n"
            "  coverage:\n    needs: build\n    runs-on: x\n    steps:\n      - uses: ./.github/actions/install\n"
            "      - uses: ./.github/actions/loop\n")
    wf = gha.read(str(folder / "ci.yml"), text)[0]
    assert edges(wf) == {("build", "coverage"): "data"}
    assert {e.resource for e in wf.tasks["coverage"].reads} == {"artifact:site"}
