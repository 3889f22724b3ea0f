"""Rate limits as token buckets, pools and locks per parallel group, and orderings kept for a
resource (issue 15 items 2-4), with exact expected numbers on briefs and spec files of our own."""
from __future__ import annotations

from conftest import FIXTURES, run, said

RULE_DIR = FIXTURES / "rules"


def report(tmp_path, text: str, name: str = "brief.wflint.txt") -> dict:
    path = tmp_path / name
    path.write_text(text)
    result = run("report", path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return result.json()


def findings(path) -> list[dict]:
    return run("check", path, "--format", "json", "--fail-on", "never").json()["findings"]


def api(data: dict, name: str) -> dict:
    return next(a for a in data["resource_check"]["apis"] if a["name"] == name)


# ---------------------------------------------------------------- token buckets

def test_one_call_never_breaks_a_one_per_second_limit(tmp_path):
    data = report(tmp_path, "current: graph\ntasks:\n  ping: {duration: 500ms, api: status}\n"
                            "limits:\n  apis: {status: 1/s}\n", "one.wflint.yaml")
    (task,) = data["tasks"]
    assert task["duration_s"] == 0.5  # not stretched to 1 s
    status = api(data, "status")
    assert status["burst"] == 1 and status["stretched"] == {} and status["ok"]
    assert data["resource_check"]["waits"] == {}
    assert findings(RULE_DIR / "RES001" / "good-one-call.wflint.yaml") == []


def test_a_configured_burst_admits_more_at_once(tmp_path):
    text = "current: graph\ntasks:\n  fetch: {duration: 500ms, api: {search: 3}}\nlimits:\n  apis: {search: %s}\n"
    paced = report(tmp_path, text % "1/s", "paced.wflint.yaml")
    assert paced["tasks"][0]["duration_s"] == 2  # 1 at once, 2 more at 1/s
    assert api(paced, "search")["stretched"] == {"fetch": 2}
    burst = report(tmp_path, text % "{rate: 1/s, burst: 3}", "burst.wflint.yaml")
    assert burst["tasks"][0]["duration_s"] == 0.5
    assert api(burst, "search")["burst"] == 3 and api(burst, "search")["ok"]


def test_a_per_minute_limit_admits_its_count_at_once():
    good, bad = RULE_DIR / "RES001" / "good-fanout.wflint.yaml", RULE_DIR / "RES001" / "bad-fanout.wflint.yaml"
    assert findings(good) == []
    (finding,) = findings(bad)
    assert finding["code"] == "RES001"
    assert "2000 calls to geocoder in 5s" in finding["message"]
    assert "(600 at once + 10/s × 5s = 650)" in said(finding) and "takes 2m 20s" in said(finding)
    data = run("report", bad, "--format", "json").json()
    assert data["tasks"][0]["duration_s"] == 140  # (2000 - 600) / 10


def test_concurrent_callers_are_judged_over_their_worst_window():
    (finding,) = findings(RULE_DIR / "RES001" / "bad-concurrent.wflint.yaml")
    assert finding["tasks"] == ["sync_contacts", "sync_deals"]
    assert "send 350 requests to crm between 0s and 30s" in finding["message"]
    assert "(10 at once + 10/s × 30s = 310)" in finding["message"]
    assert findings(RULE_DIR / "RES001" / "good.wflint.yaml") == []


def test_the_resource_check_says_whether_the_parallel_plan_exceeds_the_limit(tmp_path):
    # Each sync sends 20 calls in 2 s (within 10 at once + 10/s x 2 s). Side by side, unthrottled,
    # they send 40 in those 2 s where the bucket admits 30, so the plan holds the second one back.
    data = report(tmp_path, 'Current sequential task list:\n"1. Sync CRM contacts (2s). 2. Sync CRM deals (2s). '
                            '3. Build the report (3s)."\nData dependencies:\n"None. Task 1 calls the CRM API 20 '
                            'times. Task 2 calls the CRM API 20 times."\nAPI rate limits:\n"CRM: 10 req/s"\n')
    crm = api(data, "crm")
    assert crm["tasks"] == ["1", "2"] and crm["calls_per_run"] == 40
    assert crm["peak_current_per_s"] == 10 and crm["peak_parallel_per_s"] == 20
    assert crm["parallel_exceeds"] and not crm["ok"] and crm["stretched"] == {}
    assert crm["worst_window"] == {"from_s": 0, "to_s": 2, "sent": 40, "allowed": 30, "tasks": ["1", "2"]}
    assert crm["peak_optimized_per_s"] == 10  # held to the limit
    assert data["current_s"] == 7 and data["optimized_s"] == 4 and data["ideal_s"] == 3
    starts = {t["id"]: t["optimized_start_s"] for t in data["tasks"]}
    assert starts == {"1": 0, "2": 2, "3": 0}
    assert data["resource_check"]["waits"] == {"api crm": 1}
    assert any(r["text"].startswith("Throttle calls to crm to 10/s") for r in data["recommendations"])
    text = run("report", tmp_path / "brief.wflint.txt").stdout
    assert "✗ the parallel plan sends 40 between 0s and 2s, where the limit admits 30" in text
    # As designed (one at a time) the calls never exceed the limit: no RES001.
    assert [f["code"] for f in findings(tmp_path / "brief.wflint.txt")] == ["PAR001"]


def test_rate_limits_within_the_bucket_in_the_seed_are_fine():
    data = run("report", RULE_DIR.parent / "examples" / "customer-health.wflint.txt", "--format", "json").json()
    for name, burst in (("crm", 10), ("zendesk", 5)):
        entry = api(data, name)
        assert entry["burst"] == burst and entry["ok"] and not entry["parallel_exceeds"]
        assert entry["worst_window"] is None


def test_a_brief_states_a_burst(tmp_path):
    data = report(tmp_path, 'Current sequential task list:\n"1. Charge cards (1s)."\nData dependencies:\n'
                            '"Task 1 calls the Stripe API 40 times."\nAPI rate limits:\n"Stripe: 25 req/s (burst 50)"\n')
    stripe = api(data, "stripe")
    assert stripe["burst"] == 50 and stripe["limit"] == "25/s, burst 50" and stripe["ok"]
    assert data["tasks"][0]["duration_s"] == 1


def test_the_github_token_quota_is_a_bucket_of_a_thousand():
    assert findings(RULE_DIR / "RES001" / "good-gha.yml") == []
    (finding,) = findings(RULE_DIR / "RES001" / "bad-gha.yml")
    assert finding["tasks"] == ["comment", "label"]
    assert "send 1280 requests to github-token" in finding["message"] and "1000 at once" in finding["message"]


# ---------------------------------------------------------------- pools and locks per group

def test_pool_exhaustion_per_parallel_group(tmp_path):
    data = report(tmp_path, 'Current sequential task list:\n"1. Load orders (2s). 2. Load refunds (2s). '
                            '3. Load payouts (2s). 4. Send the digest (1s)."\nData dependencies:\n"Task 4 needs '
                            'Task 1, Task 2 and Task 3. Tasks 1, 2 and 3 use the database pool."\n'
                            'Infrastructure constraints:\n"Single database connection pool (max 2)"\n')
    (group,) = data["resource_check"]["groups"]
    assert group["tasks"] == ["1", "2", "3"]
    assert group["pools"] == [{"name": "database connection pool", "size": 2, "holders": ["1", "2", "3"],
                               "asked_at_once": 3, "at_once": 2, "waiting": ["3"], "ok": False}]
    assert data["current_s"] == 7 and data["optimized_s"] == 5  # two loads, then the third, then the digest
    text = run("report", tmp_path / "brief.wflint.txt").stdout
    assert ("Group 1, pool database connection pool: 3 holder(s) (Load orders, Load refunds, Load payouts), "
            "3 at once in parallel against 2 slot(s); 2 at once in the plan ✗ exhausted: Load payouts wait for a slot") in text


def test_a_lock_keeps_its_writers_apart_and_the_report_says_what_it_costs(tmp_path):
    data = report(tmp_path, 'Current sequential task list:\n"1. Pull accounts (2s). 2. Pull deals (1s). '
                            '3. Post ledger entries (4s). 4. Close the books (1s)."\nData dependencies:\n'
                            '"None. Task 2 reads what Task 1 writes."\nInfrastructure constraints:\n'
                            '"Tasks 3 and 4 lock the ledger table."\n')
    start = {t["id"]: t["optimized_start_s"] for t in data["tasks"]}
    assert start == {"1": 0, "2": 2, "3": 0, "4": 4}  # 4 waits for 3's lock; 2 for what 1 writes
    assert data["current_s"] == 8 and data["optimized_s"] == 5
    kept = {tuple(k["tasks"]): k for k in data["dependency_check"]["kept_apart"]}
    assert kept[("3", "4")] == {"tasks": ["3", "4"], "resource": "ledger table", "kind": "write-write",
                                "why": "both write ledger table", "critical_path_s": 5, "plan_s": 5,
                                "if_independent_s": 4}
    assert kept[("1", "2")]["kind"] == "read-after-write" and kept[("1", "2")]["if_independent_s"] == 5
    (group,) = data["resource_check"]["groups"]
    assert group["locks"] == [{"resource": "ledger table", "writers": ["3", "4"], "in_group": ["3"],
                               "at_once": 1, "ok": True}]
    text = run("report", tmp_path / "brief.wflint.txt").stdout
    assert ("- Post ledger entries before Close the books: write-write on `ledger table`; the plan takes 5s "
            "(critical path 5s; 4s if they were independent, so the conflict costs 1s)") in text


def test_a_write_conflict_from_the_brief_keeps_the_two_tasks_apart(tmp_path):
    data = report(tmp_path, 'Current sequential task list:\n"1. Score leads (3s). 2. Merge duplicates (2s). '
                            '3. Export the list (1s)."\nData dependencies:\n"None. Tasks 1 and 2 both write the '
                            'same record."\n')
    start = {t["id"]: t["optimized_start_s"] for t in data["tasks"]}
    assert start["2"] == 3  # after 1: never together
    assert data["current_s"] == 6 and data["optimized_s"] == 5 and data["ideal_s"] == 5
    (kept,) = data["dependency_check"]["kept_apart"]
    assert kept["tasks"] == ["1", "2"] and kept["kind"] == "write-write" and kept["if_independent_s"] == 3
    assert not any({"1", "2"} <= set(g["tasks"]) for g in data["groups"])


def test_a_batch_sent_at_once_is_paced_by_its_apis_limit(tmp_path):
    # Two requests n8n could send from one HTTP Request node: against 1/min the second waits for the
    # bucket either way (61 s one after another, 60 s at once), so merging them saves 1 s, not 1 of 2.
    flow = tmp_path / "flow.json"
    flow.write_text((RULE_DIR / "PAR101" / "bad-sibling-requests.json").read_text())
    (tmp_path / "wflint.toml").write_text('[limits.apis]\n"http:api.helpdesk.example" = "1/min"\n')
    data = run("report", flow, "--format", "json").json()
    (batch,) = data["batches"]
    assert batch["sequential_s"] == 61 and batch["batched_s"] == 60 and batch["saved_s"] == 1
    assert data["current_s"] == 61.03 and data["optimized_s"] == 60.03
    (tmp_path / "wflint.toml").write_text('[limits.apis]\n"http:api.helpdesk.example" = "10/s"\n')
    (batch,) = run("report", flow, "--format", "json").json()["batches"]
    assert batch["sequential_s"] == 2 and batch["batched_s"] == 1  # within the burst: the longest call
