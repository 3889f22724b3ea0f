"""GitHub-specific rule behaviour beyond the good/bad fixtures: confidence, groups, limits."""
from __future__ import annotations

import pytest
from helpers import workflow

from wflint.engine import check_workflow
from wflint.rule import all_rules


def findings(text: str, code: str):
    return [f for f in check_workflow(workflow(text), [all_rules()[code]], preview=True).findings if f.code == code]


def deploy(on: str, job: str) -> str:
    return f"on: {on}\njobs:\n  ship:\n{job}"


@pytest.mark.parametrize("on, body, confidence, group, fix", [
    ("push", "    environment: production\n    runs-on: x\n    steps: [{run: ./deploy}]\n",
     "high", ("environment-production",), "safe"),
    ("push", "    runs-on: x\n    steps: [{run: git push origin HEAD:main}]\n", "high", ("git-push-main",), "safe"),
    ("{push: {tags: ['v*']}}", "    runs-on: x\n    steps: [{run: gh release upload nightly --clobber dist/*}]\n",
     "medium", ("${{ github.workflow }}-ship",), "safe"),  # a fixed-name release, overwritten by each run
    ("schedule", "    runs-on: x\n    steps: [{run: 'aws s3 sync site/ s3://bucket/'}]\n",
     "medium", ("${{ github.workflow }}-ship", "max"), "safe"),  # an unknown target: every run in turn
    ("workflow_call", "    environment: production\n    runs-on: x\n    steps: [{run: ./deploy}]\n",
     "low", ("environment-production",), "unsafe"),
])
def test_saf310_confidence_and_group(on, body, confidence, group, fix):
    [finding] = findings(deploy(on, body), "SAF310")
    assert finding.confidence.value == confidence
    change = finding.fix.changes[0]
    assert (change.group, *filter(None, [change.queue])) == group and finding.fix.applicability.value == fix


def test_saf310_no_fix_for_a_matrix_and_nothing_with_a_group():
    matrix = ("    strategy: {matrix: {region: [eu, us]}}\n    environment: production\n"
              "    runs-on: x\n    steps: [{run: ./deploy}]\n")
    [finding] = findings(deploy("push", matrix), "SAF310")
    assert finding.fix is None and "between its 2 matrix instances" in finding.message
    grouped = "concurrency: deploy\n" + deploy("push", matrix)
    assert findings(grouped, "SAF310") == []


def test_par301_splits_at_a_dependency_and_caps_lanes():
    checks = "".join(f"      - run: ruff check pkg{i}\n" for i in range(12))
    text = ("on: push\njobs:\n  lint:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v6\n"
            + checks + "      - id: v\n        run: mypy .\n      - run: echo ${{ steps.v.outputs.x }} --check\n")
    groups = [f.tasks[1:] for f in findings(text, "PAR301")]
    assert [len(g) for g in groups] == [10, 3]  # at most 10 lanes; the last step reads v's output
    assert groups[1] == ("lint#11", "lint#12", "lint.v")


@pytest.mark.parametrize("env, grouped", [
    ("BUILD_CMD: cargo", False), ("BUILD_CMD: cross", False), ("BUILD_CMD: ./lint.sh", True)])
def test_par301_names_the_tool_a_variable_runs(env, grouped):
    """sharkdp/bat runs `$BUILD_CMD check` with `env: {BUILD_CMD: cargo}` (or cross, which wraps
    cargo): the checks wait for one cargo lock, so they are no parallel group."""
    checks = "".join(f"      - run: $BUILD_CMD check --features f{i}\n" for i in range(3))
    text = (f"on: push\njobs:\n  build:\n    runs-on: x\n    env: {{{env}}}\n    steps:\n"
            "      - uses: actions/checkout@v6\n" + checks)
    assert bool(findings(text, "PAR301")) is grouped


def test_saf301_output_read_by_a_concurrent_step():
    text = ("on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - parallel:\n"
            "          - {id: ver, run: 'echo v=1 >> $GITHUB_OUTPUT'}\n"
            "          - run: echo ${{ steps.ver.outputs.v }}\n")
    [finding] = findings(text, "SAF301")
    assert finding.tasks == ("j", "j.ver") and "$GITHUB_OUTPUT" in finding.message


def test_saf001_two_jobs_pushing_one_branch_and_a_matrix_uploading_one_name():
    text = ("on: push\njobs:\n  a: {runs-on: x, steps: [{run: git push origin HEAD:gh-pages}]}\n"
            "  b: {runs-on: x, steps: [{uses: peaceiris/actions-gh-pages@v4}]}\n")
    [finding] = findings(text, "SAF001")
    assert finding.tasks == ("a", "b") and "git:gh-pages" in finding.message


@pytest.mark.parametrize("suffix, races", [("", True), ("short-commit-hash", True),
                                           ("timestamp", False), ("random", False)])
def test_saf001_create_pull_request_shares_a_branch_unless_each_run_suffixes_its_own(suffix, races):
    """peter-evans/create-pull-request pushes `branch` (create-pull-request/patch by default); a
    `timestamp` or `random` branch-suffix gives every step a branch of its own, a commit hash the
    same one to both jobs of a run."""
    step = "{uses: peter-evans/create-pull-request@v7" + (f", with: {{branch-suffix: {suffix}}}" if suffix else "") + "}"
    text = (f"on: release\njobs:\n  a: {{runs-on: x, steps: [{step}]}}\n"
            f"  b: {{runs-on: x, steps: [{step}]}}\n")
    assert len(findings(text, "SAF001")) == (1 if races else 0)


def test_res001_needs_many_concurrent_callers():
    # GITHUB_TOKEN's 1000/h is a bucket of 1000: 2 x 256 instances x 3 calls = 1536 in 10 minutes
    # exceed the 1000 + 167 it admits there (2 x 40 x 3 = 240 never did).
    shards = ", ".join(str(i) for i in range(256))
    job = ("    strategy: {{matrix: {{n: [{s}]}}}}\n    runs-on: x\n    steps:\n"
           "      - run: gh api /repos/o/r/issues && gh pr list && gh issue list\n")
    text = "on: push\njobs:\n  a:\n" + job.format(s=shards) + "  b:\n" + job.format(s=shards)
    assert len(findings(text, "RES001")) == 1
    few = "on: push\njobs:\n  a:\n" + job.format(s="1, 2") + "  b:\n" + job.format(s="1, 2")
    assert findings(few, "RES001") == []


def test_saf310_tag_pushes_are_not_frequent():
    body = "    runs-on: x\n    steps: [{run: git push origin HEAD:gh-pages}]\n"
    [finding] = findings(deploy("{push: {tags: ['v*']}}", body), "SAF310")
    assert finding.confidence.value == "medium"
    [finding] = findings(deploy("{push: {branches: [main], tags: ['v*']}}", body), "SAF310")
    assert finding.confidence.value == "high"


@pytest.mark.parametrize("condition, applicability", [
    ("", "safe"),  # every run of the job pushes `:edge`: one group for the job holds only pushes
    ("        if: github.ref == 'refs/heads/main'\n", "unsafe"),  # its pull_request runs push nothing
    ("    if: github.ref == 'refs/heads/main'\n", "safe"),  # the job itself never runs on a pull request
])
def test_saf310_group_over_runs_that_write_nothing_is_opt_in(condition, applicability):
    job = ("    runs-on: x\n    steps:\n      - run: docker build -t ghcr.io/o/app .\n"
           f"      - run: docker push ghcr.io/o/app:edge\n{condition}")
    [finding] = findings(deploy("[push, pull_request]", job), "SAF310")
    assert finding.fix.applicability.value == applicability
    assert ("pull_request" in finding.fix.title) is (applicability == "unsafe")


@pytest.mark.parametrize("lanes, shown, preview", [
    (["uses: actions/setup-node@v4", "uses: actions/setup-python@v5"], 1, False),  # one finding per group
    (["uses: docker/login-action@v3", "run: make"], 1, False),
    (["uses: acme/read-file-action@v1", "uses: acme/read-file-action@v1"], 1, True),  # unknown: preview
    (["uses: actions/upload-artifact@v4", "run: make"], 0, None),  # its effect is read whole
    (["uses: actions/checkout@v4\n            with: {path: base}", "run: make"], 0, None),
])
def test_saf302_only_actions_known_to_change_the_jobs_state(lanes, shown, preview):
    body = "".join(f"          - {lane}\n" for lane in lanes)
    text = f"on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - parallel:\n{body}"
    found = findings(text, "SAF302")
    assert len(found) == shown
    assert all(f.preview is preview for f in found)



CACHE_JOBS = """on: push
jobs:
  linux:
    runs-on: ubuntu-latest
    steps:
      - run: make
      - uses: actions/cache/save@v4
        with: {path: bin, key: "bins-${{ hashFiles('Cargo.lock') }}"}
  windows:
    runs-on: windows-latest
    steps:
      - uses: actions/cache/restore@v4
        with: {path: bin, key: "bins-${{ hashFiles('Cargo.lock') }}"}
      - run: make
      - uses: actions/cache/save@v4
        with: {path: bin, key: "bins-${{ hashFiles('Cargo.lock') }}"}
"""


def test_two_saves_of_one_cache_key_never_conflict_but_a_restore_racing_a_save_misses():
    """A cache entry is saved once (a second save of its key is refused with a warning, deno's
    shared cargo cache): no SAF001. A job that restores a key it also saves builds it on a miss;
    one that only restores what another job saves, with nothing ordering them, usually misses
    (SAF002), and with `needs` it reads that job's data (the ordering stays)."""
    assert not findings(CACHE_JOBS, "SAF001") and not findings(CACHE_JOBS, "SAF002")
    only_restores = CACHE_JOBS + """  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/cache/restore@v4
        with: {path: bin, key: "bins-${{ hashFiles('Cargo.lock') }}"}
      - run: make test
"""
    assert {f.tasks for f in findings(only_restores, "SAF002")} == {("linux", "test"), ("windows", "test")}
    wf = workflow(only_restores.replace("  test:\n", "  test:\n    needs: linux\n"))
    [edge] = [e for e in wf.edges if (e.u, e.v) == ("linux", "test")]
    assert edge.kind.name == "DATA" and "cache" in edge.detail


NEEDS_LIST = """on: push
jobs:
  build: {runs-on: x, steps: [{run: make}]}
  test: {runs-on: x, needs: build, steps: [{run: make test}]}
  pack: {runs-on: x, needs: test, steps: [{run: make pack}]}
  notify:
    runs-on: x
    needs: [build, test, pack]
    steps: [{run: echo done}]
"""


def test_gra003_redundant_entries_of_one_needs_list_are_one_finding():
    """Round 12: dbt-core's one `needs:` list of every release job was six findings, one per
    entry; like a loop's `>>`, the list is one statement: one finding, one fix removing them all."""
    wf = workflow(NEEDS_LIST)
    [finding] = check_workflow(wf, [all_rules()["GRA003"]]).findings
    assert "build → notify, test → notify are already implied" in finding.message
    assert [(c.u, c.v) for c in finding.fix.changes] == [("build", "notify"), ("test", "notify")]
    assert wf.source.resolve(finding.location).line == 8  # the first redundant entry's line
