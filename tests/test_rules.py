"""Every rule has docs, good and bad fixtures; bad ones trigger it, good ones do not."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, run

from wflint.rule import all_rules

RULE_DIR = FIXTURES / "rules"
# A case is a file, or a folder laid out as a repository (`bad-repo/.github/workflows/`) for rules
# that judge a repository's files together.
CASES = sorted(p for p in RULE_DIR.glob("*/*") if p.is_file() or p.is_dir() and p.name.startswith(("bad", "good")))


def codes_in(path: Path) -> list[str]:
    result = run("check", "--preview", path, "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    return [f["code"] for f in result.json()["findings"]]


@pytest.mark.parametrize("code", sorted(all_rules()))
def test_rule_has_docs_and_fixtures(code):
    info = all_rules()[code]
    for part in ("**What.**", "**Why.**", "**Example.**", "**Fix"):
        assert part in info.doc, f"{code} docstring lacks {part}"
    cases = [p.name for p in (RULE_DIR / code).iterdir()]
    assert any(n.startswith("bad") for n in cases) and any(n.startswith("good") for n in cases)


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_triggers_its_rule_only_when_bad(path):
    code = path.parent.name
    found = codes_in(path)
    if path.name.startswith("bad"):
        assert code in found
    else:
        assert code not in found


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_findings_snapshot(path, snapshot):
    result = run("check", "--preview", path, "--fail-on", "never")
    assert result.stdout.replace(str(ROOT) + "/", "") == snapshot


def test_rules_command_lists_and_documents():
    listing = run("rules").stdout.splitlines()
    assert [line.split()[0] for line in listing] == list(all_rules())
    doc = run("rules", "par001")
    assert doc.exit_code == 0 and doc.stdout.startswith("PAR001 independent-sequential-tasks (warning)")
    assert run("rules", "NOPE01").exit_code == 2
    as_json = run("rules", "--format", "json").json()
    assert {r["code"] for r in as_json} == set(all_rules())


def test_select_ignore_and_fail_on():
    path = RULE_DIR / "RES001" / "bad-concurrent.wflint.yaml"
    assert run("check", "--preview", path).exit_code == 1
    assert run("check", "--preview", path, "--ignore", "RES").exit_code == 0
    assert run("check", "--preview", path, "--select", "PAR,GRA").exit_code == 0
    par = RULE_DIR / "PAR001" / "bad-sequential.wflint.yaml"
    assert run("check", "--preview", par).exit_code == 0  # warnings inform, errors fail
    assert run("check", "--preview", par, "--fail-on", "warning").exit_code == 1
    assert run("check", "--preview", RULE_DIR / "GRA003" / "bad.wflint.yaml", "--fail-on", "info").exit_code == 1
    assert run("check", "--preview", path, "--fail-on", "never").exit_code == 0


def test_low_confidence_is_never_a_safe_fix():
    for path in CASES:
        result = run("check", "--preview", path, "--format", "json", "--fail-on", "never")
        for f in result.json()["findings"]:
            if f["confidence"] == "low" and f["fix"]:
                assert f["fix"]["applicability"] != "safe"


def test_folder_search_finds_spec_and_brief_files_only(tmp_path):
    (tmp_path / "a.wflint.yaml").write_text((RULE_DIR / "SAF001" / "bad.wflint.yaml").read_text())
    (tmp_path / "notes.md").write_text("# notes\n")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "b.wflint.yaml").write_text("tasks: [")
    result = run("check", "--preview", tmp_path, "--format", "json")
    assert result.json()["summary"]["files"] == 1
    assert [f["code"] for f in result.json()["findings"]] == ["SAF001"]


def test_output_file_is_written(tmp_path):
    out = tmp_path / "out.json"
    result = run("check", "--preview", RULE_DIR / "SAF002" / "bad.wflint.yaml", "--format", "json", "--output-file", out)
    assert result.exit_code == 1 and result.stdout == ""
    assert '"SAF002"' in out.read_text()


def test_graph_command_draws_declared_and_relaxed():
    seed = ROOT / "fixtures" / "examples" / "customer-health.wflint.yaml"
    declared = run("graph", seed).stdout
    assert declared.startswith("flowchart LR") and "fetch_crm -.-> fetch_tickets" in declared
    relaxed = run("graph", seed, "--relaxed").stdout
    assert "fetch_crm --> health_score" in relaxed and "fetch_crm -.-> fetch_tickets" not in relaxed
    dot = run("graph", seed, "--format", "dot", "--relaxed").stdout
    assert dot.startswith('digraph "customer-health" {') and '"fetch_tickets" -> "health_score";' in dot


def test_graph_trace_holds_both_schedules():
    import json

    seed = ROOT / "fixtures" / "examples" / "customer-health.wflint.yaml"
    events = json.loads(run("graph", seed, "--format", "trace").stdout)["traceEvents"]
    spans = [e for e in events if e["ph"] == "X"]
    before = {e["args"]["id"]: e for e in spans if e["pid"] == 1}
    after = {e["args"]["id"]: e for e in spans if e["pid"] == 2}
    assert before["fetch_tickets"]["ts"] == 2_000_000 and after["fetch_tickets"]["ts"] == 0
    assert after["fetch_crm"]["tid"] != after["fetch_tickets"]["tid"]  # overlapping: separate rows
    assert max(e["ts"] + e["dur"] for e in after.values()) == 6_000_000


def test_equal_parallel_chains_are_both_reported_and_fixed_together(tmp_path):
    """Each of two equal chains saves nothing alone; the one credited first is still reported (by
    default: the run needs it), and fixing both takes the run from 4s to 2s."""
    import shutil

    path = tmp_path / "chains.wflint.yaml"
    shutil.copy(FIXTURES / "rules" / "PAR001" / "bad-equal-parallel-chains.wflint.yaml", path)
    found = run("check", path, "--format", "json").json()["findings"]
    assert [f["tasks"] for f in found] == [["load_orders", "load_refunds"], ["fetch_prices", "fetch_rates"]]
    assert "saves at least 2s end to end once the other parallel groups are applied" in found[0]["detail"]
    assert run("fix", path).exit_code == 0
    assert run("check", path, "--format", "json").json()["findings"] == []
    assert run("report", path, "--format", "json").json()["current_s"] == 2.0
