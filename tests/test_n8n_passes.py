"""Every run of an n8n execution (adapters/n8n/passes.py) and fixes verified against it (issue 13)."""
from __future__ import annotations

from conftest import FIXTURES
from test_n8n import T, doc, links, node, read

from wflint.adapters.n8n import rewriter
from wflint.adapters.n8n.passes import compare, passes
from wflint.adapters.n8n.reader import read_n8n
from wflint.engine import check_workflow
from wflint.facets import ExecutionOrder
from wflint.finding import RemoveOrder, RunOnce
from wflint.rule import all_rules

PASSES = FIXTURES / "n8n-passes"


def fixture(name):
    path = PASSES / name
    return read_n8n(str(path), path.read_text())[0]


def logs(workflow):
    """The run logs of the execution from its first start, for 1, 2 and 3 items."""
    return workflow.facet(ExecutionOrder).scenarios[0].run_logs


def test_a_loop_runs_its_body_once_per_item_and_done_after_the_last_pass():
    three = logs(fixture("loop-notify.json"))[2]
    assert passes(three) == [
        ("Start", 1, (0, 1, 2)), ("Get Emails", 1, (0, 1, 2)), ("Loop Over Items", 1, (0, 1, 2)),
        ("Send Reply", 1, (0,)), ("Notify", 1, (0,)), ("Loop Over Items", 2, (0,)),
        ("Send Reply", 2, (1,)), ("Notify", 2, (1,)), ("Loop Over Items", 3, (1,)),
        ("Send Reply", 3, (2,)), ("Notify", 3, (2,)), ("Loop Over Items", 4, (2,)), ("Report", 1, (0, 1, 2))]
    assert [sum(n == "Notify" for n, _ in log) for log in logs(fixture("loop-notify.json"))] == [1, 2, 3]


def test_batch_size_and_execute_once_change_the_passes():
    loop = node("Loop", "splitInBatches", (400, 300), {"batchSize": 2, "options": {}}, 3)
    body = node("Body", "noOp", (600, 400))
    wiring = links((T, "Loop"), ("Loop", "Done", 0), ("Loop", "Body", 1), ("Body", "Loop"))
    wf = read(doc([loop, body, node("Done", "noOp", (600, 200))], wiring))
    assert [d for n, d in logs(wf)[2] if n == "Body"] == [(0, 1), (2,)]
    once = read(doc([loop, {**body, "executeOnce": True}, node("Done", "noOp", (600, 200))], wiring))
    assert [d for n, d in logs(once)[2] if n in ("Body", "Done")] == [(0, 1), (2,), (0, 2)]


def test_a_fix_that_makes_a_loop_process_one_item_instead_of_three_is_refused():
    """Past failure: Execute Once in front of a loop: 3 e-mails in, 1 processed."""
    old, new = fixture("loop-emails.json"), fixture("loop-emails-execute-once.json")
    reason = rewriter.verify(old, new, [RunOnce("Get Emails")])
    assert reason == "unsafe: with 2 items from Start, Loop Over Items would run 2 times instead of 3"


def test_notifications_moved_after_the_loop_are_refused():
    """Past failure: the notifications of each pass all ran after the loop, on the last item's values."""
    old, new = fixture("loop-notify.json"), fixture("loop-notify-moved-after.json")
    assert rewriter.verify(old, new, [RemoveOrder("Send Reply", "Notify")]) is not None
    why = compare(logs(old)[2], logs(new)[2], set(old.tasks), keep_order=False)
    assert why == "Notify would run 1 times instead of 3"
    # with one item both run Notify once on it: only more items show the difference
    assert compare(logs(old)[0], logs(new)[0], set(old.tasks), keep_order=False) is None


def test_the_same_runs_pass():
    wf = fixture("loop-notify.json")
    assert all(compare(log, log, set(wf.tasks), keep_order=True) is None for log in logs(wf))


def join_issues(wf):
    found = check_workflow(wf, [all_rules()["SAF003"]], preview=False).findings
    return [(f.tasks, f.message) for f in found]


def test_a_merge_in_a_loop_fed_once_from_outside_is_flagged_with_the_run_it_starves_from():
    """Measured on n8n 2.8.4 (test_n8n_oracle): from pass 2 on the Merge runs without Config's item."""
    found = join_issues(fixture("loop-merge-fed-once.json"))
    assert found == [(("Merge",), "`Merge`: it runs once per pass of a loop, but `Config` (input 2) sends it data "
                                  "on its first run only")]


def _loop_with_merge(config_at, merge_after_loop=False):
    """Start → Loop (1 per pass) → Reply → Merge input 0 → Notify → back to Loop; a Config node
    feeds the Merge's input 1 from ``config_at`` (Start: outside the loop; Reply: inside it)."""
    loop = node("Loop", "splitInBatches", (400, 300), {"batchSize": 1, "options": {}}, 3)
    nodes = [loop, node("Reply", "noOp", (600, 400)), node("Config", "noOp", (600, 600)),
             node("Merge", "merge", (800, 400), {}, 3), node("Notify", "noOp", (1000, 400)), node("Done", "noOp", (600, 200))]
    pairs = [(T, "Loop"), ("Loop", "Done", 0), ("Loop", "Reply", 1), (config_at, "Config"), ("Config", "Merge", 0, 1)]
    if merge_after_loop:
        pairs = [p for p in pairs if p[0] != "Loop" or p[1] != "Done"] + [("Loop", "Merge", 0, 0), ("Reply", "Loop")]
    else:
        pairs += [("Reply", "Merge"), ("Merge", "Notify"), ("Notify", "Loop")]
    return read(doc(nodes, links(*pairs)))


def test_a_merge_fed_from_inside_the_loop_or_placed_after_it_is_not_flagged():
    assert join_issues(_loop_with_merge("Reply")) == []
    assert join_issues(_loop_with_merge(T, merge_after_loop=True)) == []
    assert [t for t, _ in join_issues(_loop_with_merge(T))] == [("Merge",)]


def test_without_loops_or_execute_once_every_count_logs_the_same_runs_as_simulated():
    """``run_logs`` simulates one count where items cannot change what runs: on a fan-out into a
    Merge of two wired inputs (v1 and v0, one output silent) each count's log is the simulation's;
    with an Execute Once node it simulates every count."""
    from wflint.adapters.n8n.passes import PassGraph, run_log, run_logs

    children = {"S": [("A", 0, 0), ("B", 0, 0)], "A": [("M", 0, 0), ("C", 1, 0)], "B": [("M", 0, 1)], "M": [],
                "C": []}
    position = {"S": (0.0, 0.0), "A": (1.0, 2.0), "B": (1.0, 1.0), "M": (2.0, 0.0), "C": (2.0, 3.0)}
    for v1 in (True, False):
        for silent in (frozenset(), frozenset({("A", 0)})):
            graph = PassGraph(children=children, wired={"M": {0, 1}}, position=position, v1=v1)
            assert ([log for log, _ in run_logs(graph, "S", (1, 2, 3), silent)]
                    == [run_log(graph, "S", k, silent) for k in (1, 2, 3)])
    once = PassGraph(children=children, wired={"M": {0, 1}}, position=position, v1=True, execute_once=frozenset("A"))
    logs_once = [log for log, _ in run_logs(once, "S", (1, 2, 3))]
    assert logs_once == [run_log(once, "S", k) for k in (1, 2, 3)]
    assert dict(logs_once[2])["C"] == (0,)  # Execute Once passes one item on: the count matters
