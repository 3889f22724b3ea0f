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

from wflint.finding import Applicability, Finding, Fix, SetExecutionOrder, Severity
from wflint.rule import Context, rule


@rule("PAR102", "n8n-implicit-execution-order", Severity.WARNING, needs_analysis=False)
def check(ctx: Context) -> Iterator[Finding]:
    wf = ctx.workflow
    if wf.format != "n8n" or wf.attrs.get("execution_order_explicit_v1"):
        return
    same = bool(wf.attrs.get("orders_agree"))
    what = "has no settings.executionOrder" if not wf.attrs.get("execution_order_explicit") else \
        f"sets executionOrder {wf.attrs.get('execution_order_value')!r}"
    consequence = ("v0 and v1 give the same node order here, so setting \"v1\" changes nothing at run time"
                   if same else "v0 and v1 run its nodes in a different order here, so switching changes behaviour")
    yield ctx.finding(
        f"workflow `{wf.name}` {what}, so n8n runs it with the legacy v0 order (breadth-first); "
        f"{consequence}",
        location=wf.attrs.get("settings_location") or wf.location,
        fix=Fix(Applicability.SAFE if same else Applicability.UNSAFE, 'set settings.executionOrder to "v1"',
                (SetExecutionOrder("v1"),)),
    )
