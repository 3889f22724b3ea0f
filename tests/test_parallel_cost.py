"""The cost side of parallelism (issue 18 item 4), computed once (``wflint/cost.py``) and rendered
by text and markdown: GitHub runner time and set-up from run data (unknown without it), Airflow pool
and slot use of the plan, n8n requests in flight against each API's limit."""
from __future__ import annotations

from conftest import FIXTURES, run

from wflint.timings import load_timings

T = FIXTURES / "timings"


def _report(path, *args) -> dict:
    result = run("report", str(path), "--format", "json", *map(str, args))
    assert result.exit_code == 0, result.stderr
    return result.json()


def test_github_setup_comes_from_the_steps_of_run_data():
    # REST jobs list with steps: build pays 2+8+1+1 s of set-up; each test instance pays its own (32 s, 42 s).
    assert load_timings([str(T / "gh_steps.json")]).setup == {"build": (12.0, 1), "test": (74.0, 1)}
    cost = _report(T / "ci.yml", "--timings", T / "gh_steps.json")["parallel_cost"]
    group = cost["groups"][0]
    assert (group["tasks_added"], group["added_s"]) == (0, 0.0)
    assert group["setup_s"] == {"build": 12.0, "test": 74.0} and group["setup_unknown"] == ["lint"]
    assert group["setup_total_s"] is None  # lint's steps are not in the run data: unknown, not 0
    # needs: is a gate: when build fails, test (4 min, its slowest instance) and lint (1 min) now run.
    assert (group["run_on_failure"], group["run_on_failure_s"]) == (["test", "lint"], 300.0)
    assert cost["slots"] == {"limit": 20, "before": 3.0, "after": 4.0}  # test's two instances take two
    text = run("report", str(T / "ci.yml"), "--timings", str(T / "gh_steps.json")).stdout
    assert "### Cost of running in parallel" in text
    assert "build 12s, test 1m 14s, lint unknown (run data with steps shows it)" in text
    assert "a failed run spends 5m more runner time" in text


def test_github_without_run_data_says_unknown():
    cost = _report(T / "ci.yml")["parallel_cost"]
    group = cost["groups"][0]
    assert group["setup_s"] == {} and group["setup_total_s"] is None and group["run_on_failure_s"] is None
    text = run("report", str(T / "ci.yml"), "--format", "text").stdout
    assert "time saved unknown without timings" in text
    assert "a failed run spends an amount unknown without timings more runner time" in text


def test_airflow_pool_use_of_the_plan_stays_within_the_pool():
    path = FIXTURES / "rules" / "RES002" / "bad-airflow-queue" / "exports.py"
    cost = _report(path)["parallel_cost"]
    assert cost["task_setup"] is None and cost["pools"]
    for pool in cost["pools"]:
        assert 0 < pool["after"] <= pool["size"] and pool["before"] <= pool["size"]  # the engine queues for it
    assert "Pool exports: 2 of 2 slot(s) at once as designed, 2 after." in run("report", str(path)).stdout


def test_n8n_batch_puts_its_calls_in_flight_together():
    path = FIXTURES / "rules" / "PAR101" / "bad-sibling-requests.json"
    batch = _report(path)["parallel_cost"]["batches"][0]
    assert (batch["in_flight_before"], batch["in_flight_after"]) == (1, 2.0)
    assert batch["at_once_allowed"] is None and batch["ok"] is None  # no limit declared: not called fine
    text = run("report", str(path), "--format", "text").stdout
    assert "2 request(s) in flight at once instead of 1; no limit declared for http:api.helpdesk.example" in text


def test_declared_api_limit_is_compared_with_requests_in_flight():
    path = FIXTURES / "rules" / "RES001" / "bad-concurrent.wflint.yaml"
    api = _report(path)["parallel_cost"]["apis"][0]
    assert api["name"] == "crm" and api["at_once_allowed"] == 10.0
    assert api["in_flight_after"] <= api["at_once_allowed"] and api["ok"] is True
