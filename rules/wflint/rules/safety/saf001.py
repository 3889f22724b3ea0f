"""Tasks that can run at the same time write the same resource.

**What.** Two tasks with no ordering between them (parallel branches, or tasks with no `needs`
in a graph design) both write one resource: the same table, sheet, record, file, branch or
environment. A GitHub environment counts as written by a job that deploys to it; not by a job whose
steps, all actions, only upload versioned packages (PyPI trusted publishing through `environment:
release`): there the environment gates the registry's credentials, and uploads of one version's
files never overwrite each other.

**Why.** Whichever finishes last wins; the result depends on timing. Partial writes interleave.

**Example.**

```yaml
current: graph
tasks:
  load_orders:  {writes: [postgres:dw/public.orders]}
  fix_orders:   {writes: [postgres:dw/public.orders]}   # races load_orders
```

A task that runs as several concurrent instances (a GitHub matrix, a mapped task) conflicts with
itself when every instance writes the same resource; adapters list such writes in
the `InstanceWrites` facet (e.g. one artifact name uploaded by each matrix job).

**Fix.** Order them (`after:` / `needs:`), or make them write different resources. wflint does not
choose an order for you: no automatic fix.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.facets import InstanceWrites
from wflint.finding import Finding, Related, Severity
from wflint.rule import Context, rule
from wflint.rules.safety.races import as_far_as_read as _as_far


@rule("SAF001", "parallel-write-conflict", Severity.ERROR)
def check(ctx: Context) -> Iterator[Finding]:
    for conflict in ctx.analysis.relaxation.conflicts:
        if not conflict.both_write:
            continue
        a, b = conflict.a, conflict.b
        model = ctx.workflow.execution_model
        if model.runs_parallel:
            how = "can run at the same time and both write"
        else:
            how = (f"are on branches nothing orders; {model.name} runs them one at a time, but which "
                   f"goes first depends only on {model.tiebreak or 'the engine'}, and both write")
        unresolved = ctx.partly_resolved(a, b)
        yield ctx.finding(
            f"{ctx.task_name(a)} and {ctx.task_name(b)} {how} "
            f"`{conflict.resource}`{_as_far(unresolved)}; order them or write to separate resources",
            location=ctx.location_of(b),
            tasks=(a, b),
            subject=conflict.resource,
            related=(Related(ctx.location_of(a), f"{a} also writes {conflict.resource}", a),),
            # One task at a time: the writes never overlap, only their order is the engine's
            # tie-break, which matters only for writes wflint cannot tell apart from creates.
            # an ordering between them may pass through what wflint could not resolve
            preview=not model.runs_parallel or bool(unresolved),
        )
    for task_id, task in ctx.workflow.tasks.items():
        instance_writes = task.facet(InstanceWrites)
        for resource in instance_writes.resources if instance_writes else ():
            yield ctx.finding(
                f"{ctx.task_name(task_id)} runs as {task.items} concurrent instances that all write "
                f"`{resource}`; give each instance its own name or let one instance write it",
                location=ctx.location_of(task_id),
                tasks=(task_id,),
                subject=resource,
            )
