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

On an engine that queues for its pools (Airflow), a full pool never fails a task: the finding is
information, naming the time the queueing adds to the run (the makespan under every limit, with and
without the pool). It is not reported when the queueing costs no time, nor when every task that
holds the pool at once is a wait (a sensor): a pool sized to throttle sensors is the design. A
sensor that gives its slot back between pokes (``mode="reschedule"``, deferrable) holds none.

**Fix.** Raise the pool size, or order or batch the holders; no automatic fix. The report's
resource check shows the run time when the pool is respected.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.analysis import Peak, makespan_without_pool
from wflint.analysis.durations import fmt_seconds
from wflint.facets import PoolQueueing, Structure
from wflint.finding import Confidence, Finding, Related, Severity
from wflint.rule import Context, rule

EPS = 1e-6


@rule("RES002", "pool-exhausted", Severity.ERROR)
def check(ctx: Context) -> Iterator[Finding]:
    pools = ctx.workflow.limits.pools
    for peak in ctx.analysis.peaks_current:
        kind, name = peak.limit.split(" ", 1)
        if kind != "pool" or not peak.exceeded:
            continue
        pool = pools[name]
        queueing = ctx.workflow.facet(PoolQueueing)
        if queueing is not None:
            yield from _queued(ctx, peak, name, queueing.engine)
            continue
        holders = ", ".join(f"`{t}`" for t in peak.tasks)
        yield ctx.finding(
            f"as designed, {len(peak.tasks)} tasks hold pool {name} at once ({holders}) but it has "
            f"{pool.size} slot{'s' if pool.size != 1 else ''}; the rest wait or fail",
            location=ctx.location_of(peak.tasks[-1]),
            tasks=tuple(peak.tasks),
            subject=name,
            related=(Related(pool.location, f"pool {name}: size {pool.size}"),),
        )


def _queued(ctx: Context, peak: Peak, name: str, engine: str) -> Iterator[Finding]:
    """A pool the engine queues for: the time the queueing adds, as information."""
    tasks = ctx.workflow.tasks
    if all((s := tasks[t].facet(Structure)) is not None and s.kind == "wait" for t in peak.tasks):
        return  # a pool that throttles waits (sensors) is what it is for
    with_pool = ctx.analysis.current.makespan
    without = makespan_without_pool(ctx.analysis, name)
    if with_pool <= without + EPS:
        return  # the queueing costs the run nothing: a longer path decides it
    pool = ctx.workflow.limits.pools[name]
    holders = ", ".join(f"`{t}`" for t in peak.tasks)
    guessed = ctx.analysis.duration_source == "default"
    yield ctx.finding(
        f"as designed, {len(peak.tasks)} tasks are ready for pool {name} at once ({holders}) but it has "
        f"{pool.size} slot{'s' if pool.size != 1 else ''}: {engine} queues the rest until a slot frees "
        f"(it never fails them); the queueing adds {fmt_seconds(with_pool - without)} to the run "
        f"({fmt_seconds(with_pool)} instead of {fmt_seconds(without)}"
        f"{' with default durations' if guessed else ''})",
        location=ctx.location_of(peak.tasks[-1]),
        tasks=tuple(peak.tasks),
        subject=name,
        severity=Severity.INFO,
        confidence=Confidence.LOW if guessed else Confidence.HIGH,
        related=(Related(pool.location, f"pool {name}: size {pool.size}"),),
    )
