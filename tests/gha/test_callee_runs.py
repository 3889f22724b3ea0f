"""A called workflow's jobs run or not in the caller's run: GitHub evaluates their `if:` with the
caller's `github` context (its event and ref) and with the inputs the call passes or their
defaults. A skipped callee job writes nothing for the job that calls it (round 9 F1)."""
from __future__ import annotations

from wflint.adapters import gha
from wflint.adapters.gha.facts import JobFacts

CALLEE = """\
on:
  workflow_call:
    inputs:
      report: {type: boolean, default: true}
      mode: {type: string, default: quick}
jobs:
  on-queue:
    if: github.event_name == 'merge_group'
    runs-on: x
    steps:
      - uses: actions/upload-artifact@v4
        with: {name: queue-report}
  when-asked:
    if: ${{ inputs.report }}
    runs-on: x
    steps:
      - uses: actions/upload-artifact@v4
        with: {name: report}
  full:
    if: inputs.mode == 'full'
    runs-on: x
    steps:
      - uses: actions/upload-artifact@v4
        with: {name: full-report}
  after-full:
    needs: full
    runs-on: x
    steps:
      - uses: actions/upload-artifact@v4
        with: {name: summary}
"""

MIDDLE = """\
on:
  workflow_call:
    inputs:
      report: {type: boolean, default: false}
jobs:
  inner:
    uses: ./.github/workflows/callee.yml
    with:
      report: ${{ inputs.report }}
      mode: full
"""


def _read(tmp_path, caller: str):
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "callee.yml").write_text(CALLEE)
    (folder / "middle.yml").write_text(MIDDLE)
    path = folder / "caller.yml"
    path.write_text(caller)
    return gha.read(str(path), caller)[0]


def _uploads(wf, job: str) -> set[str]:
    return set(wf.tasks[job].facet(JobFacts).artifacts_out)


def test_callee_jobs_follow_the_callers_event_and_the_inputs_passed_or_defaulted(tmp_path):
    wf = _read(tmp_path, """\
on: pull_request
jobs:
  defaults:
    uses: ./.github/workflows/callee.yml
  quiet:
    uses: ./.github/workflows/callee.yml
    with: {report: false, mode: full}
  computed:
    uses: ./.github/workflows/callee.yml
    with: {report: "${{ github.event.pull_request.draft }}"}
""")
    # merge_group never is a pull_request run; `report` defaults to true, `mode` to quick
    assert _uploads(wf, "defaults") == {"report"}
    assert _uploads(wf, "quiet") == {"full-report", "summary"}
    assert _uploads(wf, "computed") == {"report"}  # an expression passed: may be either, so kept
    assert "artifact:report" not in {e.resource for e in wf.tasks["quiet"].writes}


def test_a_calling_jobs_own_if_limits_the_callers_events(tmp_path):
    wf = _read(tmp_path, """\
on: [push, merge_group]
jobs:
  queued:
    if: github.event_name == 'merge_group'
    uses: ./.github/workflows/callee.yml
  pushed:
    if: github.event_name == 'push'
    uses: ./.github/workflows/callee.yml
""")
    assert _uploads(wf, "queued") == {"queue-report", "report"}
    assert _uploads(wf, "pushed") == {"report"}


def test_inputs_pass_through_a_workflow_that_calls_another(tmp_path):
    wf = _read(tmp_path, """\
on: push
jobs:
  plain:
    uses: ./.github/workflows/middle.yml
  asked:
    uses: ./.github/workflows/middle.yml
    with: {report: true}
""")
    # middle passes its own `report` (default false) on, and `mode: full`
    assert _uploads(wf, "plain") == {"full-report", "summary"}
    assert _uploads(wf, "asked") == {"report", "full-report", "summary"}


def test_the_callee_read_alone_keeps_every_job(tmp_path):
    _read(tmp_path, "on: push\njobs:\n  a:\n    uses: ./.github/workflows/callee.yml\n")
    path = tmp_path / ".github" / "workflows" / "middle.yml"
    wf = gha.read(str(path), MIDDLE)[0]
    # read alone, middle's callers are unknown: their event, and the `report` it passes on
    assert _uploads(wf, "inner") == {"queue-report", "report", "full-report", "summary"}


PUBLISH = """\
on: workflow_call
concurrency:
  group: publish-${{ github.event.pull_request.number || github.ref }}
  cancel-in-progress: true
jobs:
  npm:
    runs-on: ubuntu-latest
    steps: [{run: npm publish}]
"""


def _saf311(tmp_path, caller_if: str) -> list[str]:
    from wflint.engine import Selection, lint_paths

    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "publish.yml").write_text(PUBLISH)
    (folder / "main.yml").write_text(
        "on:\n  push:\n    branches: [main]\n    tags: ['v*']\n  pull_request:\n"
        f"jobs:\n  release:\n    if: {caller_if}\n    uses: ./.github/workflows/publish.yml\n")
    return [f.tasks[0] for r in lint_paths([str(folder / "publish.yml")], Selection())
            for f in r.findings if f.code == "SAF311"]


def test_a_workflow_called_only_on_tags_is_keyed_by_its_tag(tmp_path):
    # every caller in the repository calls it in a push of a tag: a group holding the ref then
    # only ever holds a run of the same tag (round 9 F4)
    assert _saf311(tmp_path, "startsWith(github.ref, 'refs/tags/')") == []


def test_a_workflow_called_on_a_branch_too_still_cancels_a_publish(tmp_path):
    assert _saf311(tmp_path, "github.event_name == 'push'") == ["npm"]
    (tmp_path / ".github" / "workflows" / "main.yml").unlink()
    assert _saf311(tmp_path / "again", "true") == ["npm"]


def test_a_workflow_no_local_workflow_calls_is_judged_on_any_ref(tmp_path):
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "publish.yml").write_text(PUBLISH)
    from wflint.engine import Selection, lint_paths

    assert [f.code for r in lint_paths([str(folder)], Selection()) for f in r.findings] == ["SAF311"]
