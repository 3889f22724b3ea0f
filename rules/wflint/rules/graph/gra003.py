"""An ordering is already implied by other orderings.

**What.** An explicit order edge u→v (`after:`, `>>`, `needs:` without data) where v already comes
after u through other edges.

**Why.** It changes nothing today, but it hides the real structure and survives refactors as a
spurious dependency that blocks parallelism later.

**Example.**

```yaml
current: graph
tasks:
  a: {}
  b: {needs: [a]}
  c: {needs: [b], after: [a]}    # c is after a already, through b
```

**Fix.** Remove the redundant ordering. Safe: the set of orderings the engine enforces is the same.
Unsafe where an ordering is also a gate (a GitHub `needs:`): the other path may not propagate a
failure the same way (a job on it with `if: always()`).
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.analysis import graph
from wflint.finding import Applicability, Finding, Fix, RemoveEdge, Severity
from wflint.ir import EdgeKind
from wflint.rule import Context, rule


@rule("GRA003", "redundant-edge", Severity.INFO)
def check(ctx: Context) -> Iterator[Finding]:
    relaxation = ctx.analysis.relaxation
    if ctx.workflow.execution_model.mode == "sequential":
        return
    for edge in ctx.workflow.edges:
        if edge.kind is not EdgeKind.ORDER:
            continue
        if graph.reaches(relaxation.declared_succ, edge.u, edge.v, relaxation.rank, skip_direct=True):
            yield ctx.finding(
                f"ordering {edge.u} → {edge.v} is already implied by other dependencies; remove it",
                location=edge.location or ctx.location_of(edge.v),
                tasks=(edge.u, edge.v),
                fix=Fix(Applicability.UNSAFE if ctx.workflow.execution_model.order_gates else Applicability.SAFE,
                        f"remove the ordering {edge.u} → {edge.v}",
                        (RemoveEdge(edge.u, edge.v),)),
            )
