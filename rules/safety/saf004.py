"""A task reads another task's output without an ordering that guarantees it ran.

**What.** A task uses the output of another task (an n8n `$('X')` expression, an Airflow templated
`xcom_pull`, ...) but no chain of declared dependencies puts the producer before it: the producer
sits on a sibling branch, in another flow, or later in the run.

**Why.** On an engine that runs branches concurrently the read races the write. On an engine that
runs one task at a time (n8n), it works only because of the engine's tie-break (in n8n v1, canvas
position: moving a node on the canvas silently reorders the branches and the expression fails with
"Referenced node is unexecuted"); parallelising the branches breaks it outright.

**Example.**

```json
"connections": {"Trigger": {"main": [[{"node": "Fetch", "type": "main", "index": 0},
                                        {"node": "Report", "type": "main", "index": 0}]]}}
// Report's text is "={{ $('Fetch').item.json.total }}", but Report is on a sibling branch of Fetch
```

**Fix.** Wire the consumer after the producer (or join both branches first). Display only.
"""
from __future__ import annotations

from typing import Iterator

from wflint.finding import Finding, Related, Severity
from wflint.rule import Context, rule


@rule("SAF004", "order-dependent-reference", Severity.ERROR)
def check(ctx: Context) -> Iterator[Finding]:
    relaxation = ctx.analysis.relaxation
    model = ctx.workflow.execution_model
    for u, v, kind in relaxation.unordered_needs:
        edge = next((e for e in ctx.workflow.edges if e.u == u and e.v == v and e.kind.value == kind), None)
        what = edge.detail if edge and edge.detail else f"{v} reads {u}'s output"
        if relaxation.rank[u] > relaxation.rank[v]:
            why = (f"{ctx.task_name(u)} is not guaranteed to have run: in {model.name}'s order it comes "
                   f"later{'' if model.runs_parallel else ' or on another route'}")
        elif model.runs_parallel:
            why = f"no dependency puts {ctx.task_name(u)} first, so it may run at the same time or later"
        else:
            why = (f"no connection puts {ctx.task_name(u)} first: it works only because {model.name} "
                   f"happens to run it earlier, decided by {model.tiebreak or 'its tie-break'}")
        yield ctx.finding(
            f"{ctx.task_name(v)} uses the output of {ctx.task_name(u)} ({what}), but {why}; "
            f"wire {v} after {u}",
            location=edge.location if edge and edge.location else ctx.location_of(v),
            tasks=(u, v),
            related=(Related(ctx.location_of(u), f"{u} produces the value", u),),
        )
