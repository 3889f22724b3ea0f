"""More tasks hold a pool or connection limit at once than it has slots.

**What.** As designed, the tasks that hold one pool (a database connection pool, a worker pool, a
licence count) at the same moment outnumber its declared size.

**Why.** The extra tasks wait for a slot (the run is slower than it looks) or, for connection
pools without queueing, fail with "too many connections".

**Example.**

```yaml
current: graph
tasks:
  load_a: {pool: db}
  load_b: {pool: db}
  load_c: {pool: db}
limits:
  pools: {db: 2}      # three loads start together
```

**Fix.** Raise the pool size, or order or batch the holders; no automatic fix. The report's
resource check shows the run time when the pool is respected.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.finding import Finding, Related, Severity
from wflint.rule import Context, rule


@rule("RES002", "pool-exhausted", Severity.ERROR)
def check(ctx: Context) -> Iterator[Finding]:
    pools = ctx.workflow.limits.pools
    for peak in ctx.analysis.peaks_current:
        kind, name = peak.limit.split(" ", 1)
        if kind != "pool" or not peak.exceeded:
            continue
        pool = pools[name]
        holders = ", ".join(f"`{t}`" for t in peak.tasks)
        yield ctx.finding(
            f"as designed, {len(peak.tasks)} tasks hold pool {name} at once ({holders}) but it has "
            f"{pool.size} slot{'s' if pool.size != 1 else ''}; the rest wait or fail",
            location=ctx.location_of(peak.tasks[-1]),
            tasks=tuple(peak.tasks),
            subject=name,
            related=(Related(pool.location, f"pool {name}: size {pool.size}"),),
        )
