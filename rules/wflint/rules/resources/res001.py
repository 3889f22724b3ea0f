"""Calls to one API exceed its declared rate limit.

**What.** As designed, the tasks that call one API (or one task fanning out over many items) send
more requests in some window than the API's limit admits. The limit is a token bucket: `10/s`
admits a burst of 10 and then 10 more each second (`600/min` a burst of 600; a configured burst
replaces it), so over a window of `w` seconds it admits `burst + rate × w`. Calls are taken to be
spread evenly over each task's run; a task whose calls fit in the burst is never an error, so one
call never breaks a 1/s limit.

**Why.** Over the limit the API answers 429 or bans the key; retries stretch the run and can fail it.

**Example.**

```yaml
current: graph
tasks:
  sync_contacts: {duration: 10s, api: {crm: 300}}   # 30 requests/s
  sync_deals:    {duration: 10s, api: {crm: 200}}   # 20 requests/s, at the same time
limits:
  apis: {crm: 10/s}   # 500 requests in 10 s; the bucket admits 10 + 10 × 10 = 110
```

**Fix.** Throttle the callers, order them, or batch the calls; no automatic fix. The report's
resource check shows the time the run takes when it is held to the limit.
"""
from __future__ import annotations

from collections.abc import Iterator

from wflint.analysis.durations import fmt_rate, fmt_seconds
from wflint.finding import Finding, Related, Severity
from wflint.ir import ApiLimit
from wflint.rule import Context, rule


@rule("RES001", "rate-limit-exceeded", Severity.ERROR)
def check(ctx: Context) -> Iterator[Finding]:
    yield from _alone(ctx)
    yield from _together(ctx)


def _alone(ctx: Context) -> Iterator[Finding]:
    """A task whose own calls need more than the bucket admits over its run."""
    limits = ctx.workflow.limits.apis
    for task_id, seconds in ctx.analysis.stretched.items():
        task = ctx.workflow.tasks[task_id]
        calls: dict[str, float] = {}
        for use in task.apis:
            calls[use.api] = calls.get(use.api, 0.0) + task.calls(use)
        for api, n in calls.items():
            limit = limits.get(api)
            if limit is None:
                continue
            d = task.duration.seconds
            allowed = limit.bucket + limit.per_second * d
            if n <= allowed + 1e-9:
                continue
            yield ctx.finding(
                f"{ctx.task_name(task_id)} makes {n:g} calls to {api} in {fmt_seconds(d)}, more than its "
                f"limit admits in that time ({_admits(limit, d)} = {allowed:g}); held to the limit it "
                f"takes {fmt_seconds(seconds)}",
                location=ctx.location_of(task_id), tasks=(task_id,), subject=api,
                related=(Related(limit.location, f"limit of {api}: {limit.text}"),),
            )


def _together(ctx: Context) -> Iterator[Finding]:
    """Tasks that, as designed, together send more in a window than the bucket admits."""
    limits = ctx.workflow.limits.apis
    for peak in ctx.analysis.peaks_current:
        kind, name = peak.limit.split(" ", 1)
        if kind != "api" or not peak.exceeded or len(peak.tasks) < 2:
            continue
        limit = limits[name]
        users = ", ".join(f"`{t}`" for t in peak.tasks)
        window = peak.until_s - peak.at_s
        yield ctx.finding(
            f"as designed, {users} send {peak.sent:g} requests to {name} between {fmt_seconds(peak.at_s)} "
            f"and {fmt_seconds(peak.until_s)}, more than its limit admits in that window "
            f"({_admits(limit, window)} = {peak.allowed:g}); throttle, batch or order them",
            location=ctx.location_of(peak.tasks[-1]), tasks=tuple(peak.tasks), subject=name,
            related=(Related(limit.location, f"limit of {name}: {limit.text}"),),
        )


def _admits(limit: ApiLimit, seconds: float) -> str:
    """``10 at once + 10/s × 30s``: the bucket's arithmetic, so the figure can be checked by hand."""
    return f"{limit.bucket:g} at once + {fmt_rate(limit.per_second)} × {fmt_seconds(seconds)}"
