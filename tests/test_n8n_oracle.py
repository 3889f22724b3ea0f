"""Real n8n as the oracle (DESIGN §11). n8n@2.8.4 comes from WFLINT_N8N_PREFIX (a folder holding
``npm install n8n@2.8.4`` with the ``"xlsx": "0.18.5"`` override; see research/n8n-engine/), or is
installed into ``.cache/n8n`` of this checkout when ``CI`` is set (about 4 minutes, 2.3 GB, once per
checkout). Elsewhere, without either, the tests skip with that reason.

Checks that the order wflint predicts is the order n8n runs (v1 and v0, canvas swaps), that the
run time predicted from an execution's measured node times (``--timings``) is its wall time, and that
a rewritten workflow (SAF003 Merge insertion) imports, runs, runs the fed node once instead of
once per branch, and produces the same items.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from wflint.adapters.n8n import rewriter
from wflint.adapters.n8n.reader import read_n8n
from wflint.edits import apply_edits
from wflint.engine import check_workflow
from wflint.facets import ExecutionOrder, JoinCheck
from wflint.finding import InsertJoin
from wflint.ir import Join
from wflint.rule import all_rules

ROOT = Path(__file__).resolve().parent.parent
PREFIX = Path(os.environ.get("WFLINT_N8N_PREFIX") or ROOT / ".cache" / "n8n")
N8N = PREFIX / "node_modules" / ".bin" / "n8n"


def rewrite(text, workflow, changes):
    """The rewritten text: the n8n rewriter's edits applied."""
    return apply_edits(text, rewriter.rewrite(text, workflow, changes))


def ensure_n8n() -> None:
    """Install n8n@2.8.4 into PREFIX when CI asks for it; otherwise skip without it."""
    if N8N.exists():
        return
    if not os.environ.get("CI"):
        pytest.skip(f"n8n@2.8.4 not installed at {PREFIX} (set WFLINT_N8N_PREFIX, or CI=true to install it)")
    PREFIX.mkdir(parents=True, exist_ok=True)
    # The root package must not be called "n8n"; n8n-nodes-base pins xlsx to a tarball outside the
    # npm registry, so the registry's 0.18.5 replaces it.
    (PREFIX / "package.json").write_text('{"name": "wflint-n8n-oracle", "private": true, '
                                         '"overrides": {"xlsx": "0.18.5"}}\n')
    proc = subprocess.run(["npm", "install", "n8n@2.8.4", "--no-audit", "--no-fund", "--loglevel=error"],
                          cwd=PREFIX, capture_output=True, text=True, timeout=1500)
    if proc.returncode != 0 or not N8N.exists():
        pytest.fail(f"installing n8n@2.8.4 failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
T = "Start"


def setter(name, x, y, field, value):
    return {"parameters": {"assignments": {"assignments": [
        {"id": name, "name": field, "value": value, "type": "string"}]}, "includeOtherFields": True, "options": {}},
        "id": f"00000000-0000-4000-8000-{abs(hash(name)) % 10**12:012d}", "name": name,
        "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": [x, y]}


def workflow(wid, nodes, connections, order="v1"):
    doc = {"id": wid, "name": wid, "nodes": [{"parameters": {}, "id": "00000000-0000-4000-8000-000000000001",
                                              "name": T, "type": "n8n-nodes-base.manualTrigger",
                                              "typeVersion": 1, "position": [0, 300]}] + nodes,
           "connections": connections, "active": False, "pinData": {}}
    if order:
        doc["settings"] = {"executionOrder": order}
    return doc


def conn(*pairs):
    out: dict = {}
    for src, dst, *idx in pairs:
        out.setdefault(src, {"main": [[]]})["main"][0].append({"node": dst, "type": "main", "index": idx[0] if idx else 0})
    return out


def branches(wid, order, a_y=200, b_y=400):
    return workflow(wid, [setter("A1", 200, a_y, "a", "1"), setter("A2", 400, a_y, "a2", "1"),
                          setter("B1", 200, b_y, "b", "1"), setter("B2", 400, b_y, "b2", "1"),
                          {"parameters": {}, "id": "00000000-0000-4000-8000-000000000009", "name": "Merge",
                           "type": "n8n-nodes-base.merge", "typeVersion": 3, "position": [600, 300]}],
                    {**conn((T, "A1"), (T, "B1"), ("A1", "A2"), ("B1", "B2")),
                     "A2": {"main": [[{"node": "Merge", "type": "main", "index": 0}]]},
                     "B2": {"main": [[{"node": "Merge", "type": "main", "index": 1}]]}}, order)


@pytest.fixture(scope="module")
def n8n(tmp_path_factory):
    ensure_n8n()
    home = tmp_path_factory.mktemp("n8n-home")
    env = {**os.environ, "N8N_USER_FOLDER": str(home), "DB_TYPE": "sqlite", "N8N_DIAGNOSTICS_ENABLED": "false",
           "N8N_VERSION_NOTIFICATIONS_ENABLED": "false", "N8N_PERSONALIZATION_ENABLED": "false",
           "N8N_TEMPLATES_ENABLED": "false", "N8N_LISTEN_ADDRESS": "127.0.0.1",
           "PATH": f"{N8N.parent}:{os.environ.get('PATH', '')}"}

    def run_workflows(docs: list[dict], failing: frozenset[str] = frozenset()) -> dict[str, dict]:
        """Each workflow's execution; those in ``failing`` may end in an error (n8n exits 1)."""
        folder = tmp_path_factory.mktemp("wf")
        for d in docs:
            (folder / f"{d['id']}.json").write_text(json.dumps(d))
        subprocess.run([str(N8N), "import:workflow", "--separate", f"--input={folder}"], env=env,
                       check=True, capture_output=True, timeout=300)
        out = {}
        for d in docs:
            proc = subprocess.run([str(N8N), "execute", f"--id={d['id']}", "--rawOutput"], env=env,
                                  capture_output=True, text=True, timeout=300)
            assert proc.returncode == 0 or d["id"] in failing, proc.stdout[-2000:] + proc.stderr[-2000:]
            out[d["id"]] = json.JSONDecoder().raw_decode(proc.stdout[proc.stdout.index("{"):])[0]
        return out
    return run_workflows


def first_runs(run: dict) -> list[str]:
    runs = run["data"]["resultData"]["runData"]
    first = {node: min(r.get("executionIndex", 0) for r in entries) for node, entries in runs.items()}
    return sorted(first, key=first.get)


def orphan_input(wid, order):
    """Merge input 1 fed by a chain no trigger reaches: legacy v0 runs it, v1 never does."""
    noop = {"parameters": {}, "id": "00000000-0000-4000-8000-0000000000d1", "name": "X",
            "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": [200, 500]}
    merge = {"parameters": {}, "id": "00000000-0000-4000-8000-0000000000d2", "name": "Merge",
             "type": "n8n-nodes-base.merge", "typeVersion": 3.2, "position": [600, 300]}
    return workflow(wid, [setter("A1", 200, 200, "a", "1"), noop, setter("X2", 400, 500, "x", "1"), merge,
                          setter("F", 800, 300, "f", "1")],
                    conn((T, "A1"), ("X", "X2"), ("A1", "Merge", 0), ("X2", "Merge", 1), ("Merge", "F")), order)


def test_predicted_order_is_what_n8n_runs(n8n):
    docs = [branches("ordv1", "v1"), branches("ordv0", None), branches("swapv1", "v1", 400, 200),
            branches("swapv0", "v0", 400, 200), orphan_input("orphv0", None), orphan_input("orphv1", "v1")]
    real = n8n(docs)
    for d in docs:
        wf = read_n8n(f"{d['id']}.json", json.dumps(d))[0]
        ran = first_runs(real[d["id"]])
        # nodes no trigger reaches come last in the prediction (their own executions)
        assert runs(wf)[:len(ran)] == ran and len(ran) >= len(wf.tasks) - 2, d["id"]
    assert first_runs(real["orphv0"]) == [T, "A1", "X", "X2", "Merge", "F"]
    assert first_runs(real["orphv1"]) == [T, "A1", "Merge", "F"]


def test_inserted_merge_runs_the_node_once_with_the_same_items(n8n):
    before = workflow("joinbefore", [setter("A", 200, 200, "from", "a"), setter("B", 200, 400, "from", "b"),
                                     setter("Summarize", 400, 300, "done", "yes")],
                      conn((T, "A"), (T, "B"), ("A", "Summarize"), ("B", "Summarize")))
    text = json.dumps(before, indent=2)
    wf = read_n8n("joinbefore.json", text)[0]
    # Summarize and all after it work in memory: no one sees its two runs, so SAF003 is silent
    # (round 12, F2); the rewriter's Merge, asked for directly, still runs it once with the same items
    assert check_workflow(wf, [all_rules()["SAF003"]]).findings == []
    after_text = rewrite(text, wf, [InsertJoin("Summarize", ("A", "B"))])
    after = json.loads(after_text)
    after["id"] = after["name"] = "joinafter"
    before_v0 = {**before, "id": "joinbeforev0", "name": "joinbeforev0"}
    before_v0.pop("settings")
    real = n8n([before, after, before_v0])
    for doc, key in ((before, "joinbefore"), (after, "joinafter"), (before_v0, "joinbeforev0")):
        predicted = runs(read_n8n(f"{key}.json", json.dumps(doc))[0])
        assert predicted == first_runs(real[key]), key
    ran_before = real["joinbefore"]["data"]["resultData"]["runData"]["Summarize"]
    ran_after = real["joinafter"]["data"]["resultData"]["runData"]["Summarize"]
    assert len(ran_before) == 2 and len(ran_after) == 1

    def items(runs):
        return sorted(json.dumps(i["json"], sort_keys=True) for r in runs for i in r["data"]["main"][0])
    assert items(ran_before) == items(ran_after)


HITS: list[str] = []  # paths the loopback server was asked for, in order


@pytest.fixture(scope="module")
def server():
    """A loopback HTTP server answering every GET with ``{"got": <path>}``."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            HITS.append(self.path)
            body = json.dumps({"got": self.path}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def chain(wid, url, reader_expr, order="v1", consumer=True):
    """Start → Rows (2 items) → Label (Set) → Fetch (GET, reads nothing) [→ Report]."""
    rows = {"parameters": {"jsCode": "return [{json: {p: 1}}, {json: {p: 2}}];"},
            "id": "00000000-0000-4000-8000-0000000000c1", "name": "Rows", "type": "n8n-nodes-base.code",
            "typeVersion": 2, "position": [200, 300]}
    fetch = {"parameters": {"url": f"{url}/status", "options": {}}, "id": "00000000-0000-4000-8000-0000000000c2",
             "name": "Fetch", "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2, "position": [600, 300]}
    nodes = [rows, setter("Label", 400, 300, "label", "={{ 'row ' + $json.p }}"), fetch]
    pairs = [(T, "Rows"), ("Rows", "Label"), ("Label", "Fetch")]
    if consumer:
        nodes.append(setter("Report", 800, 300, "report", reader_expr))
        pairs.append(("Fetch", "Report"))
    return workflow(wid, nodes, conn(*pairs), order)


def test_execute_once_fix_makes_the_node_run_once(n8n, server):
    """PAR103's fix (unsafe, opt-in): the node runs once with the first item instead of once per item."""
    from wflint.finding import RunOnce

    before = chain("oncebefore", server, "={{ $json.got }}")
    for n in before["nodes"]:
        if n["name"] == "Rows":
            n["parameters"]["jsCode"] = "return [{json: {p: 1}}, {json: {p: 2}}, {json: {p: 3}}];"
        if n["name"] == "Fetch":
            n["parameters"]["url"] = f"{server}/once-before"
    text = json.dumps(before, indent=2)
    after = json.loads(rewrite(text, read_n8n("once.json", text)[0], [RunOnce("Fetch")]))
    after["id"] = after["name"] = "onceafter"
    after["nodes"][[n["name"] for n in after["nodes"]].index("Fetch")]["parameters"]["url"] = f"{server}/once-after"
    real = n8n([before, after])
    fetched = {key: [i for r in real[key]["data"]["resultData"]["runData"]["Fetch"] for i in r["data"]["main"][0]]
               for key in ("oncebefore", "onceafter")}
    assert (len(fetched["oncebefore"]), len(fetched["onceafter"])) == (3, 1)
    assert (HITS.count("/once-before"), HITS.count("/once-after")) == (3, 1)


def runs(workflow) -> list[str]:
    """The order of each node's first run, as the reader predicts n8n runs it."""
    return list(workflow.facet(ExecutionOrder).first_runs)


def if_into_merge(wid, order, always):
    """Start → IF (always ``always``); true → Merge input 1; false → Other → Merge input 0 → F.
    One item, so the IF sends it out of one output only."""
    gate = {"parameters": {"conditions": {"boolean": [{"value1": always, "value2": True}]}},
            "id": "00000000-0000-4000-8000-0000000000e1", "name": "Gate", "type": "n8n-nodes-base.if",
            "typeVersion": 1, "position": [200, 300]}
    merge = {"parameters": {}, "id": "00000000-0000-4000-8000-0000000000e2", "name": "Merge",
             "type": "n8n-nodes-base.merge", "typeVersion": 3, "position": [600, 300]}
    connections = {T: {"main": [[{"node": "Gate", "type": "main", "index": 0}]]},
                   "Gate": {"main": [[{"node": "Merge", "type": "main", "index": 1}],
                                     [{"node": "Other", "type": "main", "index": 0}]]},
                   "Other": {"main": [[{"node": "Merge", "type": "main", "index": 0}]]},
                   "Merge": {"main": [[{"node": "F", "type": "main", "index": 0}]]}}
    return workflow(wid, [gate, setter("Other", 400, 400, "o", "1"), merge, setter("F", 800, 300, "f", "1")],
                    connections, order)


def scenario_runs(workflow, start, choices) -> list[str]:
    """The nodes the reader predicts one execution runs, in order, for one way through the branches."""
    found = next(s for s in workflow.facet(ExecutionOrder).scenarios if s.start == start and s.choices == choices)
    return list(found.runs)


def test_one_item_takes_one_if_output_and_v0_forces_the_other_side_of_a_merge(n8n):
    """Per execution (one trigger, one item): the IF's other side never runs in v1; legacy v0 runs
    the chain feeding the Merge's other input. The reader's per-run simulation predicts both."""
    docs = [if_into_merge("ifv1true", "v1", True), if_into_merge("ifv0true", None, True),
            if_into_merge("ifv1false", "v1", False), if_into_merge("ifv0false", None, False)]
    real = n8n(docs)
    for d in docs:
        wf = read_n8n(f"{d['id']}.json", json.dumps(d))[0]
        taken = 0 if d["id"].endswith("true") else 1
        assert scenario_runs(wf, T, (("Gate", taken),)) == first_runs(real[d["id"]]), d["id"]
    assert "Other" not in first_runs(real["ifv1true"])
    assert "Other" in first_runs(real["ifv0true"])


def if_without_merge(wid, order, always):
    """Start → Prep → IF; true → Yes; false → No. Both orders run the sides alike (output order
    and canvas order agree), whichever way the item goes."""
    gate = {"parameters": {"conditions": {"boolean": [{"value1": always, "value2": True}]}},
            "id": "00000000-0000-4000-8000-0000000000f1", "name": "Gate", "type": "n8n-nodes-base.if",
            "typeVersion": 1, "position": [200, 300]}
    connections = {T: {"main": [[{"node": "Prep", "type": "main", "index": 0}]]},
                   "Prep": {"main": [[{"node": "Gate", "type": "main", "index": 0}]]},
                   "Gate": {"main": [[{"node": "Yes", "type": "main", "index": 0}],
                                     [{"node": "No", "type": "main", "index": 0}]]}}
    gate["position"] = [400, 300]
    return workflow(wid, [setter("Prep", 200, 300, "p", "1"), gate, setter("Yes", 600, 200, "y", "1"),
                          setter("No", 600, 400, "n", "1")], connections, order)


def test_par102_is_silent_where_both_orders_run_the_same_nodes_the_same_way_on_n8n(n8n):
    """PAR102 says nothing where every run agrees (setting "v1" would change nothing); on n8n
    2.8.4 both settings then run the same nodes, in the same order, the same number of times."""
    legacy = [if_without_merge("safe0true", None, True), if_without_merge("safe0false", None, False)]
    for d in legacy:
        wf = read_n8n(f"{d['id']}.json", json.dumps(d))[0]
        assert list(check_workflow(wf, [all_rules()["PAR102"]], preview=True).findings) == [], d["id"]
    modern = [{**d, "id": d["id"].replace("safe0", "safe1"), "settings": {"executionOrder": "v1"}} for d in legacy]
    real = n8n(legacy + modern)

    def counts(run):
        return {node: len(entries) for node, entries in run["data"]["resultData"]["runData"].items()}
    for old, new in zip(legacy, modern):
        assert first_runs(real[old["id"]]) == first_runs(real[new["id"]])
        assert counts(real[old["id"]]) == counts(real[new["id"]])


def if_into_merge_in_a_loop(wid, order, items=1):
    """Start → Rows (``items`` items) → Loop Over Items (1 per pass); each pass: Gate (IF, always
    true) → Merge input 1, its false side Other → Merge input 0; Merge → Back → Loop; done → End."""
    rows = {"parameters": {"jsCode": f"return {[{'json': {'p': i}} for i in range(items)]};"},
            "id": "00000000-0000-4000-8000-0000000000a1", "name": "Rows", "type": "n8n-nodes-base.code",
            "typeVersion": 2, "position": [200, 300]}
    loop = {"parameters": {"batchSize": 1, "options": {}}, "id": "00000000-0000-4000-8000-0000000000a2",
            "name": "Loop", "type": "n8n-nodes-base.splitInBatches", "typeVersion": 3, "position": [400, 300]}
    gate = {"parameters": {"conditions": {"boolean": [{"value1": True, "value2": True}]}},
            "id": "00000000-0000-4000-8000-0000000000a3", "name": "Gate", "type": "n8n-nodes-base.if",
            "typeVersion": 1, "position": [600, 400]}
    merge = {"parameters": {}, "id": "00000000-0000-4000-8000-0000000000a4", "name": "Merge",
             "type": "n8n-nodes-base.merge", "typeVersion": 3, "position": [1000, 400]}
    connections = {T: {"main": [[{"node": "Rows", "type": "main", "index": 0}]]},
                   "Rows": {"main": [[{"node": "Loop", "type": "main", "index": 0}]]},
                   "Loop": {"main": [[{"node": "End", "type": "main", "index": 0}],
                                     [{"node": "Gate", "type": "main", "index": 0}]]},
                   "Gate": {"main": [[{"node": "Merge", "type": "main", "index": 1}],
                                     [{"node": "Other", "type": "main", "index": 0}]]},
                   "Other": {"main": [[{"node": "Merge", "type": "main", "index": 0}]]},
                   "Merge": {"main": [[{"node": "Back", "type": "main", "index": 0}]]},
                   "Back": {"main": [[{"node": "Loop", "type": "main", "index": 0}]]}}
    return workflow(wid, [rows, loop, gate, setter("Other", 800, 500, "o", "1"), merge,
                          setter("Back", 1200, 400, "b", "1"), setter("End", 600, 200, "e", "1")], connections, order)


def test_inside_a_loop_v0_still_forces_the_other_side_of_an_if_into_a_merge(n8n):
    """The way back into Loop Over Items closes the loop after the pass: v0's search for the chain
    feeding the Merge's other input does not climb it, and v1 runs the waiting Merge before the
    loop can finish. Predicted per run for one pass, checked on n8n 2.8.4.

    Not predicted: with a second pass, v0 finds Other already run, forces nothing, and the Merge
    waits for ever: the loop stops and its done branch never runs (asserted below as n8n's
    behaviour; the reader records first runs only, so PAR102 reports the first difference)."""
    docs = [if_into_merge_in_a_loop("loopifv1", "v1"), if_into_merge_in_a_loop("loopifv0", None),
            if_into_merge_in_a_loop("loop2v1", "v1", 2), if_into_merge_in_a_loop("loop2v0", None, 2)]
    real = n8n(docs)
    for d in docs[:2]:
        wf = read_n8n(f"{d['id']}.json", json.dumps(d))[0]
        assert scenario_runs(wf, T, (("Gate", 0),)) == first_runs(real[d["id"]]), d["id"]
    assert "Other" in first_runs(real["loopifv0"]) and "Other" not in first_runs(real["loopifv1"])
    assert "End" in first_runs(real["loop2v1"]) and "End" not in first_runs(real["loop2v0"])
    wf = read_n8n("loop2v0.json", json.dumps(docs[3]))[0]
    shown = [f for f in check_workflow(wf, [all_rules()["PAR102"]]).findings if not f.preview]
    assert len(shown) == 1 and "`Other` run(s) today but not under v1" in shown[0].full_message
    assert "the Merge in its body waits for ever and the loop stops there" in shown[0].full_message


def two_triggers_into_merge(wid, order):
    """Start → A → Merge input 0; Hook (a webhook trigger) → H → Merge input 1; Merge → F."""
    hook = {"parameters": {"path": "probe", "options": {}}, "id": "00000000-0000-4000-8000-0000000000b1",
            "name": "Hook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "position": [0, 500],
            "webhookId": "00000000-0000-4000-8000-0000000000b9"}
    merge = {"parameters": {}, "id": "00000000-0000-4000-8000-0000000000b2", "name": "Merge",
             "type": "n8n-nodes-base.merge", "typeVersion": 3, "position": [600, 300]}
    conns = {T: {"main": [[{"node": "A", "type": "main", "index": 0}]]},
             "Hook": {"main": [[{"node": "H", "type": "main", "index": 0}]]},
             "A": {"main": [[{"node": "Merge", "type": "main", "index": 0}]]},
             "H": {"main": [[{"node": "Merge", "type": "main", "index": 1}]]},
             "Merge": {"main": [[{"node": "F", "type": "main", "index": 0}]]}}
    return workflow(wid, [hook, setter("A", 200, 300, "a", "1"), setter("H", 200, 500, "h", "1"), merge,
                          setter("F", 800, 300, "f", "1")], conns, order)


def test_a_run_from_one_trigger_and_a_merge_fed_by_another(n8n):
    """Per trigger: the run the manual trigger starts. v1 runs the Merge with what it has; v0 runs
    the other trigger's chain (the webhook node too) to feed it. Predicted per run, as n8n 2.8.4 does."""
    docs = [two_triggers_into_merge("trigv0", None), two_triggers_into_merge("trigv1", "v1")]
    real = n8n(docs)
    for d in docs:
        wf = read_n8n(f"{d['id']}.json", json.dumps(d))[0]
        assert scenario_runs(wf, T, ()) == first_runs(real[d["id"]]), d["id"]
    assert first_runs(real["trigv0"]) == [T, "A", "Hook", "H", "Merge", "F"]
    assert first_runs(real["trigv1"]) == [T, "A", "Merge", "F"]


# --------------------------------------------------------------------------- timings against reality


def pause(name, seconds, x, y):
    """A Wait node of ``seconds`` (n8n waits in the process below 65 s, so the run takes that long)."""
    uid = f"{abs(hash(name)) % 10**12:012d}"
    return {"parameters": {"amount": seconds}, "id": f"00000000-0000-4000-8000-{uid}", "name": name,
            "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "position": [x, y],
            "webhookId": f"00000000-0000-4000-9000-{uid}"}


def paused_loop(wid, order):
    """Start → Pause (0.6 s) → Rows (3 items) → Loop (1 per batch) → Nap (0.3 s) → back; done → End."""
    rows = {"parameters": {"jsCode": "return [{json: {p: 1}}, {json: {p: 2}}, {json: {p: 3}}];"},
            "id": "00000000-0000-4000-8000-0000000000f1", "name": "Rows", "type": "n8n-nodes-base.code",
            "typeVersion": 2, "position": [400, 300]}
    loop = {"parameters": {"batchSize": 1, "options": {}}, "id": "00000000-0000-4000-8000-0000000000f2",
            "name": "Loop", "type": "n8n-nodes-base.splitInBatches", "typeVersion": 3, "position": [600, 300]}
    links = conn((T, "Pause"), ("Pause", "Rows"), ("Rows", "Loop"), ("Nap", "Loop"))
    links["Loop"] = {"main": [[{"node": "End", "type": "main", "index": 0}],
                              [{"node": "Nap", "type": "main", "index": 0}]]}
    return workflow(wid, [pause("Pause", 0.6, 200, 300), rows, loop, pause("Nap", 0.3, 800, 400),
                          setter("End", 800, 100, "done", "yes")], links, order)


def paused_branches(wid, order):
    """Two branches of waits (0.4 s + 0.2 s above, 0.5 s below) into a Merge, then a Set."""
    merge = {"parameters": {}, "id": "00000000-0000-4000-8000-0000000000f3", "name": "Merge",
             "type": "n8n-nodes-base.merge", "typeVersion": 3, "position": [600, 300]}
    links = conn((T, "A1"), (T, "B1"), ("A1", "A2"), ("Merge", "F"))
    links["A2"] = {"main": [[{"node": "Merge", "type": "main", "index": 0}]]}
    links["B1"] = {"main": [[{"node": "Merge", "type": "main", "index": 1}]]}
    return workflow(wid, [pause("A1", 0.4, 200, 200), pause("A2", 0.2, 400, 200), pause("B1", 0.5, 200, 400),
                          merge, setter("F", 800, 300, "f", "1")], links, order)


def all_runs(run: dict) -> list[str]:
    """Every run of every node, in the order n8n ran them (a loop's nodes once per pass)."""
    runs = run["data"]["resultData"]["runData"]
    return [node for _, node in sorted((r["executionIndex"], node) for node, entries in runs.items() for r in entries)]


def wall_s(run: dict) -> float:
    from datetime import datetime

    def at(text):
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (at(run["stoppedAt"]) - at(run["startedAt"])).total_seconds()


def test_measured_node_times_predict_the_wall_time_and_the_order_n8n_ran(n8n, tmp_path):
    """Issue 18 item 5: each execution imported with --timings; wflint's current_s from the measured
    per-node times is n8n's wall time within 10 %, and the order it predicts is the order n8n ran,
    every loop pass included."""
    from conftest import run

    docs = [paused_loop("tloopv1", "v1"), paused_loop("tloopv0", None), paused_branches("tbrv1", "v1"),
            paused_branches("tbrv0", None)]
    real = n8n(docs)
    for d in docs:
        execution, path = real[d["id"]], tmp_path / f"{d['id']}.json"
        path.write_text(json.dumps(d))
        (tmp_path / "exec.json").write_text(json.dumps(execution))
        result = run("report", path, "--format", "json", "--timings", tmp_path / "exec.json")
        assert result.exit_code == 0 and "match no task" not in result.stderr, result.stderr
        report = result.json()
        assert report["measured_share"] == 1.0 and report["structure"]["timed"], d["id"]
        wall = wall_s(execution)
        assert wall > 1.0 and abs(report["current_s"] - wall) <= 0.1 * wall, (d["id"], report["current_s"], wall)
        predicted = runs(read_n8n(path.name, json.dumps(d))[0])
        ran = all_runs(execution)
        assert list(dict.fromkeys(ran)) == predicted, d["id"]
        # Within each pass of a loop the nodes run in the predicted order; the loop runs once per item.
        rank = {n: i for i, n in enumerate(predicted)}
        passes: list[list[int]] = [[]]
        for node in ran:
            passes += [[]] if node == "Loop" else []
            passes[-1].append(rank[node])
        assert all(p == sorted(p) for p in passes), (d["id"], ran)
        if "Loop" in rank:
            assert ran.count("Loop") == 4 and ran.count("Nap") == 3, ran  # 3 passes, then the done output
        # The report's schedule starts the tasks in the order n8n first ran them.
        starts = sorted(report["tasks"], key=lambda t: (t["current_start_s"], rank[t["id"]]))
        assert [t["id"] for t in starts] == predicted, d["id"]


def merge_items(run: dict) -> int:
    """The items the Merge sent on, over all its runs (0 when it never ran)."""
    entries = run["data"]["resultData"]["runData"].get("Merge", [])
    return sum(len(out or []) for r in entries for out in (r.get("data") or {}).get("main", [[]])[:1])


def test_combine_by_position_after_both_sides_of_an_if_outputs_nothing(n8n):
    """Both sides of one IF into a Merge v3 that combines by position: one item takes one side, so
    n8n 2.8.4's Merge sends no item on under v1, and wflint says so (SAF003); legacy v0 also runs
    the other side's chain, so the Merge gets a pair and sends one item, and wflint says nothing;
    appending sends the item on (v0: both sides' items), and wflint says nothing about it."""
    docs = []
    for order in ("v1", None):
        for mode in ("position", "append"):
            d = if_into_merge(f"pos{mode}{order or 'v0'}", order, True)
            merge = next(n for n in d["nodes"] if n["name"] == "Merge")
            if mode == "position":
                merge["parameters"] = {"mode": "combine", "combineBy": "combineByPosition", "options": {}}
            merge["typeVersion"] = 3.2
            docs.append(d)
    real = n8n(docs)
    for d in docs:
        wf = read_n8n(f"{d['id']}.json", json.dumps(d))[0]
        said = [f for f in check_workflow(wf, [all_rules()["SAF003"]]).findings if "by position" in f.full_message]
        assert len(said) == (d["id"] == "pospositionv1"), d["id"]
    counts = {d["id"]: merge_items(real[d["id"]]) for d in docs}
    # v0 forces the false side (Other) to run with the item too, so append sends on two items
    assert counts == {"pospositionv1": 0, "posappendv1": 1, "pospositionv0": 1, "posappendv0": 2}


def test_a_merge_with_one_input_unwired_runs_at_once_with_its_items(n8n):
    """Merge v1 passThrough and v3.2 append, input 2 unwired, both orders: n8n 2.8.4 runs the Merge
    at once and sends input 1's item on to F, as if it were not there: wflint reports nothing (no
    join is missing, nothing waits)."""
    docs = []
    for ver, params in ((1, {"mode": "passThrough"}), (3.2, {})):
        for order in ("v1", None):
            merge = {"parameters": params, "id": "00000000-0000-4000-8000-0000000000c2", "name": "Merge",
                     "type": "n8n-nodes-base.merge", "typeVersion": ver, "position": [600, 300]}
            docs.append(workflow(f"unwired{int(ver * 10)}{order or 'v0'}", [setter("A1", 200, 200, "a", "1"), merge,
                                 setter("F", 800, 300, "f", "1")], conn((T, "A1"), ("A1", "Merge", 0), ("Merge", "F")), order))
    real = n8n(docs)
    for d in docs:
        assert first_runs(real[d["id"]]) == [T, "A1", "Merge", "F"] and merge_items(real[d["id"]]) == 1, d["id"]
        wf = read_n8n(f"{d['id']}.json", json.dumps(d))[0]
        messages = [f.full_message for f in check_workflow(wf, [all_rules()["SAF003"]]).findings]
        assert messages == [], d["id"]


def test_a_merge_with_input_2_unwired_passes_input_1_on_where_its_mode_returns_the_input_with_data(n8n):
    """Merge v2.x combining with input 2 unwired: by position (v2, v2.1) and by fields keeping
    everything or enriching input 1 (v2.1) send input 1's item on, as if the Merge were not there,
    and so does v3's chooseBranch naming input 1; wflint says nothing. By fields keeping matches,
    multiplex, and chooseBranch naming the unwired input send nothing on, and SAF003 says so.
    (Unseen rounds 7 and 8: MilesEducation's Merge1, jcalderon90's Merge1.)"""
    fields = {"mergeByFields": {"values": [{"field1": "a", "field2": "a"}]}}
    cases = {"pos20": (2, {"mode": "combine", "combinationMode": "mergeByPosition", "options": {}}, 1),
             "pos21": (2.1, {"mode": "combine", "combinationMode": "mergeByPosition", "options": {}}, 1),
             "every21": (2.1, {"mode": "combine", **fields, "joinMode": "keepEverything", "options": {}}, 1),
             "enrich21": (2.1, {"mode": "combine", **fields, "joinMode": "enrichInput1", "options": {}}, 1),
             "matches21": (2.1, {"mode": "combine", **fields, "options": {}}, 0),
             "multiplex21": (2.1, {"mode": "combine", "combinationMode": "multiplex", "options": {}}, 0),
             # v3 chooseBranch outputs the input it names: input 1's items, or none of the unwired input 2
             "choose1v3": (3.2, {"mode": "chooseBranch", "useDataOfInput": 1}, 1),
             "choose2v3": (3.2, {"mode": "chooseBranch", "useDataOfInput": 2}, 0)}
    docs = []
    for wid, (ver, params, _) in cases.items():
        merge = {"parameters": params, "id": "00000000-0000-4000-8000-0000000000c3", "name": "Merge",
                 "type": "n8n-nodes-base.merge", "typeVersion": ver, "position": [600, 300]}
        docs.append(workflow(f"v2unwired{wid}", [setter("A1", 200, 200, "a", "1"), merge, setter("F", 800, 300, "f", "1")],
                             conn((T, "A1"), ("A1", "Merge", 0), ("Merge", "F"))))
    real = n8n(docs)
    for d, (wid, (_, _, items)) in zip(docs, cases.items(), strict=True):
        assert merge_items(real[d["id"]]) == items, wid
        wf = read_n8n(f"{d['id']}.json", json.dumps(d))[0]
        said = [f for f in check_workflow(wf, [all_rules()["SAF003"]]).findings if "input 2 is not connected" in f.full_message]
        assert len(said) == (items == 0), wid


def sibling_reader(wid, expression):
    """Start → A (top) and Start → B (below): B reads A through ``expression``; v1 runs A first."""
    return workflow(wid, [setter("A", 200, 200, "a", "1"), setter("B", 200, 400, "b", expression)],
                    conn((T, "A"), (T, "B")))


def test_a_paired_item_read_of_a_sibling_branch_fails_even_after_it_ran_and_saf004_says_so(n8n):
    """``$('A').item`` from a sibling branch: n8n 2.8.4 runs A first and still stops at B
    ('Invalid expression'); ``$('A').first()`` reads A's value. SAF004 says the first fails."""
    item = sibling_reader("sibitem", "={{ $('A').item.json.a }}")
    first = sibling_reader("sibfirst", "={{ $('A').first().json.a }}")
    real = n8n([item, first], failing=frozenset({"sibitem"}))
    failed = real["sibitem"]["data"]["resultData"]
    assert first_runs(real["sibitem"]) == [T, "A", "B"] and failed["error"]["message"] == "Invalid expression"
    assert failed["lastNodeExecuted"] == "B"
    assert real["sibfirst"]["status"] == "success"
    assert real["sibfirst"]["data"]["resultData"]["runData"]["B"][0]["data"]["main"][0][0]["json"]["b"] == "1"
    said = {}
    for d in (item, first):
        wf = read_n8n(f"{d['id']}.json", json.dumps(d))[0]
        found = list(check_workflow(wf, [all_rules()["SAF004"]]).findings)
        assert len(found) == 1, d["id"]
        said[d["id"]] = found[0].full_message, found[0].severity.value
    assert "'Invalid expression'" in said["sibitem"][0] and "`$('A').first()`" in said["sibitem"][0]
    # it fails today: an error; the `.first()` read works today, by canvas position alone: a warning
    assert (said["sibitem"][1], said["sibfirst"][1]) == ("error", "warning")
    assert "Invalid expression" not in said["sibfirst"][0]


def loop_of_three(wid, order="v1", config=False):
    """Start → Rows (3 items) → Loop Over Items (1 per pass) → Reply → Notify → back to the loop;
    done → Report. With ``config``: Config (Execute Once, outside the loop, fed by Rows) feeds a
    Merge inside the loop body (Reply → Merge input 0, Config → Merge input 1, Merge → Notify)."""
    rows = {"parameters": {"jsCode": "return [{json: {p: 1}}, {json: {p: 2}}, {json: {p: 3}}];"},
            "id": "00000000-0000-4000-8000-0000000000c1", "name": "Rows", "type": "n8n-nodes-base.code",
            "typeVersion": 2, "position": [200, 300]}
    loop = {"parameters": {"batchSize": 1, "options": {}}, "id": "00000000-0000-4000-8000-0000000000c2",
            "name": "Loop", "type": "n8n-nodes-base.splitInBatches", "typeVersion": 3, "position": [400, 300]}
    nodes = [rows, loop, setter("Reply", 600, 400, "reply", "={{ 'to ' + $json.p }}"),
             setter("Notify", 1000, 400, "sent", "={{ $json.p }}"), setter("Report", 600, 100, "done", "yes")]
    links = conn((T, "Rows"), ("Rows", "Loop"), ("Notify", "Loop"))
    links["Loop"] = {"main": [[{"node": "Report", "type": "main", "index": 0}],
                              [{"node": "Reply", "type": "main", "index": 0}]]}
    if config:
        nodes += [{**setter("Config", 400, 600, "cfg", "1"), "executeOnce": True},
                  {"parameters": {}, "id": "00000000-0000-4000-8000-0000000000c3", "name": "Merge",
                   "type": "n8n-nodes-base.merge", "typeVersion": 3, "position": [800, 400]}]
        links["Rows"]["main"][0].append({"node": "Config", "type": "main", "index": 0})
        links.update(conn(("Reply", "Merge"), ("Merge", "Notify")))
        links["Config"] = {"main": [[{"node": "Merge", "type": "main", "index": 1}]]}
    else:
        links.update(conn(("Reply", "Notify")))
    return workflow(wid, nodes, links, order)


def simulated_runs(d: dict, items: int = 3) -> list[str]:
    """wflint's simulation of every run of the execution from Start with ``items`` items."""
    scenario = next(s for s in read_n8n("w.json", json.dumps(d))[0].facet(ExecutionOrder).scenarios if s.start == T)
    return [node for node, _ in scenario.run_logs[items - 1]]


def output_items(run: dict) -> list[tuple[str, int]]:
    """Every run with the number of items it emitted (all outputs), in n8n's order."""
    runs = run["data"]["resultData"]["runData"]
    ordered = sorted((r["executionIndex"], node, sum(len(o or []) for o in r["data"]["main"]))
                     for node, entries in runs.items() for r in entries)
    return [(node, count) for _, node, count in ordered]


def test_every_pass_of_a_loop_of_three_is_what_n8n_runs(n8n, tmp_path):
    """The simulated run log (every run of every node, three items, one per pass) equals n8n's
    runData, before and after ``wflint fix`` (its default, safe fixes)."""
    from conftest import run

    befores = [loop_of_three("passv1"), loop_of_three("passv0", None)]
    afters = []
    for before in befores:
        path = tmp_path / f"{before['id']}.json"
        path.write_text(json.dumps(before, indent=2))
        run("fix", path)
        after = json.loads(path.read_text())
        after["id"] = after["name"] = before["id"] + "x"
        afters.append(after)
    real = n8n(befores + afters)
    for d in befores + afters:
        assert simulated_runs(d) == all_runs(real[d["id"]]), d["id"]
        counts = {n: c for n, c in output_items(real[d["id"]]) if n in ("Reply", "Notify")}
        assert counts == {"Reply": 1, "Notify": 1}  # one item per pass
        assert all_runs(real[d["id"]]).count("Notify") == 3
    log = read_n8n("w.json", json.dumps(befores[0]))[0].facet(ExecutionOrder).scenarios[0].run_logs[2]
    assert [d for n, d in log if n == "Notify"] == [(0,), (1,), (2,)]  # each pass its own item


def test_a_merge_in_a_loop_fed_by_execute_once_outside_it_sees_its_data_on_the_first_pass_only(n8n):
    """Measured on n8n 2.8.4 (v1 and v0): Config (Execute Once, outside the loop) feeds a Merge in
    the loop body. Pass 1 merges Reply's item with Config's; on passes 2 and 3 nothing comes from
    Config and the Merge runs with Reply's item alone (it does not wait), so the done output
    gets 4 items, not 3. The simulated run order is n8n's, every pass."""
    docs = [loop_of_three("cfgv1", "v1", config=True), loop_of_three("cfgv0", None, config=True)]
    real = n8n(docs)
    for d in docs:
        assert simulated_runs(d) == all_runs(real[d["id"]]), d["id"]
        emitted = output_items(real[d["id"]])
        assert [c for n, c in emitted if n == "Merge"] == [2, 1, 1], d["id"]
        assert [c for n, c in emitted if n == "Report"] == [4], d["id"]
        flagged = [f.message for f in check_workflow(read_n8n("w.json", json.dumps(d))[0], [all_rules()["SAF003"]]).findings]
        assert flagged == ["`Merge`: it runs once per pass of a loop, but `Config` (input 2) sends it data on its "
                           "first run only"], d["id"]  # what wflint says of it is what n8n does


def sub_workflow_per_row(wid: str, wait_ms: int = 1000) -> dict:
    """Start → Rows (3 items) → Report, an Execute Workflow node run once per item on a sub-workflow
    given in the node (a trigger → a Wait of ``wait_ms`` → Done, which sets ``done``)."""
    trigger = {"parameters": {}, "id": "00000000-0000-4000-8000-0000000000f3", "name": "Called",
               "type": "n8n-nodes-base.executeWorkflowTrigger", "typeVersion": 1, "position": [0, 300]}
    pause = {"parameters": {"amount": wait_ms / 1000, "unit": "seconds"}, "id": "00000000-0000-4000-8000-0000000000f4",
             "name": "Pause", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "position": [200, 300],
             "webhookId": "00000000-0000-4000-8000-0000000000f5"}
    child = {"nodes": [trigger, pause, setter("Done", 400, 300, "done", "true")],
             "connections": conn(("Called", "Pause"), ("Pause", "Done")), "settings": {"executionOrder": "v1"}}
    rows = {"parameters": {"jsCode": "return [{json: {p: 1}}, {json: {p: 2}}, {json: {p: 3}}];"},
            "id": "00000000-0000-4000-8000-0000000000f1", "name": "Rows", "type": "n8n-nodes-base.code",
            "typeVersion": 2, "position": [200, 300]}
    report = {"parameters": {"mode": "each", "source": "parameter", "workflowJson": json.dumps(child), "options": {}},
              "id": "00000000-0000-4000-8000-0000000000f2", "name": "Report", "type": "n8n-nodes-base.executeWorkflow",
              "typeVersion": 1.1, "position": [400, 300]}
    return workflow(wid, [rows, report], conn((T, "Rows"), ("Rows", "Report")))


def test_a_sub_workflow_run_per_item_not_waited_for_passes_on_its_input_and_does_not_hold_the_run(n8n, tmp_path):
    """PAR104 on n8n 2.8.4: waiting, the node runs the sub-workflow three times back to back and
    emits what it returns; after `wflint fix --preview --unsafe-fixes` it goes on at once and emits
    its input items (what the rule's message says)."""
    from conftest import run

    before = sub_workflow_per_row("p104wait")
    path = tmp_path / "p104.json"
    path.write_text(json.dumps(before, indent=2))
    found = run("check", "--preview", path, "--format", "json", "--fail-on", "never").json()["findings"]
    assert [f["code"] for f in found] == ["PAR104"]
    assert run("fix", "--preview", "--unsafe-fixes", path).exit_code == 0
    after = json.loads(path.read_text())
    after["id"] = after["name"] = "p104detached"
    real = n8n([before, after])

    def report(key):
        (entry,) = real[key]["data"]["resultData"]["runData"]["Report"]
        return entry["executionTime"], [i["json"] for i in entry["data"]["main"][0]]
    waited, detached = report("p104wait"), report("p104detached")
    assert waited[1] == [{"p": p, "done": "true"} for p in (1, 2, 3)] and waited[0] >= 2500  # three 1 s runs in turn
    assert detached[1] == [{"p": 1}, {"p": 2}, {"p": 3}] and detached[0] < 1000  # its input, at once


def gated_join(wid, order, passes):
    """Start → Upsert → Respond, and Start → Gate (IF ``passes``) → Schedule → Respond: Respond runs
    once per branch that reaches it; a closed Gate keeps Schedule's branch from running."""
    gate = {"parameters": {"conditions": {"boolean": [{"value1": passes, "value2": True}]}},
            "id": "00000000-0000-4000-8000-0000000000f1", "name": "Gate", "type": "n8n-nodes-base.if",
            "typeVersion": 1, "position": [200, 400]}
    return workflow(wid, [setter("Upsert", 200, 200, "u", "1"), gate, setter("Schedule", 400, 400, "s", "1"),
                          setter("Respond", 600, 300, "r", "1")],
                    {**conn((T, "Upsert"), (T, "Gate"), ("Upsert", "Respond")),
                     "Gate": {"main": [[{"node": "Schedule", "type": "main", "index": 0}], []]},
                     "Schedule": {"main": [[{"node": "Respond", "type": "main", "index": 0}]]}}, order)


def test_a_join_inserted_before_a_branch_behind_an_if_does_not_run_that_branch_in_v0_or_v1(n8n):
    """Legacy v0 runs the chain feeding a Merge's other input when nothing else would run it, but
    not from a node whose parent already ran: the SAF003 fix (safe) changes nothing else here."""
    docs, fixed = [], set()
    for order in ("v1", None):
        for passes in (False, True):
            key = f"{order or 'v0'}{'open' if passes else 'shut'}"
            before = gated_join(f"gate{key}", order, passes)
            text = json.dumps(before, indent=2)
            wf = read_n8n("gate.json", text)[0]
            assert check_workflow(wf, [all_rules()["SAF003"]]).findings == []  # in memory, seen by no one
            assert wf.tasks["Respond"].facet(JoinCheck).fix == "safe"
            after = json.loads(rewrite(text, wf, [InsertJoin("Respond", ("Upsert", "Schedule"))]))
            after["id"] = after["name"] = f"gatefixed{key}"
            docs += [before, after]
            fixed.add(after["id"])
    real = n8n(docs)
    for d in docs:
        ran = real[d["id"]]["data"]["resultData"]["runData"]
        opened = d["id"].endswith("open")
        assert ("Schedule" in ran) == opened, d["id"]
        assert len(ran["Respond"]) == (1 if d["id"] in fixed or not opened else 2), d["id"]
        if opened:  # the reader's order has every output emit: what n8n runs when the Gate is open
            assert runs(read_n8n(f"{d['id']}.json", json.dumps(d))[0]) == first_runs(real[d["id"]]), d["id"]


def loop_then_report(wid, order="v1"):
    """``loop_of_three`` whose done branch (Report) reads the body's last node, ``$('Notify').last()``."""
    d = loop_of_three(wid, order)
    report = next(n for n in d["nodes"] if n["name"] == "Report")
    report["parameters"]["assignments"]["assignments"][0]["value"] = "={{ $('Notify').last().json.sent }}"
    return d


def status_check(wid, expression):
    """Start → B (top, runs first in v1) and Start → A (below): B's field is ``expression`` about A."""
    return workflow(wid, [setter("B", 200, 200, "b", expression), setter("A", 200, 400, "a", "1")],
                    conn((T, "A"), (T, "B")))


def test_the_done_branch_of_a_loop_reads_the_whole_body_and_is_executed_reads_nothing(n8n):
    """Measured on n8n 2.8.4: the done output fires after the body's third pass, so Report reads
    Notify's last item (v1 and v0) and SAF004 is silent; ``$('A').isExecuted`` in B, which runs
    before A, is false and the run succeeds (no finding), while ``$('A').first()`` there fails as
    SAF004 says."""
    docs = [loop_then_report("donev1"), loop_then_report("donev0", None),
            status_check("asked", "={{ $('A').isExecuted ? 'ran' : 'not yet' }}"),
            status_check("early", "={{ $('A').first().json.a }}")]
    real = n8n(docs, failing=frozenset({"early"}))
    for wid in ("donev1", "donev0"):
        report = real[wid]["data"]["resultData"]["runData"]["Report"]
        assert len(report) == 1 and report[0]["data"]["main"][0][0]["json"]["done"] == "3", wid
    asked = real["asked"]["data"]["resultData"]["runData"]
    assert first_runs(real["asked"]) == [T, "B", "A"] and asked["B"][0]["data"]["main"][0][0]["json"]["b"] == "not yet"
    assert "hasn't been executed" in real["early"]["data"]["resultData"]["error"]["message"]
    found = {d["id"]: [f.tasks for f in check_workflow(read_n8n("w.json", json.dumps(d))[0],
                                                        [all_rules()[c] for c in ("SAF003", "SAF004")]).findings]
             for d in docs}
    assert found == {"donev1": [], "donev0": [], "asked": [], "early": [("A", "B")]}



def at_least(name, x, y, left, right, nid):
    """An IF (v2.2) whose true output takes the items where ``left`` >= ``right`` (numbers, loose)."""
    return {"parameters": {"conditions": {
        "options": {"caseSensitive": True, "leftValue": "", "typeValidation": "loose", "version": 2},
        "conditions": [{"id": f"c{nid}", "leftValue": left, "rightValue": right,
                        "operator": {"type": "number", "operation": "gte"}}], "combinator": "and"},
        "options": {}}, "id": f"00000000-0000-4000-8000-0000000000{nid}", "name": name,
        "type": "n8n-nodes-base.if", "typeVersion": 2.2, "position": [x, y]}


def counter_loop(wid, expression):
    """Start → Init (page 0) → Increment (page = ``expression``) → Done? (page >= 3): true → Finished,
    false → Forward Prev (prev = Increment's page) → back into Increment: a loop carried by a read."""
    def number(name, x, y, field, value):
        node = setter(name, x, y, field, value)
        node["parameters"]["assignments"]["assignments"][0]["type"] = "number"
        return node
    done = at_least("Done?", 600, 300, "={{ $json.page }}", 3, "e1")
    nodes = [number("Init", 200, 300, "page", "0"), number("Increment", 400, 300, "page", expression), done,
             setter("Finished", 800, 200, "f", "1"),
             number("Forward Prev", 800, 400, "prev", "={{ $('Increment').first().json.page }}")]
    connections = {**conn((T, "Init"), ("Init", "Increment"), ("Increment", "Done?"), ("Forward Prev", "Increment")),
                   "Done?": {"main": [[{"node": "Finished", "type": "main", "index": 0}],
                                      [{"node": "Forward Prev", "type": "main", "index": 0}]]}}
    return workflow(wid, nodes, connections)


def test_a_loop_carried_read_behind_is_executed_reads_the_last_pass_and_saf004_says_nothing(n8n):
    """Increment reads `$('Forward Prev')` only once it ran (`.isExecuted ? ... : Init's page`):
    n8n 2.8.4 takes Init's page on the first pass and Forward Prev's on each later one (pages 0, 1,
    2, 3, then Finished), so SAF004 says nothing (unseen round 7, F1). Read unguarded, the first
    pass fails ("hasn't been executed"), and SAF004 reports it."""
    guarded = counter_loop("carried", "={{ $('Forward Prev').isExecuted ? $('Forward Prev').first().json.prev + 1"
                                      " : $('Init').first().json.page }}")
    bare = counter_loop("uncarried", "={{ $('Forward Prev').first().json.prev + 1 }}")
    real = n8n([guarded, bare], failing=frozenset({"uncarried"}))
    runs = real["carried"]["data"]["resultData"]["runData"]
    assert [r["data"]["main"][0][0]["json"]["page"] for r in runs["Increment"]] == [0, 1, 2, 3]
    assert len(runs["Finished"]) == 1
    assert "hasn't been executed" in real["uncarried"]["data"]["resultData"]["error"]["message"]
    found = {d["id"]: [f.tasks for f in check_workflow(read_n8n("w.json", json.dumps(d))[0],
                                                        [all_rules()["SAF004"]]).findings] for d in (guarded, bare)}
    assert found == {"carried": [], "uncarried": [("Forward Prev", "Increment")]}


def _code_node(name, x, y, source, nid):
    return {"parameters": {"jsCode": source}, "id": f"00000000-0000-4000-8000-0000000001{nid:02d}", "name": name,
            "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [x, y]}


def _loop_node(name, x, y, nid):
    return {"parameters": {"options": {}}, "id": f"00000000-0000-4000-8000-0000000001{nid:02d}", "name": name,
            "type": "n8n-nodes-base.splitInBatches", "typeVersion": 3, "position": [x, y]}


def test_a_loops_done_output_runs_before_the_next_sibling_branch_under_v1(n8n):
    """Source feeds Loop A (top), Loop B (middle) and Reader (bottom); each loop's done output feeds
    a Producer that Reader reads with `$items()`. n8n 2.8.4 (v1) runs each loop through its passes
    and then its done output inside that branch, before the next one: Reader sees both Producers'
    items. wflint predicts that order; the read rests on canvas position (a warning, not the error
    "Reader runs before it"). (Unseen round 8, F1: KeyMailer's AutoLead workflows.)"""
    nodes = [_code_node("Source", 200, 300, "return ['a', 'b', 'c'].map(p => ({json: {p}}));", 1),
             _loop_node("Loop A", 400, 0, 2), _code_node("Body A", 600, 100, "return $input.all();", 3),
             _code_node("Producer A", 600, -100, "return $input.all().map(i => ({json: {a: i.json.p}}));", 4),
             _loop_node("Loop B", 400, 300, 5), _code_node("Body B", 600, 400, "return $input.all();", 6),
             _code_node("Producer B", 600, 200, "return $input.all().map(i => ({json: {b: i.json.p}}));", 7),
             _code_node("Reader", 400, 600, "return [{json: {a: $items('Producer A').map(i => i.json.a), "
                                            "b: $items('Producer B').map(i => i.json.b)}}];", 8)]
    connections = {**conn((T, "Source"), ("Source", "Loop A"), ("Source", "Loop B"), ("Source", "Reader"),
                          ("Body A", "Loop A"), ("Body B", "Loop B")),
                   "Loop A": {"main": [[{"node": "Producer A", "type": "main", "index": 0}],
                                       [{"node": "Body A", "type": "main", "index": 0}]]},
                   "Loop B": {"main": [[{"node": "Producer B", "type": "main", "index": 0}],
                                       [{"node": "Body B", "type": "main", "index": 0}]]}}
    doc = workflow("loopdone", nodes, connections)
    real = n8n([doc])["loopdone"]
    read = real["data"]["resultData"]["runData"]["Reader"][0]["data"]["main"][0][0]["json"]
    assert read == {"a": ["a", "b", "c"], "b": ["a", "b", "c"]}
    wf = read_n8n("loopdone.json", json.dumps(doc))[0]
    assert runs(wf) == first_runs(real)
    said = check_workflow(wf, [all_rules()["SAF004"]]).findings
    assert sorted(f.tasks for f in said) == [("Producer A", "Reader"), ("Producer B", "Reader")]
    assert {f.severity.value for f in said} == {"warning"}


def test_two_loops_one_node_feeds_back_in_lock_step_are_two_loops(n8n):
    """Loops A and B each send their batch into one Merge; Reader after it reads `$('PB')`, and one
    node after Reader feeds both loops back. Each connection back into a loop from its own body
    closes that loop: n8n 2.8.4 runs both in lock-step, Reader reading PB of the same pass (1, then
    2). wflint says nothing (it read the second loop's way back as a forward branch: SAF003 on
    Loop B, SAF004 on Reader). (Unseen round 8, F2: jcalderon90's ITERAR DATA.)"""
    merge = {"parameters": {"mode": "combine", "combineBy": "combineByPosition", "options": {}},
             "id": "00000000-0000-4000-8000-000000000120", "name": "Merge", "type": "n8n-nodes-base.merge",
             "typeVersion": 3.2, "position": [800, 300]}
    back = {"parameters": {}, "id": "00000000-0000-4000-8000-000000000121", "name": "Back",
            "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": [1200, 300]}
    nodes = [_code_node("A", 200, 100, "return [{json: {a: 1}}, {json: {a: 2}}];", 11),
             _code_node("B", 200, 500, "return [{json: {b: 1}}, {json: {b: 2}}];", 12),
             _loop_node("Loop A", 400, 100, 13), _loop_node("Loop B", 400, 500, 14),
             _code_node("PA", 600, 100, "return $input.all();", 15), _code_node("PB", 600, 500, "return $input.all();", 16),
             merge, _code_node("Reader", 1000, 300, "return [{json: {a: $json.a, pb: $('PB').first().json.b}}];", 17),
             back]
    connections = {**conn((T, "A"), (T, "B"), ("A", "Loop A"), ("B", "Loop B"), ("PA", "Merge", 0), ("PB", "Merge", 1),
                          ("Merge", "Reader"), ("Reader", "Back"), ("Back", "Loop A"), ("Back", "Loop B")),
                   "Loop A": {"main": [[], [{"node": "PA", "type": "main", "index": 0}]]},
                   "Loop B": {"main": [[], [{"node": "PB", "type": "main", "index": 0}]]}}
    doc = workflow("lockstep", nodes, connections)
    real = n8n([doc])["lockstep"]
    reader = real["data"]["resultData"]["runData"]["Reader"]
    assert [r["data"]["main"][0][0]["json"]["pb"] for r in reader] == [1, 2]
    wf = read_n8n("lockstep.json", json.dumps(doc))[0]
    assert check_workflow(wf, [all_rules()[c] for c in ("SAF003", "SAF004")]).findings == []


def test_a_logger_behind_each_steps_error_formatter_runs_once_per_failure(n8n):
    """Steps A and B continue on error into their own formatter, and both formatters into one
    logger: n8n 2.8.4 runs the logger once per failure (twice here, each with that failure's item),
    its design, so SAF003 says nothing, as for a handler fed by the error outputs directly.
    (Unseen round 8, F4: solutions-arch's workflow_c error log.)"""
    steps = [{**_code_node(f"Step {s}", 200, y, f"throw new Error('{s} down');", 30 + i), "onError": "continueErrorOutput"}
             for i, (s, y) in enumerate((("A", 200), ("B", 400)))]
    nodes = steps + [_code_node("A Format", 400, 200, "return [{json: {where: 'A'}}];", 33),
                     _code_node("B Format", 400, 400, "return [{json: {where: 'B'}}];", 34),
                     _code_node("Log", 600, 300, "return $input.all();", 35)]
    connections = {**conn((T, "Step A"), (T, "Step B"), ("A Format", "Log"), ("B Format", "Log")),
                   "Step A": {"main": [[], [{"node": "A Format", "type": "main", "index": 0}]]},
                   "Step B": {"main": [[], [{"node": "B Format", "type": "main", "index": 0}]]}}
    doc = workflow("errlog", nodes, connections)
    real = n8n([doc])["errlog"]
    logged = real["data"]["resultData"]["runData"]["Log"]
    assert [[i["json"]["where"] for i in r["data"]["main"][0]] for r in logged] == [["A"], ["B"]]
    wf = read_n8n("errlog.json", json.dumps(doc))[0]
    assert check_workflow(wf, [all_rules()["SAF003"]]).findings == []


def test_a_missing_name_read_only_as_a_fallback_fails_only_runs_that_reach_it(n8n):
    """`$json.id || $('Gone')...`: n8n 2.8.4 evaluates the missing name only where `$json.id` is
    empty, so the run with an id succeeds and the one without fails ("Referenced node doesn't
    exist"), as does a missing name read first. GRA002 reports the first-read name by default
    and the fallback one with --preview. (Unseen round 8, D2: sakshamagrawal1993's agents.)"""
    def reading(wid, given, expression):
        return workflow(wid, [setter("Input", 200, 300, "id", given), setter("Use", 400, 300, "got", expression)],
                        conn((T, "Input"), ("Input", "Use")))
    late = "={{ $json.id || $('Gone').first().json.id }}"
    docs = [reading("fallbackset", "7", late), reading("fallbackempty", "", late),
            reading("firstread", "7", "={{ $('Gone').first().json.id || $json.id }}")]
    real = n8n(docs, failing=frozenset({"fallbackempty", "firstread"}))
    assert real["fallbackset"]["data"]["resultData"]["runData"]["Use"][0]["data"]["main"][0][0]["json"]["got"] == "7"
    for wid in ("fallbackempty", "firstread"):
        assert "doesn't exist" in real[wid]["data"]["resultData"]["error"]["message"], wid
    said = {d["id"]: [f.preview for f in check_workflow(read_n8n("w.json", json.dumps(d))[0], [all_rules()["GRA002"]],
                                                         preview=True).findings] for d in docs}
    assert said == {"fallbackset": [True], "fallbackempty": [True], "firstread": [False]}


def if_sides_into_one_node(wid, left: str):
    """Start → Config (who = kyle) → Rows (3 items) → IF on ``left`` == "kyle"; true → A, false → B;
    A and B both feed Join, which is no Merge."""
    rows = {"parameters": {"jsCode": "return [{json: {p: 'kyle'}}, {json: {p: 'ann'}}, {json: {p: 'bo'}}];"},
            "id": "00000000-0000-4000-8000-0000000000b1", "name": "Rows", "type": "n8n-nodes-base.code",
            "typeVersion": 2, "position": [400, 300]}
    gate = {"parameters": {"conditions": {
        "options": {"caseSensitive": True, "leftValue": "", "typeValidation": "strict", "version": 2},
        "conditions": [{"id": "c1", "leftValue": left, "rightValue": "kyle",
                        "operator": {"type": "string", "operation": "equals"}}], "combinator": "and"},
        "options": {}}, "id": "00000000-0000-4000-8000-0000000000b2", "name": "Gate",
        "type": "n8n-nodes-base.if", "typeVersion": 2.2, "position": [600, 300]}
    connections = {**conn((T, "Config"), ("Config", "Rows"), ("Rows", "Gate"), ("A", "Join"), ("B", "Join")),
                   "Gate": {"main": [[{"node": "A", "type": "main", "index": 0}],
                                     [{"node": "B", "type": "main", "index": 0}]]}}
    return workflow(wid, [setter("Config", 200, 300, "who", "kyle"), rows, gate, setter("A", 800, 200, "a", "1"),
                          setter("B", 800, 400, "b", "1"), setter("Join", 1000, 300, "j", "1")], connections)


def test_the_two_sides_of_an_if_into_one_node_handle_each_item_once(n8n):
    """An IF's two outputs converging on a node that is no Merge: every item reaches it once, by
    one side (all three by one side where the condition reads ``$('Config').first()``; split one
    and two where it reads ``$json``), so SAF003 says nothing. Measured on n8n 2.8.4."""
    whole = if_sides_into_one_node("ifwhole", "={{ $('Config').first().json.who }}")
    per_item = if_sides_into_one_node("ifitem", "={{ $json.p }}")
    real = n8n([whole, per_item])
    for wid, runs_of_join in (("ifwhole", 1), ("ifitem", 2)):
        join = real[wid]["data"]["resultData"]["runData"]["Join"]
        items = sorted(i["json"]["p"] for r in join for i in r["data"]["main"][0])
        assert (len(join), items) == (runs_of_join, ["ann", "bo", "kyle"]), wid
    rule = [all_rules()["SAF003"]]
    for d in (whole, per_item):
        assert check_workflow(read_n8n(f"{d['id']}.json", json.dumps(d))[0], rule).findings == [], d["id"]


def test_a_retry_loop_back_into_where_an_ifs_sides_meet_is_a_later_pass_not_a_branch(n8n):
    """An IF's true side reaches Join through A, its false side directly, and a Check after Join
    sends its item back to Join until its second run (a retry loop). n8n 2.8.4 runs Join once per
    pass (twice, with all three items each time), never once per branch at once: SAF003 says
    nothing. (Unseen round 7, F4: the loop's way back made it report the IF's two sides.)"""
    doc = if_sides_into_one_node("retry", "={{ $('Config').first().json.who }}")
    doc["connections"]["Gate"]["main"][1] = [{"node": "Join", "type": "main", "index": 0}]
    doc["nodes"] = [n for n in doc["nodes"] if n["name"] != "B"]
    del doc["connections"]["B"]
    check = at_least("Check", 1200, 300, "={{ $runIndex }}", 1, "b3")
    doc["nodes"] += [check, setter("Out", 1400, 200, "o", "1")]
    doc["connections"]["Join"] = {"main": [[{"node": "Check", "type": "main", "index": 0}]]}
    doc["connections"]["Check"] = {"main": [[{"node": "Out", "type": "main", "index": 0}],
                                            [{"node": "Join", "type": "main", "index": 0}]]}
    runs = n8n([doc])["retry"]["data"]["resultData"]["runData"]
    assert [len(r["data"]["main"][0]) for r in runs["Join"]] == [3, 3] and len(runs["Out"]) == 1
    wf = read_n8n("retry.json", json.dumps(doc))[0]
    assert check_workflow(wf, [all_rules()["SAF003"]]).findings == []


def test_a_node_wired_to_two_input_indexes_runs_once_and_saf003_says_nothing(n8n):
    """A Set node (no Merge) fed by A on input 0 and by B on input 1: n8n 2.8.4 parks the data until
    both indexes have some and runs it once, in v1 and v0; fed by both on input 0 it runs once per
    branch. wflint reads the first as a join and the second as not; SAF003 says nothing of either,
    as no one sees the runs of a Set nothing follows (round 12, F2)."""
    docs = []
    for order in ("v1", None):
        for wid, index_b in ((f"twoidx{order or 'v0'}", 1), (f"oneidx{order or 'v0'}", 0)):
            docs.append(workflow(wid, [setter("A", 200, 200, "a", "1"), setter("B", 200, 400, "b", "1"),
                                       setter("Join", 400, 300, "j", "1")],
                                 conn((T, "A"), (T, "B"), ("A", "Join", 0), ("B", "Join", index_b)), order))
    real = n8n(docs)
    rule = [all_rules()["SAF003"]]
    for d in docs:
        joined = d["id"].startswith("two")
        assert len(real[d["id"]]["data"]["resultData"]["runData"]["Join"]) == (1 if joined else 2), d["id"]
        wf = read_n8n(f"{d['id']}.json", json.dumps(d))[0]
        assert (wf.tasks["Join"].join is Join.EACH) is not joined, d["id"]
        assert check_workflow(wf, rule).findings == [], d["id"]  # a Set nothing follows: its runs go unseen


def _code(name, x, y, source):
    return {"parameters": {"jsCode": source}, "id": f"00000000-0000-4000-8000-{abs(hash(name)) % 10**12:012d}",
            "name": name, "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [x, y]}


def test_what_n8n_never_evaluates_or_never_wires_is_said_as_it_runs(n8n):
    """On n8n 2.8.4: a disabled node's expression naming no node is never evaluated (the run
    succeeds); reads tried one after another in try/catch succeed when one name is a node;
    connections filed under node ids are ignored (only the trigger runs). wflint: no GRA002 or
    SAF004 for the first two, one GRA002 for the third."""
    disabled = setter("Later", 200, 300, "x", "={{ $('Gone').first().json.x }}")
    disabled["disabled"] = True
    off = workflow("offread", [disabled], conn((T, "Later")))
    probe = ("let v;\ntry { v = $('Src').first().json.a; } catch (e) {}\n"
             "try { if (!v) v = $('Src_old').first().json.a; } catch (e) {}\nreturn [{json: {v}}];")
    probes = workflow("probes", [setter("Src", 200, 300, "a", "1"), _code("Use", 400, 300, probe)],
                      conn((T, "Src"), ("Src", "Use")))
    by_id = workflow("byid", [setter("A", 200, 300, "a", "1")], {})
    by_id["connections"] = {by_id["nodes"][0]["id"]: {"main": [[{"node": by_id["nodes"][1]["id"], "type": "main",
                                                                   "index": 0}]]}}
    real = n8n([off, probes, by_id])
    assert real["offread"]["status"] == "success" and real["probes"]["status"] == "success"
    assert real["probes"]["data"]["resultData"]["runData"]["Use"][0]["data"]["main"][0][0]["json"]["v"] == "1"
    assert first_runs(real["byid"]) == [T]
    rules = [all_rules()[c] for c in ("GRA002", "SAF004")]
    said = {d["id"]: [f.code for f in check_workflow(read_n8n(f"{d['id']}.json", json.dumps(d))[0], rules,
                                                     preview=True).findings] for d in (off, probes, by_id)}
    assert said == {"offread": [], "probes": [], "byid": ["GRA002"]}


def reset_loop(wid, order):
    """Two branches each feed a Loop Over Items whose Reset option is on: one batch set per branch."""
    loop = {"parameters": {"options": {"reset": '={{ $node["Loop"].context["done"] }}'}},
            "id": "00000000-0000-4000-8000-0000000000e1", "name": "Loop", "type": "n8n-nodes-base.splitInBatches",
            "typeVersion": 3, "position": [450, 300]}
    work = _code("Work", 700, 300, "return {json: {done: $json.origin + $json.k}};")
    work["parameters"]["mode"] = "runOnceForEachItem"
    nodes = [_code("A", 200, 200, "return [{json: {origin: 'a', k: 1}}, {json: {origin: 'a', k: 2}}];"),
             _code("B", 200, 400, "return [{json: {origin: 'b', k: 3}}];"), loop, work]
    connections = {**conn((T, "A"), (T, "B"), ("A", "Loop"), ("B", "Loop"), ("Work", "Loop")),
                   "Loop": {"main": [[], [{"node": "Work", "type": "main", "index": 0}]]}}
    return workflow(wid, nodes, connections, order)


def test_a_loop_with_reset_fed_by_two_branches_is_its_design_under_v1_only(n8n):
    """On n8n 2.8.4, v1 runs each branch to its end, so the loop works every item of both sets; v0
    (legacy) brings the second set mid-loop and some items leave unworked. SAF003: silent under
    v1; under v0 reported, its fix only shown (the mend is executionOrder v1, not a join)."""
    v1, v0 = reset_loop("resetv1", "v1"), reset_loop("resetv0", "")
    real = n8n([v1, v0])

    def worked(run):
        return sorted(str(i["json"].get("done")) for r in run["data"]["resultData"]["runData"].get("Work", [])
                      for i in r["data"]["main"][0])
    assert worked(real["resetv1"]) == ["a1", "a2", "b3"]
    assert worked(real["resetv0"]) != ["a1", "a2", "b3"]
    said = {d["id"]: check_workflow(read_n8n(f"{d['id']}.json", json.dumps(d))[0], [all_rules()["SAF003"]]).findings
            for d in (v1, v0)}
    assert said["resetv1"] == [] and [f.fix.applicability.value for f in said["resetv0"]] == ["display"]


def test_connections_filed_under_an_error_key_never_run(n8n):
    """A node's error output is an extra `main` output (onError: continueErrorOutput); a connection
    filed under an `error` key is none n8n follows: on n8n 2.8.4 the node it leads to never runs,
    so wflint reads no ordering there and says nothing of that node's reads."""
    doc = workflow("errorkey", [setter("A", 200, 300, "a", "1"), setter("Handler", 400, 300, "h", "={{ $('A').item.json.a }}")],
                   {T: {"main": [[{"node": "A", "type": "main", "index": 0}]]},
                    "A": {"error": [[{"node": "Handler", "type": "main", "index": 0}]]}})
    real = n8n([doc])
    assert first_runs(real["errorkey"]) == [T, "A"]
    wf = read_n8n("errorkey.json", json.dumps(doc))[0]
    assert ("A", "Handler") not in {(e.u, e.v) for e in wf.edges if e.kind.name == "ORDER"}
    assert check_workflow(wf, all_rules().values()).findings == []


def test_of_two_nodes_with_one_name_n8n_runs_the_last(n8n):
    """n8n imports a file with two nodes named `Dup` and keeps the last: `After` gets its item.
    wflint reads the workflow as n8n runs it (the last `Dup`) and says the earlier never runs."""
    first, second = setter("Dup", 200, 200, "which", "first"), setter("Dup", 200, 400, "which", "second")
    second["id"] = "00000000-0000-4000-8000-0000000000d2"
    doc = workflow("dupnames", [first, second, setter("After", 400, 300, "got", "={{ $json.which }}")],
                   conn((T, "Dup"), ("Dup", "After")))
    real = n8n([doc])
    after = real["dupnames"]["data"]["resultData"]["runData"]["After"][0]["data"]["main"][0][0]["json"]
    assert after["got"] == "second"
    wf = read_n8n("dupnames.json", json.dumps(doc))[0]
    assert wf.tasks["Dup"].location.pointer == ("nodes", 2)  # the second `Dup` of the file
    [finding] = [f for f in check_workflow(wf, all_rules().values()).findings if f.code == "WFL004"]
    assert "earlier one never runs" in finding.message and finding.tasks == ("Dup",)


def revision_loop(wid, reviewers, reader="B", first="A"):
    """Start → Draft → each reviewer → Merge (combine by position) → Again? (pass < 1): true →
    Revise (pass + 1) → back into every reviewer; false → Done, which reads ``$('<reader>')``.
    ``reviewers`` name the Merge's inputs in order; ``first`` is the one Draft's connections list
    first (the order a search of the graph meets them in)."""
    ys = {r: 200 + 200 * i for i, r in enumerate(reviewers)}
    merge = {"parameters": {"mode": "combine", "combineBy": "combineByPosition",
                            **({"numberInputs": len(reviewers)} if len(reviewers) > 2 else {}), "options": {}},
             "id": "00000000-0000-4000-8000-0000000002a1", "name": "Merge", "type": "n8n-nodes-base.merge",
             "typeVersion": 3.2, "position": [600, 300]}
    again = at_least("Again?", 800, 300, 1, "={{ $json.pass + 1 }}", "a2")
    nodes = [_code_node("Draft", 200, 300, "return [{json: {pass: 0}}];", 1),
             *[setter(f"Review {r}", 400, ys[r], r.lower(), "ok") for r in reviewers], merge, again,
             _code_node("Revise", 1000, 200, "return $input.all().map(i => ({json: {pass: i.json.pass + 1}}));", 2),
             _code_node("Done", 1000, 400, f"return [{{json: {{seen: $('Review {reader}').first().json.{reader.lower()},"
                                           " pass: $json.pass}}];", 3)]
    fan = sorted(reviewers, key=lambda r: r != first)
    connections = {**conn((T, "Draft"), *[("Draft", f"Review {r}") for r in fan],
                          *[("Revise", f"Review {r}") for r in reversed(fan)],
                          *[(f"Review {r}", "Merge", i) for i, r in enumerate(reviewers)], ("Merge", "Again?")),
                   "Again?": {"main": [[{"node": "Revise", "type": "main", "index": 0}],
                                       [{"node": "Done", "type": "main", "index": 0}]]}}
    return workflow(wid, nodes, connections)


def test_a_loop_back_into_several_reviewers_runs_each_once_a_pass_and_is_closed_at_each(n8n):
    """A revision loop that goes back into two (three) reviewers: n8n 2.8.4 runs each reviewer once
    per pass (pass 0 from Draft, pass 1 from Revise), the Merge joins them each pass, and Done reads
    `$('Review B')` after the loop. Every Revise → reviewer connection closes the loop, whichever
    reviewer Draft lists first, so SAF003 and SAF004 say nothing (unseen round 9, F1: only the
    first re-entry was taken as the way back, the other reviewer got SAF003 with a fix marked safe
    that stalls the run, and Done's read SAF004)."""
    docs = [revision_loop("revab", "AB"), revision_loop("revba", "AB", first="B"),
            revision_loop("revabc", "ABC", reader="C", first="C")]
    real = n8n(docs)
    rules = [all_rules()["SAF003"], all_rules()["SAF004"]]
    for d in docs:
        ran = real[d["id"]]["data"]["resultData"]["runData"]
        reviewers = [n for n in ran if n.startswith("Review ")]
        assert [len(ran[r]) for r in reviewers] == [2] * len(reviewers) and len(reviewers) >= 2, d["id"]
        assert len(ran["Merge"]) == 2 and len(ran["Done"]) == 1, d["id"]
        assert ran["Done"][0]["data"]["main"][0][0]["json"] == {"seen": "ok", "pass": 1}, d["id"]
        assert check_workflow(read_n8n(f"{d['id']}.json", json.dumps(d))[0], rules).findings == [], d["id"]


def join_then(wid, url, after):
    """Start → A (from a), Start → B (from b) → B Call (GET): both into J (a Set, no Merge: it runs
    once per branch), then what ``after`` names: in-memory per-item logic, a per-item GET, a Code
    node run once for all items, or a Set reading `$('J').first()`."""
    def get(name, x, y, path):
        return {"parameters": {"url": f"{url}/{wid}/{path}", "options": {}}, "name": name,
                "id": f"00000000-0000-4000-8000-{abs(hash(wid + name)) % 10**12:012d}",
                "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2, "position": [x, y]}
    nodes = [setter("A", 200, 200, "from", "a"), setter("B", 200, 400, "from", "b"), get("B Call", 400, 400, "b-call"),
             setter("J", 600, 300, "j", "={{ $json.from ?? 'b' }}")]
    pairs = [(T, "A"), (T, "B"), ("B", "B Call"), ("A", "J"), ("B Call", "J")]
    if after == "logic":
        gate = at_least("Is b?", 800, 300, "={{ $json.j == 'b' ? 1 : 0 }}", 1, "b7")
        nodes += [gate, setter("Then", 1000, 200, "t", "={{ $json.j }}"), setter("Else", 1000, 400, "e", "={{ $json.j }}")]
        connections = {**conn(*pairs, ("J", "Is b?")),
                       "Is b?": {"main": [[{"node": "Then", "type": "main", "index": 0}],
                                          [{"node": "Else", "type": "main", "index": 0}]]}}
        return workflow(wid, nodes, connections)
    if after == "call":
        nodes.append(get("Notify", 800, 300, "={{ $json.j }}"))
        nodes[-1]["parameters"]["url"] = f"={url}/{wid}/{{{{ $json.j }}}}"
    elif after == "all":
        nodes.append(_code("Count", 800, 300, "return [{json: {n: $input.all().length}}];"))
    else:
        nodes.append(setter("First", 800, 300, "first", "={{ $('J').first().json.j }}"))
    return workflow(wid, nodes, conn(*pairs, ("J", nodes[-1]["name"])))


def test_a_join_fix_is_safe_exactly_where_the_inserted_merge_keeps_what_every_later_node_does(n8n, server):
    """SAF003's fix puts a Merge (append) before J: J and what follows then run once, after both
    branches, on both items. On n8n 2.8.4 every node outputs the same items as before only where
    J and all after it are in-memory per-item logic: a per-item GET still sends one request per
    branch's item (the duplicates stay) but after both branches (the order of the requests
    changes), a Code node run once for all items counts 2 instead of 1 twice, and a
    `$('J').first()` read sees the first branch's item for both. The fix is safe exactly in the
    first case (unseen round 9, X1: it was safe in all four)."""
    shapes = {kind: join_then(f"x1{kind}", server, kind) for kind in ("logic", "call", "all", "first")}
    rule = [all_rules()["SAF003"]]
    docs, safe, reported = [], {}, {}
    for kind, before in shapes.items():
        text = json.dumps(before, indent=2)
        wf = read_n8n(f"{before['id']}.json", text)[0]
        reported[kind] = [f.tasks[0] for f in check_workflow(wf, rule).findings]
        safe[kind] = wf.tasks["J"].facet(JoinCheck).fix == "safe"
        change = InsertJoin("J", ("A", "B Call"))
        after = json.loads(rewrite(text, wf, [change]).replace(f"/{before['id']}/", f"/{before['id']}m/"))
        after["id"] = after["name"] = before["id"] + "m"
        docs += [before, after]
    HITS.clear()
    real = n8n(docs)

    def outputs(wid):
        ran = real[wid]["data"]["resultData"]["runData"]
        def item(i):  # a response names the workflow it was sent from: left out
            return json.dumps({k: v for k, v in i["json"].items() if k != "got"}, sort_keys=True)
        return {node: (len(runs), sorted(item(i) for r in runs for i in r["data"]["main"][0]))
                for node, runs in ran.items() if node != "Merge"}

    alike = {}
    for kind, before in shapes.items():
        wid = before["id"]
        was, now = outputs(wid), outputs(wid + "m")
        assert was["J"][0] == 2 and now["J"][0] == 1, kind  # the Merge runs J once instead of once per branch
        hits = ([h.split("/", 2)[2] for h in HITS if h.startswith(f"/{wid}/")],
                [h.split("/", 2)[2] for h in HITS if h.startswith(f"/{wid}m/")])
        alike[kind] = all(was[n][1] == now[n][1] for n in was) and hits[0] == hits[1]
        if kind == "call":  # one request per item either way; one run sends its items' requests at once
            assert hits[0] == ["a", "b-call", "b"] and hits[1][0] == "b-call" and sorted(hits[1]) == sorted(hits[0])
    assert alike == {"logic": True, "call": False, "all": False, "first": False}
    assert safe == alike
    # Only the GET after J sends anything out of the run: the other shapes' extra runs of J are seen
    # by no one (round 12, F2), and SAF003 reports J where they are
    assert {k: [h for h in HITS if h.startswith(f"/x1{k}/") and not h.endswith("/b-call")] != [] for k in shapes} \
        == {"logic": False, "call": True, "all": False, "first": False}
    # ... and where a node after it reads its run as a whole (Count: `$input.all()`), written to see
    # every branch's items at once: each of its runs counts one branch's
    assert reported == {"logic": [], "call": ["J"], "all": ["J"], "first": []}
