"""Untrusted input (pull requests, staged files, agents' text) never crashes, hangs or loses data
(issue 16): each class gives one line naming file, line and reason, in bounded time, and ``fix``
changes only the bytes it means to. The console script runs as a subprocess where the process
itself is under test (a hang, a write to /dev/full, a signal)."""
from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, run

WFLINT = [sys.executable, "-m", "wflint"]
FIXABLE = {  # one fixture per format whose safe fix applies (checked below: each changes the file)
    "spec": FIXTURES / "rules" / "PAR001" / "bad-after.wflint.yaml",
    "gha": FIXTURES / "rules" / "SAF310" / "bad.yml",
    "n8n": FIXTURES / "rules" / "SAF003" / "bad-n8n-no-merge.json",
}
# n8n's join fix is never safe (SAF003 speaks only where a node after the join is seen): asked for
FIX_ARGS = {"n8n": ("--unsafe-fixes",)}


def wflint(*args, cwd=None, stdout=subprocess.PIPE, timeout=30) -> subprocess.CompletedProcess:
    return subprocess.run([*WFLINT, *map(str, args)], cwd=cwd, stdout=stdout, stderr=subprocess.PIPE,
                          text=True, timeout=timeout, check=False)


def no_traceback(*texts: str) -> None:
    for text in texts:
        assert "Traceback" not in text, text


def laughs(levels: int = 9) -> str:
    """A few hundred bytes that expand to 9**levels values through nested aliases."""
    lines = ["x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- reading

@pytest.mark.parametrize("name, text", [
    ("lol.wflint.yaml", "name: w\n" + laughs() + "tasks:\n  a: {duration: 1s}\n"),
    (".github/workflows/lol.yml", "on: push\n" + laughs() + "jobs:\n  j:\n    runs-on: ubuntu-latest\n    steps: *a9\n"),
    (".github/workflows/self.yml", "a: &a [*a]\non: push\njobs: {}\n"),
    ("deep.json", '{"nodes": [{"type": "n8n-nodes-base.set"}], "connections": {"a": '
                  + "[" * 100_000 + "]" * 100_000 + "}}"),
    ("bigint.json", '{"nodes": [{"name": "a", "type": "n8n-nodes-base.set", "parameters": {"n": '
                    + "9" * 5000 + "}}], \"connections\": {}}"),
])
def test_bombs_are_one_wfl001_line_in_bounded_time(tmp_path, name, text):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    start = time.perf_counter()
    result = run("check", path)
    assert time.perf_counter() - start < 20
    assert result.exit_code == 1
    (line,) = [x for x in result.stdout.splitlines() if "WFL001" in x]
    assert line.startswith(f"{path}:")
    no_traceback(result.stdout, result.stderr)


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity"])
def test_a_duration_that_is_not_a_finite_number_is_reported_not_analysed(tmp_path, amount):
    path = tmp_path / "wait.json"
    path.write_text('{"nodes": [{"name": "W", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, '
                    f'"parameters": {{"amount": {amount}, "unit": "seconds"}}, "position": [0, 0]}}], "connections": {{}}}}')
    for args in (("check", path), ("report", path)):
        result = run(*args)
        assert result.exit_code == 1
        no_traceback(result.stdout, result.stderr)
        assert "WFL001" in result.stdout + result.stderr and "finite" in result.stdout + result.stderr


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-5"])
def test_timings_that_are_not_durations_are_a_usage_error_naming_the_file(tmp_path, value):
    timings = tmp_path / "timings.json"
    timings.write_text(f'{{"fetch_crm": {value}}}')
    result = run("report", FIXTURES / "examples" / "customer-health.wflint.yaml", "--timings", timings)
    assert result.exit_code == 2
    assert str(timings) in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_broken_pyproject_of_another_tool_is_passed_over(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = [\n")
    shutil.copy(FIXTURES / "examples" / "customer-health.wflint.yaml", tmp_path)
    assert run("check", tmp_path / "customer-health.wflint.yaml", "--fail-on", "never").exit_code == 0


def test_a_wflint_config_that_is_not_utf8_is_one_line(tmp_path):
    (tmp_path / "pyproject.toml").write_bytes(b'[tool.wflint]\nselect = ["\xff"]\n')
    shutil.copy(FIXTURES / "examples" / "customer-health.wflint.yaml", tmp_path)
    result = run("check", tmp_path / "customer-health.wflint.yaml")
    assert result.exit_code == 2 and "not UTF-8" in result.stderr and "pyproject.toml" in result.stderr


def test_a_fifo_in_a_folder_is_passed_over_and_a_symlink_loop_is_a_finding(tmp_path):
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "ci" / "use-action.yml", folder / "ok.yml")
    os.mkfifo(folder / "pipe.yml")
    os.symlink("loop-b.yml", folder / "loop-a.yml")
    os.symlink("loop-a.yml", folder / "loop-b.yml")
    os.symlink("../../docs/README.md", tmp_path / ".github" / "README.md")  # a docs link a partial checkout lacks
    result = wflint("check", ".", "--format", "json", cwd=tmp_path, timeout=60)
    no_traceback(result.stderr)
    import json

    out = json.loads(result.stdout)
    assert sorted(Path(f["path"]).name for f in out["findings"] if f["code"] == "WFL001") == ["loop-a.yml", "loop-b.yml"]
    assert any(w["path"].endswith("ok.yml") for w in out["workflows"])  # the run went on


def test_a_device_named_explicitly_is_read_with_a_size_cap():
    result = wflint("check", "/dev/zero", timeout=60)
    assert result.returncode == 1 and "larger than" in result.stdout
    no_traceback(result.stderr)


# --------------------------------------------------------------------------- writing output

def test_output_that_cannot_be_written_is_one_line(tmp_path):
    src = FIXTURES / "ci" / "use-action.yml"
    with open("/dev/full", "w") as full:
        result = wflint("check", src, stdout=full)
    assert result.returncode == 2 and "cannot write to standard output" in result.stderr
    no_traceback(result.stderr)
    for target, words in ((tmp_path / "missing" / "out.txt", "cannot write in"),
                          (src, "is one of the files being read")):
        result = run("check", src, "--output-file", target)
        assert result.exit_code == 2 and words in result.stderr
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "elsewhere.txt")
    assert "is a symlink" in run("report", src, "--output-file", link).stderr
    assert not (tmp_path / "elsewhere.txt").exists()


# --------------------------------------------------------------------------- fix

def test_fix_on_an_unreadable_file_reports_wfl001_and_fails(tmp_path):
    path = tmp_path / "bad.wflint.yaml"
    path.write_text("name: w\ntasks:\n  a: {duration: -5s}\n")
    result = run("fix", path)
    assert result.exit_code == 1 and "WFL001" in result.stderr and "could not be read" in result.stdout
    assert path.read_text() == "name: w\ntasks:\n  a: {duration: -5s}\n"


def _stored(kind: str, text: str) -> bytes:
    data = text.encode()
    if kind == "crlf":
        return data.replace(b"\n", b"\r\n")
    if kind == "bom":
        return b"\xef\xbb\xbf" + data
    return data.rstrip(b"\n")  # "no-final-newline"


@pytest.mark.parametrize("fmt", sorted(FIXABLE))
@pytest.mark.parametrize("kind", ["crlf", "bom", "no-final-newline"])
def test_fix_keeps_how_the_file_is_stored_and_diff_is_exactly_what_fix_writes(tmp_path, fmt, kind):
    source = FIXABLE[fmt]
    original = _stored(kind, source.read_text())
    path = tmp_path / source.name
    path.write_bytes(original)
    args = FIX_ARGS.get(fmt, ())
    diff = subprocess.run([*WFLINT, "fix", *args, "--diff", str(path)], capture_output=True, check=False)  # bytes: CRs kept
    assert diff.returncode == 1 and diff.stdout.startswith(b"--- ")
    patched = tmp_path / "patched"
    patched.write_bytes(original)
    subprocess.run(["patch", "-s", "--binary", str(patched)], input=diff.stdout, check=True)
    assert wflint("fix", *args, path).returncode == 0
    written = path.read_bytes()
    assert written != original and written == patched.read_bytes()
    if kind == "crlf":
        assert written.count(b"\n") == written.count(b"\r\n")
    if kind == "bom":
        assert written.startswith(b"\xef\xbb\xbf") and written.count(b"\xef\xbb\xbf") == 1


def test_fix_is_deterministic(tmp_path):
    outputs = []
    for i in range(2):
        path = tmp_path / str(i) / FIXABLE["n8n"].name
        path.parent.mkdir()
        shutil.copy(FIXABLE["n8n"], path)
        assert run("fix", *FIX_ARGS["n8n"], path).exit_code == 0
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1] != FIXABLE["n8n"].read_bytes()


def test_fix_writes_through_a_symlink_and_keeps_it_a_link(tmp_path):
    target = tmp_path / "real" / "workflow.yml"
    target.parent.mkdir()
    shutil.copy(FIXABLE["gha"], target)
    link = tmp_path / "link.yml"
    link.symlink_to(target)
    assert run("fix", link).exit_code == 0
    assert link.is_symlink() and target.read_bytes() != FIXABLE["gha"].read_bytes()


def test_fix_does_not_rewrite_a_read_only_file_and_leaves_no_temp_file(tmp_path):
    path = tmp_path / FIXABLE["gha"].name
    shutil.copy(FIXABLE["gha"], path)
    path.chmod(stat.S_IRUSR | stat.S_IRGRP)
    result = run("fix", path)
    assert result.exit_code == 1 and "read-only" in result.stderr
    assert path.read_bytes() == FIXABLE["gha"].read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_fix_refuses_a_file_with_mixed_line_endings(tmp_path):
    path = tmp_path / FIXABLE["spec"].name
    lines = FIXABLE["spec"].read_text().splitlines(True)
    path.write_bytes("".join(line.replace("\n", "\r\n") if i % 2 else line for i, line in enumerate(lines)).encode())
    before = path.read_bytes()
    result = run("fix", path)
    assert "mixed line endings" in result.stderr and path.read_bytes() == before


# --------------------------------------------------------------------------- names shown

NAMES = ('name: "w<script>x</script>\\nINJECTED"\ncurrent: sequential\ntasks:\n'
         '  a: {title: "A\\nfile.yml:1:1: SAF001 forged\\n## Heading <img src=x onerror=alert(1)>",\n'
         '      duration: 2s, reads: ["x:1"]}\n'
         '  b: {title: "B\\u202eevil", duration: 3s, reads: ["y:1"]}\n'
         '  c: {title: C, duration: 1s, needs: [a, b]}\n')


def test_names_with_newlines_html_or_bidi_controls_stay_one_escaped_line(tmp_path):
    path = tmp_path / "names.wflint.yaml"
    path.write_text(NAMES)
    check = run("check", path, "--fail-on", "never")
    (line,) = [x for x in check.stdout.splitlines() if "PAR001" in x]
    assert "A\\nfile.yml:1:1: SAF001 forged" in line and "\u202e" not in check.stdout
    assert not any(x.startswith("file.yml") for x in check.stdout.splitlines())
    markdown = run("report", path).stdout
    assert "\n## Heading" not in markdown and "\nINJECTED" not in markdown
    outside_code = re.sub(r"`[^`\n]*`", "", markdown)
    assert "<img" not in outside_code and "<script>" not in outside_code and "&lt;img" in markdown
    page = run("report", path, "--format", "html").stdout
    assert "<img" not in page and "<script>x" not in page and "&lt;img src=x" in page
    graph = run("graph", path).stdout
    assert "<img" not in graph and "\n## Heading" not in graph


def test_a_matrix_with_ten_thousand_include_and_exclude_entries_is_read_in_bounded_time(tmp_path):
    include = "".join(f"          - {{os: o{i}, v: {i}}}\n" for i in range(10_000))
    exclude = "".join(f"          - {{os: a, v: {i}}}\n" for i in range(10_000))
    path = tmp_path / ".github" / "workflows" / "matrix.yml"
    path.parent.mkdir(parents=True)
    path.write_text("on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n"
                    f"        os: [a, b, c]\n        v: [{', '.join(map(str, range(200)))}]\n"
                    f"        include:\n{include}        exclude:\n{exclude}    steps:\n      - run: echo\n")
    start = time.perf_counter()
    result = run("report", path, "--format", "json")
    assert time.perf_counter() - start < 10
    assert result.exit_code == 0, result.stderr


def test_a_merge_with_an_astronomical_input_count_is_a_finding_in_bounded_time(tmp_path):
    path = tmp_path / "merge.json"
    path.write_text('{"nodes": [{"name": "T", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {},'
                    ' "position": [0, 0]}, {"name": "M", "type": "n8n-nodes-base.merge", "typeVersion": 3,'
                    ' "parameters": {"numberInputs": 1000000000000}, "position": [1, 1]}],'
                    ' "connections": {"T": {"main": [[{"node": "M", "type": "main", "index": 0}]]}}}')
    start = time.perf_counter()
    result = run("check", path, "--format", "json")
    assert time.perf_counter() - start < 10
    messages = [f["message"] for f in result.json()["findings"]]
    assert any("numberInputs is 1000000000000" in m for m in messages) and len(messages) < 5


LONE_SURROGATE = (  # JSON allows a lone surrogate escape; UTF-8 output cannot hold one
    '{"name": "s", "nodes": ['
    '{"id": "1", "name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0],'
    ' "parameters": {}},'
    '{"id": "2", "name": "Code \\ud83d", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [200, 0],'
    ' "parameters": {"jsCode": "return $(\'Missing \\\\ud83d\').all();"}}],'
    ' "connections": {"Start": {"main": [[{"node": "Code \\ud83d", "type": "main", "index": 0}]]}}}'
)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_a_lone_surrogate_in_a_name_is_shown_escaped_in_every_format(tmp_path, fmt):
    path = tmp_path / "lone.json"
    path.write_text(LONE_SURROGATE)
    check = wflint("check", "--format", fmt, path)
    no_traceback(check.stderr)
    assert check.returncode == 1 and "GRA002" in check.stdout
    assert "\\ud83d" in check.stdout  # the escape, never the raw (unwritable) code unit
