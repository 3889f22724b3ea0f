"""A sub-workflow run per item, each waited for, whose result nothing uses (n8n).

**What.** An n8n *Execute Workflow* node in mode *Run once for each item* waits for each
sub-workflow run to end before it starts the next (*Wait For Sub-Workflow Completion*, on by
default), yet nothing after it reads what the sub-workflow returns: no node reads its output,
none hangs on its error output.

**Why.** n8n runs one node at a time, so this is one of the few places where a workflow can
really overlap work: a sub-workflow started without waiting runs as its own execution. Waiting,
N items take N sub-workflow runs one after another; not waiting, the runs start at once and
overlap, and the parent goes on at once.

**Example.**

```text
Get rows (50 items) → Execute Workflow "Send report" (each item, waits)   # 50 runs back to back
```

**Fix.** Turn *Wait For Sub-Workflow Completion* off (`options.waitForSubWorkflow: false`).
`wflint fix --preview --unsafe-fixes` does it: unsafe, because the node then passes on its input
items instead of the sub-workflow's output (nothing here reads them, so nothing changes there),
a failing sub-workflow no longer stops this execution (handle its errors in the sub-workflow),
and the runs overlap: whatever they share (a rate limit, a record) they now use at once
(n8n-nodes-base 2.8.4, ExecuteWorkflow.node.js). Shown with `--preview`: the number of items is
known only from pinned data, and waiting may be there on purpose.

Not reported inside a *Loop Over Items* body: the loop is there to take the items one batch at a
time (a rate limit, commits to one branch), and not waiting would start every pass's runs at once.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.analysis.durations import fmt_seconds
from wflint.facets import ChildRun, ItemFanout
from wflint.finding import Applicability, DetachRun, Finding, Fix, Severity
from wflint.ir import EdgeKind
from wflint.rule import Context, rule


@rule("PAR104", "waited-sub-workflow-per-item", Severity.WARNING, needs_analysis=False, needs=(ChildRun,))
def check(ctx: Context) -> Iterator[Finding]:
    wf = ctx.workflow
    used = {e.u for e in wf.edges if e.kind is not EdgeKind.ORDER}  # read, referenced or hung on (error output)
    for task_id, task in wf.tasks.items():
        child = task.facet(ChildRun)
        fanout = task.facet(ItemFanout)
        if child is None or not child.waits or not child.per_item or child.paced or task_id in used:
            continue
        if (fanout is not None and fanout.runs_once) or task.items == 1:
            continue
        runs = f"{task.items} runs" if task.items and task.items > 1 else "one run per item"
        per_run = fanout.per_item_s if fanout is not None and fanout.per_item_s else None
        saved = (task.items - 1) * per_run if task.items and task.items > 1 and per_run else None
        gain = (f"about {fmt_seconds(saved)} less ({task.duration.source.value} durations)" if saved is not None
                else "N items take about one run's time instead of N")
        yield ctx.finding(
            f"{ctx.task_name(task_id)} waits for each of its sub-workflow's runs ({runs}, one after another), "
            f"but nothing reads what they return; turn {child.setting} off and the runs overlap as their own "
            f"executions: {gain}; it then passes on its input items, and a failing sub-workflow no longer "
            "stops this execution",
            location=ctx.location_of(task_id),
            tasks=(task_id,),
            fix=Fix(Applicability.UNSAFE, f"turn {child.setting} off on {task_id}", (DetachRun(task_id),)),
            saved_s=round(saved, 6) if saved is not None else None,
            duration_source=task.duration.source.value,
            preview=True,  # the item count rests on pinned data, and waiting may be meant
        )
