"""Copies of one task, made by a loop, are chained one after another (Airflow).

**What.** A `for` loop or comprehension creates the same operator once per item and links each
copy to the previous one (`prev >> cur`, `cur.set_upstream(prev)`, `chain(*tasks)`), although no
copy needs another's output and they touch no common resource.

**Why.** N copies that could run side by side take N times as long. Airflow runs a list of
independent tasks in parallel (up to `max_active_tasks`, 16 per run by default), and `.expand()`
turns the loop into one mapped task whose instances run in parallel.

**Example.**

```python
prev = start
for table in ["orders", "refunds", "payouts"]:
    t = SQLExecuteQueryOperator(task_id=f"load_{table}", sql=f"INSERT INTO {table} SELECT ...")
    prev >> t
    prev = t
```

Create the copies without chaining them and link the list once: `start >> [load_orders,
load_refunds, load_payouts]`, or `SQLExecuteQueryOperator.partial(...).expand(sql=[...])`.

A PAR001 finding on the same copies is not shown beside it: one chain, one finding.

**Fix safety.** Display only: the loop must be restructured by hand. When the copies' effects are
unknown (Python or shell callables) the finding has low confidence and is shown only with
`--preview`: a loop whose first copy replaces a table and the rest append to it is a needed order.
"""
from __future__ import annotations

import math
from collections.abc import Iterator

from wflint.analysis.durations import fmt_seconds
from wflint.analysis.groups import weakest_source
from wflint.facets import LoopCopy
from wflint.finding import Applicability, Confidence, Finding, Fix, RemoveOrder, Severity
from wflint.ir import EdgeKind
from wflint.rule import Context, rule

MIN_COPIES = 3


@rule("PAR201", "loop-chained-clones", Severity.WARNING, needs=(LoopCopy,), supersedes=("PAR001",))
def check(ctx: Context) -> Iterator[Finding]:
    workflow, analysis = ctx.workflow, ctx.analysis
    by_site: dict[str, list[str]] = {}
    for t, task in workflow.tasks.items():
        copy = task.facet(LoopCopy)
        if copy is not None:
            by_site.setdefault(copy.site, []).append(t)
    # Links the loop itself made (the adapter lists them per task), declared order only.
    order_edges = {(e.u, e.v) for e in workflow.edges if e.kind is EdgeKind.ORDER
                   and e.u in _linked_from(workflow.tasks[e.v])}
    for site, copies in by_site.items():
        chain = _longest_chain(copies, order_edges)
        if len(chain) < MIN_COPIES:
            continue
        links = list(zip(chain, chain[1:]))
        if any(link in analysis.relaxation.relaxed for link in links):
            continue  # some copy needs the previous one (data or a shared resource)
        unknown = any(workflow.tasks[t].opaque or workflow.tasks[t].dynamic for t in chain)
        durations = [analysis.duration[t] for t in chain]
        cap = workflow.limits.concurrency or len(chain)
        parallel = math.ceil(len(chain) / cap) * max(durations)
        saved = max(0.0, sum(durations) - parallel)
        kind = workflow.tasks[chain[0]].kind
        ids = ", ".join(chain)
        source = weakest_source(workflow, chain)
        # Kind defaults are no figure to save: the chain is spoken of in copies, not seconds.
        gain = (f"their chain becomes {math.ceil(len(chain) / cap)} deep instead of {len(chain)} (no durations known)"
                if source == "default" else f"saves about {fmt_seconds(saved)} ({source} durations)")
        yield ctx.finding(
            f"{len(chain)} copies of {kind} made by one loop ({site}) run one after another: {ids}; "
            f"create them without chaining and link the list once (`upstream >> [{ids}]`), or map one "
            f"task with `.expand()` over the loop's items; {gain}",
            location=ctx.location_of(chain[1]),
            tasks=chain,
            fix=Fix(Applicability.DISPLAY, f"run the {len(chain)} copies as a parallel list or with .expand()",
                    tuple(RemoveOrder(u, v) for u, v in links)),
            saved_s=None if source == "default" else round(saved, 6),
            duration_source=source,
            confidence=Confidence.LOW if unknown else Confidence.HIGH,
            preview=unknown,  # unknown effects are not none: the copies may share what wflint cannot see
        )


def _longest_chain(copies: list[str], edges: set[tuple[str, str]]) -> list[str]:
    """The longest run of copies where each links to the next (copies are in creation order)."""
    best: list[str] = []
    members = set(copies)
    nxt: dict[str, list[str]] = {}
    has_prev: set[str] = set()
    for u, v in edges:
        if u in members and v in members:
            nxt.setdefault(u, []).append(v)
            has_prev.add(v)
    for start in copies:
        if start in has_prev:
            continue
        run, seen = [start], {start}
        while len(nxt.get(run[-1], [])) == 1 and nxt[run[-1]][0] not in seen:
            run.append(nxt[run[-1]][0])
            seen.add(run[-1])
        if len(run) > len(best):
            best = run
    return best


def _linked_from(task) -> tuple[str, ...]:
    copy = task.facet(LoopCopy)
    return copy.linked_from if copy else ()
