"""Every run of an n8n execution (adapters/n8n/passes.py) and fixes verified against it (issue 13)."""
from __future__ import annotations

from conftest import FIXTURES
from test_n8n import T, doc, links, node, read

from wflint.adapters.n8n import rewriter
from wflint.adapters.n8n.passes import compare, passes
from wflint.adapters.n8n.reader import read_n8n
from wflint.facets import ExecutionOrder
from wflint.finding import RemoveOrder, RunOnce

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
