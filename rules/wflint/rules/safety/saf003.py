"""A task fed by concurrent branches does not wait for all of them.

**What.** A task has two or more upstream branches that can run at the same time, and it starts
when the first one finishes (`join: any`) or runs once per branch that reaches it (`join: each`,
e.g. an n8n node that is not a Merge, fed on one input) instead of once after all of them. An
n8n node wired to two or more input indexes is a join, whatever its type: n8n holds its data until
every wired index has some and runs it once.

An adapter's check of the engine's own join node counts too: an n8n Merge wired wrong, a Merge
that combines by position the two outputs of one IF (it pairs nothing), and a Merge inside a Loop
Over Items body fed once from outside the loop: from the loop's second pass on, n8n runs it
without that input's items (measured on n8n 2.8.4, v1 and v0). An unwired input of a Merge that
appends (or passes one input through) is not reported: it passes on what its wired inputs bring,
as without it. Nor is one of Merge v2.x that combines by position, or (v2.1) by fields keeping
everything or enriching the wired input: n8n's v2 returns the input that has data when the other
has none. A combining Merge that outputs nothing, or something else, without its input is.

Not reported: a failure handler (Airflow `one_failed`), an Airflow trigger rule the file sets to
start on the first branch (`one_success`, `one_done`: the author chose that join; SAF005 reports
the failure it can hide), a marker nothing follows, a node whose runs no one sees (n8n: it and every node after it work in
memory, Code that only computes included, none reads its run as a whole (`$input.all()`: that
one was written to see every branch at once), they read only what ran before its branches, and
hand their items to no caller, response or chat), and the outputs of one IF or Switch converging
on a node (each item takes one way, so the node sees it once: measured on n8n 2.8.4), nor a task
nothing that starts an execution reaches (an n8n part wired to no trigger never runs).

**Why.** It works on incomplete input, or runs (and writes, sends, charges) several times.

**Example.**

```yaml
current: graph
tasks:
  fetch_a: {duration: 2s}
  fetch_b: {duration: 3s}
  report:  {needs: [fetch_a, fetch_b], join: any}   # starts after fetch_a alone
```

**Fix.** Put a real join in front of the task (wait for all branches). Insertion of the engine's
join construct is done by the format's rewriter where it has one; otherwise display only. It is
safe only where the join keeps what the task and every task after it do: on n8n, where they are
in-memory logic handling each item on its own. The Merge passes every branch's items on at once,
so a node acting per item (a request, a row, a message) still acts once per branch's item, only
later, and a node run once for all its items sees them all in one run: review those by hand.
"""
from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

from wflint.facets import JoinCheck, PerArrival, Starts, Structure, TriggerRule, Unobserved
from wflint.finding import Applicability, Finding, Fix, InsertJoin, Related, Severity
from wflint.ir import EdgeKind, Join
from wflint.rule import Context, rule


@rule("SAF003", "fan-in-without-join", Severity.ERROR)
def check(ctx: Context) -> Iterator[Finding]:
    relaxation = ctx.analysis.relaxation
    parallel = ctx.workflow.execution_model.runs_parallel
    feeding = _feeding(ctx)
    for task_id, task in ctx.workflow.tasks.items():
        starts = task.facet(Starts)
        if starts is not None and not starts.starts:
            continue  # nothing that starts an execution reaches it: it never runs
        join_check = task.facet(JoinCheck)  # an adapter's wiring check of a join node
        for issue in join_check.issues if join_check else ():
            yield ctx.finding(f"{ctx.task_name(task_id)}: {issue}", location=ctx.location_of(task_id),
                              tasks=(task_id,), subject=issue)
        if task.join is Join.ALL or _deliberate(ctx, task_id):
            continue
        upstream = relaxation.design_pred[task_id]
        if task.join is Join.EACH:  # feeders that can both deliver for one item (not an IF's two sides)
            feeders = [u for u in upstream if (u, task_id) in feeding]
            concurrent = sorted({x for a, b in combinations(feeders, 2) if relaxation.together(a, b) for x in (a, b)},
                                key=relaxation.rank.__getitem__)
        else:
            concurrent = sorted({x for a, b in combinations(upstream, 2)
                                 if not ctx.analysis.ordered(a, b) for x in (a, b)}, key=relaxation.rank.__getitem__)
        if not concurrent:
            continue
        how = ("starts as soon as the first of them finishes" if task.join is Join.ANY
               else "runs once for each branch that reaches it")
        branches = ", ".join(f"`{t}`" for t in concurrent)
        applicability = {"safe": Applicability.SAFE, "unsafe": Applicability.UNSAFE}.get(
            join_check.fix if join_check else "", Applicability.DISPLAY)  # set by adapters that can insert a join
        yield ctx.finding(
            f"{ctx.task_name(task_id)} is fed by {'concurrent ' if parallel else ''}branches {branches} but {how}; "
            f"join the branches so it runs once, after all of them",
            location=ctx.location_of(task_id),
            tasks=(task_id, *concurrent),
            related=tuple(Related(ctx.location_of(t), f"branch {t}", t) for t in concurrent),
            fix=Fix(applicability, f"wait for all of {branches} before {task_id}",
                    (InsertJoin(task_id, tuple(concurrent)),)),
        )


def _feeding(ctx: Context) -> set[tuple[str, str]]:
    """The pairs where u feeds v (data or a declared ordering): each is a run of a ``join: each``
    task. An ordering the engine imposes alone (a control edge, e.g. after a loop's whole body)
    runs it no extra time."""
    return {(e.u, e.v) for e in ctx.workflow.edges if e.kind in (EdgeKind.DATA, EdgeKind.ORDER)}


def _deliberate(ctx: Context, task_id: str) -> bool:
    """A failure handler is meant to start on the first failure; an engine's trigger rule that starts
    on the first branch (Airflow ``one_success``, ``one_done``) is written out by the author, who
    chose it, and what it can hide is SAF005's; a marker nothing follows does nothing however often
    it runs, nor does a task whose runs no one sees."""
    task = ctx.workflow.tasks[task_id]
    if task.facet(PerArrival) is not None:
        return True  # built to run once per branch, each run whole (an n8n Loop Over Items with Reset)
    if task.facet(Unobserved) is not None:
        return True  # no one sees its runs: running again repeats nothing anyone gets
    trigger = task.facet(TriggerRule)
    if trigger is not None and (trigger.handles_failure or trigger.rule and task.join is Join.ANY):
        return True
    structure = task.facet(Structure)
    return structure is not None and structure.kind == "marker" and not ctx.analysis.relaxation.design_succ[task_id]
