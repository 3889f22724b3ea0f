"""A workflow several triggers (events) start is reported per run (issue 11 item 4, analysis/runs.py)."""
from __future__ import annotations

import json

import pytest
from conftest import CORPUS, run


def n8n_node(name: str, typ: str, x: int) -> dict:
    return {"parameters": {}, "name": name, "type": f"n8n-nodes-base.{typ}", "typeVersion": 1, "position": [x, 0]}


def n8n_chain(*names: str) -> dict:
    return {a: {"main": [[{"node": b, "type": "main", "index": 0}]]} for a, b in zip(names, names[1:])}


TWO_WEBHOOKS = {
    "name": "two webhooks",
    "nodes": [n8n_node("Hook A", "webhook", 0), n8n_node("Read A", "httpRequest", 200), n8n_node("Answer A", "set", 400),
              n8n_node("Hook B", "webhook", 0), n8n_node("Answer B", "set", 200)],
    "connections": {**n8n_chain("Hook A", "Read A", "Answer A"), **n8n_chain("Hook B", "Answer B")},
    "settings": {"executionOrder": "v1"},
}


def reports(path) -> list[dict]:
    done = run("report", path, "--format", "json")
    assert done.exit_code == 0, done.stderr
    data = done.json()
    return data.get("reports", [data])


def test_each_trigger_of_an_n8n_workflow_is_its_own_run(tmp_path):
    path = tmp_path / "two.json"
    path.write_text(json.dumps(TWO_WEBHOOKS))
    first, second = reports(path)
    assert first["run"] == {"started_by": ["Hook A"]} and second["run"] == {"started_by": ["Hook B"]}
    assert [t["id"] for t in first["tasks"]] == ["Hook A", "Read A", "Answer A"]
    assert [t["id"] for t in second["tasks"]] == ["Hook B", "Answer B"]
    # each run is as deep as its own chain, not the five stages of both runs one after the other
    assert [len(r["stages_before"]) for r in (first, second)] == [3, 2]
    assert first["title"] == "two webhooks (the run 'Hook A' starts)"
    text = run("report", path, "--format", "markdown").stdout
    assert "# Workflow analysis: two webhooks (the run 'Hook A' starts)" in text
    assert "# Workflow analysis: two webhooks (the run 'Hook B' starts)" in text


def test_triggers_in_front_of_the_same_tasks_start_one_run(tmp_path):
    same = dict(TWO_WEBHOOKS, nodes=[*TWO_WEBHOOKS["nodes"][:3], n8n_node("Hook B", "webhook", 0)],
                connections={**n8n_chain("Hook A", "Read A", "Answer A"), **n8n_chain("Hook B", "Read A")})
    path = tmp_path / "same.json"
    path.write_text(json.dumps(same))
    (both,) = reports(path)  # the whole graph is that one run
    assert both["run"] is None and both["title"] == "two webhooks"


DEPLOY_ON_PUSH = """\
on:
  push:
    branches: [main]
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: make test
  docs:
    runs-on: ubuntu-latest
    steps:
      - run: make docs
  deploy:
    if: github.event_name == 'push'
    needs: [test, docs]
    runs-on: ubuntu-latest
    steps:
      - run: make deploy
"""


def test_github_events_that_run_different_jobs_are_separate_runs(tmp_path):
    path = tmp_path / ".github" / "workflows" / "ci.yml"
    path.parent.mkdir(parents=True)
    path.write_text(DEPLOY_ON_PUSH)
    push, pull = reports(path)
    assert push["run"] == {"started_by": ["push"]} and pull["run"] == {"started_by": ["pull_request"]}
    assert {t["id"] for t in push["tasks"]} == {"test", "docs", "deploy"}
    assert {t["id"] for t in pull["tasks"]} == {"test", "docs"}


def test_events_that_run_the_same_jobs_are_one_run(tmp_path):
    path = tmp_path / ".github" / "workflows" / "ci.yml"
    path.parent.mkdir(parents=True)
    path.write_text(DEPLOY_ON_PUSH.replace("    if: github.event_name == 'push'\n", ""))
    (only,) = reports(path)
    assert only["run"] is None


def test_a_real_export_with_two_webhooks_is_reported_per_webhook():
    path = CORPUS / "n8n" / "enes__Obsidian_Notes_Read_Aloud_using_AI_Available_as_a_Podcast_Feed.json"
    if not path.is_file():
        pytest.skip(f"shared corpus not found at {path.parent} (it lives beside the repository in CI)")
    note, feed = reports(path)
    assert note["run"]["started_by"] == ["Webhook GET Note"] and feed["run"]["started_by"] == ["Webhook GET Podcast Feed"]
    assert not {t["id"] for t in note["tasks"]} & {t["id"] for t in feed["tasks"]}
    assert len(note["stages_before"]) + len(feed["stages_before"]) == len(note["tasks"]) + len(feed["tasks"])


def test_a_check_finding_in_one_run_says_which_run(tmp_path):
    post = {"method": "POST", "url": "https://api.example.com/orders"}
    doc = dict(TWO_WEBHOOKS)
    doc["nodes"] = [*TWO_WEBHOOKS["nodes"],
                    dict(n8n_node("Post 1", "httpRequest", 200), parameters=post, typeVersion=4.2),
                    dict(n8n_node("Post 2", "httpRequest", 200), parameters=post, typeVersion=4.2)]
    doc["connections"] = {**TWO_WEBHOOKS["connections"],
                          "Hook B": {"main": [[{"node": "Answer B", "type": "main", "index": 0},
                                               {"node": "Post 1", "type": "main", "index": 0},
                                               {"node": "Post 2", "type": "main", "index": 0}]]}}
    path = tmp_path / "posts.json"
    path.write_text(json.dumps(doc))
    findings = run("check", "--preview", "--format", "json", "--exit-zero", path).json()["findings"]
    about_posts = [f for f in findings if set(f["tasks"]) == {"Post 1", "Post 2"}]
    assert about_posts and all(f["detail"].startswith("in the run 'Hook B' starts") for f in about_posts)
    # a finding of a one-run workflow says nothing of runs
    single = dict(doc, nodes=[n for n in doc["nodes"] if not n["name"].endswith("A")],
                  connections={"Hook B": doc["connections"]["Hook B"]})
    path.write_text(json.dumps(single))
    again = run("check", "--preview", "--format", "json", "--exit-zero", path).json()["findings"]
    assert again and not any("the run" in f["detail"] for f in again)
