"""Kind defaults that are not fiction (issue 18 item 2): without run data a report speaks in stages;
the only seconds it shows come from a task's own parameters (an n8n Wait's amount), structure costs
0 s, and no total adds up kind defaults. Run data (``--timings``) brings the seconds back."""
from __future__ import annotations

import json

import pytest
from conftest import CORPUS, FIXTURES, run, said

# A real corpus workflow: 23 nodes with kind defaults, then a Wait node of 5 minutes.
WAITING = CORPUS / "n8n" / "zie__0869_Wait_Datetime_Send_Scheduled.json"

NOOP = {"name": "noop", "nodes": [
    {"id": "1", "name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0],
     "parameters": {}},
    {"id": "2", "name": "Nothing", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": [200, 0],
     "parameters": {}}],
    "connections": {"Start": {"main": [[{"node": "Nothing", "type": "main", "index": 0}]]}}}


def _needs_corpus():
    if not WAITING.is_file():
        pytest.skip(f"corpus file {WAITING} not present")


def test_declared_wait_among_defaults_speaks_in_stages():
    _needs_corpus()
    data = json.loads(run("report", str(WAITING), "--format", "json").stdout)
    assert data["structure"]["timed"] is False
    wait = next(t for t in data["tasks"] if t["id"] == "Wait")
    assert (wait["duration_s"], wait["duration_source"]) == (300.0, "declared")
    markdown = run("report", str(WAITING)).stdout
    # The 5m wait is shown as declared; no total made of 1 s defaults beside it.
    assert "| Wait (`Wait`) | 24 | 5m (declared) |" in markdown
    assert "durations known only for Wait 5m (declared)" in markdown
    assert "Estimated total" not in markdown and "5m 14s" not in markdown
    assert "Critical path 24 task(s) long (no durations known)" in markdown
    text = run("report", str(WAITING), "--format", "text").stdout
    assert "Wait: 5m (declared)" in text and "total 5m" not in text and "5m 14s" not in text


def test_run_data_brings_seconds_back(write):
    _needs_corpus()
    timings = write("t.json", json.dumps({"Get Cost Centers with Budgets": 2.5}))
    data = json.loads(run("report", str(WAITING), "--format", "json", "--timings", timings).stdout)
    assert data["structure"]["timed"] is True and 0 < data["measured_share"] < 1
    markdown = run("report", str(WAITING), "--timings", timings).stdout
    assert "Estimated total" in markdown and "| 2.5s |" in markdown


def test_structure_costs_nothing(write):
    data = json.loads(run("report", write("noop.json", json.dumps(NOOP)), "--format", "json").stdout)
    nothing = next(t for t in data["tasks"] if t["id"] == "Nothing")
    assert (nothing["duration_s"], nothing["duration_source"]) == (0.0, "default")
    assert "| Nothing (`Nothing`) | 2 | 0s (structure) |" in run("report", write("noop.json", json.dumps(NOOP))).stdout


def test_loop_copies_speak_in_copies_without_run_data_and_in_seconds_with_it(write):
    path = str(FIXTURES / "rules" / "PAR201" / "bad.py")
    (plain,) = [f for f in run("check", path, "--format", "json").json()["findings"] if f["code"] == "PAR201"]
    assert plain["saved_s"] is None and "their chain becomes 1 deep instead of 3 (no durations known)" in said(plain)
    timings = write("t.json", json.dumps({"load_orders": 40, "load_refunds": 30, "load_payouts": 20}))
    (timed,) = [f for f in run("check", path, "--format", "json", "--timings", timings).json()["findings"]
                if f["code"] == "PAR201"]
    assert timed["saved_s"] == 50.0 and "saves about 50s (measured durations)" in said(timed)  # 90 s → 40 s
