"""``--timings`` reads the engines' own run data (issue 18 item 1): GitHub jobs (gh and REST),
Airflow task instances, n8n executions and the plain map; several files give the median."""
from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, run

from wflint.adapters.airflow.runs import run_durations as airflow_runs
from wflint.adapters.gha.runs import job_name
from wflint.adapters.gha.runs import run_durations as gha_runs
from wflint.adapters.n8n.runs import run_durations as n8n_runs
from wflint.timings import load_timings

T = FIXTURES / "timings"


def report(path, *timings) -> tuple[dict, str]:
    args = [a for t in timings for a in ("--timings", T / t)]
    result = run("report", path, "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return result.json(), result.stderr


def durations(data: dict) -> dict[str, tuple[float, str]]:
    return {t["id"]: (t["duration_s"], t["duration_source"]) for t in data["tasks"]}


def test_github_jobs_from_gh_and_rest_give_the_median_per_job():
    data, stderr = report(T / "ci.yml", "gh_jobs.json", "gh_rest.json")
    got = durations(data)
    assert got["build"] == (270.0, "measured")  # 4 min and 5 min: the median
    assert got["test"] == (480.0, "measured")  # the slowest matrix instance of its run
    assert got["lint"] == (60.0, "measured")
    assert data["measured_share"] == 1.0
    assert "timings for 'release' match no task" in stderr  # the reusable caller's job is not in ci.yml


def test_github_job_names_map_to_jobs():
    assert job_name("test (ubuntu-latest, 3.12)") == "test"
    assert job_name("release / publish") == "release"
    assert job_name("Build docs") == "Build docs"
    assert gha_runs({"jobs": [{"name": "a"}]}) is None  # no times: not run data
    assert gha_runs({"a": 1}) is None


def test_airflow_task_instances_fold_mapped_instances():
    data, _ = report(T / "etl.py", "af_v1.json")
    got = durations(data)
    assert got["extract"] == (120.5, "measured")
    assert got["load"] == (91.0, "measured")  # map 0 and 1 side by side: first start to last end
    assert got["report"][1] != "measured"
    assert 0 < data["measured_share"] < 1
    (only,) = airflow_runs([{"task_id": "x", "duration": 3.0}])
    assert only == {"x": 3.0}


def test_n8n_execution_sums_a_nodes_runs():
    data, _ = report(T / "flow.json", "n8n_exec.json")
    assert durations(data)["HTTP Request"] == (1.5, "measured")  # two runs: 850 ms + 650 ms
    assert n8n_runs({"runData": {"A": [{"executionTime": 1000}]}}) == [{"A": 1.0}]
    assert n8n_runs({"nodes": [], "connections": {}}) is None


def test_the_plain_map_still_works_and_unknown_names_are_said(tmp_path):
    timings = tmp_path / "t.json"
    timings.write_text(json.dumps({"fetch_crm": 4, "fetch_tikets": 1}))
    data, stderr = report(FIXTURES / "examples" / "customer-health.wflint.yaml", timings)
    assert durations(data)["fetch_crm"] == (4.0, "measured")
    assert "'fetch_tikets' (closest: 'fetch_tickets') match no task" in stderr


def test_several_runs_keep_their_spread():
    merged = load_timings([str(T / "gh_jobs.json"), str(T / "gh_rest.json")])
    assert merged is not None and merged.runs == 2 and merged.formats == ["gha", "gha"]
    assert merged["build"] == 270.0 and merged.spread["build"] == (246.0, 294.0)


@pytest.mark.parametrize("content", ['{"jobs": [{"name": "a", "startedAt": "x", "completedAt": "y"}]}', "[]", '"text"'])
def test_data_that_is_no_timings_is_a_usage_error(tmp_path, content):
    timings = tmp_path / "t.json"
    timings.write_text(content)
    result = run("report", FIXTURES / "examples" / "customer-health.wflint.yaml", "--timings", timings)
    assert result.exit_code == 2 and str(timings) in result.stderr
