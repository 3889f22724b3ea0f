"""One finding, one place (issue 11 item 6): a reusable workflow's finding is reported at the
callee only, identical findings collapse, and no two distinct findings share a fingerprint."""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT

from wflint.engine import Selection, collapse_identical, lint_paths
from wflint.finding import Finding, Severity

CALLEE = """\
on:
  workflow_call:
jobs:
  pages:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
      - run: git push origin HEAD:gh-pages
"""
CALLER = """\
on:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps: [{run: make test}]
  docs:
    needs: test
    uses: ./.github/workflows/{callee}
"""


def lay_out(tmp_path: Path, files: dict[str, str]) -> list[str]:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [str(folder)]


def saf310(paths: list[str]) -> list[tuple[str, tuple[str, ...]]]:
    results = lint_paths(paths, Selection(preview=True))
    return [(Path(r.path).name, f.tasks) for r in results for f in r.findings if f.code == "SAF310"]


def test_a_callee_s_publish_is_reported_at_the_callee_only(tmp_path):
    paths = lay_out(tmp_path, {"pages.yml": CALLEE, "a.yml": CALLER.replace("{callee}", "pages.yml"),
                               "b.yml": CALLER.replace("{callee}", "pages.yml")})
    assert saf310(paths) == [("pages.yml", ("pages",))]


def test_a_caller_s_own_publish_is_still_reported(tmp_path):
    own = CALLER.replace("{callee}", "pages.yml") + (
        "  release:\n    needs: test\n    runs-on: ubuntu-latest\n"
        "    steps: [{run: git push origin HEAD:gh-pages}]\n")
    paths = lay_out(tmp_path, {"pages.yml": CALLEE, "a.yml": own})
    assert sorted(saf310(paths)) == [("a.yml", ("release",)), ("pages.yml", ("pages",))]


def _finding(subject: str = "", line: int = 3) -> Finding:
    return Finding("SAF002", "parallel-read-write-race", Severity.ERROR, "m", "f.yml", tasks=("a", "b"),
                   line=line, subject=subject)


def test_identical_findings_collapse_and_distinct_subjects_stay_apart():
    same = [_finding("cache:x"), _finding("cache:x")]
    assert len(collapse_identical(same)) == 1
    apart = [_finding("cache:x"), _finding("cache:y")]
    assert len(collapse_identical(apart)) == 2
    assert apart[0].fingerprint != apart[1].fingerprint
    assert _finding().fingerprint == _finding(line=9).fingerprint  # stable across line shifts


def test_two_races_on_one_pair_have_two_fingerprints(tmp_path):
    spec = ("current: graph\ntasks:\n  refresh: {writes: ['db:prices', 'db:rates']}\n"
            "  quote: {reads: ['db:prices', 'db:rates']}\n")
    path = tmp_path / "race.wflint.yaml"
    path.write_text(spec, encoding="utf-8")
    [result] = lint_paths([str(path)], Selection(preview=True))
    races = [f for f in result.findings if f.code == "SAF002"]
    assert len(races) == 2 and len({f.fingerprint for f in races}) == 2


@pytest.fixture(scope="module")
def corpus_findings():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import precision

    if not all((CORPUS / engine).is_dir() for engine in precision.ENGINES):
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return precision


@pytest.mark.parametrize("preview", [False, True])
def test_fingerprints_and_label_keys_are_unique_on_the_corpus(corpus_findings, preview, tmp_path):
    precision = corpus_findings
    fingerprints: Counter = Counter()
    for engine in precision.ENGINES:
        folder = precision.CORPUS / engine
        paths = sorted(precision.lay_out_gha(folder, tmp_path)) if engine == "gha" else [str(folder)]
        for result in lint_paths(paths, Selection(preview=preview), ignore_unknown=True):
            fingerprints.update(f.fingerprint for f in result.findings)
    assert [fp for fp, n in fingerprints.items() if n > 1] == []
    keys = Counter(s.key for s in precision.collect(precision.CORPUS, preview))
    assert [k for k, n in keys.items() if n > 1] == []


def test_a_needs_into_a_workflow_wflint_cannot_read_is_a_gate():
    from helpers import edges, workflow

    text = ("on: push\njobs:\n  test: {runs-on: x, steps: [{run: make test}]}\n"
            "  release: {needs: test, uses: other/repo/.github/workflows/release.yml@v1}\n"
            "  notes: {needs: test, runs-on: x, steps: [{run: echo done}]}\n")
    kinds = edges(workflow(text))
    assert kinds[("test", "release")] == "control" and kinds[("test", "notes")] == "order"
