"""The seed question, as a spec file and as a plain brief: 9s → 6s, groups {1, 2} and {4, 5}."""
from __future__ import annotations

import pytest
from conftest import SEED, SEED_BRIEF, run


@pytest.mark.parametrize("path, groups", [
    (SEED, [["fetch_crm", "fetch_tickets"], ["send_email", "dashboard"]]),
    (SEED_BRIEF, [["1", "2"], ["4", "5"]]),
])
def test_seed_numbers(path, groups):
    result = run("report", path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert report["current_s"] == 9
    assert report["optimized_s"] == 6
    assert report["ideal_s"] == 6
    assert report["saved_s"] == 3
    assert report["saved_pct"] == 33.3
    assert [g["tasks"] for g in report["groups"]] == groups
    assert [g["saved_s"] for g in report["groups"]] == [2, 1]
    apis = {a["name"]: a for a in report["resource_check"]["apis"]}
    assert set(apis) == {"crm", "zendesk"}
    assert all(a["ok"] for a in apis.values())
    assert apis["crm"]["limit_per_s"] == 10 and apis["zendesk"]["limit_per_s"] == 5
    assert apis["crm"]["tasks"] == [groups[0][0]] and apis["zendesk"]["tasks"] == [groups[0][1]]
    pools = report["resource_check"]["pools"]
    assert len(pools) == 1 and pools[0]["size"] == 10 and pools[0]["tasks"] == [] and pools[0]["ok"]
    assert all(g["safe"] for g in report["dependency_check"]["groups"])


def test_seed_markdown_has_the_six_sections_and_the_blueprint():
    text = run("report", SEED).stdout
    for heading in ("## 1. Current flow", "## 2. Parallelization opportunities", "## 3. Dependency check",
                    "## 4. Execution blueprint", "## 5. Resource-constraint check",
                    "## 6. Implementation recommendations"):
        assert heading in text
    assert "| Task Group | Tasks | Why They Can Run in Parallel | Estimated Time Saved |" in text
    assert ("`Fetch customer data from CRM (2s) → Fetch support tickets from Zendesk (3s) → "
            "Calculate customer health score (1s) → Send summary email (2s) → Update analytics dashboard (1s) = 9s`") in text
    assert ("`[Fetch customer data from CRM (2s) + Fetch support tickets from Zendesk (3s)] → "
            "Calculate customer health score (1s) → [Send summary email (2s) + Update analytics dashboard (1s)] = 6s`") in text
    assert "Total time saved: 3s (33.3% faster)" in text
    assert text.count("```mermaid\ngantt") == 2


def test_seed_check_reports_both_groups_as_warnings_and_exits_zero():
    result = run("check", SEED, "--format", "json")
    assert result.exit_code == 0
    found = result.json()["findings"]
    assert [f["code"] for f in found] == ["PAR001", "PAR001"]
    assert [f["saved_s"] for f in found] == [2, 1]
    assert found[0]["tasks"] == ["fetch_crm", "fetch_tickets"]
    assert found[0]["line"] == 6  # fetch_tickets: the task that waits for nothing
    assert all(f["duration_source"] == "declared" and f["severity"] == "warning" for f in found)


def test_brief_from_stdin():
    result = run("report", "-", "--stdin-format", "spec", "--format", "json", input=SEED_BRIEF.read_text())
    assert result.exit_code == 0, result.stderr
    assert result.json()["saved_s"] == 3


def test_measured_timings_override_and_are_labelled(write):
    timings = write("t.json", '{"fetch_crm": 4, "fetch_tickets": "1s"}')
    report = run("report", SEED, "--format", "json", "--timings", timings).json()
    tasks = {t["id"]: t for t in report["tasks"]}
    assert tasks["fetch_crm"]["duration_s"] == 4 and tasks["fetch_crm"]["duration_source"] == "measured"
    assert report["current_s"] == 9 and report["optimized_s"] == 7  # 4+1+1+2+1 → max(4, 1)+1+2
