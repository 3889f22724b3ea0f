"""A task reads a resource that a concurrent task writes.

**What.** Two tasks with no ordering between them: one writes a resource, the other reads it.

**Why.** The reader sees the old value, the new value, or a half-written one, depending on timing
(read-after-write race).

**Example.**

```yaml
current: graph
tasks:
  refresh_prices: {writes: [db:prices]}
  build_quote:    {reads: [db:prices]}    # may read before or after the refresh
```

On an engine that runs one task at a time (n8n) it is a warning: there is no race, but whether
the read sees the write rests on the engine's tie-break alone (canvas position), which moving a
node changes.

**Fix.** Add the ordering the reader relies on (`needs: [refresh_prices]`). No automatic fix:
wflint cannot tell which value the reader wants.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.finding import Finding, Related, Severity
from wflint.ir import Mode
from wflint.rule import Context, rule
from wflint.rules.safety.races import as_far_as_read


@rule("SAF002", "parallel-read-write-race", Severity.ERROR)
def check(ctx: Context) -> Iterator[Finding]:
    for conflict in ctx.analysis.relaxation.conflicts:
        if conflict.both_write:
            continue
        writer, reader = ((conflict.a, conflict.b) if conflict.a_mode is Mode.WRITE
                          else (conflict.b, conflict.a))
        model = ctx.workflow.execution_model
        if model.runs_parallel:
            race = f"while {ctx.task_name(writer)} may still be writing it (no ordering between them)"
        else:
            race = (f"that {ctx.task_name(writer)} writes on a branch nothing orders against it; "
                    f"{model.name} runs one at a time, so whether the read sees the write depends only on "
                    f"{model.tiebreak or 'the engine'}")
        unresolved = ctx.partly_resolved(writer, reader)
        yield ctx.finding(
            f"{ctx.task_name(reader)} reads `{conflict.resource}` {race}{as_far_as_read(unresolved)}; "
            "add the dependency the reader relies on",
            location=ctx.location_of(reader),
            tasks=(writer, reader),
            subject=conflict.resource,
            related=(Related(ctx.location_of(writer), f"{writer} writes {conflict.resource}", writer),),
            # One task at a time: no race, an order that holds the same way each run, only by the
            # tie-break (a node moved on the canvas changes it): fragile, as SAF004 says of a read.
            severity=None if model.runs_parallel else Severity.WARNING,
            preview=bool(unresolved),  # an ordering between them may pass through what wflint could not read
        )
