"""One report, consistent with ``check`` (issue 18 item 3): the report lists check's findings, a
group it calls safe carries no safety finding and drops no gate, the critical path is one list in
every output, the opportunity rows add up to the headline, and the depths are what the groups remove."""
from __future__ import annotations

import json
import re

from conftest import SEED, run

# Two lint jobs that need each other only by `needs:`; GitHub reads a `needs:` as a gate (skip on failure).
GATED = """name: gated
on: push
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: ruff check .
  test:
    needs: lint
    runs-on: ubuntu-latest
    steps:
      - run: pytest -q
"""

# A spec workflow: two independent fetches, a join, then two independent writes.
TIMED = """name: timed
current: sequential
tasks:
  pull_a: {title: Pull A, duration: 4s, reads: ["api:a"]}
  pull_b: {title: Pull B, duration: 6s, reads: ["api:b"]}
  merge: {title: Merge, duration: 2s, needs: [pull_a, pull_b]}
  push_x: {title: Push X, duration: 3s, needs: [merge], writes: ["db:x"]}
  push_y: {title: Push Y, duration: 1s, needs: [merge], writes: ["db:y"]}
"""


def _report(path) -> dict:
    result = run("report", path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return result.json()


def test_report_lists_what_check_finds(write):
    path = write("timed.wflint.yaml", TIMED)
    report = _report(path)
    checked = run("check", path, "--format", "json", "--exit-zero").json()["findings"]
    assert [f["fingerprint"] for f in report["findings"]] == [f["fingerprint"] for f in checked]
    assert report["findings"] and report["findings"][0].keys() == checked[0].keys()
    page = run("report", path).stdout
    assert "### Findings of `wflint check`" in page
    assert page.count("| PAR001 | warning |") == len(checked)


def test_a_group_that_drops_a_gate_is_not_called_safe(write):
    report = _report(write("ci.yml", GATED))
    (group,) = report["dependency_check"]["groups"]
    assert group["gates_dropped"] == ["test waits for lint and is skipped when it fails; no data passes"]
    assert group["safe"] is False
    assert "needs attention" in run("report", write("ci2.yml", GATED)).stdout


def test_a_group_without_hazards_is_safe_and_has_no_safety_finding(write):
    report = _report(write("timed.wflint.yaml", TIMED))
    groups = report["dependency_check"]["groups"]
    assert [g["tasks"] for g in groups] == [["pull_a", "pull_b"], ["push_x", "push_y"]]
    assert all(g["safe"] and not g["safety_findings"] and not g["gates_dropped"] for g in groups)
    assert not [f for f in report["findings"] if f["code"].startswith("SAF")]


def test_critical_path_is_one_list_in_every_output(write):
    path = write("timed.wflint.yaml", TIMED)
    report = _report(path)
    assert report["critical_path_before"] == ["pull_a", "pull_b", "merge", "push_x", "push_y"]
    assert report["critical_path"] == ["pull_b", "merge", "push_x"]
    assert [t["id"] for t in report["tasks"] if t["critical"]] == ["pull_b", "merge", "push_x"]
    text = run("report", path, "--format", "text").stdout
    assert "Critical path: Pull B → Merge → Push X" in text
    assert "Critical path as designed: Pull A → Pull B → Merge → Push X → Push Y" in text
    trace = json.loads(run("graph", path, "--format", "trace").stdout)["traceEvents"]
    after = [e["args"]["id"] for e in trace if e.get("pid") == 2 and e["ph"] == "X" and e["args"]["critical"]]
    before = [e["args"]["id"] for e in trace if e.get("pid") == 1 and e["ph"] == "X" and e["args"]["critical"]]
    assert sorted(after) == sorted(report["critical_path"]) and sorted(before) == sorted(report["critical_path_before"])
    markdown = run("report", path).stdout
    charts = re.findall(r"```mermaid\ngantt\n(.*?)```", markdown, re.S)
    marked = [re.findall(r":crit, (\w+),", chart) for chart in charts]
    assert marked == [report["critical_path_before"], report["critical_path"]]
    flow = run("graph", path, "--relaxed").stdout
    assert "class pull_b,merge,push_x critical" in flow


def test_opportunity_rows_add_up_to_the_headline(write):
    page = run("report", write("timed.wflint.yaml", TIMED)).stdout
    # 16 s one at a time → 11 s: the groups save 4 s and 1 s, and the table says so
    assert "| Group 1 | Pull A, Pull B |" in page and "| 4s (10s → 6s) |" in page
    assert "| 1s (4s → 3s) |" in page
    assert "| **Total** | – | the headline: before − after | **5s** |" in page
    assert "**Total time saved: 5s (31.2% faster)**" in page


def test_limits_row_when_the_plan_under_limits_differs_from_the_rows(write):
    # one task at a time: the groups' orderings go, but nothing can overlap, so nothing is saved
    one_at_a_time = run("report", write("capped.wflint.yaml", TIMED + "limits: {concurrency: 1}\n")).stdout
    assert "| Limits | – | held back by the declared limits" in one_at_a_time
    assert "| −5s |" in one_at_a_time and "| **Total** | – | the headline: before − after | **0s** |" in one_at_a_time
    # the two pushes share a one-slot pool: the pull group's 4 s stand, the push group's 1 s does not
    pooled = TIMED.replace('"db:y"]}', '"db:y"], pool: db}').replace('"db:x"]}', '"db:x"], pool: db}')
    page = run("report", write("pooled.wflint.yaml", pooled + "limits:\n  pools: {db: 1}\n")).stdout
    assert "| −1s |" in page and "| **Total** | – | the headline: before − after | **4s** |" in page


def test_depth_after_is_what_the_groups_remove(write):
    # lint → test is one stage deep once the group's one removed `needs:` is gone
    report = _report(write("ci.yml", GATED))
    shape = report["structure"]
    assert (shape["depth_before"], shape["depth_after"]) == (2, 1)
    assert shape["removable_orderings"] == sum(1 for _ in report["dependency_check"]["groups"][0]["tasks"][1:])


def test_seed_report_still_adds_up():
    report = _report(SEED)
    assert report["critical_path"] == ["fetch_tickets", "health_score", "send_email"]
    assert round(sum(g["saved_s"] for g in report["groups"]), 6) == report["saved_s"] == 3.0


def test_python_api_report_lists_the_findings_too(write):
    import wflint

    path = write("timed.wflint.yaml", TIMED)
    (report,) = wflint.analyze(str(path))
    assert [f["code"] for f in report["findings"]] == ["PAR001", "PAR001"]
    assert all(g["safe"] for g in report["dependency_check"]["groups"])


def test_orderings_of_unknown_effects_are_kept_and_named_never_offered(write):
    # get and end run shell commands whose effects are unknown: their ordering is presumed needed,
    # so the report offers no group, counts nothing, and says what to declare to have it checked
    from test_pictures import TWO_DAGS

    path = write("two.py", TWO_DAGS)
    nightly = _report(path)["reports"][0]
    assert nightly["groups"] == [] and nightly["dependency_check"]["groups"] == []
    assert nightly["unchecked"] == [{"tasks": ["get", "end"], "orderings": [["get", "end"]], "unknown": ["get", "end"]}]
    shape = nightly["structure"]
    assert (shape["depth_before"], shape["depth_after"], shape["removable_orderings"]) == (2, 2, 0)
    (advice,) = [r for r in nightly["recommendations"] if r["tasks"] == ["get", "end"]]
    assert advice["group"] is None and advice["text"].startswith(
        "1 ordering(s) among get, end are kept: what they read and write is unknown")
    page = run("report", path).stdout.split("# Workflow analysis: weekly")[0]
    assert "## 2. Parallelization opportunities\n\nNone that wflint could check.\n\n- **Not checked**: 1 ordering(s) " \
           "among get, end are kept, because no task's effects are known" in page
    assert "| Group" not in page and "Nothing to parallelize" not in page
    text = run("report", path, "--format", "text").stdout
    assert "Not checked (kept in order: effects unknown, declare them to have these checked):\n" \
           "  - 1 ordering(s) among get, end: no task's effects are known" in text


def test_an_untimed_group_is_shown_by_its_longest_chain_of_tasks(write):
    """Without durations a group's row says how deep its chain is before and after; its span of
    stages could grow where its first task moves up while its last stays (4 → 5 on a real DAG)."""
    path = write("dag.py", '''from airflow import DAG
from airflow.operators.bash import BashOperator
with DAG("d"):
    a = BashOperator(task_id="a", bash_command="make a")
    b = BashOperator(task_id="b", bash_command="make b")
    c = BashOperator(task_id="c", bash_command="make c")
    d = BashOperator(task_id="d", bash_command="make d")
    a >> b >> c >> d
''')
    write("wflint.toml", "".join(f"[effects.{t}]\nwrites = [\"file:{t}\"]\n" for t in "abcd"))
    (group,) = _report(path)["groups"]
    assert group["tasks"] == ["a", "b", "c", "d"] and group["chain_tasks"] == [4, 1]
    assert "their chain 4 → 1 task(s) deep |" in run("report", path).stdout
