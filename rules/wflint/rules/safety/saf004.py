"""A task reads another task's output without an ordering that guarantees it ran.

**What.** A task uses another task's output through a channel the engine does not treat as a
dependency (an Airflow `{{ ti.xcom_pull(task_ids=...) }}` template or `xcom_pull` in the callable, a
reference the engine resolves at run time), and the declared graph does not put the producer
before the reader.

**Why.** The reader runs whenever its own upstream allows: before the producer, at the same time,
or after it. It reads nothing, a stale value from an earlier run, or a half-written one; the
result depends on scheduling.

On an engine that runs one task at a time (n8n), it works only because of the engine's tie-break:
in n8n v1 canvas position, so moving a node on the canvas silently reorders the branches and a
`$('X')` expression fails with "Referenced node is unexecuted". Where the engine's order runs the
producer first in every execution that runs the reader, the read works today: a warning, not an
error. Where no start (trigger, or node
nothing feeds) reaches both tasks, they never run in one execution and the read never works.
A read that follows the reader's own items back (n8n's `$('X').item`) fails even when X ran first,
unless X is on the path the reader's items came by: the message says so (measured on n8n 2.8.4).

Only with `--preview`: tasks that never run in one execution (other starts, or routes of a branch
choice no one execution takes both of: the read may sit in code that only that route runs), and a producer or reader whose ids
or orderings wflint could not resolve (WFL003): an ordering may pass through tasks it could not
read. `$('X').isExecuted` in n8n asks whether X ran and reads nothing; a read of X behind it, in a
node on one loop with X (a counter carried round: `$('X').isExecuted ? $('X').first()... : $('Init')...`),
takes the other way on the first pass and reads the last pass's X on each later one: no finding.

**Example.**

```python
extract = BashOperator(task_id="extract", bash_command="echo 42")
load = BashOperator(task_id="load", bash_command="echo {{ ti.xcom_pull(task_ids='extract') }}")
# no `extract >> load`: Airflow may run load first
```

**Fix.** Order the producer before the reader (`extract >> load`), or pass the value so that the
engine sees the dependency (`extract.output`). wflint shows the ordering to add; it does not add it
for you (display only). Where the design runs the producer after the reader, no ordering is
offered (it would close a cycle): the read is in the wrong task, or reads the wrong one.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.facets import ExecutionOrder, LineageReads, Starts
from wflint.finding import AddOrder, Applicability, Finding, Fix, Related, Severity
from wflint.rule import Context, rule


@rule("SAF004", "order-dependent-reference", Severity.ERROR)
def check(ctx: Context) -> Iterator[Finding]:
    edges = {(e.u, e.v): e for e in ctx.workflow.edges if e.kind.value == "implicit"}
    model = ctx.workflow.execution_model
    for u, v, kind in ctx.analysis.relaxation.unordered_needs:
        if kind != "implicit":
            continue
        edge = edges.get((u, v))
        how = (edge.detail if edge else "") or f"{v} reads {u}'s output"
        fragile = False  # it runs right today, by the engine's tie-break alone
        later = False  # the design runs the producer after the reader
        facet_u, facet_v = ctx.workflow.tasks[u].facet(Starts), ctx.workflow.tasks[v].facet(Starts)
        starts_u = facet_u.starts if facet_u else ()
        starts_v = facet_v.starts if facet_v else ()
        if facet_v and not starts_v:
            continue  # the reader never runs (nothing that starts an execution reaches it)
        apart = bool(facet_u and facet_v) and not set(starts_u) & set(starts_v)
        routes = "" if apart else _other_route(ctx, u, v)
        apart = apart or bool(routes)
        if routes == "never":
            after = (f"never runs in the same execution as it (every way through the branch choices "
                     f"that runs {v} leaves {u} out; the read may sit in code only the other route runs)")
        elif routes:
            after = (f"runs in the same execution as it only when a branch choice splits its items "
                     f"between its outputs (every way through the choices that runs {v} leaves {u} out)")
        elif apart:
            origin = ("has no incoming connection" if list(starts_v) == [v]
                      else f"is reached only from {', '.join(map(str, starts_v))}")
            where = f"only from {', '.join(map(str, starts_u))}" if starts_u else "never runs"
            after = f"never runs in the same execution as it ({v} {origin}; {u} {where})"
        elif ctx.analysis.ordered(v, u):
            after = "runs before it"
            later = True  # ordering u first would close a cycle: the read itself is misplaced
        elif model.runs_parallel:
            after = "can run before or alongside it"
        elif _runs_first(ctx, u, v):
            fragile = True
            after = (f"runs after it only because {model.name} happens to order them so, by "
                     f"{model.tiebreak or 'its tie-break'}")
        else:
            after = f"runs before it or on another route in {model.name}'s order"
        # An ordering may pass through what wflint could not resolve (unknown is not none).
        unresolved = ctx.partly_resolved(u, v)
        if unresolved and not apart:
            after += (f" as far as wflint can read ({' and '.join(unresolved)} "
                      f"{'is' if len(unresolved) == 1 else 'are'} only partly resolved)")
        lineage = ctx.workflow.tasks[v].facet(LineageReads)
        if lineage and u in lineage.producers and not apart:
            fragile = False  # it fails today, producer first or not
            after += (f"; and even when {u} runs first, the read follows {v}'s items back and {u} is not on "
                      f"their path: " + lineage.failure.format(u=u))
        advice = (f"the design runs {u} after {v}, so ordering {u} first would close a cycle: read what a task "
                  f"before {v} makes, or move the read after {u}" if later else f"add the ordering {u} → {v}")
        yield ctx.finding(
            f"{ctx.task_name(v)} reads the output of {ctx.task_name(u)} ({how}) but nothing orders "
            f"{u} first: {v} {after}; {advice}",
            location=edge.location if edge and edge.location else ctx.location_of(v),
            tasks=(u, v),
            related=(Related(ctx.location_of(u), f"{u} produces the value", u),),
            fix=None if later else Fix(Applicability.DISPLAY, f"order {u} before {v}", (AddOrder(u, v),)),
            severity=Severity.WARNING if fragile else None,
            # never in one execution (a leftover that never runs, or another trigger's path), or
            # unordered only as far as wflint could resolve the graph
            preview=apart or bool(unresolved),
        )


def _other_route(ctx: Context, u: str, v: str) -> str:
    """"never" where ``u`` and ``v`` sit on routes no one execution takes both of (the two outputs
    of an IF fed one item), "split" where only items split between a choice's outputs bring them
    together, "" otherwise. Only where the adapter lists every way through the branch choices."""
    order = ctx.workflow.facet(ExecutionOrder)
    if order is None or not order.scenarios_complete or not order.scenarios:
        return ""
    runs = [s.runs for s in order.scenarios if v in s.runs]
    if not runs or any(u in run for run in runs) or not any(s.choices for s in order.scenarios):
        return ""
    return "never" if order.one_item_per_branch else "split"


def _runs_first(ctx: Context, u: str, v: str) -> bool:
    """Does the engine's own order run ``u`` before ``v`` in every execution that runs ``v``? The
    adapter's executions where it lists them all (one per start and way through the branches, and
    every branch at once where several items may split), else one serialization of the graph, which
    mixes the runs of different starts."""
    order = ctx.workflow.facet(ExecutionOrder)
    if order is None or not order.scenarios_complete or not order.scenarios:
        relaxation = ctx.analysis.relaxation
        return relaxation.rank[u] < relaxation.rank[v]
    runs = [s.runs for s in order.scenarios if v in s.runs]
    if not order.one_item_per_branch and v in order.first_runs:
        runs.append(order.first_runs)
    return bool(runs) and all(u in run and run.index(u) < run.index(v) for run in runs)
