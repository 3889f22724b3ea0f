"""An n8n node runs once per item of a parent whose data it does not use.

**What.** A node is wired after a node that emits several items (known from `pinData`), reads none
of that node's data, and has no *Execute Once*. n8n runs a node once per input item, so it runs
N times: N Slack messages, N identical requests, N times its duration.

**Why.** This is the time n8n really loses in sequential chains: not the missing branches (n8n
runs one node at a time anyway), but the multiplication. Wiring the node to the parent it really
needs, or setting *Execute Once*, makes it run once.

**Example.**

```text
Get rows (pinned: 50 items) → Notify Slack "sync finished"   # posts 50 messages, 50 × 1 s
```

**Fix.** Set *Execute Once* on the node (`"executeOnce": true`), or wire it after a node that
emits one item (an Aggregate, or its real parent). `wflint fix --unsafe-fixes` sets Execute Once:
unsafe, because the node then runs once, with the first item, and the nodes after it get one item
instead of N; whether that is what the author meant is a judgement call.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.analysis.durations import fmt_seconds
from wflint.facets import ItemFanout
from wflint.finding import Applicability, Finding, Fix, Related, RunOnce, Severity
from wflint.rule import Context, rule


@rule("PAR103", "n8n-item-multiplied-node", Severity.WARNING, needs_analysis=False, needs=(ItemFanout,))
def check(ctx: Context) -> Iterator[Finding]:
    wf = ctx.workflow
    reads = {(e.u, e.v) for e in wf.edges if e.kind.value in ("data", "implicit")}
    for edge in wf.edges:
        if edge.kind.value != "order" or (edge.u, edge.v) in reads:
            continue
        parent, task = wf.tasks[edge.u], wf.tasks[edge.v]
        parent_items, items = parent.facet(ItemFanout), task.facet(ItemFanout)
        emitted = parent_items.emitted if parent_items else None
        per_item = items.per_item_s if items else None
        if emitted is None or emitted < 2 or per_item is None or items is None or items.runs_once:
            continue
        saved = (task.items or emitted) * per_item - per_item
        yield ctx.finding(
            f"{ctx.task_name(edge.v)} uses none of {ctx.task_name(edge.u)}'s data but runs once per item "
            f"it emits ({task.items} items in pinData): {task.items} runs, about {fmt_seconds(saved)} more "
            f"than one run ({task.duration.source.value} durations); set Execute Once or wire it to the node "
            f"it needs",
            location=edge.location or ctx.location_of(edge.v),
            tasks=(edge.u, edge.v),
            related=(Related(ctx.location_of(edge.u), f"{edge.u} emits {emitted} items", edge.u),),
            fix=Fix(Applicability.UNSAFE, f"run {edge.v} once (Execute Once)", (RunOnce(edge.v),)),
            saved_s=round(saved, 6),
            duration_source=task.duration.source.value,
        )
