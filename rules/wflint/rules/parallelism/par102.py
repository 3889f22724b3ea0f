"""An n8n workflow with no explicit execution order runs with the legacy v0 order.

**What.** The export has no `settings.executionOrder` (or a value other than `"v1"`). n8n then
runs it with the legacy v0 order: breadth-first across branches, and a node with several inputs
forces its other parent chains to run. Workflows created in n8n 1.0 or later default to `"v1"`
(depth-first, sibling branches by canvas position), so the same file can behave differently from
what its author saw.

**Why.** The order decides which of two sibling branches writes first and whether a `$('X')`
reference to a sibling branch finds data. Making it explicit makes the behaviour reviewable.

**Example.**

```json
{"name": "Sync", "nodes": [...], "connections": {...}}          // no settings: runs as v0
{"name": "Sync", "nodes": [...], "connections": {...}, "settings": {"executionOrder": "v1"}}
```

**Fix safety.** Adding `"executionOrder": "v1"` is safe when wflint computes the same node order
under v0 and v1 for this workflow; otherwise it would reorder nodes and is unsafe.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.analysis.relax import alternatives
from wflint.facets import ExecutionOrder, Routes
from wflint.finding import Applicability, Finding, Fix, SetExecutionOrder, Severity
from wflint.ir import EdgeKind, Mode, Workflow
from wflint.rule import Context, rule


@rule("PAR102", "n8n-implicit-execution-order", Severity.WARNING, needs_analysis=False, needs=(ExecutionOrder,))
def check(ctx: Context) -> Iterator[Finding]:
    wf = ctx.workflow
    order = wf.facet(ExecutionOrder)
    if order is None or order.modern:
        return
    same = order.agree
    what = "has no settings.executionOrder" if not order.explicit else f"sets executionOrder {order.value!r}"
    seen = None if same else observable(wf, order)
    if same:
        consequence = "v0 and v1 give the same node order here, so setting \"v1\" changes nothing at run time"
    elif seen:
        consequence = f"v0 and v1 run its nodes in a different order here, and it shows: {seen}"
    else:
        consequence = ("v0 and v1 run its nodes in a different order here, but no two nodes that touch the same "
                       "resource or read each other's output change places")
    yield ctx.finding(
        f"workflow `{wf.name}` {what}, so n8n runs it with the legacy v0 order (breadth-first); "
        f"{consequence}",
        location=order.location or wf.location,
        fix=Fix(Applicability.SAFE if same else Applicability.UNSAFE, 'set settings.executionOrder to "v1"',
                (SetExecutionOrder("v1"),)),
        # By default only where the order is observable: which nodes run, or the order of two
        # nodes that touch one resource or read each other's output, changes.
        preview=seen is None,
    )


def observable(wf: Workflow, order: ExecutionOrder) -> str | None:
    """How switching to the other order shows in what the workflow does, or None if it does not."""
    now, other = order.first_runs, order.other_runs
    if set(now) != set(other):
        changed = sorted(set(now) ^ set(other))
        return f"{', '.join(f'`{t}`' for t in changed[:3])} run(s) under only one of the two orders"
    before = {t: i for i, t in enumerate(now)}
    after = {t: i for i, t in enumerate(other)}

    def flips(a: str, b: str) -> bool:
        return a in before and b in before and (before[a] < before[b]) != (after[a] < after[b])

    for edge in wf.edges:
        if edge.kind is EdgeKind.IMPLICIT and flips(edge.u, edge.v):
            return f"`{edge.v}` reads `{edge.u}`'s output and the two change places"
    users: dict[str, list[tuple[str, Mode]]] = {}
    for t in now:
        for effect in wf.tasks[t].effects:
            users.setdefault(effect.resource, []).append((t, effect.mode))
    for resource, touching in users.items():
        writers = [t for t, mode in touching if mode is Mode.WRITE]
        for w in writers:
            for t, _ in touching:
                if t != w and not _alternatives(wf, t, w) and flips(w, t):
                    return f"`{w}` and `{t}` both touch `{resource}` and change places"
    return None


def _alternatives(wf: Workflow, a: str, b: str) -> bool:
    ra, rb = wf.tasks[a].facet(Routes), wf.tasks[b].facet(Routes)
    return alternatives(ra.by_router if ra else {}, rb.by_router if rb else {})
