"""The declared graph has a cycle.

**What.** Following the declared orderings from a task leads back to it (`a` needs `b`, `b` needs
`a`, possibly through others).

**Why.** No engine can run it: the tasks in the cycle wait on each other forever, or the engine
refuses the file. wflint cannot analyse the rest of the workflow until it is removed.

**Example.**

```yaml
current: graph
tasks:
  a: {needs: [b]}
  b: {needs: [a]}
```

**Fix.** Remove the ordering that is not real. No automatic fix.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.analysis.graph import find_cycle
from wflint.finding import Finding, Related, Severity
from wflint.rule import Context, rule


@rule("GRA001", "dependency-cycle", Severity.ERROR, needs_analysis=False)
def check(ctx: Context) -> Iterator[Finding]:
    if ctx.maybe_analysis is not None:
        return  # the analysis orders every task, so the graph has no cycle
    cycle = find_cycle(ctx.workflow)
    if not cycle:
        return
    edge = ctx.workflow.edge(cycle[-2], cycle[-1])
    yield ctx.finding(
        "dependency cycle: " + " → ".join(cycle),
        location=edge.location if edge and edge.location else ctx.location_of(cycle[-1]),
        tasks=tuple(dict.fromkeys(cycle)),
        related=tuple(Related(ctx.location_of(t), f"{t} is in the cycle", t) for t in dict.fromkeys(cycle[:-1])),
    )
