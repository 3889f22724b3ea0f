"""n8n: what the analysis finds independent (the report's dependency check; PAR001 does not fire on
an engine that runs one node at a time) and the invariants of every n8n fix.

The real-engine checks (same items, same order, on n8n 2.8.4) are in test_n8n_oracle.py.
"""
from __future__ import annotations

import json

import pytest
from conftest import CORPUS, FIXTURES, run
from test_n8n import T, doc, links, node, read

from wflint.analysis import analyze
from wflint.engine import check_workflow
from wflint.rule import all_rules

CHAIN = FIXTURES / "rules" / "PAR001" / "good-n8n-chain.json"


def setter(name, x, value, field="v"):
    return node(name, "set", (x, 300), {"assignments": {"assignments": [
        {"id": name, "name": field, "value": value, "type": "string"}]}, "includeOtherFields": True}, 3.4)


def independent(wf):
    """The groups of nodes the analysis finds independent (what the report lists)."""
    return [g.tasks for g in analyze(wf).groups]


def test_par001_does_not_fire_on_n8n_where_the_chain_is_independent():
    """n8n runs one node at a time: branches would save 0 s, so there is no opportunity to report,
    in check or in the report."""
    wf = read(json.loads(CHAIN.read_text()))
    assert independent(wf) == [["Build summary", "Post to Slack"]]
    assert list(check_workflow(wf, [all_rules()["PAR001"]], preview=True).findings) == []
    report = run("report", CHAIN, "--format", "json").json()
    assert report["groups"] == [] and report["unchecked"] == []  # the report offers what check does: nothing
    assert report["parallel_cost"]["groups"] == [] and report["dependency_check"]["groups"] == []
    (advice,) = [r["text"] for r in report["recommendations"]]
    assert advice.startswith("Nothing to parallelize: n8n runs one node at a time per execution; real "
                             "concurrency comes only from one HTTP Request node fed many items")
    markdown = run("report", CHAIN).stdout
    assert "## 2. Parallelization opportunities\n\nNone: the engine runs one task at a time, so tasks that " \
           "need no order between them still run one after another" in markdown
    assert "| Group" not in markdown
    assert "wait for concurrency" not in markdown  # one at a time is the engine, not a limit to report


def test_item_lineage_keeps_the_chain():
    """``$('X').item`` walks each item's lineage: after the rewire it silently gives nothing
    (test_n8n_oracle shows it on n8n), so the connection out of X is a control edge."""
    wf = read(json.loads((FIXTURES / "rules" / "PAR001" / "good-n8n-item-lineage.json").read_text()))
    assert independent(wf) == []
    lineage = [e for e in wf.edges if e.kind.value == "control" and e.u == "Build summary"]
    assert [(e.v, "lineage" in e.detail) for e in lineage] == [("Post to Slack", True)]


def test_starts_wait_and_execute_once_keep_their_children():
    cases = {
        "start": (node("Start here", "noOp", (0, 300)), "Start here"),  # a node nothing feeds
        "wait": (node("Pause", "wait", (200, 300), {"amount": 1, "unit": "seconds"}, 1.1), "Pause"),
        "once": (setter("Once", 200, "x") | {"executeOnce": True}, "Once"),
    }
    for label, (first, name) in cases.items():
        nodes = [first, node("Notify", "slack", (400, 300), {"text": "hi"}, 2.3)]
        pairs = [(name, "Notify")] if label == "start" else [(T, name), (name, "Notify")]
        d = doc(nodes, links(*pairs))
        if label == "start":
            d["nodes"] = d["nodes"][1:]
        assert independent(read(d)) == [], label


N8N_FILES = sorted((CORPUS / "n8n").glob("*.json")) if (CORPUS / "n8n").is_dir() else []


@pytest.mark.skipif(not N8N_FILES, reason=f"n8n corpus not found at {CORPUS / 'n8n'}")
@pytest.mark.parametrize("path", N8N_FILES, ids=lambda p: p.name[:60])
def test_corpus_fixes_keep_n8n_structural_invariants(path):
    """DESIGN §4's list, checked on the written result of every fix, safe and unsafe."""
    from wflint.engine import Selection
    from wflint.fixer import fix_text

    text = path.read_text(encoding="utf-8")
    outcome = fix_text(str(path), text, Selection(preview=True), unsafe=True, explicit=False)
    if not outcome.changed:
        return
    old, new = json.loads(text), json.loads(outcome.text)
    for before, after in zip(old if isinstance(old, list) else [old], new if isinstance(new, list) else [new]):
        names = [n["name"] for n in after["nodes"]]
        ids = [n["id"] for n in after["nodes"] if "id" in n]
        assert len(names) == len(set(names)) and len(ids) == len(set(ids))
        kept = [_without_fixed_settings(n) for n in after["nodes"][:len(before["nodes"])]]
        assert kept == [_without_fixed_settings(n) for n in before["nodes"]]  # existing nodes untouched but for them
        added = after["nodes"][len(before["nodes"]):]
        assert all((n["type"], n["typeVersion"]) == ("n8n-nodes-base.merge", 3.2) for n in added)
        order = (after.get("settings") or {}).get("executionOrder")
        assert order == (before.get("settings") or {}).get("executionOrder") or (
            order == "v1" and any(f.code == "PAR102" for f in outcome.applied))
        feeds: dict[str, dict[int, int]] = {}
        for src, types in after["connections"].items():
            assert src in names
            for slot in (types.get("main") or []):
                for c in slot or []:
                    assert c["node"] in names
                    feeds.setdefault(c["node"], {}).setdefault(c.get("index", 0), 0)
                    feeds[c["node"]][c.get("index", 0)] += 1
        for merge in added:
            inputs = merge["parameters"].get("numberInputs", 2)
            assert feeds[merge["name"]] == dict.fromkeys(range(inputs), 1), merge["name"]
            if merge["parameters"].get("mode") == "chooseBranch":
                assert 1 <= merge["parameters"]["useDataOfInput"] <= inputs


def _without_fixed_settings(node: dict) -> dict:
    """A node without the settings fixes may set: Execute Once (PAR103), not waiting for a sub-workflow (PAR104)."""
    out = {k: v for k, v in node.items() if k != "executeOnce"}
    options = (out.get("parameters") or {}).get("options")
    if isinstance(options, dict) and "waitForSubWorkflow" in options:
        out["parameters"] = {**out["parameters"], "options": {k: v for k, v in options.items() if k != "waitForSubWorkflow"}}
    return out


def test_attachments_read_the_input_items():
    """An email or Gmail message attaching a binary property of its input needs the node before it."""
    mail = node("Mail", "emailSend", (400, 300), {"toEmail": "a@x.io", "options": {"attachments": "data"}}, 2.1)
    gmail = node("Mail", "gmail", (400, 300), {"sendTo": "a@x.io", "options": {"attachmentsUi": {
        "attachmentsBinary": [{"property": "data"}]}}}, 2.1)
    plain = node("Mail", "gmail", (400, 300), {"sendTo": "a@x.io", "message": "hi"}, 2.1)
    for sender, free in ((mail, False), (gmail, False), (plain, True)):
        wf = read(doc([setter("Render", 200, "x"), sender], links((T, "Render"), ("Render", "Mail"))))
        assert bool(independent(wf)) is free, sender["type"]


def test_par103_fix_sets_execute_once_as_an_unsafe_fix(tmp_path):
    src = FIXTURES / "rules" / "PAR103" / "bad-notify-per-row.json"
    path = tmp_path / "w.json"
    path.write_text(src.read_text())
    found = run("check", "--preview", path, "--format", "json", "--fail-on", "never").json()["findings"]
    assert [(f["code"], f["fix"]["applicability"]) for f in found] == [("PAR103", "unsafe")]
    assert run("fix", "--preview", path).stdout.count("PAR103") == 0 and path.read_text() == src.read_text()  # not without opt-in
    assert run("fix", "--preview", path, "--unsafe-fixes").exit_code == 0
    old, new = json.loads(src.read_text()), json.loads(path.read_text())
    changed = [(a["name"], {k: b[k] for k in b.keys() - a.keys()}) for a, b in zip(old["nodes"], new["nodes"]) if a != b]
    assert changed == [("Notify Slack", {"executeOnce": True})]
    assert run("check", "--preview", path, "--format", "json", "--fail-on", "never").json()["findings"] == []


def test_par104_fix_turns_waiting_off_and_changes_nothing_else(tmp_path):
    """Unsafe and preview: the node then passes on its input items and sub-run failures no longer
    stop the execution (n8n-nodes-base 2.8.4 ExecuteWorkflow.node.js)."""
    src = FIXTURES / "rules" / "PAR104" / "bad-per-item.json"
    path = tmp_path / "w.json"
    path.write_text(src.read_text())
    found = run("check", "--preview", path, "--format", "json", "--fail-on", "never").json()["findings"]
    assert [(f["code"], f["fix"]["applicability"], f["saved_s"]) for f in found] == [("PAR104", "unsafe", 2.0)]
    assert run("check", path, "--format", "json").json()["findings"] == []  # preview only
    run("fix", "--preview", path)
    assert path.read_text() == src.read_text()  # not without --unsafe-fixes
    assert run("fix", "--preview", "--unsafe-fixes", path).exit_code == 0
    old, new = json.loads(src.read_text()), json.loads(path.read_text())
    changed = [(a["name"], b["parameters"]["options"]) for a, b in zip(old["nodes"], new["nodes"]) if a != b]
    assert changed == [("Send report", {"waitForSubWorkflow": False})]
    assert {k: v for k, v in new.items() if k != "nodes"} == {k: v for k, v in old.items() if k != "nodes"}
    assert run("check", "--preview", path, "--format", "json", "--fail-on", "never").json()["findings"] == []


def test_par104_is_silent_where_the_sub_workflow_runs_once_or_waiting_is_already_off():
    d = json.loads((FIXTURES / "rules" / "PAR104" / "bad-per-item.json").read_text())
    d["nodes"][2]["parameters"]["options"] = {"waitForSubWorkflow": False}
    assert list(check_workflow(read(d), [all_rules()["PAR104"]], preview=True).findings) == []
    d["nodes"][2]["parameters"]["options"] = {"waitForSubWorkflow": "={{ true }}"}  # an expression: unknown
    assert list(check_workflow(read(d), [all_rules()["PAR104"]], preview=True).findings) == []
    d["nodes"][2]["parameters"]["options"] = {}
    d["pinData"]["Get rows"] = d["pinData"]["Get rows"][:1]  # one item: one run, nothing to overlap
    assert list(check_workflow(read(d), [all_rules()["PAR104"]], preview=True).findings) == []


def par105(d):
    return [f.tasks for f in check_workflow(read(d), [all_rules()["PAR105"]], preview=True).findings]


def test_par105_a_poll_loop_is_silent_but_a_retry_that_starts_a_new_job_still_waits_the_fixed_time():
    polls = json.loads((FIXTURES / "rules" / "PAR105" / "good-polls.json").read_text())
    assert par105(polls) == []
    retry = json.loads(json.dumps(polls))
    retry["connections"]["Done?"]["main"][1] = [{"node": "Start render", "type": "main", "index": 0}]
    assert par105(retry) == [("Start render", "Wait 30 s", "Get render")]  # each try waits 30 s whatever the job takes
    reads_elsewhere = json.loads((FIXTURES / "rules" / "PAR105" / "bad-fixed-wait.json").read_text())
    reads_elsewhere["nodes"][3]["parameters"]["url"] = "https://api.other.example/v1/status"
    assert par105(reads_elsewhere) == []  # not the same API: not waiting for that job


def test_the_report_marks_nodes_no_enabled_trigger_reaches_as_never_running(tmp_path):
    d = doc([node("Cron", "scheduleTrigger", (0, 600), {}, 1.2, disabled=True), setter("Nightly", 200, "x"),
             setter("Manual", 400, "y")], links(("Cron", "Nightly"), (T, "Manual")))
    path = tmp_path / "w.json"
    path.write_text(json.dumps(d))
    tasks = {t["id"]: t["never_runs"] for t in run("report", path, "--format", "json").json()["tasks"]}
    assert tasks == {T: False, "Cron": True, "Nightly": True, "Manual": False}
    assert "| 0s (never runs) |" in run("report", path).stdout


def test_par104_is_silent_inside_a_loop_over_items_body():
    """Get rows → Loop Over Items → (each batch) Send report → back to the loop: the loop takes the
    items one batch at a time on purpose (a rate limit, commits to one branch); not waiting would
    start every pass's run at once. The same node outside the loop is still reported."""
    d = json.loads((FIXTURES / "rules" / "PAR104" / "bad-per-item.json").read_text())
    assert len(check_workflow(read(d), [all_rules()["PAR104"]], preview=True).findings) == 1
    d["nodes"].append({"parameters": {"options": {}}, "id": "00000000-0000-4000-8000-0000000000f9",
                       "name": "Loop", "type": "n8n-nodes-base.splitInBatches", "typeVersion": 3,
                       "position": [300, 0]})
    d["connections"]["Get rows"] = {"main": [[{"node": "Loop", "type": "main", "index": 0}]]}
    d["connections"]["Loop"] = {"main": [[], [{"node": "Send report", "type": "main", "index": 0}]]}
    d["connections"]["Send report"] = {"main": [[{"node": "Loop", "type": "main", "index": 0}]]}
    assert list(check_workflow(read(d), [all_rules()["PAR104"]], preview=True).findings) == []


@pytest.mark.parametrize("then,expression,applicability", [
    (None, None, None),  # nothing after the Set: no one sees its runs
    ("set", "={{ $('Start').first().json.x }}", None),  # in memory after it too
    ("code", "return [{json: {ok: true, n: $json.t}}];", None),  # code that only computes
    ("set", "={{ $input.all().length }}", "unsafe"),  # written to see every branch's items in one run
    ("code", "return [{json: {n: $input.all().length}}];", "unsafe"),
    ("code", "await this.helpers.httpRequest({url: 'https://example.org'}); return $input.all();", "unsafe"),
    ("httpRequest", None, "unsafe"),  # one request per branch's item, now after both branches
    ("set+httpRequest", "={{ $input.all().length }}", "unsafe"),  # the call sends what the runs made
])
def test_a_fan_in_is_reported_where_its_runs_are_seen_and_then_its_join_fix_is_unsafe(then, expression, applicability):
    """Unseen round 9, X1 and round 12, F2: Start feeds Token directly and through Log, so Token (a
    Set) runs once per branch. Where it and all after it work in memory, no one sees those runs
    (no finding); where a node after it calls out, the inserted Merge changes what is sent, when
    (test_n8n_oracle runs each shape on n8n 2.8.4)."""
    nodes = [setter("Log", 200, "l"), setter("Token", 400, "t")]
    wiring = [(T, "Log"), (T, "Token"), ("Log", "Token")]
    if then in ("set", "set+httpRequest"):
        nodes.append(setter("After", 600, expression))
    elif then == "code":
        nodes.append(node("After", "code", (600, 300), {"jsCode": expression}, 2))
    if then and then.endswith("httpRequest"):
        nodes.append(node("Call", "httpRequest", (800, 300), {"url": "https://example.org/hook", "options": {}}, 4.2))
    if then:
        wiring.append(("Token", nodes[2]["name"]))
    if then == "set+httpRequest":
        wiring.append(("After", "Call"))
    found = check_workflow(read(doc(nodes, links(*wiring))), [all_rules()["SAF003"]]).findings
    assert [(f.tasks[0], f.fix.applicability.value) for f in found] == ([("Token", applicability)] if applicability else [])


def _sub_workflow(trigger, tail=False):
    """Round 11 F4: a Set reading `$('Format').first()` after two postgres branches, at a path end."""
    nodes = [node("Format", "code", (200, 300), {"jsCode": "return [{json: {ok: true}}];"}, 2),
             node("A", "postgres", (400, 200), {"operation": "executeQuery", "query": "UPDATE t SET n = 1"}, 2.5),
             node("B", "postgres", (400, 400), {"operation": "executeQuery", "query": "INSERT INTO u VALUES (1)"}, 2.5),
             node("Return", "set", (600, 300), {"assignments": {"assignments": [
                 {"id": "r", "name": "result", "type": "object", "value": "={{ $('Format').first().json }}"}]}}, 3.4)]
    pairs = [(T, "Format"), ("Format", "A"), ("Format", "B"), ("A", "Return"), ("B", "Return")]
    if tail:
        nodes.append(node("Tail", "set", (800, 300), {}, 3.4))
        pairs.append(("Return", "Tail"))
    d = doc(nodes, links(*pairs))
    d["nodes"][0] = trigger
    return d


@pytest.mark.parametrize("trigger, fix", [
    (node(T, "executeWorkflowTrigger", (0, 300), {"inputSource": "passthrough"}, 1.1), "unsafe"),
    (node(T, "webhook", (0, 300), {"path": "p", "responseMode": "lastNode"}, 2), "unsafe"),
    (node(T, "webhook", (0, 300), {"path": "p"}, 2), None),  # answered on receipt: no one sees Return's runs
    (node(T, "manualTrigger", (0, 300)), None),
    (node(T, "formTrigger", (0, 300), {"responseMode": "lastNode"}, 2.2), "unsafe"),
    ({**node(T, "chatTrigger", (0, 300), {}, 1.1), "type": "@n8n/n8n-nodes-langchain.chatTrigger"}, "unsafe"),
    ({**node(T, "chatTrigger", (0, 300), {"options": {"responseMode": "responseNodes"}}, 1.3),
      "type": "@n8n/n8n-nodes-langchain.chatTrigger"}, None),  # a Respond node answers: nothing here does
])
def test_the_join_fix_is_unsafe_where_the_run_hands_its_last_node_back(trigger, fix):
    """A sub-workflow returns its last node's items to the caller (a `lastNode` webhook answers with
    them): the caller got the last branch's run of `Return`, and with a Merge in front would get
    every branch's items at once. A chat trigger answers with the last node's output unless a
    Respond node does. Anywhere else no one sees Return's runs: no finding (round 12, F2)."""
    def saf003(d):
        return [(f.tasks, f.fix.applicability.value if f.fix else None)
                for f in check_workflow(read(d), [all_rules()["SAF003"]]).findings]

    assert saf003(_sub_workflow(trigger)) == ([(("Return", "A", "B"), fix)] if fix else [])
    if fix == "unsafe":  # a node after it is what is handed back: the same
        assert saf003(_sub_workflow(trigger, tail=True)) == [(("Return", "A", "B"), "unsafe")]
