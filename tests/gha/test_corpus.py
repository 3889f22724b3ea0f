"""The real corpus (read in place): no traceback, a reviewed findings snapshot, byte-identical
files where no fix applies, and fixed files that add no actionlint error."""
from __future__ import annotations

import json
from collections import Counter
from functools import cache

import jsonschema
from conftest import FIXTURES, ROOT, corpus_dir, run
from helpers import actionlint_errors, laid_out_corpus

from wflint.engine import Selection
from wflint.fixer import fix_text


@cache
def fixed_corpus() -> dict[str, tuple[str, object]]:
    """name → (original text, outcome of `wflint fix --unsafe-fixes`), computed once."""
    out = {}
    for name, path in laid_out_corpus().items():
        text = path.read_text(encoding="utf-8")
        out[name] = (text, fix_text(str(path), text, Selection(preview=True), unsafe=True))
    return out


def test_check_over_the_corpus_snapshot(snapshot):
    laid_out = laid_out_corpus()
    corpus_name = {str(path): name for name, path in laid_out.items()}
    result = run("check", "--preview", *sorted(laid_out.values()), "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    jsonschema.validate(data, json.loads((ROOT / "linter" / "wflint" / "schemas" / "check.schema.json").read_text()))
    assert data["summary"]["files"] == 148
    findings = data["findings"]
    assert [f for f in findings if f["code"] == "WFL001"] == []
    lines = [f"{corpus_name[f['path']]}:{f['line']} {f['code']} [{f['confidence']}] {f['message']}" for f in findings]
    assert dict(sorted(Counter(f["code"] for f in findings).items())) == snapshot(name="counts")
    assert lines == snapshot(name="findings")


def test_files_without_an_applicable_fix_stay_byte_identical():
    changed = 0
    for name, (text, outcome) in fixed_corpus().items():
        if not outcome.applied:
            assert outcome.text == text, name
        else:
            changed += 1
            assert outcome.text != text
    assert changed > 0


def test_fixing_twice_changes_nothing():
    laid_out = laid_out_corpus()
    for name, (_, outcome) in fixed_corpus().items():
        if outcome.applied:  # read where it lies, so its local callees resolve as on the first pass
            again = fix_text(str(laid_out[name]), outcome.text, Selection(preview=True), unsafe=True)
            assert again.text == outcome.text, name


def test_fixes_add_no_actionlint_error(tmp_path):
    before, after = {}, {}
    for name, (text, outcome) in fixed_corpus().items():
        if outcome.applied:
            before[name], after[name] = text, outcome.text
    for path in sorted((FIXTURES / "rules").glob("*/*.yml")):
        text = path.read_text(encoding="utf-8")
        outcome = fix_text(str(path), text, Selection(preview=True), unsafe=True)
        if outcome.applied:
            name = f"{path.parent.name}__{path.name}"
            before[name], after[name] = text, outcome.text
    assert len(before) > 12  # enough rewritten files for actionlint to judge the rewrite
    old = actionlint_errors(before, tmp_path / "before")
    new = actionlint_errors(after, tmp_path / "after")
    added = {name: new[name] - old[name] for name in new if new[name] - old[name]}
    assert added == {}


def test_corpus_fix_kinds():
    """What the fixes on the corpus are: SAF310 concurrency blocks (safe) and PAR301 groups (unsafe)."""
    applied = Counter(f.code for _, outcome in fixed_corpus().values() for f in outcome.applied)
    rejected = [(f.code, reason) for _, outcome in fixed_corpus().values() for f, reason in outcome.rejected]
    assert set(applied) <= {"SAF310", "PAR301", "PAR001", "GRA003"}
    assert applied["SAF310"] > 0 and applied["PAR301"] > 0
    assert all(code == "PAR001" and "lost a needed ordering" in reason for code, reason in rejected), rejected


def test_report_and_graph_on_corpus_files():
    """Every fourth file (the report is the slow path; `check` above covers them all)."""
    schema = json.loads((ROOT / "linter" / "wflint" / "schemas" / "report.schema.json").read_text())
    for path in sorted(corpus_dir("gha").glob("*.yml"))[::4]:
        report = run("report", path, "--format", "json")
        assert report.exit_code == 0, (path.name, report.stderr)
        data = report.json()
        jsonschema.validate(data, schema)
        for one in data.get("reports", [data]):  # one report per run where events run different jobs
            assert one["duration_source"] == "default" and one["engine"]["name"] == "github-actions"
        assert run("graph", path, "--relaxed").stdout.startswith("flowchart")


def test_lean_tag_resolver_agrees_with_the_safe_loader():
    """sourcemap's faster loader gives every node of every corpus file the tag CSafeLoader gives."""
    import yaml

    from wflint.sourcemap import _loader

    def tags(node, out):
        out.append(node.tag)
        children = node.value if isinstance(node, yaml.SequenceNode) else (
            [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else [])
        for child in children:
            tags(child, out)
        return out

    extra = "a: ''\nb: ~\nc: 010\nd: yes\ne: 1.5e3\nf: .inf\ng: 2001-12-14\nh: [on, off, null, 0x1F]\n"
    texts = [p.read_text(encoding="utf-8") for p in sorted(corpus_dir("gha").glob("*.yml"))] + [extra]
    for text in texts:
        assert tags(yaml.compose(text, Loader=_loader()), []) == tags(yaml.compose(text, Loader=yaml.CSafeLoader), [])
