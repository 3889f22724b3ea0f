"""n8n PAR001 rewrite: a chain of independent nodes becomes branches joined by a Merge.

The real-engine check (same items, same order, on n8n 2.8.4) is in test_n8n_oracle.py; these
tests pin the text edits, the refusals and the lineage rule without n8n.
"""
from __future__ import annotations

import json

import pytest
from conftest import CORPUS, FIXTURES, run
from test_n8n import T, doc, links, node, read

from wflint.adapters.n8n import rewriter
from wflint.edits import apply_edits
from wflint.engine import check_workflow
from wflint.errors import RewriteError
from wflint.facets import ExecutionOrder
from wflint.finding import RemoveOrder
from wflint.rule import all_rules

CHAIN = FIXTURES / "rules" / "PAR001" / "bad-n8n-chain.json"


def rewrite(text, workflow, changes):
    """The rewritten text: the n8n rewriter's edits applied."""
    return apply_edits(text, rewriter.rewrite(text, workflow, changes))


def setter(name, x, value, field="v"):
    return node(name, "set", (x, 300), {"assignments": {"assignments": [
        {"id": name, "name": field, "value": value, "type": "string"}]}, "includeOtherFields": True}, 3.4)


def get(name, x, path):
    return node(name, "httpRequest", (x, 300), {"url": f"https://api.example.com/{path}"}, 4.2)


def par001(wf):
    return list(check_workflow(wf, [all_rules()["PAR001"]], preview=True).findings)


def test_the_suggested_rewire_joins_the_chain_before_the_consumer_and_fix_never_applies_it(tmp_path):
    path = tmp_path / "w.json"
    original = CHAIN.read_text()
    path.write_text(original)
    result = run("fix", "--preview", "--unsafe-fixes", path)
    assert result.exit_code == 0 and path.read_text() == original  # display-only: saves 0 s on n8n
    (finding,) = par001(read(json.loads(original)))
    assert finding.fix.applicability.value == "display"
    path.write_text(rewrite(original, read(json.loads(original)), list(finding.fix.changes)))  # the suggestion
    new_text, old, new = path.read_text(), json.loads(original), json.loads(path.read_text())
    merge = new["nodes"][-1]
    assert new["nodes"][:-1] == old["nodes"]  # every existing node untouched, in place
    assert (merge["type"], merge["typeVersion"], merge["name"]) == ("n8n-nodes-base.merge", 3.2, "Merge")
    assert merge["parameters"] == {"mode": "chooseBranch", "useDataOfInput": 2}  # waits for both, passes on Slack's items
    c = new["connections"]
    assert [x["node"] for x in c["Get orders"]["main"][0]] == ["Build summary", "Post to Slack"]
    assert c["Build summary"]["main"][0] == [{"node": "Merge", "type": "main", "index": 0}]
    assert c["Post to Slack"]["main"][0] == [{"node": "Merge", "type": "main", "index": 1}]
    assert c["Merge"]["main"][0] == [{"node": "Write report", "type": "main", "index": 0}]
    assert new_text[:new_text.index('"connections"')].startswith(original[:original.rindex("    }\n  ],")])
    assert new["pinData"] == old["pinData"] and new["settings"] == old["settings"] and new["meta"] == old["meta"]
    after = run("check", "--preview", path, "--format", "json", "--fail-on", "never").json()["findings"]
    assert [f["code"] for f in after] == []
    assert not par001(read(new))  # nothing more to suggest


def test_the_existing_nodes_keep_their_run_order():
    before = read(json.loads(CHAIN.read_text()))
    text = rewrite(CHAIN.read_text(), before, list(par001(before)[0].fix.changes))
    after = read(json.loads(text))
    assert [t for t in runs(after) if t != "Merge"] == runs(before)
    assert runs(after)[-2:] == ["Merge", "Write report"]


def test_a_longer_chain_gets_a_merge_with_one_input_per_node():
    posts = [node(n, "slack", (x, 300), {"channelId": n, "text": "done"}, 2.3)
             for n, x in (("A", 400), ("B", 600), ("C", 800))]
    d = doc([setter("Prepare", 200, "x")] + posts + [setter("Report", 1000, "={{ $('A').first().json.ts }}")],
            links((T, "Prepare"), ("Prepare", "A"), ("A", "B"), ("B", "C"), ("C", "Report")))
    wf = read(d)
    (finding,) = par001(wf)
    assert finding.fix.changes == (RemoveOrder("Prepare", "A"), RemoveOrder("A", "B"),
                                   RemoveOrder("B", "C"))
    new = json.loads(rewrite(json.dumps(d, indent=2), wf, list(finding.fix.changes)))
    assert new["nodes"][-1]["parameters"] == {"numberInputs": 4, "mode": "chooseBranch", "useDataOfInput": 4}
    assert [x["node"] for x in new["connections"][T]["main"][0]] == ["Prepare", "A", "B", "C"]
    assert [new["connections"][n]["main"][0] for n in ("Prepare", "A", "B", "C")] == [
        [{"node": "Merge", "type": "main", "index": i}] for i in range(4)]
    assert runs(read(new)) == [T, "Prepare", "A", "B", "C", "Merge", "Report"]


def test_a_chain_that_ends_the_workflow_needs_no_merge():
    d = doc([setter("Prepare", 200, "x"), node("Notify", "slack", (400, 300), {"text": "done"}, 2.3)],
            links((T, "Prepare"), ("Prepare", "Notify")))
    d["nodes"][1]["parameters"]["assignments"]["assignments"][0]["value"] = "x"
    wf = read(d)
    changes = [c for f in par001(wf) for c in f.fix.changes]
    assert changes == [RemoveOrder("Prepare", "Notify")]
    new = json.loads(rewrite(json.dumps(d, indent=2), wf, changes))
    assert [n["name"] for n in new["nodes"]] == [n["name"] for n in d["nodes"]]
    assert [x["node"] for x in new["connections"][T]["main"][0]] == ["Prepare", "Notify"]
    assert new["connections"]["Prepare"]["main"] == [[]]


def test_item_lineage_keeps_the_chain():
    """``$('X').item`` walks each item's lineage: after the rewire it silently gives nothing
    (test_n8n_oracle shows it on n8n), so the connection out of X is a control edge."""
    wf = read(json.loads((FIXTURES / "rules" / "PAR001" / "good-n8n-item-lineage.json").read_text()))
    assert par001(wf) == []
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
        assert par001(read(d)) == [], label


@pytest.mark.parametrize("indent", [None, 0, "\t", 4])
def test_rewire_keeps_the_file_style(indent):
    d = json.loads(CHAIN.read_text())
    text = json.dumps(d, indent=indent)
    wf = read_n8n_text(text)
    new_text = rewrite(text, wf, list(par001(wf)[0].fix.changes))
    new = json.loads(new_text)
    assert new["nodes"][:-1] == d["nodes"]
    assert new_text == json.dumps(new, indent=indent, ensure_ascii=False)  # laid out as the file was


def read_n8n_text(text):
    from wflint.adapters.n8n.reader import read_n8n

    return read_n8n("w.json", text)[0]


def test_shapes_it_cannot_rewire_are_left_for_hand():
    d = json.loads(CHAIN.read_text())
    wf = read(d)
    text = json.dumps(d, indent=2)
    with pytest.raises(RewriteError, match="one chain"):
        rewrite(text, wf, [RemoveOrder("Get orders", "Build summary"),
                           RemoveOrder("Post to Slack", "Write report")])
    with pytest.raises(RewriteError, match="where an execution starts"):
        rewrite(text, wf, [RemoveOrder("When clicking 'Execute workflow'", "Get orders")])


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
        assert after["nodes"][:len(before["nodes"])] == before["nodes"]  # existing nodes untouched
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


def test_attachments_read_the_input_items():
    """An email or Gmail message attaching a binary property of its input needs the node before it."""
    mail = node("Mail", "emailSend", (400, 300), {"toEmail": "a@x.io", "options": {"attachments": "data"}}, 2.1)
    gmail = node("Mail", "gmail", (400, 300), {"sendTo": "a@x.io", "options": {"attachmentsUi": {
        "attachmentsBinary": [{"property": "data"}]}}}, 2.1)
    plain = node("Mail", "gmail", (400, 300), {"sendTo": "a@x.io", "message": "hi"}, 2.1)
    for sender, independent in ((mail, False), (gmail, False), (plain, True)):
        wf = read(doc([setter("Render", 200, "x"), sender], links((T, "Render"), ("Render", "Mail"))))
        assert bool(par001(wf)) is independent, sender["type"]


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


def runs(workflow) -> list[str]:
    """The order of each node's first run, as the reader predicts n8n runs it."""
    return list(workflow.facet(ExecutionOrder).first_runs)
