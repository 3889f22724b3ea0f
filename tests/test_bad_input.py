"""Bad input never gives a traceback: one line naming file and line, exit 1 (finding) or 2 (usage)."""
from __future__ import annotations

import pytest
from conftest import FIXTURES, SEED, run


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


@pytest.mark.parametrize("name, where, words", [
    ("bad-yaml.wflint.yaml", ":3:8:", "invalid YAML"),
    ("bad-key.wflint.yaml", ":4:5:", "unknown key 'durations'"),
    ("bad-duration.wflint.yaml", ":2:11:", "not a duration: '2x'"),
    ("bad-brief.wflint.txt", ":6:1:", "cannot read dependency"),
])
def test_unreadable_files_are_one_wfl001_line(name, where, words):
    path = FIXTURES / "rules" / "WFL001" / name
    result = run("check", path)
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"{path}{where} WFL001 ") and words in first
    report = run("report", path)
    assert report.exit_code == 1 and report.stdout == ""
    line = one_line(report.stderr)
    assert line.startswith(f"{path}{where}") and words in line


def test_cycle_is_gra001_with_its_line():
    path = FIXTURES / "rules" / "GRA001" / "bad.wflint.yaml"
    result = run("check", path, "--format", "json")
    assert result.exit_code == 1
    (finding,) = result.json()["findings"]
    assert finding["code"] == "GRA001" and finding["line"] == 3
    line = one_line(run("report", path).stderr)
    assert "dependency cycle" in line and str(path) in line


def test_a_cycle_with_a_task_after_it_listed_first_is_named_too(tmp_path):
    """A task downstream of the cycle, listed first, waits only for the cycle: the search for the
    cycle walks back from it (it stopped there with a traceback)."""
    path = tmp_path / "w.wflint.yaml"
    path.write_text("current: graph\ntasks:\n  d: {needs: [a]}\n  a: {needs: [c]}\n  b: {needs: [a]}\n"
                    "  c: {needs: [b]}\n")
    result = run("check", path, "--format", "json")
    assert result.exit_code == 1
    (finding,) = result.json()["findings"]
    assert (finding["code"], finding["message"]) == ("GRA001", "dependency cycle: a → b → c → a")


def test_missing_task_is_gra002_with_its_line():
    path = FIXTURES / "rules" / "GRA002" / "bad.wflint.yaml"
    result = run("check", path, "--format", "json")
    assert result.exit_code == 1
    (finding,) = result.json()["findings"]
    assert (finding["code"], finding["line"]) == ("GRA002", 4)
    assert "did you mean `fetch_crm`" in finding["message"]
    report = run("report", path)
    assert report.exit_code == 1 and f"{path}:4:" in one_line(report.stderr)


def test_missing_path_is_usage_error(tmp_path):
    result = run("check", tmp_path / "nope.wflint.yaml")
    assert result.exit_code == 2
    assert one_line(result.stderr) == f"wflint: error: {tmp_path / 'nope.wflint.yaml'}: no such file or directory"


def test_unknown_option_is_usage_error():
    result = run("check", "--frobnicate", FIXTURES)
    assert result.exit_code == 2
    assert one_line(result.stderr) == "wflint: error: unrecognized arguments: --frobnicate (see 'wflint --help')"


def test_options_are_spelt_out_in_full():
    result = run("check", "--form", "json", FIXTURES)
    assert result.exit_code == 2
    assert "unrecognized arguments: --form" in result.stderr


def test_bad_choice_and_missing_timings_file_are_usage_errors(tmp_path):
    bad = run("check", "--format", "yaml", FIXTURES)
    assert bad.exit_code == 2
    assert "argument --format/--output-format: invalid choice: 'yaml'" in one_line(bad.stderr)
    missing = run("report", "--timings", tmp_path / "absent.json", SEED)
    assert missing.exit_code == 2
    assert "argument --timings: no such file" in one_line(missing.stderr)


def test_unknown_rule_code_is_usage_error():
    result = run("check", "--select", "XYZ9", FIXTURES / "examples")
    assert result.exit_code == 2 and "unknown rule code" in one_line(result.stderr)


def test_file_of_unknown_format_named_explicitly(write):
    path = write("notes.txt", "just some notes\n")
    result = run("check", path)
    assert result.exit_code == 2 and "not a workflow file" in one_line(result.stderr)
    assert "(known formats: spec, n8n, airflow, gha)" in result.stderr


def test_a_dag_file_built_by_project_helpers_says_why_it_is_not_read(write):
    """DAGs made by a repository's own ``create_dag`` helper, with no airflow import in the file
    (as in elifesciences' data-hub DAGs): the one line says what wflint looks for."""
    path = write("pipeline.py", "from project.dags import create_dag, task\n\ndag = create_dag('x')\n"
                 "task('a', dag) >> task('b', dag)\n")
    line = one_line(run("check", path).stderr)
    assert line == (f"wflint: error: {path}: not a workflow file wflint can read (a .py file is read as an "
                    "Airflow DAG file when it imports airflow, as `from airflow import DAG` does, or a module "
                    "of its repository that does; this one imports neither)")


@pytest.mark.parametrize("text, where, words", [
    ("tasks: [a, b]\n", ":1:1:", "tasks: expected a mapping"),
    ("current: parallel\ntasks: {a: {}}\n", ":1:1:", "expected 'sequential' or 'graph'"),
    ("tasks:\n  a: {}\n  b: {after: [a]}\n", ":3:7:", "'after' orders tasks only with 'current: graph'"),
    ("tasks:\n  a: {needs: [b]}\n  b: {}\n", ":2:15:", "listed after it"),
    ("tasks:\n  a: {items: 0}\n", ":2:7:", "whole number of at least 1"),
    ("tasks:\n  a: {}\nlimits:\n  apis: {crm: fast}\n", ":4:10:", "not a rate"),
    ("tasks:\n  a: {}\n  a: {}\n", ":3:3:", "duplicate key 'a'"),
    ("", ":1:1:", "expected a mapping"),
    ("\xff", "", ""),
])
def test_spec_errors_name_line_and_key(write, text, where, words):
    path = write("w.wflint.yaml", text)
    result = run("check", path)
    assert result.exit_code == 1
    assert "Traceback" not in result.stdout + result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"{path}{where}") and "WFL001" in first and words in first


def test_not_utf8_is_wfl001(tmp_path):
    path = tmp_path / "w.wflint.yaml"
    path.write_bytes(b"tasks:\n  a: {title: \xff}\n")
    result = run("check", path)
    assert result.exit_code == 1 and "not UTF-8" in result.stdout
    assert result.stdout.startswith(f"{path}:2:14: WFL001")  # where the bad byte is


def test_a_named_file_that_is_no_workflow_is_a_notice_when_others_are_read(tmp_path):
    """One helper module among the DAGs named by a hook must not hide every other file's findings."""
    helper = tmp_path / "helper.py"
    helper.write_text("VALUE = 1\n")
    example = FIXTURES / "examples" / "customer-health.wflint.yaml"
    result = run("check", helper, example, "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0
    assert f"notice: {helper}: not a workflow file" in result.stderr
    assert result.json()["summary"]["files"] == 1
    alone = run("check", helper)
    assert alone.exit_code == 2 and "not a workflow file" in one_line(alone.stderr)
    two = tmp_path / "other.py"
    two.write_text("OTHER = 2\n")
    assert run("check", helper, two).exit_code == 2


def test_sniffing_needs_typed_n8n_nodes_and_knows_relative_workflow_folders(tmp_path, monkeypatch):
    graph = tmp_path / "graph.json"
    graph.write_text('{"nodes": [{"id": 1, "type": "box"}], "connections": {"1": [2]}}')
    assert "not a workflow file" in run("check", graph).stderr
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "plain.yml").write_bytes(b"\xef\xbb\xbfon: push\njobs:\n  a:\n"
                                       b"    runs-on: ubuntu-latest\n    steps: [{run: echo}]\n")
    monkeypatch.chdir(tmp_path)
    result = run("check", ".github/workflows/plain.yml", "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    assert result.json()["workflows"][0]["coverage"]["tasks"] == 1


def test_a_non_utf8_file_no_format_claims_is_passed_over_in_a_folder(tmp_path):
    """A UTF-16 README or requirements.txt found in a folder is nobody's workflow (rounds 10 GHA F3,
    Airflow bug 2): passed over, as the same file in UTF-8 is; a workflow's own path in UTF-16, and
    any file named on the command line, still get WFL001."""
    utf16 = "\ufeffnumpy==1.26\n".encode("utf-16-le")
    (tmp_path / "requirements.txt").write_bytes(utf16)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "README.md").write_bytes("caf\xe9\n".encode("latin-1"))
    quiet = run("check", str(tmp_path), "--format", "json", "--fail-on", "never").json()["findings"]
    assert quiet == []
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_bytes("on: push\n".encode("utf-16"))
    found = run("check", str(tmp_path), "--format", "json", "--fail-on", "never").json()["findings"]
    assert [(f["code"], f["path"].rsplit("/", 1)[-1]) for f in found] == [("WFL001", "ci.yml")]
    named = run("check", str(tmp_path / "requirements.txt"), "--format", "json", "--fail-on", "never").json()["findings"]
    assert [f["code"] for f in named] == ["WFL001"]
