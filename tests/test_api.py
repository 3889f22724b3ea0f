"""The public Python API gives what the command line gives, as data (issue 17 item 7)."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT, run

import wflint

EXAMPLE = FIXTURES / "examples" / "customer-health.wflint.yaml"
FIXABLE = FIXTURES / "rules" / "SAF310" / "bad.yml"


def test_check_paths_finds_what_check_reports():
    findings = wflint.check_paths([FIXTURES / "rules" / "PAR001"])
    cli = run("check", FIXTURES / "rules" / "PAR001", "--format", "json", "--fail-on", "never").json()["findings"]
    assert [f.fingerprint for f in findings] == [f["fingerprint"] for f in cli]
    assert all(isinstance(f, wflint.Finding) for f in findings) and findings
    assert {f.code for f in wflint.check_paths([FIXTURES / "rules" / "PAR001"], select=["SAF"])} <= {"SAF001"}


def test_analyze_returns_the_report_data():
    (report,) = wflint.analyze(str(EXAMPLE))
    assert report["current_s"] == 9 and report["optimized_s"] == 6 and report["saved_s"] == 3
    (inline,) = wflint.analyze("inline.wflint.yaml", text=EXAMPLE.read_text())
    assert inline["saved_s"] == 3


def test_fix_previews_unless_asked_to_write(tmp_path):
    path = tmp_path / ".github" / "workflows" / "release.yml"
    path.parent.mkdir(parents=True)
    shutil.copy(FIXABLE, path)
    preview = wflint.fix(str(path))
    assert preview.changed and preview.diff.startswith("--- ") and not preview.written
    assert path.read_text() == FIXABLE.read_text()
    written = wflint.fix(str(path), write=True)
    assert written.written and path.read_text() == preview.text != FIXABLE.read_text()
    assert not wflint.fix(str(path)).changed


def test_errors_are_the_commands_errors(tmp_path):
    bad = tmp_path / "bad.wflint.yaml"
    bad.write_text("name: w\ntasks:\n  a: {duration: -1s}\n")
    with pytest.raises(wflint.ParseError):
        wflint.analyze(str(bad))
    with pytest.raises(wflint.UsageError):
        wflint.check_paths([tmp_path / "missing"])
    with pytest.raises(AttributeError):
        _ = wflint.no_such_thing


def test_the_package_is_typed_and_importing_it_loads_nothing_heavy():
    assert (ROOT / "linter" / "wflint" / "py.typed").is_file()
    code = "import sys, wflint; print(sorted(m for m in sys.modules if m.startswith('wflint')))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "['wflint']"
    assert set(wflint.__all__) >= {"check_paths", "analyze", "fix", "Finding"}
