"""An ordering is already implied by other orderings.

**What.** An explicit order edge u→v (`after:`, `>>`, `needs:` without data) where v already comes
after u through other edges. The redundant orderings one statement makes (a loop's `>>`, a list's)
are one finding, with one fix for them all.

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
from wflint.ir import Edge, EdgeKind
from wflint.rule import Context, rule


@rule("GRA003", "redundant-edge", Severity.INFO)
def check(ctx: Context) -> Iterator[Finding]:
    relaxation = ctx.analysis.relaxation
    if ctx.workflow.execution_model.mode == "sequential":
        return
    at: dict[object, list[Edge]] = {}  # one statement (in a loop, of a list) makes several: said once
    for edge in ctx.workflow.edges:
        if edge.kind is not EdgeKind.ORDER:
            continue
        if graph.reaches(relaxation.declared_succ, edge.u, edge.v, relaxation.rank, skip_direct=True):
            where = ctx.workflow.source.resolve(edge.location) if edge.location else (edge.u, edge.v)
            at.setdefault(where, []).append(edge)
    applicability = Applicability.UNSAFE if ctx.workflow.execution_model.order_gates else Applicability.SAFE
    for edges in at.values():
        pairs = [f"{e.u} → {e.v}" for e in edges]
        shown = ", ".join(pairs[:3]) + (f" and {len(pairs) - 3} more" if len(pairs) > 3 else "")
        one = len(edges) == 1
        first = edges[0]
        yield ctx.finding(
            f"ordering{'' if one else 's'} {shown} {'is' if one else 'are'} already implied by other "
            f"dependencies; remove {'it' if one else 'them'}",
            location=first.location or ctx.location_of(first.v),
            tasks=tuple(dict.fromkeys(t for e in edges for t in (e.u, e.v))),
            fix=Fix(applicability, f"remove the ordering{'' if one else 's'} {shown}",
                    tuple(RemoveEdge(e.u, e.v) for e in edges)),
        )
