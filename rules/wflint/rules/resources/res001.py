"""Calls to one API exceed its declared rate limit.

**What.** As designed, the tasks that call one API at the same moment (or one task fanning out
over many items) ask for more requests per second than the API's limit allows. Calls are taken to
be spread evenly over each task's run; the limit is a token bucket refilling at the declared rate.

**Why.** Over the limit the API answers 429 or bans the key; retries stretch the run and can fail it.

**Example.**

```yaml
current: graph
tasks:
  sync_contacts: {duration: 10s, api: {crm: 300}}   # 30 requests/s
  sync_deals:    {duration: 10s, api: {crm: 200}}   # 20 requests/s, at the same time
limits:
  apis: {crm: 10/s}
```

**Fix.** Throttle the callers, order them, or batch the calls; no automatic fix. The report's
resource check shows the time the run takes when it is held to the limit.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.analysis.durations import fmt_rate, fmt_seconds
from wflint.finding import Finding, Related, Severity
from wflint.rule import Context, rule


@rule("RES001", "rate-limit-exceeded", Severity.ERROR)
def check(ctx: Context) -> Iterator[Finding]:
    analysis = ctx.analysis
    limits = ctx.workflow.limits.apis
    for task_id, seconds in analysis.stretched.items():
        task = ctx.workflow.tasks[task_id]
        for use in task.apis:
            limit = limits.get(use.api)
            calls = task.calls(use)
            if limit is None or calls / limit.per_second <= task.duration.seconds + 1e-9:
                continue
            asked = calls / task.duration.seconds if task.duration.seconds else float("inf")
            yield ctx.finding(
                f"{ctx.task_name(task_id)} makes {calls:g} calls to {use.api} in "
                f"{fmt_seconds(task.duration.seconds)} ({fmt_rate(asked) if asked != float('inf') else 'at once'}), "
                f"over its limit of {fmt_rate(limit.per_second)}; held to the limit it takes {fmt_seconds(seconds)}",
                location=ctx.location_of(task_id),
                tasks=(task_id,),
                subject=use.api,
                related=(Related(limit.location, f"limit of {use.api}: {limit.text}"),),
            )
    for peak in analysis.peaks_current:
        kind, name = peak.limit.split(" ", 1)
        if kind != "api" or not peak.exceeded or len(peak.tasks) < 2:
            continue
        limit = limits[name]
        users = ", ".join(f"`{t}`" for t in peak.tasks)
        yield ctx.finding(
            f"as designed, {users} call {name} at the same time at {fmt_rate(peak.used)} "
            f"(at {fmt_seconds(peak.at_s)}), over its limit of {fmt_rate(limit.per_second)}; "
            "throttle, batch or order them",
            location=ctx.location_of(peak.tasks[-1]),
            tasks=tuple(peak.tasks),
            subject=name,
            related=(Related(limit.location, f"limit of {name}: {limit.text}"),),
        )
